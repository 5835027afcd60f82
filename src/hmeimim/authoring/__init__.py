"""The reviewable authoring inputs (`corpus/sources/`): reading and writing them, and
ingesting new documents with their text fixed once (NFC, `\\n`)."""
