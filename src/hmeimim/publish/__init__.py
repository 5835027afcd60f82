"""Files published beside the data: the schema docs, the README card, the DATASHEET
statistics, CHANGELOG, CITATION.cff, croissant.json and the licence statements."""
