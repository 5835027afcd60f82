"""Validation: every check on records, and reports of findings over releases, Parquet
files and authoring folders. It knows nothing of Label Studio."""
