"""Synthetic corpora for benchmarks: a release and its authoring folder, any size.

`scripts/synthesize.py N -o DIR` writes a corpus root at DIR in the exact layout of the
project's own, so that every command runs on it with `HMEIMIM_ROOT=DIR`:

    DIR/schema/                         a copy of the checkout's schema folder
    DIR/corpus/release.yaml             a copy of the checkout's (text_policy)
    DIR/corpus/v1.0.0/                  the release: Parquet per split, raw layers,
                                        registries, manifest.json
    DIR/corpus/inputs/v1.0.0/hmeimim.yaml
                                        the release's kept schema declaration
    DIR/corpus/sources/                 the authoring folder the release holds
                                        (written by `authoring.write`), unless
                                        --no-sources
    DIR/next-sources/                   with --edit-share F: the authoring folder of the
                                        next version, where a share F of the documents
                                        have one more span (for `release --bump minor`
                                        and `diff 1.0.0 1.1.0`)
    DIR/next-release/v1.1.0/            with --next-release F: that next version as a
                                        release, written directly (for `diff` where no
                                        authoring folder is written)

This script owns the synthetic shape: texts of 2 to 8 kB (UTF-8) built from sentence
templates, English with Arabic sentences and emoji; about 31 entity mentions, 6
attribution frames and 4 stances per document; two raw annotator layers on every tenth
document; every split, by the split rule; CC-BY-4.0 texts. Document i is drawn from
`random.Random(f"{seed}:{i}")` alone, so any document can be drawn again on its own
(the edited folder does so) and the output depends only on N and the seed.

Memory stays bounded by a chunk of documents: the Parquet files are written row group
by row group (the settings and sort order of `storage.parquet.write_parquet`, so the
bytes equal those `write_release` gives), and the authoring folder chunk by chunk. A
split of more than `--shard-rows` documents (default: `storage.writer.SHARD_ROWS`) is
then cut into several files, named and cut as `write_release` does (`split_shards`'s
`split_file_names` and `shard_bounds`), streaming the one file into its parts.
Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow.parquet as pq

from hmeimim.authoring.write import write_sources_folder
from hmeimim.model import (
    ANNOTATORS_FILE,
    CLAIMS_FILE,
    ENTITIES_FILE,
    MANIFEST,
    SPLITS,
    CorpusRecords,
    text_fingerprint,
)
from hmeimim.release.build import sources_digest
from hmeimim.schema.declaration import Schema, read_schema
from hmeimim.storage.counts import annotation_counts
from hmeimim.storage.files import sha256_of, staged_folder, write_text_atomic
from hmeimim.storage.parquet import ROW_GROUP_ROWS, table_from_records, write_parquet
from hmeimim.storage.releases import ROW_GROUP_KEY, split_file_names
from hmeimim.storage.writer import SHARD_ROWS, shard_bounds, shard_count

REPO = Path(__file__).resolve().parent.parent
VERSION = "1.0.0"
RELEASED = "2026-01-01"
NEXT = "1.1.0"
ORIGIN = "scripts/synthesize.py"
ROW_GROUP = ROW_GROUP_ROWS  # storage.parquet.write_parquet's row group size
CHUNK = 1000  # documents held in memory at once
LAYER_EVERY = 10  # every tenth document has two raw annotator layers
ANNOTATORS = ("synth-a", "synth-b")
Record = dict[str, Any]

# -- the vocabulary -------------------------------------------------------------------------

FIRST = ["Amina", "Karim", "Lena", "Omar", "Sergei", "Nadia", "Youssef", "Mila"]
FIRST += ["Tariq", "Ivan", "Salma", "Rami", "Elena", "Hassan", "Dmitri", "Leila"]
LAST = ["Haddad", "Petrov", "Benali", "Khoury", "Volkov", "Saleh", "Mansour", "Orlov"]
LAST += ["Nasser", "Idrissi", "Sokolov", "Aziz"]
ORGS = ["Ministry of Defence", "Foreign Ministry", "Coastal Brigade", "Northern Front"]
ORGS += ["Red Crescent", "Harbour Authority", "Security Council", "Kremlin"]
ORGS += ["National Army", "Interior Ministry", "Port Workers Union", "Reuters"]
MEDIA = ["Levant Wire", "Coastal Gazette", "Maghreb Observer", "Orient Daily"]
# name, whether it is a capital (a seat of power that can stand for a government), Arabic
GPES = [
    ("Damascus", True, "دمشق"),
    ("Moscow", True, "موسكو"),
    ("Algiers", True, "الجزائر"),
    ("Rabat", True, "الرباط"),
    ("Tripoli", True, "طرابلس"),
    ("Latakia", False, "اللاذقية"),
    ("Tartus", False, "طرطوس"),
    ("Benghazi", False, "بنغازي"),
    ("Aleppo", False, "حلب"),
    ("Homs", False, "حمص"),
    ("Syria", False, "سوريا"),
    ("Russia", False, "روسيا"),
    ("Libya", False, "ليبيا"),
    ("Algeria", False, "الجزائر"),
    ("Morocco", False, "المغرب"),
]
NORPS = [("Russian", "russia"), ("Syrian", "syria"), ("Libyan", "libya")]
NORPS += [("Algerian", "algeria"), ("Moroccan", "morocco"), ("Western", "western-bloc")]
LOCS = ["Mediterranean Sea", "Alawite mountains", "Sahel", "Eastern Mediterranean"]
FACS = ["Hmeimim airbase", "Tartus naval base", "al-Khadim airbase", "Benina airport"]
FACS += ["Latakia port"]
# "capital": a capital standing for its government (metonymy), a named_organization
SOURCE_KINDS = ["named_person", "named_organization", "capital", "anonymous_official", "media"]
SOURCE_KINDS += ["anonymous_sources", "witnesses", "analysts", "imagery_document"]
PRODUCTS = ["Antonov An-124", "Ilyushin Il-76", "S-400 system", "Pantsir launcher"]
VALUES = {
    "DATE": ["14 December", "last Saturday", "on Monday", "early January", "December 9"],
    "TIME": ["on Sunday evening", "at dawn", "around 3 a.m.", "late at night"],
    "CARDINAL": ["at least six", "dozens of", "over 7,500", "two", "nearly 40"],
    "QUANTITY": ["about 20 km", "some 40 tonnes", "nearly 300 metres"],
    "MONEY": ["$500 million", "€12 million", "$3 billion"],
    "PERCENT": ["40 percent", "15%", "a third of a percent"],
}
CLAIMS = [
    ("russia-withdraws-from-syria", "Russia is withdrawing its forces from Syria."),
    ("equipment-moved-to-libya", "Russian military equipment was moved from Syria to Libya."),
    ("bases-stay-russian", "Russia keeps its military bases in Syria."),
    ("foreign-fighters-present", "Foreign fighters took part in the fighting in Syria."),
    ("flights-increased", "Cargo flights between Syria and Libya increased in December."),
    ("officers-captured", "Foreign officers were captured near Aleppo."),
    ("embassy-keeps-working", "The Russian embassy in Damascus keeps working."),
    ("naval-base-emptied", "The naval base at Tartus was emptied of warships."),
]
EMOJI = ["🚀", "🛬", "📡", "🇷🇺", "🇸🇾", "⚓", "🛰️", "🔥"]
TITLES = ["Cargo flights continue as {gpe} watches", "Officials trade claims over {fac}"]
TITLES += ["Questions grow over the future of {fac}", "{gpe} and the withdrawal that was not"]
PERSPECTIVES = {
    "train": ["moroccan-aligned", "russian-official", "syrian-opposition", "neutral-wire"],
    "validation": ["western-government", "libyan"],
    "test": ["fact-check", "algerian-denial", "polisario-denial"],
}
PADDING = [
    "The situation on the ground remained fluid through the afternoon.",
    "Traffic on the coastal road was light, and most shops stayed open.",
    "Questions about the timetable went unanswered at the briefing.",
    "Observers cautioned that the picture could change within days.",
    "Prices at the local market rose again after a brief pause.",
    "The weather over the coast was clear, with light winds from the west.",
    "Residents described a tense but quiet night in the old quarter.",
    "Officials promised a fuller statement later in the week.",
]
ARABIC = [
    "وقال مسؤول محلي إن الوضع ما زال هادئاً في المدينة.",
    "وأفادت مصادر بأن الرحلات الجوية استمرت طوال الليل.",
    "ولم يصدر أي تعليق رسمي حتى ساعة كتابة هذا التقرير.",
    "ويرى مراقبون أن المرحلة المقبلة ستكون حاسمة.",
    "وشوهدت قوافل عسكرية على الطريق الساحلي صباح اليوم.",
]
ARABIC_MENTION = [
    ("وصلت طائرات الشحن إلى ", " صباح اليوم."),
    ("وأكد سكان في ", " أن الحركة عادت إلى طبيعتها."),
]
CONTENTS = [
    "{CARDINAL} {PRODUCT} aircraft had left {FAC} for {GPE}",
    "forces loyal to {PER} were moving equipment towards the {LOC}",
    "{GPE} had paid {MONEY} for the transfer",
    "the flights had increased by {PERCENT} since {DATE}",
    "convoys carrying {QUANTITY} of cargo were seen near {FAC} {TIME}",
    "{NORP} officers had been seen at {FAC}",
    "{PER} met envoys of the {ORG} in {GPE}",
]
FILLERS = [
    "{PER} arrived in {GPE} {DATE}, a day after {CARDINAL} transport planes landed at {FAC}.",
    "The {ORG} has kept {CARDINAL} ships in the {LOC} since {DATE}.",
    "Satellite pictures of {FAC} taken {TIME} showed {CARDINAL} {PRODUCT} aircraft.",
    "{NORP} and {NORP} diplomats met in {GPE} {DATE}.",
    "The road from {GPE} to {GPE} runs for {QUANTITY} along the coast.",
]


def slug(name: str) -> str:
    kept = "".join(c.lower() if c.isalnum() and c.isascii() else "-" for c in name)
    return "-".join(p for p in kept.split("-") if p)


@dataclass
class Registry:
    """The synthetic entity registry, by label, and the claim registry."""

    names: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # label: (text, id)
    entities: list[Record] = field(default_factory=list)
    claims: list[Record] = field(default_factory=list)

    def add(self, label: str, name: str, entity_id: str, kind: str | None = None) -> None:
        self.names.setdefault(label, []).append((name, entity_id))
        if all(e["entity_id"] != entity_id for e in self.entities):
            self.entities.append(
                {
                    "entity_id": entity_id,
                    "name": name,
                    "type": kind or label,
                    "wikidata": None,
                    "description": f"Synthetic {(kind or label).lower()} entry.",
                }
            )


def build_registry() -> Registry:
    registry = Registry()
    for first in FIRST:
        for last in LAST:
            registry.add("PER", f"{first} {last}", slug(f"{first} {last}"))
    for name in ORGS + MEDIA:
        registry.add("ORG", name, "org-" + slug(name))
    for name, _, _ in GPES:
        registry.add("GPE", name, slug(name))
    for name, entity_id in NORPS:
        registry.add("NORP", name, entity_id, "GPE" if entity_id != "western-bloc" else "NORP")
    for label, names in (("LOC", LOCS), ("FAC", FACS), ("PRODUCT", PRODUCTS)):
        for name in names:
            registry.add(label, name, slug(name))
    registry.claims = [
        {"claim_id": cid, "statement": text, "description": None} for cid, text in CLAIMS
    ]
    return registry


# -- one document -------------------------------------------------------------------------


class Builder:
    """A text under construction and its spans, frames and stances (offsets in code points)."""

    def __init__(self, prefix: str, rng: random.Random, registry: Registry) -> None:
        self.prefix, self.rng, self.registry = prefix, rng, registry
        self.parts: list[str] = []
        self.pos = 0
        self.spans: list[Record] = []
        self.frames: list[Record] = []
        self.stances: list[Record] = []
        self.contents: list[str] = []  # CONTENT span ids, for stances on claims
        self.holders: list[str] = []  # SOURCE span ids, holders of stances on claims

    def put(self, text: str) -> None:
        self.parts.append(text)
        self.pos += len(text)

    def span(self, start: int, layer: str, label: str, **fields: Any) -> str:
        span_id = f"{self.prefix}-s{len(self.spans) + 1:03d}"
        self.spans.append(
            {
                "span_id": span_id,
                "start": start,
                "end": self.pos,
                "text": None,  # filled from the finished text
                "layer": layer,
                "label": label,
                "entity_id": fields.get("entity_id"),
                "metonymy": fields.get("metonymy"),
                "claim_id": fields.get("claim_id"),
            }
        )
        return span_id

    def mention(self, label: str, *, metonymy: bool = False, name: str | None = None) -> str:
        start = self.pos
        if label in VALUES:
            self.put(self.rng.choice(VALUES[label]))
            return self.span(start, "entity", label)
        text, entity_id = self.rng.choice(self.registry.names[label])
        self.put(name or text)
        return self.span(start, "entity", label, entity_id=entity_id, metonymy=metonymy)

    def template(self, pattern: str) -> list[str]:
        """Write `pattern`, its {LABEL} slots as mentions; the span ids of the mentions."""
        ids = []
        rest = pattern
        while "{" in rest:
            before, _, after = rest.partition("{")
            label, _, rest = after.partition("}")
            self.put(before)
            ids.append(self.mention(label))
        self.put(rest)
        return ids

    def marked(self, layer: str, label: str, text: str, **fields: Any) -> str:
        start = self.pos
        self.put(text)
        return self.span(start, layer, label, **fields)

    def content(self) -> str:
        start = self.pos
        self.template(self.rng.choice(CONTENTS))
        claim = self.rng.choice(CLAIMS)[0] if self.rng.random() < 0.3 else None
        span_id = self.span(start, "attribution", "CONTENT", claim_id=claim)
        self.contents.append(span_id)
        return span_id

    def source(self) -> tuple[str, str]:
        """A SOURCE span (with the mentions inside it) and its source type."""
        start = self.pos
        kind = self.rng.choice(SOURCE_KINDS)
        if kind == "named_person":
            self.mention("PER")
        elif kind == "named_organization":
            self.put("the ")
            start = self.pos
            self.mention("ORG")
        elif kind == "capital":
            name, _, _ = self.rng.choice([g for g in GPES if g[1]])
            self.put(name)
            self.span(start, "entity", "GPE", entity_id=slug(name), metonymy=True)
            kind = "named_organization"
        elif kind == "anonymous_official":
            self.put("a ")
            start = self.pos
            self.put("senior ")
            self.mention("NORP")
            self.put(" security official")
        elif kind == "media":
            self.put("the ")
            start = self.pos
            name = self.rng.choice(MEDIA)
            self.mention("ORG", name=name)
            self.spans[-1]["entity_id"] = "org-" + slug(name)
        elif kind == "anonymous_sources":
            self.put("military sources in ")
            self.mention("GPE")
        elif kind == "witnesses":
            self.put("residents of ")
            self.mention("GPE")
        elif kind == "analysts":
            self.put("analysts who follow the ")
            self.mention("LOC")
        else:
            self.put("satellite images of ")
            self.mention("FAC")
        span_id = self.span(start, "attribution", "SOURCE")
        self.holders.append(span_id)
        return span_id, kind

    def frame(self, cue: str, sources: list[str], contents: list[str], **kind: Any) -> None:
        self.frames.append(
            {
                "frame_id": f"{self.prefix}-f{len(self.frames) + 1:02d}",
                "cue": cue,
                "sources": sources,
                "contents": contents,
                "source_kind": kind.get("source_kind", "explicit"),
                "source_type": kind.get("source_type"),
                "parent": None,
            }
        )

    def explicit_frame(self) -> None:
        shape = self.rng.randrange(3)
        if shape == 0:  # SOURCE CUE on DATE that CONTENT.
            source, kind = self.source()
            self.put(" ")
            cue = self.marked(
                "attribution", "CUE", self.rng.choice(["said", "announced", "claimed"])
            )
            if self.rng.random() < 0.5:
                self.put(" ")
                self.mention("DATE")
            self.put(" that ")
            contents = [self.content()]
            self.put(".")
        elif shape == 1:  # According to SOURCE, CONTENT.
            cue = self.marked("attribution", "CUE", "According to")
            self.put(" ")
            source, kind = self.source()
            self.put(", ")
            contents = [self.content()]
            self.put(".")
        else:  # "CONTENT," SOURCE CUE, "and CONTENT."
            self.put("“")
            first = self.content()
            self.put(",” ")
            source, kind = self.source()
            self.put(" ")
            cue = self.marked("attribution", "CUE", self.rng.choice(["insisted", "told reporters"]))
            self.put(", “and ")
            contents = [first, self.content()]
            self.put(".”")
        self.frame(cue, [source], contents, source_type=kind)

    def implicit_frame(self) -> None:
        cue_text = self.rng.choice(["It was reported", "Reports suggest"])
        cue = self.marked("attribution", "CUE", cue_text)
        self.put(" that ")
        content = self.content()
        self.put(".")
        self.frame(cue, [], [content], source_kind="implicit")

    def writer_frame(self) -> None:
        cue = self.marked("attribution", "CUE", self.rng.choice(["Clearly", "Without doubt"]))
        self.put(", ")
        content = self.content()
        self.put(".")
        self.frame(cue, [], [content], source_kind="writer")

    def stance(
        self, holder: str | None, target_kind: str, target: str, polarity: str, evidence: list[str]
    ) -> None:
        self.stances.append(
            {
                "stance_id": f"{self.prefix}-t{len(self.stances) + 1:02d}",
                "holder_kind": "writer" if holder is None else "span",
                "holder": holder,
                "target_kind": target_kind,
                "target": target,
                "polarity": polarity,
                "evidence": evidence,
            }
        )

    def stance_sentence(self) -> None:
        shape = self.rng.randrange(5)
        if shape == 4 and not self.contents:
            shape = 0
        if shape == 0:  # PER condemned the conduct of ORG.
            holder = self.mention("PER")
            self.put(" ")
            word, polarity = self.rng.choice([("condemned", "against"), ("praised", "favor")])
            evidence = self.marked("stance", "STANCE", word)
            self.put(" the conduct of the ")
            target = self.mention("ORG")
            self.put(".")
            self.stance(holder, "mention", target, polarity, [evidence])
        elif shape == 1:  # The so-called ORG ... (the writer's own wording)
            self.put("The ")
            evidence = self.marked("stance", "STANCE", "so-called")
            self.put(" ")
            target = self.mention("ORG")
            self.put(" again ")
            second = self.marked("stance", "STANCE", "dodged")
            self.put(" questions about ")
            self.mention("FAC")
            self.put(".")
            self.stance(None, "mention", target, "against", [evidence, second])
        elif shape == 2:  # ORG doubted that CLAIM.
            holder = self.mention("ORG")
            self.put(" ")
            evidence = self.marked("stance", "STANCE", "cast doubt on")
            self.put(" reports about the withdrawal.")
            claim = self.rng.choice(CLAIMS)[0]
            self.stance(holder, "registered_claim", claim, "uncertain", [evidence])
        elif shape == 3:  # NORP officials welcomed the role of the government.
            holder = self.mention("NORP")
            self.put(" officials ")
            evidence = self.marked("stance", "STANCE", "welcomed")
            self.put(" the government's role in the talks.")
            entity = self.rng.choice(self.registry.names["GPE"])[1]
            self.stance(holder, "entity", entity, "favor", [evidence])
        else:  # That claim was flatly denied by SOURCE of an earlier frame.
            self.put("The account was ")
            evidence = self.marked("stance", "STANCE", "flatly rejected")
            self.put(" by critics.")
            self.stance(
                self.holders[-1] if self.holders else None,
                "claim",
                self.contents[-1],
                "against",
                [evidence],
            )

    def filler(self) -> None:
        self.template(self.rng.choice(FILLERS))

    def arabic(self) -> None:
        if self.rng.random() < 0.5:
            self.put(self.rng.choice(ARABIC))
            return
        before, after = self.rng.choice(ARABIC_MENTION)
        name, _, arabic = self.rng.choice(GPES)
        self.put(before)
        start = self.pos
        self.put(arabic)
        self.span(start, "entity", "GPE", entity_id=slug(name), metonymy=False)
        self.put(after)

    def entity_count(self) -> int:
        return sum(s["layer"] == "entity" for s in self.spans)

    def text(self) -> str:
        return "".join(self.parts)


def perspective_and_split(index: int, rng: random.Random) -> tuple[str, str]:
    # The first three documents cover the three splits, so that every split is present.
    split = (
        SPLITS[index]
        if index < len(SPLITS)
        else rng.choice(["train"] * 5 + ["validation"] * 2 + ["test"] * 3)
    )
    return rng.choice(PERSPECTIVES[split]), split


def make_document(index: int, seed: int, registry: Registry, *, edited: bool = False) -> Record:
    """Document `index`, drawn from its own random generator; `edited`: with one more span."""
    rng = random.Random(f"{seed}:{index}")
    prefix = f"d{index:07d}"
    doc_id = f"syn-{index:07d}"
    build = Builder(prefix, rng, registry)
    kinds = ["explicit"] * 4 + ["implicit", "writer"] + ["stance"] * 4
    kinds += ["arabic"] * rng.randint(2, 4)
    rng.shuffle(kinds)
    target_mentions = rng.randint(20, 30)
    for kind in kinds:
        {
            "explicit": build.explicit_frame,
            "implicit": build.implicit_frame,
            "writer": build.writer_frame,
            "stance": build.stance_sentence,
            "arabic": build.arabic,
            "filler": build.filler,
        }[kind]()
        if rng.random() < 0.15:
            build.put(" " + rng.choice(EMOJI))
        build.put(" " if rng.random() < 0.7 else "\n\n")
    while build.entity_count() < target_mentions:
        build.filler()
        build.put(" ")
    target_bytes = rng.randint(2000, 8000)
    size = len(build.text().encode("utf-8"))
    while size < target_bytes - 120:
        sentence = rng.choice(PADDING) if rng.random() < 0.75 else rng.choice(ARABIC)
        sentence += " " if rng.random() < 0.8 else "\n\n"
        build.put(sentence)
        size += len(sentence.encode("utf-8"))
    # The closing line: its number is a CARDINAL only in the edited version.
    build.put("This report was updated ")
    start = build.pos
    build.put(str(rng.randint(2, 9)))
    if edited:
        build.spans.append(
            {
                "span_id": f"{prefix}-x001",
                "start": start,
                "end": build.pos,
                "text": None,
                "layer": "entity",
                "label": "CARDINAL",
                "entity_id": None,
                "metonymy": None,
                "claim_id": None,
            }
        )
    build.put(" times.")
    text = build.text()
    for span in build.spans:
        span["text"] = text[span["start"] : span["end"]]
    build.spans.sort(key=lambda s: (s["start"], -s["end"], s["span_id"]))
    perspective, split = perspective_and_split(index, rng)
    digest, length = text_fingerprint(text)
    title = rng.choice(TITLES).format(gpe=rng.choice(GPES)[0], fac=rng.choice(FACS))
    return {
        "doc_id": doc_id,
        "text": text,
        "text_sha256": digest,
        "text_length": length,
        "title": title,
        "published": dt.date(2024, 12, 8) + dt.timedelta(days=rng.randrange(60)),
        "language": "en",
        "outlet": rng.choice([*MEDIA, None]),
        "url": f"https://example.org/synthetic/{doc_id}",
        "author": None,
        "provenance": "constructed",
        "license": "CC-BY-4.0",
        "perspective": perspective,
        "split": split,
        "spans": build.spans,
        "attributions": build.frames,
        "stances": build.stances,
    }


def annotator_layers(doc: Record) -> list[Record]:
    """Two raw layers of `doc`: the gold under fresh ids; the second lacks its last stance."""
    layers = []
    for n, annotator in enumerate(ANNOTATORS):
        tag = f"-{annotator[-1]}-"

        def renamed(value: str, tag: str = tag) -> str:
            return value.replace("-", tag, 1)

        spans = [{**s, "span_id": renamed(s["span_id"])} for s in doc["spans"]]
        frames = [
            {
                **f,
                "frame_id": renamed(f["frame_id"]),
                "cue": renamed(f["cue"]),
                "sources": [renamed(s) for s in f["sources"]],
                "contents": [renamed(s) for s in f["contents"]],
            }
            for f in doc["attributions"]
        ]
        stances = [
            {
                **s,
                "stance_id": renamed(s["stance_id"]),
                "holder": renamed(s["holder"]) if s["holder"] else None,
                "target": renamed(s["target"])
                if s["target_kind"] in ("mention", "claim")
                else s["target"],
                "evidence": [renamed(e) for e in s["evidence"]],
            }
            for s in doc["stances"]
        ]
        if n == 1:
            stances = stances[:-1]
        layers.append(
            {
                "doc_id": doc["doc_id"],
                "annotator": annotator,
                "spans": spans,
                "attributions": frames,
                "stances": stances,
            }
        )
    return layers


# -- writing --------------------------------------------------------------------------------


class TableStream:
    """One Parquet file written a row group at a time, as `write_parquet` writes it whole.

    Rows must come in the table's sort order (documents are drawn in doc_id order).
    """

    def __init__(self, path: Path, schema: Schema, table: str) -> None:
        self.path, self.schema, self.table = path, schema, table
        self.rows: list[Record] = []
        self.count = 0
        self.writer: pq.ParquetWriter | None = None

    def add(self, row: Record) -> None:
        self.rows.append(row)
        self.count += 1
        if len(self.rows) == ROW_GROUP:
            self.flush()

    def flush(self) -> None:
        if not self.rows:
            return
        arrow = table_from_records(self.rows, self.schema, self.table)
        if self.writer is None:
            self.writer = pq.ParquetWriter(
                self.path,
                arrow.schema,
                compression="zstd",
                compression_level=9,
                use_dictionary=True,
                write_statistics=True,
                store_schema=True,
            )
        self.writer.write_table(arrow, row_group_size=ROW_GROUP)
        self.rows = []

    def close(self) -> None:
        self.flush()
        if self.writer is None:  # no rows: an empty table, as write_parquet gives
            write_parquet(table_from_records([], self.schema, self.table), self.path)
        else:
            self.writer.close()


def reshard(path: Path, split: str, count: int, schema: Schema) -> dict[str, int]:
    """Cut the file of one split (rows in doc_id order) into `count` files as
    `write_release` cuts and names them, streaming; the rows of each, by name."""
    parquet = pq.ParquetFile(path)
    rows = (r for batch in parquet.iter_batches(batch_size=ROW_GROUP) for r in batch.to_pylist())
    written = {}
    names = split_file_names(split, count)
    for name, (start, stop) in zip(
        names, shard_bounds(parquet.metadata.num_rows, count), strict=True
    ):
        part = TableStream(path.parent / name, schema, "documents")
        for _ in range(stop - start):
            part.add(next(rows))
        part.close()
        written[name] = part.count
    path.unlink()
    return written


def merged_counts(total: dict[str, Any], more: Mapping[str, Any]) -> dict[str, Any]:
    for key, value in more.items():
        if isinstance(value, Mapping):
            total[key] = merged_counts(dict(total.get(key, {})), value)
        else:
            total[key] = total.get(key, 0) + value
    return {k: total[k] for k in sorted(total)}


def progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def write_authoring_chunk(
    sources: Path,
    docs: list[Record],
    layers: list[Record],
    schema: Schema,
    registry: Registry | None,
) -> None:
    """Add documents (and their layers) to `sources` with the package's authoring writer.

    The first chunk creates the folder with the registries; later chunks are written
    beside it and their document folders moved in.
    """
    records = CorpusRecords(
        documents=docs,
        annotator_layers=layers,
        entities=registry.entities if registry else [],
        claims=registry.claims if registry else [],
    )
    if registry is not None:
        write_sources_folder(sources, records=records, origin=ORIGIN, schema=schema)
        return
    chunk = sources.parent / ".tmp-synth-chunk"
    shutil.rmtree(chunk, ignore_errors=True)
    write_sources_folder(chunk, records=records, origin=ORIGIN, schema=schema)
    for sub in ("documents", "annotators"):
        if (chunk / sub).is_dir():
            (sources / sub).mkdir(exist_ok=True)
            for folder in (chunk / sub).iterdir():
                os.rename(folder, sources / sub / folder.name)
    shutil.rmtree(chunk)


def link_tree(source: Path, target: Path) -> None:
    """`target` as a copy of `source` made of hard links (a copy where links fail)."""
    shutil.copytree(source, target, copy_function=_link_or_copy)


def _link_or_copy(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError:
        shutil.copy2(src, dst)


def edited_indices(count: int, seed: int, share: float) -> list[int]:
    """The documents that get one more span, the same in next-sources and next-release."""
    return sorted(random.Random(f"{seed}:edit").sample(range(count), max(1, round(share * count))))


def write_next_release(root: Path, *, count: int, seed: int, share: float, schema: Schema) -> Path:
    """`root/next-release/`: `v1.1.0` (release 1.0.0 with the edits of next-sources, written
    directly, streaming) and its `inputs/v1.1.0`. It is what `hmeimim release` would make of
    next-sources, for measuring `diff` at sizes where no authoring folder is written; the
    benchmark moves it into corpus/ for the diff and back out afterwards."""
    source = root / "corpus" / f"v{VERSION}"
    base = root / "next-release"
    shutil.rmtree(base, ignore_errors=True)
    target = base / f"v{NEXT}"
    chosen = set(edited_indices(count, seed, share))
    registry = build_registry()
    manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    counts: dict[str, Any] = {}
    base.mkdir(parents=True)
    with staged_folder(target) as staging:
        files: dict[str, Any] = {}
        for name, entry in manifest["files"].items():
            if entry["table"] != "documents":
                shutil.copy2(source / name, staging / name)
                files[name] = entry
                continue
            stream = TableStream(staging / name, schema, "documents")
            for batch in pq.ParquetFile(source / name).iter_batches(batch_size=ROW_GROUP):
                docs = batch.to_pylist()
                for i, doc in enumerate(docs):
                    index = int(str(doc["doc_id"]).removeprefix("syn-"))
                    if index in chosen:
                        docs[i] = make_document(index, seed, registry, edited=True)
                counts = merged_counts(counts, annotation_counts(docs))
                for doc in docs:
                    stream.add(doc)
            stream.close()
            path = staging / name
            files[name] = {**entry, "bytes": path.stat().st_size, "sha256": sha256_of(path)}
        manifest.update(
            version=NEXT,
            parent=VERSION,
            released="2026-01-02",
            files=files,
            counts=counts,
            inputs=f"inputs/v{NEXT}",
            bump="minor",
        )
        write_text_atomic(staging / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    kept = base / "inputs" / f"v{NEXT}"
    kept.mkdir(parents=True)
    shutil.copy2(root / "schema" / "hmeimim.yaml", kept / "hmeimim.yaml")
    progress(f"wrote {target} ({len(chosen)} documents edited)")
    return target


def write_edited_sources(
    root: Path,
    sources: Path,
    *,
    count: int,
    seed: int,
    share: float,
    schema: Schema,
    registry: Registry,
) -> Path:
    """`root/next-sources`: `sources` with one more span in a share of the documents."""
    target = root / "next-sources"
    shutil.rmtree(target, ignore_errors=True)
    link_tree(sources, target)
    chosen = edited_indices(count, seed, share)
    for start in range(0, len(chosen), CHUNK):
        docs = [
            make_document(i, seed, registry, edited=True) for i in chosen[start : start + CHUNK]
        ]
        chunk = root / ".tmp-synth-edit"
        shutil.rmtree(chunk, ignore_errors=True)
        write_sources_folder(
            chunk, records=CorpusRecords(documents=docs), origin=ORIGIN, schema=schema
        )
        for doc in docs:
            gold = target / "documents" / doc["doc_id"] / "gold.yaml"
            gold.unlink()  # a hard link: never write through it into the other folder
            os.rename(chunk / "documents" / doc["doc_id"] / "gold.yaml", gold)
        shutil.rmtree(chunk)
    progress(f"edited {len(chosen)} documents in {target}")
    return target


def synthesize(
    root: Path,
    count: int,
    *,
    seed: int = 0,
    sources: bool = True,
    edit_share: float = 0.0,
    next_release: float = 0.0,
    shard_rows: int = SHARD_ROWS,
) -> dict[str, Any]:
    """Write the synthetic corpus root (see the module docstring); its shape in numbers."""
    if count < len(SPLITS):
        raise SystemExit(f"N must be at least {len(SPLITS)}, so that every split is present")
    corpus = root / "corpus"
    release = corpus / f"v{VERSION}"
    if release.exists():
        raise SystemExit(f"{release} exists; use an empty folder")
    corpus.mkdir(parents=True, exist_ok=True)
    schema_target = root / "schema"
    if not schema_target.exists():
        shutil.copytree(REPO / "schema", schema_target)
    shutil.copy2(REPO / "corpus" / "release.yaml", corpus / "release.yaml")
    schema = read_schema(schema_target / "hmeimim.yaml")
    registry = build_registry()
    sources_dir = corpus / "sources"
    began = time.perf_counter()
    counts: dict[str, Any] = {}
    shape = {"documents": 0, "bytes": 0, "mentions": 0, "frames": 0, "stances": 0, "layers": 0}
    with staged_folder(release) as staging:
        streams = {
            split: TableStream(staging / f"{split}.parquet", schema, "documents")
            for split in SPLITS
        }
        layer_stream = TableStream(staging / ANNOTATORS_FILE, schema, "annotator_layers")
        docs: list[Record] = []
        layers: list[Record] = []
        first_chunk = True
        for index in range(count):
            doc = make_document(index, seed, registry)
            streams[doc["split"]].add(doc)
            docs.append(doc)
            if index % LAYER_EVERY == LAYER_EVERY - 1:
                for layer in annotator_layers(doc):
                    layer_stream.add(layer)
                    layers.append(layer)
            if len(docs) == CHUNK or index == count - 1:
                counts = merged_counts(counts, annotation_counts(docs))
                shape["documents"] += len(docs)
                shape["bytes"] += sum(len(d["text"].encode("utf-8")) for d in docs)
                shape["mentions"] += sum(s["layer"] == "entity" for d in docs for s in d["spans"])
                shape["frames"] += sum(len(d["attributions"]) for d in docs)
                shape["stances"] += sum(len(d["stances"]) for d in docs)
                shape["layers"] += len(layers)
                if sources:
                    write_authoring_chunk(
                        sources_dir, docs, layers, schema, registry if first_chunk else None
                    )
                first_chunk = False
                docs, layers = [], []
                took = time.perf_counter() - began
                progress(f"synthesized {index + 1}/{count} documents ({took:.0f} s)")
        for stream in (*streams.values(), layer_stream):
            stream.close()
        write_parquet(
            table_from_records(registry.entities, schema, "entities"), staging / ENTITIES_FILE
        )
        write_parquet(table_from_records(registry.claims, schema, "claims"), staging / CLAIMS_FILE)
        listing: dict[str, Any] = {}
        for split, stream in streams.items():
            parts = {stream.path.name: stream.count}
            if shard_count(stream.count, shard_rows) > 1:
                parts = reshard(stream.path, split, shard_count(stream.count, shard_rows), schema)
            for name, rows in parts.items():
                listing[name] = {"table": "documents", "split": split, "rows": rows}
        listing[ANNOTATORS_FILE] = {"table": "annotator_layers", "rows": layer_stream.count}
        listing[ENTITIES_FILE] = {"table": "entities", "rows": len(registry.entities)}
        listing[CLAIMS_FILE] = {"table": "claims", "rows": len(registry.claims)}
        for name, entry in listing.items():
            path = staging / name
            entry.update(bytes=path.stat().st_size, sha256=sha256_of(path))
            entry[ROW_GROUP_KEY] = ROW_GROUP
        manifest: dict[str, Any] = {
            "name": "hmeimim-corpus",
            "version": VERSION,
            "released": RELEASED,
            "parent": None,
            "schema_version": schema.version,
            "sources_sha256": sources_digest(sources_dir) if sources else "0" * 64,
            "files": {name: dict(sorted(entry.items())) for name, entry in listing.items()},
            "counts": counts,
            "inputs": f"inputs/v{VERSION}",
            "bump": "major",
            "standoff": [],
        }
        write_text_atomic(staging / MANIFEST, json.dumps(manifest, indent=2, sort_keys=True) + "\n")
    kept = corpus / "inputs" / f"v{VERSION}"
    kept.mkdir(parents=True, exist_ok=True)
    shutil.copy2(schema_target / "hmeimim.yaml", kept / "hmeimim.yaml")
    if sources and edit_share > 0:
        write_edited_sources(
            root,
            sources_dir,
            count=count,
            seed=seed,
            share=edit_share,
            schema=schema,
            registry=registry,
        )
    if next_release > 0:
        write_next_release(root, count=count, seed=seed, share=next_release, schema=schema)
    n = shape["documents"]
    return {
        "documents": n,
        "bytes_per_doc": shape["bytes"] / n,
        "mentions_per_doc": shape["mentions"] / n,
        "frames_per_doc": shape["frames"] / n,
        "stances_per_doc": shape["stances"] / n,
        "annotator_layers": shape["layers"],
        "splits": counts["splits"],
        "seconds": round(time.perf_counter() - began, 1),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int, metavar="N", help="number of documents")
    parser.add_argument("-o", "--out", type=Path, required=True, help="corpus root to write")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--no-sources", action="store_true", help="write no authoring folder")
    parser.add_argument(
        "--edit-share",
        type=float,
        default=0.0,
        help="also write DIR/next-sources, where this share of documents has one more span",
    )
    parser.add_argument(
        "--next-release",
        type=float,
        default=0.0,
        help="also write DIR/next-release/v1.1.0: release 1.0.0 with this share of documents "
        "edited as in next-sources (for diff without an authoring folder)",
    )
    parser.add_argument(
        "--shard-rows",
        type=int,
        default=SHARD_ROWS,
        help="the most documents a split file holds; a larger split is cut into several",
    )
    args = parser.parse_args()
    shape = synthesize(
        args.out,
        args.count,
        seed=args.seed,
        sources=not args.no_sources,
        edit_share=args.edit_share,
        next_release=args.next_release,
        shard_rows=args.shard_rows,
    )
    print(json.dumps(shape, indent=2))


if __name__ == "__main__":
    main()
