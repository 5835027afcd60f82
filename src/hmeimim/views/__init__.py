"""What users read: the release as a `DatasetDict` and flat tables, training views
(tokens, spans, attributions, stances), the spaCy export, the baseline and the summary."""
