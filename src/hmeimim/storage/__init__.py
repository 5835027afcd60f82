"""Releases and files on disk: atomic writes, Parquet, release folders and manifests,
the schema each release was written with, and reading its records back.

Release files are plain Parquet that `datasets`, DuckDB and Spark read unchanged: row
groups of `parquet.ROW_GROUP_ROWS` (1,024) rows, stated per file in the manifest as
`row_group_rows`, and a split of more than `writer.SHARD_ROWS` (50,000) documents in
several files named as Hugging Face names shards (`train-00000-of-00003.parquet`); the
modules' docstrings say why these sizes. Readers find the files through the manifest.
"""
