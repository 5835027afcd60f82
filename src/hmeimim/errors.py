"""The catalogue of codes, the findings of validation and the one exception type.

A finding says what is wrong (a stable code and a message), where (file, doc_id,
span_id or other record id) and what to do about it. Codes never change meaning; new
checks get new codes. Each finding code has one golden fixture under
tests/fixtures/invalid/. `HmeimimError` carries the same three things for input the
library cannot use at all; the CLI turns it into a message and exit status 2, and
nothing else in the library prints.

Every code has a message template (`str.format`, named fields only) and a fix; both
live here and nowhere else. Call sites pass only the values of the fields:

    Finding.of("E202", file=f, doc_id=d, record_id=s, start=0, end=9, length=5)
    HmeimimError("E012", "version 7.0.0", known="1.0.0, 1.1.0")

A missing or unexpected field is a programming error and raises `TypeError` at once.
"""

from __future__ import annotations

import string
from dataclasses import asdict, dataclass
from typing import Any

# Names the constructors use themselves; no template may use them as fields.
RESERVED_FIELDS = frozenset({"code", "location", "file", "doc_id", "record_id"})


@dataclass(frozen=True)
class Code:
    code: str
    name: str
    # A `str.format` template with named fields, filled with the values a call site passes.
    template: str
    # What to do about it: static text, the same for every occurrence.
    fix: str
    # "finding": reported by validation; "error": input unusable, raised as HmeimimError;
    # "notice": reported, but nothing is wrong with the input (e.g. a skipped annotation).
    kind: str = "finding"

    @property
    def fields(self) -> frozenset[str]:
        return template_fields(self.template)

    def message(self, params: dict[str, Any]) -> str:
        """The template filled with `params`; exactly its fields, or `TypeError`."""
        fields = self.fields
        missing, extra = sorted(fields - params.keys()), sorted(params.keys() - fields)
        if missing or extra:
            raise TypeError(
                f"{self.code} {self.name}: missing parameter(s) {missing}, "
                f"unexpected parameter(s) {extra}; the template is {self.template!r}"
            )
        return self.template.format(**params)


def template_fields(template: str) -> frozenset[str]:
    """The names of the fields of a template (`{start}`, `{value!r}` -> start, value)."""
    names = set()
    for _, field, _, _ in string.Formatter().parse(template):
        if field is not None:
            names.add(field.split(".", 1)[0].split("[", 1)[0])
    return frozenset(names)


_CATALOGUE = [
    # Files and releases
    Code(
        "E001",
        "unreadable-file",
        "cannot be read as {format} ({reason})",
        "restore the file from git (a written release never changes; new versions come "
        "from `hmeimim release`), or export it again; text files must be UTF-8",
    ),
    Code(
        "E002",
        "missing-file",
        "there is no {expected} at this path",
        "check the path; restore the file from git (new versions come from `hmeimim release`)",
    ),
    Code(
        "E003",
        "schema-mismatch",
        "the columns differ from the schema (missing: {missing}; of another type: "
        "{retyped}; not in the schema: {undeclared}; column order: {order})",
        "restore the file from git; a written release never changes, and "
        "`hmeimim release` writes new versions with the current schema",
    ),
    Code(
        "E004",
        "bad-manifest",
        "cannot be read as a release manifest ({reason})",
        "restore manifest.json from git; a written release never changes",
    ),
    Code(
        "E005",
        "hash-mismatch",
        "sha256 {actual}… / {size} bytes differ from the manifest "
        "({listed}… / {listed_size} bytes)",
        "a written release never changes: restore the file from git",
    ),
    Code(
        "E006",
        "unlisted-file",
        "is in the release folder but not in manifest.json",
        "remove the file, or add it through a new release",
    ),
    Code(
        "E007",
        "wrong-split-file",
        "document has split {split!r} but is in {file_name}",
        "move the document to the file of its split, or fix `split`",
    ),
    Code(
        "E008",
        "incomplete-manifest",
        "`{key}` must be {expected}",
        "restore manifest.json from git; a written release never changes",
    ),
    Code(
        "E009",
        "row-count-mismatch",
        "holds {actual} row(s), but {source} gives {listed}",
        "restore the file and manifest.json from git; a written release never changes",
    ),
    # Unusable input and usage errors (HmeimimError, exit status 2)
    Code(
        "E010",
        "unreadable-schema",
        "the schema declaration cannot be read ({reason})",
        "restore schema/hmeimim.yaml from git",
        "error",
    ),
    Code(
        "E011",
        "bad-version",
        "is not a version of the form MAJOR.MINOR.PATCH",
        "write the version as MAJOR.MINOR.PATCH, e.g. 1.0.0",
        "error",
    ),
    Code(
        "E012",
        "no-such-release",
        "is not released (released: {known})",
        "pick a version listed under corpus/",
        "error",
    ),
    Code(
        "E013",
        "release-exists",
        "already exists; a written release never changes",
        "pick a new version, or a new output folder",
        "error",
    ),
    Code(
        "E014",
        "release-schema-missing",
        "is missing, and release {release} has schema {declared} while this checkout has {current}",
        "restore the release's kept inputs (corpus/inputs/v<version>/) from git",
        "error",
    ),
    Code(
        "E015",
        "bad-date",
        "{value!r} is not a date of the form YYYY-MM-DD",
        "write the date as YYYY-MM-DD, e.g. 2024-12-20",
        "error",
    ),
    Code(
        "E016",
        "no-release",
        "holds no release",
        "write the first release with `hmeimim release`",
        "error",
    ),
    Code(
        "E017",
        "prefix-mismatch",
        "the text does not start with the prefix {prefix!r}",
        "pass the exact start of the file as --strip-prefix, or leave it out",
        "error",
    ),
    # Release folders (findings of validation)
    Code(
        "E018",
        "empty-split-file",
        "is a split file without documents; a split without documents has no file",
        "restore the release folder from git; a written release never changes",
    ),
    Code(
        "E019",
        "path-outside-release",
        "lists {name!r}, which {problem}; it is not opened",
        "restore manifest.json and the release folder from git: a release holds only "
        "regular files directly inside its folder",
    ),
    Code(
        "E020",
        "manifest-contradiction",
        "`{key}` is {value!r}, but {fact}",
        "restore manifest.json (and the folder's name) from git; a written release never changes",
    ),
    Code(
        "E021",
        "bad-hf-metadata",
        "the `huggingface` metadata {problem}, so `datasets` would read the file wrongly "
        "or not at all",
        "restore the file from git; `hmeimim release` writes the features of the schema",
    ),
    # Files and folders the system will not read or write (HmeimimError, exit status 2)
    Code(
        "E023",
        "unreadable-path",
        "cannot be read ({reason})",
        "allow yourself to read it (and to list it, for a folder), e.g. `chmod -R u+rX`, "
        "or restore it from git",
        "error",
    ),
    Code(
        "E024",
        "write-failed",
        "cannot be written ({reason})",
        "free disk space or allow writing to the folder, then run the command again; "
        "nothing half-written was kept",
        "error",
    ),
    # Engines of `hmeimim validate` (HmeimimError, exit status 2)
    Code(
        "E030",
        "engine-unavailable",
        "the Spark validation engine cannot start: {reason}",
        "pip install 'hmeimim-corpus[spark]' and a Java 17+ runtime (e.g. Debian's "
        "openjdk-17-jre-headless; `java` on PATH or JAVA_HOME set), or validate with "
        "`--engine duckdb`",
        "error",
    ),
    # Documents
    Code(
        "E101",
        "missing-value",
        "required field `{field}` is null or missing",
        "fill in the required value",
    ),
    Code(
        "E102",
        "duplicate-doc-id",
        "this doc_id is already used in {first}",
        "give each document its own doc_id; ids are never reused",
    ),
    Code(
        "E103",
        "text-not-nfc",
        "text is not in Unicode normalization form NFC",
        "normalize the text to NFC at ingest, before annotating",
    ),
    Code(
        "E104",
        "carriage-return",
        "text contains a carriage return at offset {offset}",
        "replace \\r\\n and \\r by \\n at ingest, before annotating",
    ),
    Code(
        "E105",
        "value-not-allowed",
        "`{field}` is {value!r}; allowed: {allowed}",
        "use one of the values the schema allows",
    ),
    Code(
        "E106",
        "bad-id-format",
        "`{field}` {value!r} does not match {pattern}",
        "write the id in the format the schema gives",
    ),
    Code(
        "E107",
        "wrong-type",
        "`{field}` is not of the declared type ({reason})",
        "give the field the type the schema declares",
    ),
    Code(
        "E108",
        "doc-id-mismatch",
        "meta.yaml gives doc_id {given!r} but the folder is {folder!r}",
        "name the document folder after its doc_id, or fix doc_id in meta.yaml",
    ),
    Code(
        "E109",
        "duplicate-key",
        "{detail}",
        "keep one of the two entries: a YAML reader would silently keep only the last",
    ),
    Code(
        "E110",
        "yaml-alias",
        "{detail}",
        "write the value out in full: authoring files take no anchors, aliases or merge keys",
    ),
    Code(
        "E111",
        "unknown-key",
        "key {key!r} is not one of {allowed}",
        "fix the spelling of the key, or remove it: unknown keys would be dropped silently",
    ),
    Code(
        "E112",
        "not-a-regular-file",
        "is a {kind}, not a regular file",
        "give the path of a saved text file",
        "error",
    ),
    Code(
        "E113",
        "file-too-large",
        "holds more than {limit} bytes",
        "split the file, or check that it is the report you meant to ingest",
        "error",
    ),
    Code(
        "E114",
        "empty-text",
        "holds no text but white space",
        "give the file of the report's text",
        "error",
    ),
    Code(
        "E115",
        "control-character",
        "has the control character {character} at offset {offset}",
        "remove control characters from the text; only line breaks and tabs are allowed",
        "error",
    ),
    Code(
        "E116",
        "byte-order-mark",
        "began with a UTF-8 byte-order mark, which was removed",
        "nothing to do: the mark is not part of the text",
        "notice",
    ),
    Code(
        "E117",
        "duplicate-text",
        "has the same text as document {twin!r}",
        "do not ingest a report twice; correct the existing document instead",
        "error",
    ),
    Code(
        "E118",
        "future-date",
        "{value} is later than today ({today})",
        "give the date the report was published",
        "error",
    ),
    # Ingest of HTML pages and JSON Lines, and duplicates (HmeimimError, exit status 2)
    Code(
        "E119",
        "binary-file",
        "is a binary file ({evidence}), not text",
        "convert the report to UTF-8 text, HTML or JSON Lines first (e.g. save a PDF's "
        "text), then ingest that file",
        "error",
    ),
    Code(
        "E120",
        "unsupported-extension",
        "has the extension {extension!r}; ingest reads {allowed}",
        "save the report as .txt (its text), .html/.htm (the web page) or .jsonl "
        "(one JSON object a line)",
        "error",
    ),
    Code(
        "E121",
        "no-article-text",
        "holds no article text once the page's boilerplate is removed",
        "check that the page is the report itself (not an index, a login wall or a "
        "page built by scripts); otherwise give the report's text as a .txt file",
        "error",
    ),
    Code(
        "E122",
        "missing-date",
        "has no publication date (looked in: {looked})",
        "give the date as --published YYYY-MM-DD, or as `published` in the JSON line",
        "error",
    ),
    Code(
        "E123",
        "unknown-licence",
        "unknown licence {value!r}: not an SPDX identifier, `unknown` or `all-rights-reserved`",
        "give the SPDX identifier of the text's licence (e.g. CC-BY-4.0), "
        "`all-rights-reserved`, or `unknown` (stored as null)",
        "error",
    ),
    Code(
        "E124",
        "near-duplicate",
        "is a near duplicate of document {twin!r} (estimated Jaccard similarity "
        "{similarity} >= threshold {threshold})",
        "do not ingest a report twice: correct the existing document instead; another "
        "outlet's copy of the same story is the same report",
        "error",
    ),
    Code(
        "E125",
        "doc-id-escapes-folder",
        "doc_id {value!r} would be written outside the documents folder ({reason})",
        "give a plain slug as doc_id: lowercase letters, digits and hyphens, no `/`, "
        "`\\`, `..` or absolute path",
        "error",
    ),
    Code(
        "E126",
        "bad-jsonl-line",
        "is not a usable report ({problem})",
        "write one JSON object a line with `text` or `html` and the metadata keys the "
        "ingest command names, each a string",
        "error",
    ),
    Code(
        "E127",
        "ingest-refused",
        "{failed} of {total} input(s) refused; nothing is written",
        "fix each input named below and run the same command again",
        "error",
    ),
    # Spans
    Code(
        "E201",
        "duplicate-span-id",
        "span id {span_id!r} is already used in document {document}",
        "span ids are unique in the whole corpus: give a new id",
    ),
    Code(
        "E202",
        "offsets-out-of-range",
        "[{start}, {end}) is not a non-empty range inside the text (length {length})",
        "set 0 <= start < end <= len(text), in code points",
    ),
    Code(
        "E203",
        "span-text-mismatch",
        "span text {quoted!r} differs from text[{start}:{end}] {actual!r}",
        "make `text` equal the document text at [start:end]",
    ),
    Code(
        "E204",
        "span-whitespace",
        "span {text!r} starts or ends with whitespace",
        "move start/end so that the span has no outer whitespace",
    ),
    Code(
        "E205",
        "unknown-layer",
        "layer {layer!r} is not declared",
        "use a layer declared in schema/hmeimim.yaml",
    ),
    Code(
        "E206",
        "unknown-label",
        "label {label!r} is not in layer {layer!r} ({allowed})",
        "use a label of the span's layer from schema/hmeimim.yaml",
    ),
    Code(
        "E207",
        "unknown-entity",
        "`{field}` names entity {entity_id!r}, which is not in the registry",
        "add the entity to the registry or fix the entity_id",
    ),
    Code(
        "E208",
        "entity-id-off-layer",
        "a {layer} span carries entity_id {entity_id!r}",
        "only entity-layer spans carry entity_id: clear it",
    ),
    Code(
        "E209",
        "missing-entity-id",
        "entity mention has no entity_id",
        "link the entity mention to a registry entry",
    ),
    # Frames and stances
    Code(
        "E301",
        "duplicate-relation-id",
        "{kind} id {relation_id!r} is already used in document {document}",
        "frame and stance ids are unique in the corpus",
    ),
    Code(
        "E302",
        "dangling-reference",
        "`{field}` points to {kind} {target!r}, which {scope} lacks",
        "point to a span (or frame) of the same document",
    ),
    Code(
        "E303",
        "endpoint-label",
        "`{role}` points to {layer}/{label} span {span_id!r}; allowed labels: {allowed}",
        "point to a span with a label the schema allows in that role",
    ),
    Code(
        "E304",
        "cardinality",
        "role `{role}` has {count} span(s); the schema allows {min}..{max}",
        "give the role as many spans as the schema requires",
    ),
    Code(
        "E305",
        "kind-conflict",
        "`{kind_field}` is {kind!r} but `{field}` is {state}",
        "make the *_kind field agree with the filled-in fields",
    ),
    Code(
        "E306",
        "parent-cycle",
        "frame {frame_id!r} is its own ancestor",
        "nested frames must form a tree: break the cycle",
    ),
    # Schema 1.1.0: value mentions, metonymy flags, claim links, label class ids
    Code(
        "E310",
        "value-mention-entity-id",
        "value mention ({label}) carries entity_id {entity_id!r}",
        "value mentions (dates, times, numbers, amounts) are not linked to the registry: "
        "clear entity_id, or use a name label if the span names an entity",
    ),
    Code(
        "E311",
        "metonymy-misplaced",
        "a {what} span carries metonymy {value!r}",
        "only name mentions of the entity layer say whether they are metonymic: set "
        "metonymy to null",
    ),
    Code(
        "E312",
        "missing-metonymy",
        "name mention ({label}) has no metonymy flag",
        "set metonymy to true (the name stands for something else, such as a capital for "
        "its government) or false, as schema/GUIDELINES.md says",
    ),
    Code(
        "E313",
        "claim-id-off-content",
        "a {layer}/{label} span carries claim_id {claim_id!r}",
        "only attribution CONTENT spans link to the claim registry: clear claim_id",
    ),
    Code(
        "E314",
        "unknown-claim",
        "`{field}` names claim {claim_id!r}, which is not in the claim registry",
        "add the claim to corpus/sources/claims.yaml or fix the claim_id",
    ),
    Code(
        "E315",
        "duplicate-claim-id",
        "claim_id {claim_id!r} occurs {count} times",
        "give each claim registry entry its own claim_id",
    ),
    Code(
        "E316",
        "class-id-changed",
        "label {label} has class_id {class_id}, but the schema of release {version} "
        "gives {previous}",
        "class ids never change and are never reused: restore the label's class_id and "
        "give a new label the next free id",
        "error",
    ),
    Code(
        "E317",
        "split-rule",
        "has {field} {value!r} and split {split!r}; the split rule puts it in {wanted!r}",
        "set `split:` in the document's meta.yaml to the split the rule names (the "
        "`splits` section of schema/hmeimim.yaml), so that no framing leaks across splits",
    ),
    # Schema 1.2.0: text fingerprints and stand-off documents
    Code(
        "E318",
        "text-fingerprint-mismatch",
        "{field} is {given!r} but the text gives {actual!r}",
        "the text changed after it was fingerprinted: restore the text that was ingested "
        "(git history, or your own copy through `hmeimim rehydrate`); never edit the "
        "fingerprint by hand",
    ),
    Code(
        "E319",
        "standoff-span-text",
        "quotes {quoted!r} although its document is stand-off (the text is withheld)",
        "set the span's `text` to null: a document whose license does not allow its text to "
        "be shared must not carry it in its spans either",
    ),
    Code(
        "E320",
        "span-text-missing",
        "has no `text` although its document has one (expected {actual!r})",
        "give the span its text, text[start:end]; only spans of stand-off documents have none",
    ),
    Code(
        "E321",
        "standoff-listing",
        "the manifest {listed} but its text is {state}",
        "rebuild the release (`hmeimim reproduce`), or restore it from git: the manifest and "
        "the Parquet must agree on which documents are held without text",
    ),
    # Entity registry
    Code(
        "E401",
        "duplicate-entity-id",
        "entity_id {entity_id!r} occurs {count} times",
        "give each registry entry its own entity_id",
    ),
    # Training views and exports (HmeimimError, exit status 2)
    Code(
        "E501",
        "missing-extra",
        "this view needs spaCy, which is not installed",
        "pip install 'hmeimim-corpus[views]'",
        "error",
    ),
    Code(
        "E502",
        "no-tokenizer",
        "spaCy has no blank pipeline for {language!r} ({reason})",
        "fix the document's language tag, or add spaCy support for the language",
        "error",
    ),
    Code(
        "E503",
        "bad-view-option",
        "{value!r} is not one of {allowed}",
        "pass the view option one of the listed values",
        "error",
    ),
    Code(
        "E504",
        "bad-output-dir",
        "is a file, not a folder",
        "give a folder path that is not an existing file",
        "error",
    ),
    # Releases (HmeimimError, exit status 2)
    Code(
        "E505",
        "unknown-provenance",
        "is {value!r}; allowed: {allowed}",
        'pass provenance="published", "constructed" or "all"',
        "error",
    ),
    Code(
        "E506",
        "texts-withheld",
        "holds {count} document(s) without their text (stand-off, by license): {documents}; "
        "their annotations are left out, since no span of theirs has text",
        "fill the texts in from your own copies: `hmeimim rehydrate --from PATH -o DIR`, "
        "then load from DIR (set HMEIMIM_ROOT=DIR)",
        "notice",
    ),
    Code(
        "E601",
        "bump-mismatch",
        "does not fit the change since {parent} ({change}; schema {old_schema} -> "
        "{new_schema}): it needs a {needed} bump",
        "release with the bump the change needs",
        "error",
    ),
    Code(
        "E602",
        "nothing-to-release",
        "is identical to release {release}",
        "change corpus/sources before releasing",
        "error",
    ),
    Code(
        "E603",
        "undeclared-schema-change",
        "the tables differ from release {release} but schema_version is still {version}",
        "raise schema_version in schema/hmeimim.yaml (major for a break) and release "
        "with that bump",
        "error",
    ),
    Code(
        "E604",
        "bad-release-declaration",
        "cannot be read as YAML ({reason})",
        "restore corpus/release.yaml from git",
        "error",
    ),
    Code(
        "E605",
        "release-in-progress",
        "another release is being written",
        "wait for the other release to finish",
        "error",
    ),
    Code(
        "E606",
        "inputs-missing",
        "holds no inputs",
        "restore corpus/inputs/v<version>/ from git; never edit",
        "error",
    ),
    Code(
        "E607",
        "bad-bump",
        "{value!r} is not one of {allowed}",
        "pass major, minor or patch",
        "error",
    ),
    Code(
        "E608",
        "inputs-changed",
        "has sha256 {actual}…, not the manifest's sources_sha256 {listed}…",
        "restore corpus/inputs/v<version>/ from git; the kept inputs never change",
        "error",
    ),
    Code(
        "E609",
        "incomplete-release-declaration",
        "`{key}` must be {expected}",
        "fill it in corpus/release.yaml, or restore the file from git",
        "error",
    ),
    Code(
        "E610",
        "derived-files-stale",
        "the derived files {files} do not reflect release {version}",
        "run `hmeimim generate` and commit the result (a release was written, but the "
        "files derived from it were not)",
        "error",
    ),
    Code(
        "E611",
        "derived-files-not-written",
        "release {version} is written, but its derived files are not ({reason})",
        "free disk space or allow writing to the folder, then run `hmeimim generate`; "
        "the release itself is complete",
        "error",
    ),
    Code(
        "E612",
        "release-removes-gold",
        "this release would leave out gold of release {release}: {removal}; nothing is written",
        "if the removal is intended, release again with --allow-removal (the changelog "
        "then lists it); otherwise restore the document's gold.yaml from git",
        "error",
    ),
    Code(
        "E613",
        "rehydrate-copy-differs",
        "your copy of {documents} is not the released text ({detail}); nothing is written",
        "use the copy of the report that was annotated (the sha256 is of the text after NFC "
        "and \\n line endings); the release's url says where it was published",
        "error",
    ),
    Code(
        "E614",
        "rehydrate-no-copy",
        "no copy of the text in {searched}; the document stays stand-off",
        "save the report's text as <doc_id>.txt (or <doc_id>/text.txt), or its web page "
        "as <doc_id>.html, in the folder given to --from",
        "notice",
    ),
    Code(
        "E615",
        "nothing-to-rehydrate",
        "release {version} {reason}",
        "rehydrate a release that lists stand-off documents (manifest `standoff`)",
        "error",
    ),
    # Label Studio round trip. Findings name "task <id> / annotation <id> / region <id>".
    Code(
        "E701",
        "unreadable-export",
        "is not a JSON list of tasks ({reason})",
        "export the project again as JSON (full export)",
        "error",
    ),
    Code(
        "E702",
        "json-min-export",
        "is a JSON_MIN export: it flattens each annotation into one row without region "
        "ids and without relations, so spans cannot keep their ids and frames and stances "
        "are lost",
        "JSON_MIN has no region ids and no relations: export as JSON (`hmeimim ls pull`)",
        "error",
    ),
    Code(
        "E703",
        "foreign-config",
        "result of control {from_name!r} -> {to_name!r} (type {result_type!r}) is not in "
        "the generated labeling config",
        "annotate with the config of `hmeimim ls config`",
    ),
    Code(
        "E704",
        "unknown-ls-label",
        "`{control}` has {value!r}, which is not one of {allowed}",
        "use a label, choice or relation of `hmeimim ls config`",
    ),
    Code(
        "E705",
        "region-offsets",
        "offsets [{start!r}, {end!r}) are not a non-empty range inside the text "
        "(length {length} code points)",
        "redraw the region inside the text (code points, start < end)",
    ),
    Code(
        "E706",
        "region-text-mismatch",
        "value.text {quoted!r} differs from text[{start}:{end}] {actual!r}",
        "redraw the region; its text differs from the offsets",
    ),
    Code(
        "E707",
        "missing-region",
        "{kind} `{name}` refers to missing region(s) {regions}",
        "point the relation or per-region value at an existing region",
    ),
    Code(
        "E708",
        "not-allowed-here",
        "{kind} `{name}` is not allowed on {labels}",
        "link or annotate only the labels the mapping allows",
    ),
    Code(
        "E709",
        "duplicate-region-id",
        "region {region!r} has more than one `{control}` result",
        "give every region of an annotation its own id, with one result per control",
    ),
    Code(
        "E710",
        "cancelled-annotation",
        "cancelled (skipped) annotation not imported",
        "nothing to do: skipped work is not imported",
        "notice",
    ),
    Code(
        "E711",
        "malformed-task",
        "`{key}` must be {expected}, not {found}",
        "export the project again as JSON; tasks need data.text and data.doc_id",
    ),
    Code(
        "E712",
        "text-changed",
        "data.text differs from the text of this document in the base release {release}",
        "keep the task text of a released document unchanged",
    ),
    Code(
        "E713",
        "dropped-stance-line",
        "stance_id line {line!r} matches no target relation of the hub and was dropped",
        "write lines as `<stance_id> <target>`",
        "notice",
    ),
    Code(
        "E714",
        "superseded-annotation",
        "{annotator} has several annotations; annotation {kept} (the latest) is kept",
        "nothing to do: the latest annotation wins",
        "notice",
    ),
    Code(
        "E715",
        "not-exportable",
        "shares its {role} span {span} with {other}, but they differ in {fields}, which "
        "one Label Studio region holds only once",
        "give each stance or frame its own hub span, then export again",
        "error",
    ),
    Code(
        "E716",
        "missing-api-key",
        "is not set; the API key is read from this variable only",
        "export LABEL_STUDIO_API_KEY=<token from Label Studio's Account & Settings>",
        "error",
    ),
    Code(
        "E717",
        "label-studio-failed",
        "{action} failed ({reason})",
        "check the URL, the token and the project; for a slow export, pull again with "
        "a longer --timeout",
        "error",
    ),
    Code(
        "E718",
        "bad-label-value",
        "must be non-empty, without outer whitespace and without characters a Label "
        "Studio config cannot carry (refused: {refused})",
        "rename the label in schema/hmeimim.yaml",
        "error",
    ),
    Code(
        "E719",
        "output-exists",
        "already exists",
        "give a folder that does not exist yet",
        "error",
    ),
    Code(
        "E720",
        "shared-stance-target",
        "shares hub span {span} and target {target} with stance {other}",
        "give one of the two stances its own hub span, or merge them, then export again",
        "error",
    ),
    Code(
        "E721",
        "no-such-project",
        "does not exist",
        "push the tasks first with `hmeimim ls push`",
        "error",
    ),
    Code(
        "E722",
        "project-config-differs",
        "has another labeling config than `hmeimim ls config` generates",
        "push to a new project title, or update the project's config first",
        "error",
    ),
    Code(
        "E723",
        "bad-layer-name",
        "cannot be a Label Studio control name (a letter, then letters, digits, _ "
        "and -, at most 64; not one of {reserved})",
        "rename the layer in schema/hmeimim.yaml",
        "error",
    ),
    Code(
        "E724",
        "import-has-findings",
        "has {count} finding(s); nothing is written",
        "fix what the findings name, then import again",
        "error",
    ),
    Code(
        "E725",
        "bad-ls-option",
        "{value!r} is not one of {allowed}",
        "pass the option one of the listed values",
        "error",
    ),
    Code(
        "E726",
        "empty-annotation",
        "is empty (no region) and is not taken as the gold; annotation {kept} is",
        "nothing to do: an empty annotation stays its annotator's layer but never becomes the gold",
        "notice",
    ),
    Code(
        "E727",
        "empty-gold-kept-base",
        "the gold chosen by `--gold {rule}` would be empty; the {count} gold span(s) of "
        "release {release} are kept",
        "nothing to do: empty work never replaces gold; to change this gold, submit a "
        "non-empty annotation",
        "notice",
    ),
    Code(
        "E728",
        "gold-removal",
        "the chosen gold removes {removed} of the {total} gold spans release {release} has "
        "for this document, more than the share {allowed}",
        "check that the annotation is complete; if the removal is intended, import again "
        "with --allow-removal",
    ),
    Code(
        "E729",
        "two-layer-region",
        "region {region!r} carries labels of two layers ({layers}); a region holds the "
        "labels of one layer",
        "in the editor, select the region and remove the labels of one layer (pick one); "
        "draw a second region for the other layer",
    ),
    Code(
        "E730",
        "region-splits-nfc",
        "a region boundary at offset {offset} falls inside {sequence}, which NFC turns "
        "into {merged}",
        "redraw the region so that it does not split a character from its combining marks "
        "(texts are stored in NFC)",
    ),
    Code(
        "E731",
        "ls-unreachable",
        "cannot reach the server while {action} ({reason})",
        "check the URL and that Label Studio runs there; for a slow server, give a longer "
        "--timeout",
        "error",
    ),
    Code(
        "E732",
        "bad-api-key",
        "holds {count} character(s) that an HTTP header cannot carry (only printable ASCII)",
        "copy the token again from Label Studio's Account & Settings",
        "error",
    ),
    Code(
        "E733",
        "not-exportable-dangling",
        "`{field}` points to {target!r}, which this document lacks, so no Label Studio "
        "region or relation can carry it",
        "run `hmeimim validate` on the release (it reports E302 here) and restore the "
        "release from git; a published release is never edited",
        "error",
    ),
    # Agreement
    Code(
        "E734",
        "sources-not-exportable",
        "the authoring folder has {count} finding(s) and cannot become tasks; the first: {first}",
        "run `hmeimim validate` on the folder and fix every finding, then export again",
        "error",
    ),
    Code(
        "E740",
        "agreement-one-annotator",
        "none of its {documents} document(s) has the raw layers of two annotators "
        "({layers} raw layer(s) in all), so there is no pair to compare",
        "add a second annotator's layer of the same document (corpus/sources/annotators/"
        "<doc_id>/<annotator>.yaml, or a second annotation of the task in Label Studio) "
        "and release it; with --doc, name documents that two annotators annotated",
        "error",
    ),
    Code(
        "E741",
        "agreement-unknown-document",
        "holds no document {doc_ids}",
        "pass to --doc the doc_id of a document the input holds (the folder names under "
        "corpus/sources/documents/, or `hmeimim.read_documents()` for a release)",
        "error",
    ),
    Code(
        "E742",
        "agreement-input",
        "needs exactly one input, got {given}",
        "pass one of: a Label Studio export file, --release VERSION (or latest), --sources FOLDER",
        "error",
    ),
    Code(
        "E743",
        "agreement-layer-without-document",
        "holds a raw layer of annotator {annotator!r} for document {layer_doc!r}, which it lacks",
        "name the layer's folder after the doc_id of its document (corpus/sources/"
        "annotators/<doc_id>/), or add the document; `hmeimim validate` names the same",
        "error",
    ),
    # Review pages (render)
    Code(
        "E801",
        "render-unknown-document",
        "holds no document {doc_ids}; nothing is written",
        "pass the doc_id of a document the input holds (the folder names under "
        "corpus/sources/documents/, or `hmeimim.read_documents()` for a release)",
        "error",
    ),
    Code(
        "E802",
        "render-unreadable-sources",
        "has {count} finding(s) in its files, the first: {first}; nothing is written",
        "correct the authoring files the findings name (`hmeimim build --out DIR` lists "
        "them all), then render again",
        "error",
    ),
    Code(
        "E803",
        "render-output-taken",
        "is {what} that `hmeimim render` did not write; nothing is written",
        "pass -o a new or empty folder, or one an earlier `hmeimim render` wrote (it holds "
        "render.json and .html files only, and is replaced whole)",
        "error",
    ),
    Code(
        "E804",
        "render-two-inputs",
        "takes one input, got {given}",
        "pass either --release VERSION or --sources FOLDER (default: corpus/sources)",
        "error",
    ),
    Code(
        "E805",
        "render-no-documents",
        "holds no documents to render",
        "add documents (`hmeimim ingest`), or pass another --sources folder or --release",
        "error",
    ),
]

CODES: dict[str, Code] = {code.code: code for code in _CATALOGUE}


def message(code: str, params: dict[str, Any]) -> str:
    """The message of `code` for `params` (`KeyError` for an unknown code)."""
    spec = CODES.get(code)
    if spec is None:
        raise KeyError(f"{code} is not in the catalogue of hmeimim.errors")
    return spec.message(params)


@dataclass(frozen=True)
class Finding:
    """One problem found by validation; build it with `Finding.of`."""

    code: str
    message: str
    file: str | None = None
    doc_id: str | None = None
    record_id: str | None = None

    @classmethod
    def of(
        cls,
        code: str,
        *,
        file: str | None = None,
        doc_id: str | None = None,
        record_id: str | None = None,
        **params: Any,
    ) -> Finding:
        """The finding `code` with its template filled by `params`."""
        return cls(code, message(code, params), file, doc_id, record_id)

    @classmethod
    def from_error(cls, error: HmeimimError, *, file: str | None = None) -> Finding:
        """An error of one input as a finding about it (validation goes on with the rest)."""
        return cls(error.code, error.message, file if file is not None else error.location)

    @property
    def name(self) -> str:
        return CODES[self.code].name

    @property
    def fix(self) -> str:
        return CODES[self.code].fix

    @property
    def location(self) -> str:
        parts = [self.file or "<input>"]
        if self.doc_id:
            parts.append(f"doc={self.doc_id}")
        if self.record_id:
            parts.append(f"id={self.record_id}")
        return " ".join(parts)

    def render(self) -> str:
        return f"{self.location}: {self.code} {self.name}: {self.message}\n  fix: {self.fix}"

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "name": self.name, "fix": self.fix}


class TextsWithheld(UserWarning):
    """Warned by readers that leave out stand-off documents (E506); `finding` says which
    documents and how to fill their texts in."""

    def __init__(self, finding: Finding) -> None:
        super().__init__(finding.render())
        self.finding = finding


class HmeimimError(Exception):
    """Input the library cannot use at all (as opposed to findings in usable input).

    `HmeimimError(code, location, **params)`: the message is the code's template filled
    with `params`, the fix is the catalogue's.
    """

    def __init__(self, code: str, location: str, **params: Any) -> None:
        text = message(code, params)
        super().__init__(f"{code} {location}: {text}")
        self.code = code
        self.location = location
        self.params = params
        self.message = text
        self.fix = CODES[code].fix

    def render(self) -> str:
        return f"{self.location}: {self.code} {self.message}\n  fix: {self.fix}"
