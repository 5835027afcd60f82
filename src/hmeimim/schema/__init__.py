"""The schema declaration (`schema/hmeimim.yaml`) and what is derived from it in code:
Arrow schemas, Hugging Face features and the JSON Schema of records."""
