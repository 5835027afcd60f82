"""The Label Studio round trip: the mapping and labeling config, tasks, parsing an
export, importing it into an authoring folder, the API client and agreement."""
