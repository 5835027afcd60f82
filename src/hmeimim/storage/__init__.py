"""Releases and files on disk: atomic writes, Parquet, release folders and manifests,
the schema each release was written with, and reading its records back."""
