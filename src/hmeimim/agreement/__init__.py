"""Inter-annotator agreement over records: documents and raw per-annotator layers.

`metrics` holds the figures (span, frame and stance F1, Krippendorff's alpha) and needs
nothing but plain dicts; `inputs` reads them from a release or an authoring folder.
Label Studio exports reach the same core through `hmeimim.labelstudio.agreement`.
"""
