"""Static HTML review pages of documents: one self-contained page per document (gold
and every raw annotator layer) and an index, for adjudicators, with no server."""
