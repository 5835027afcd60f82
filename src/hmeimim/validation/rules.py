"""The validation rules as data: which rows may break which finding code, in SQL.

Every check of `validation/checks.py` on a document or annotator-layer row has a rule
here: the finding code(s) it guards, the relation it reads and a DuckDB predicate that
is TRUE (or NULL) for every row, span, frame or stance that may break it. A rule may
over-report (a row it flags can still be clean); it must never miss a row that the
Python checks would report, because only flagged rows reach them. Column rules (nulls
of required columns, enum values, id patterns) are generated from the schema
declaration; the rest (offsets, fingerprints, links, roles, duplicates, cycles) are
written out once, with the schema's layers, labels, frames and split rule filled in.

The rules are written once, for two SQL dialects: what DuckDB and Spark SQL spell
differently (string literals, quoted names, regular expressions, list functions, anti
joins, sha256, the NFC test) goes through a `Dialect`, `DUCKDB` (the default) or
`SPARK`; everything else is SQL both read alike.

The relations a predicate reads are set up by `validation/engine.py` (DuckDB) and
`validation/spark_engine.py` (Spark):

- `records`: one row per Parquet row, its columns, plus `_f` (file), `_r` (row) and
  `_split` (the split the file is named for, or NULL);
- `offsets`: one row per span (`s`), with `_f`, `_r`, and the text its offsets are
  checked against: `_text`, its length `_n`, or the stand-off length `_length`;
- `spans`: the same spans with their ids, layers, labels and links only (`s`);
- `frames`, `stances`: one row per frame (`a`) or stance (`st`), with `_f`, `_r`;
- `entity_ids`, `claim_ids`: the registries' ids (`id`), when they could be read.

`Query` rules are whole SELECTs of `_f, _r` over those relations (duplicates across
rows, references between elements, parent cycles).
"""

from __future__ import annotations

import functools
import re
import sys
from collections.abc import Iterable
from dataclasses import dataclass

from hmeimim.schema.declaration import Column, Endpoint, Schema

DOCUMENTS = "documents"
LAYERS = "annotator_layers"

# The relations a predicate rule reads, and the alias of the element in each.
ELEMENT = {"records": "", "spans": "s.", "frames": "a.", "stances": "st.", "offsets": "s."}
# The struct each list column holds, and its relation.
LISTS = {"spans": ("span", "offsets"), "attributions": ("attribution", "frames")}
LISTS["stances"] = ("stance", "stances")

# How deep a chain of parent frames may go before the document goes to the Python
# checks (a cycle has chains of every depth).
PARENT_DEPTH = 8


@dataclass(frozen=True)
class Rule:
    """Rows of `relation` where `predicate` is not FALSE may carry a finding in `codes`."""

    codes: tuple[str, ...]
    relation: str
    predicate: str
    generated: bool = False


@dataclass(frozen=True)
class Query:
    """A SELECT of `_f, _r`: the rows that may carry a finding in `codes`."""

    codes: tuple[str, ...]
    sql: str
    generated: bool = False


@dataclass(frozen=True)
class RuleSet:
    rules: tuple[Rule, ...]
    queries: tuple[Query, ...]

    def predicate(self, relation: str) -> str | None:
        """One predicate for every rule of `relation` (NULL counts as TRUE), or None."""
        parts = [f"coalesce(({r.predicate}), true)" for r in self.rules if r.relation == relation]
        return "\n    OR ".join(parts) if parts else None

    def parts(self, *, done: Iterable[str] = ()) -> list[str]:
        """SELECTs of flagged (_f, _r), one per relation's rules and one per query.
        `done` names tables of rows already flagged by the offsets rules, run apart;
        those rules are then left out."""
        done = tuple(done)
        parts = [f"SELECT _f, _r FROM {table}" for table in done]
        for relation in ("records", "offsets", "frames", "stances"):
            if relation == "offsets" and done:
                continue
            predicate = self.predicate(relation)
            if predicate is not None:
                parts.append(f"SELECT _f, _r FROM {relation} WHERE {predicate}")
        parts += [query.sql for query in self.queries]
        return parts

    def flagged(self, *, done: Iterable[str] = ()) -> str:
        """One SELECT of every flagged (_f, _r), without repeats: every rule and query."""
        union = "\nUNION ALL ".join(f"({part})" for part in self.parts(done=done))
        return f"SELECT DISTINCT _f, _r FROM ({union})"


# Characters that never change a text under NFC, whatever surrounds them (canonical
# combining class 0, NFC quick check Yes; `tests/test_validation_engine.py` checks this
# against `unicodedata`): a text of these alone needs no `nfc_normalize`. Latin to
# spacing modifiers, Cyrillic, Arabic letters and digits, punctuation, emoji.
NFC_STABLE = (
    (0x0000, 0x02FF),
    (0x0400, 0x0482),
    (0x061B, 0x064A),
    (0x0660, 0x066F),
    (0x0671, 0x06D5),
    (0x2002, 0x20CF),
    (0x1F000, 0x1FAFF),
)


def _char_class(ranges: Iterable[tuple[int, int]]) -> str:
    """A character class both RE2 (DuckDB) and java.util.regex (Spark) read alike."""
    return "[" + "".join(f"\\x{{{lo:x}}}-\\x{{{hi:x}}}" for lo, hi in ranges) + "]"


class Dialect:
    """What the rules spell differently in DuckDB and Spark SQL; this class spells DuckDB.

    Regular expressions are given as Python strings and written in the syntax both
    engines share (character classes of `\\x{..}`, `\\A` and `\\z` for the ends of the
    text, never `^`/`$`, which Java reads differently around a final newline).
    """

    name = "duckdb"
    anti_join = "ANTI JOIN"

    def string(self, value: str) -> str:
        return "'" + value.replace("'", "''") + "'"

    def strings(self, values: Iterable[str]) -> str:
        """A parenthesized list for IN; `(NULL)` (nothing is IN it) when empty."""
        items = [self.string(v) for v in values]
        return "(" + ", ".join(items) + ")" if items else "(NULL)"

    def name_of(self, column: str) -> str:
        """A column name quoted (`end` is a keyword in both)."""
        return '"' + column.replace('"', '""') + '"'

    def search(self, text: str, pattern: str) -> str:
        """TRUE when `pattern` matches somewhere in `text`."""
        return f"regexp_matches({text}, {self.string(pattern)})"

    def full_match(self, text: str, pattern: str) -> str:
        return f"regexp_full_match({text}, {self.string(pattern)})"

    def size(self, items: str) -> str:
        """The number of items of a list; NULL for a NULL list."""
        return f"len({items})"

    def any_item(self, items: str, predicate: str) -> str:
        """TRUE when some item `x` of `items` makes `predicate` TRUE; NULL for a NULL list."""
        return f"len(list_filter({items}, lambda x: {predicate})) > 0"

    def unnest(self, items: str) -> str:
        """One row per item of a list (in a SELECT list)."""
        return f"unnest({items})"

    def sha256(self, text: str) -> str:
        """The lowercase hex sha256 of the UTF-8 bytes of `text`."""
        return f"sha256({text})"

    def decoded_length(self, text: str) -> str:
        """The length of `text` in bytes, read so that bytes that are not UTF-8 stop the
        engine (as they stop the Python reader)."""
        return f"strlen({text})"

    def find_all(self, text: str, pattern: str) -> str:
        """Every match of `pattern` in `text`, as a list."""
        return f"regexp_extract_all({text}, {self.string(pattern)})"

    def nfc(self, text: str) -> str:
        """`text` in Unicode normalization form C."""
        return f"nfc_normalize({text})"

    def not_nfc(self, text: str) -> str:
        """TRUE when `text` is not NFC. A text splits into pieces that normalize on their
        own before every character of `NFC_STABLE`; only the pieces with other characters
        (a letter and its combining marks) are normalized."""
        stable = _char_class(NFC_STABLE)
        other = f"[^{stable[1:]}"
        pieces = self.find_all(text, f"{stable}?{other}+")
        changed = self.any_item(pieces, f"{self.nfc('x')} <> x")
        return f"{self.search(text, other)} AND {changed}"


class SparkDialect(Dialect):
    """Spark SQL (4.1 and later). String literals take backslash escapes. Spark has no
    NFC function, but ships ICU4J (for its collations): `nfc` calls ICU's
    `Normalizer.compose(text, false)` (canonical composition, NFC) through `reflect`,
    in the JVM, so that no Python worker is needed."""

    name = "spark"
    anti_join = "LEFT ANTI JOIN"

    def string(self, value: str) -> str:
        return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"

    def name_of(self, column: str) -> str:
        return "`" + column.replace("`", "``") + "`"

    def search(self, text: str, pattern: str) -> str:
        return f"({text} RLIKE {self.string(pattern)})"

    def full_match(self, text: str, pattern: str) -> str:
        return self.search(text, f"\\A(?:{pattern})\\z")

    def size(self, items: str) -> str:
        return f"size({items})"

    def any_item(self, items: str, predicate: str) -> str:
        return f"exists({items}, x -> {predicate})"

    def unnest(self, items: str) -> str:
        return f"explode({items})"

    def sha256(self, text: str) -> str:
        return f"sha2({text}, 256)"

    def decoded_length(self, text: str) -> str:
        return f"octet_length(validate_utf8({text}))"

    def find_all(self, text: str, pattern: str) -> str:
        return f"regexp_extract_all({text}, {self.string(pattern)}, 0)"

    def nfc(self, text: str) -> str:
        return f"reflect('com.ibm.icu.text.Normalizer', 'compose', {text}, false)"


DUCKDB = Dialect()
SPARK = SparkDialect()


def sql_string(value: str) -> str:
    """A DuckDB string literal."""
    return DUCKDB.string(value)


@functools.cache
def whitespace_class() -> str:
    """A character class of every character `str.strip()` removes."""
    # `\s` of a str pattern is `str.isspace()`; one search beats a loop over code points.
    every = "".join(map(chr, range(sys.maxunicode + 1)))
    return _char_class((ord(c), ord(c)) for c in re.findall(r"\s", every))


def _field(schema: Schema, struct: str, name: str, alias: str) -> str:
    """The SQL of a struct field, NULL where the schema's struct has no such field
    (the Python checks read a missing field as None)."""
    return f"{alias}{name}" if schema.has_column(struct, name) else "NULL"


# -- generated from the declaration ---------------------------------------------------------


def column_rules(
    schema: Schema, columns: tuple[Column, ...], relation: str, d: Dialect = DUCKDB
) -> list[Rule]:
    """Nulls of required columns (E101), enum values (E105), id patterns (E106), and a
    read of every other string and date so that a value Python cannot decode (invalid
    UTF-8, a year beyond 9999) stops the engine as it stops the Python reader."""
    alias = ELEMENT[relation]
    rules: list[Rule] = []
    for column in columns:
        col = f"{alias}{d.name_of(column.name)}"
        if column.required:
            rules.append(Rule(("E101",), relation, f"{col} IS NULL", True))
        if column.enum and column.enum not in ("layers", "labels"):
            allowed = d.strings(schema.enum_values(column.enum))
            rules.append(
                Rule(("E105",), relation, f"{col} IS NOT NULL AND {col} NOT IN {allowed}", True)
            )
        if column.pattern:
            pattern = schema.id_patterns[column.pattern]
            check = f"{col} IS NOT NULL AND NOT {d.full_match(col, pattern)}"
            rules.append(Rule(("E106",), relation, check, True))
        elif column.type == "string" and not column.enum:
            check = f"coalesce({d.decoded_length(col)}, 0) < 0"
            rules.append(Rule(("E001",), relation, check, True))
        elif column.type == "list<string>":
            check = f"coalesce({d.any_item(col, d.decoded_length('x') + ' < 0')}, false)"
            rules.append(Rule(("E001",), relation, check, True))
        elif column.type == "date":
            rules.append(
                Rule(
                    ("E001",),
                    relation,
                    f"coalesce(year({col}) NOT BETWEEN 1 AND 9999, false)",
                    True,
                )
            )
    return rules


def _count_rule(count: str, endpoint: Endpoint, relation: str) -> Rule:
    bound = f"{count} < {endpoint.min}"
    if endpoint.max is not None:
        bound += f" OR {count} > {endpoint.max}"
    return Rule(("E304",), relation, bound, True)


def endpoint_queries(schema: Schema, d: Dialect = DUCKDB) -> list[Query]:
    """E302/E303 for every role of every frame, in one anti-join: each span id a role
    names is a span of the same row with one of the role's layers and one of its labels."""
    attribution, stance = schema.frames["attribution"], schema.frames["stance"]
    roles: list[tuple[str, str, str, str, Endpoint]] = [
        ("cue", "frames", "a.cue", "a.cue IS NOT NULL", attribution["cue"]),
        ("sources", "frames", d.unnest("a.sources"), "true", attribution["sources"]),
        ("contents", "frames", d.unnest("a.contents"), "true", attribution["contents"]),
        ("holder", "stances", "st.holder", "st.holder_kind = 'span'", stance["holder"]),
        ("evidence", "stances", d.unnest("st.evidence"), "true", stance["evidence"]),
        ("mention", "stances", "st.target", "st.target_kind = 'mention'", stance["target_mention"]),
        ("claim", "stances", "st.target", "st.target_kind = 'claim'", stance["target_claim"]),
    ]
    refs = " UNION ALL ".join(
        f"SELECT _f, _r, {d.string(role)} AS role, {ref} AS ref FROM {relation} "
        f"WHERE {'a.frame_id' if relation == 'frames' else 'st.stance_id'} IS NOT NULL "
        f"AND {where}"
        for role, relation, ref, where, _ in roles
    )
    allowed = ", ".join(
        f"({d.string(role)}, {d.string(layer)}, {d.string(label)})"
        for role, _, _, _, endpoint in roles
        for layer in endpoint.layers
        for label in endpoint.labels
    )
    sql = (
        f"WITH refs AS ({refs}), allowed AS (SELECT * FROM (VALUES {allowed}) "
        "AS t (role, layer, label)) "
        f"SELECT x._f, x._r FROM refs x {d.anti_join} (SELECT k._f, k._r, k.s.span_id AS id, "
        "a.role FROM spans k JOIN allowed a ON a.layer = k.s.layer AND a.label = k.s.label) m "
        "ON m._f = x._f AND m._r = x._r AND m.id = x.ref AND m.role = x.role"
    )
    return [Query(("E302", "E303"), sql, True)]


# -- written out once, filled in from the declaration -------------------------------------


def document_rules(schema: Schema, d: Dialect = DUCKDB) -> list[Rule]:
    rules = [
        Rule(("E103", "E104"), "records", f"contains(text, chr(13)) OR {d.not_nfc('text')}"),
        Rule(("E007",), "records", "_split IS NOT NULL AND split IS DISTINCT FROM _split"),
    ]
    if {"text_sha256", "text_length"} <= schema.column_names(DOCUMENTS):
        fingerprint = f"{d.sha256('text')} <> text_sha256 OR length(text) <> text_length"
        rules.append(Rule(("E318",), "records", f"text IS NOT NULL AND ({fingerprint})"))
    if schema.split_by is not None and schema.split_of:
        cases = " ".join(
            f"WHEN {d.string(value)} THEN {d.string(split)}"
            for value, split in schema.split_of.items()
        )
        wanted = f"CASE {d.name_of(schema.split_by)} {cases} END"
        rules.append(
            Rule(("E317",), "records", f"{wanted} IS NOT NULL AND split IS DISTINCT FROM {wanted}")
        )
    return rules


def span_rules(schema: Schema, entities_known: bool, d: Dialect = DUCKDB) -> list[Rule]:
    layers = d.strings(schema.layers)
    label_cases = " ".join(
        f"WHEN {d.string(name)} THEN s.label NOT IN {d.strings(layer.label_names)}"
        for name, layer in schema.layers.items()
    )
    value_labels = _value_labels(schema, d)
    entity_id = _field(schema, "span", "entity_id", "s.")
    # Whether the id is in the registry is `registry_queries`' (an anti-join).
    name_link = f"{entity_id} IS NULL" if entities_known else "false"
    rules = [
        Rule(
            ("E205", "E206"),
            "offsets",
            f"s.layer NOT IN {layers} OR (s.label IS NOT NULL AND CASE s.layer {label_cases} END)",
        ),
        Rule(
            ("E208",), "offsets", f"s.layer IS DISTINCT FROM 'entity' AND {entity_id} IS NOT NULL"
        ),
        Rule(
            ("E209", "E310"),
            "offsets",
            f"s.layer = 'entity' AND CASE WHEN s.label IN {value_labels} "
            f"THEN {entity_id} IS NOT NULL ELSE {name_link} END",
        ),
    ]
    if schema.has_column("span", "metonymy"):
        is_name = f"s.layer = 'entity' AND s.label NOT IN {value_labels}"
        rules.append(
            Rule(
                ("E311", "E312"),
                "offsets",
                f"CASE WHEN {is_name} THEN s.metonymy IS NULL ELSE s.metonymy IS NOT NULL END",
            )
        )
    if schema.has_column("span", "claim_id"):
        rules.append(
            Rule(
                ("E313",),
                "offsets",
                "s.claim_id IS NOT NULL AND (s.layer IS DISTINCT FROM 'attribution' "
                "OR s.label IS DISTINCT FROM 'CONTENT')",
            )
        )
    return rules


def _value_labels(schema: Schema, d: Dialect) -> str:
    return d.strings(label.name for label in schema.labels_by_class_id() if label.kind == "value")


def registry_queries(
    schema: Schema, entities_known: bool, claims_known: bool, d: Dialect = DUCKDB
) -> list[Query]:
    """Links to the registries (E207, E314): ids that are not in them, as anti-joins."""
    links: list[tuple[str, str, str, str, str]] = []
    if entities_known:
        if schema.has_column("span", "entity_id"):
            name = f"x.s.layer = 'entity' AND x.s.label NOT IN {_value_labels(schema, d)}"
            links.append(("E207", "spans", "entity_ids", "x.s.entity_id", name))
        links.append(
            ("E207", "stances", "entity_ids", "x.st.target", "x.st.target_kind = 'entity'")
        )
    if claims_known:
        if schema.has_column("span", "claim_id"):
            content = "x.s.layer = 'attribution' AND x.s.label = 'CONTENT'"
            links.append(("E314", "spans", "claim_ids", "x.s.claim_id", content))
        registered = "x.st.target_kind = 'registered_claim'"
        links.append(("E314", "stances", "claim_ids", "x.st.target", registered))
    return [
        Query(
            (code,),
            f"SELECT x._f, x._r FROM {relation} x {d.anti_join} {registry} r ON r.id = {ref} "
            f"WHERE {ref} IS NOT NULL AND {where}",
        )
        for code, relation, registry, ref, where in links
    ]


def offset_rules(schema: Schema, d: Dialect = DUCKDB) -> list[Rule]:
    """E202-E204, E319, E320: offsets in code points against the text (or, for a
    stand-off document, its length), the quoted text, and no whitespace at the edges."""
    edges = whitespace_class()
    end = f"s.{d.name_of('end')}"
    cut = f"substring(_text, s.start + 1, {end} - s.start)"
    in_text = f"s.start >= 0 AND s.start < {end} AND {end} <= {{}}"
    text_field = _field(schema, "span", "text", "s.")
    at_edges = f"\\A{edges}|{edges}\\z"
    # Where the quoted text is the cut, its edges are the cut's; where it is not, E203.
    with_text = (
        f"NOT ({in_text.format('_n')}) OR {text_field} IS NULL "
        f"OR {text_field} <> {cut} OR {d.search(text_field, at_edges)}"
    )
    standoff = f"{text_field} IS NOT NULL OR NOT ({in_text.format('_length')})"
    predicate = (
        f"CASE WHEN _text IS NOT NULL THEN {with_text} "
        f"WHEN _length IS NOT NULL THEN {standoff} ELSE false END"
    )
    return [Rule(("E202", "E203", "E204", "E319", "E320"), "offsets", predicate)]


def frame_rules(schema: Schema, d: Dialect = DUCKDB) -> list[Rule]:
    roles = schema.frames["attribution"]
    count_cue = "(CASE WHEN a.cue IS NULL THEN 0 ELSE 1 END)"
    sources, contents = d.size("a.sources"), d.size("a.contents")
    rules = [
        _count_rule(count_cue, roles["cue"], "frames"),
        _count_rule(f"coalesce({sources}, 0)", roles["sources"], "frames"),
        _count_rule(f"coalesce({contents}, 0)", roles["contents"], "frames"),
        Rule(
            ("E305",),
            "frames",
            f"(a.source_kind = 'explicit' AND (coalesce({sources}, 0) = 0 "
            "OR a.source_type IS NULL)) "
            f"OR (a.source_kind IN ('writer', 'implicit') AND {sources} > 0)",
        ),
    ]
    return rules


def stance_rules(schema: Schema, d: Dialect = DUCKDB) -> list[Rule]:
    evidence = schema.frames["stance"]["evidence"]
    return [
        _count_rule(f"coalesce({d.size('st.evidence')}, 0)", evidence, "stances"),
        Rule(
            ("E305",),
            "stances",
            "(st.holder_kind = 'writer' AND st.holder IS NOT NULL) "
            "OR (st.holder_kind = 'span' AND st.holder IS NULL)",
        ),
    ]


def relation_queries(table: str, d: Dialect = DUCKDB) -> list[Query]:
    """Ids given twice (in the whole corpus for documents, per row for layers), frame
    parents that name no frame of the row, and chains of parents that may be cycles."""
    keys = ("",) if table == DOCUMENTS else ("x._f = d._f AND x._r = d._r AND ",)
    group = "" if table == DOCUMENTS else "_f, _r, "
    queries = []
    for relation, alias, id_field, codes in (
        ("spans", "s", "span_id", ("E201",)),
        ("frames", "a", "frame_id", ("E301",)),
        ("stances", "st", "stance_id", ("E301",)),
    ):
        twice = (
            f"SELECT {group}{alias}.{id_field} AS id FROM {relation} "
            f"GROUP BY {group}id HAVING count(*) > 1"
        )
        sql = (
            f"SELECT x._f, x._r FROM {relation} x JOIN ({twice}) d "
            f"ON {keys[0]}x.{alias}.{id_field} = d.id"
        )
        queries.append(Query(codes, sql))
    if table == DOCUMENTS:
        queries.append(
            Query(
                ("E102",),
                "SELECT _f, _r FROM records WHERE doc_id IN "
                "(SELECT doc_id FROM records GROUP BY doc_id HAVING count(*) > 1)",
            )
        )
    else:
        queries.append(
            Query(
                ("E302",),
                "SELECT _f, _r FROM records WHERE doc_id IS NOT NULL AND NOT EXISTS "
                "(SELECT 1 FROM documents d WHERE d.doc_id = records.doc_id)",
            )
        )
    queries.append(
        Query(
            ("E302",),
            "SELECT _f, _r FROM frames WHERE a.frame_id IS NOT NULL AND a.parent IS NOT NULL "
            "AND NOT EXISTS (SELECT 1 FROM frames p WHERE p._f = frames._f "
            "AND p._r = frames._r AND p.a.frame_id = frames.a.parent)",
        )
    )
    queries.append(
        Query(
            ("E306",),
            "WITH RECURSIVE edges AS (SELECT _f, _r, a.frame_id AS node, a.parent AS up "
            "FROM frames WHERE a.parent IS NOT NULL), "
            "walk AS (SELECT _f, _r, up, 1 AS depth FROM edges UNION ALL "
            "SELECT w._f, w._r, e.up, w.depth + 1 FROM walk w JOIN edges e "
            "ON e._f = w._f AND e._r = w._r AND e.node = w.up "
            f"WHERE w.depth < {PARENT_DEPTH}) "
            f"SELECT _f, _r FROM walk WHERE depth >= {PARENT_DEPTH}",
        )
    )
    return queries


def rule_set(
    schema: Schema,
    table: str,
    *,
    entities_known: bool,
    claims_known: bool,
    dialect: Dialect = DUCKDB,
) -> RuleSet:
    """Every rule for the rows of `table` ("documents" or "annotator_layers"), in `dialect`."""
    d = dialect
    rules = column_rules(schema, schema.tables[table], "records", d)
    for struct, relation in LISTS.values():
        rules += column_rules(schema, schema.structs[struct], relation, d)
    if table == DOCUMENTS:
        rules += document_rules(schema, d)
    rules += span_rules(schema, entities_known, d)
    rules += offset_rules(schema, d)
    rules += frame_rules(schema, d)
    rules += stance_rules(schema, d)
    queries = endpoint_queries(schema, d) + relation_queries(table, d)
    queries += registry_queries(schema, entities_known, claims_known, d)
    return RuleSet(tuple(rules), tuple(queries))
