"""The catalogue of codes: templates, unique names, every code used, call sites pass values.

The second half triggers each code that was added or split off an older one, and checks
its code and location (and, where the CLI reaches it, that no traceback is printed).
"""

from __future__ import annotations

import ast
import dataclasses
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from ls_support import DOC_ID, constructed_document
from release_support import copy_repo, hmeimim

from conftest import ROOT
from hmeimim.errors import CODES, Finding, HmeimimError
from hmeimim.labelstudio import client
from hmeimim.labelstudio.importer import ImportResult, write_import
from hmeimim.labelstudio.mapping import ls_mapping
from hmeimim.labelstudio.tasks import build_tasks
from hmeimim.publish.metadata import read_release_info
from hmeimim.release.make import write_next_release
from hmeimim.schema.declaration import load_schema
from hmeimim.storage.releases import read_manifest, release_dir

SRC = ROOT / "src" / "hmeimim"
# A field as `str.format` reads it: {name}, {name!r}, {name:spec}; written out by hand
# here so that the catalogue's own parser is checked, not trusted.
FIELD = re.compile(r"\{([A-Za-z_][A-Za-z0-9_]*)(?:![rsa])?(?::[^{}]*)?\}")
# Names the constructors take themselves (Finding.of's location, HmeimimError's).
RESERVED = {"code", "location", "file", "doc_id", "record_id"}
LOCATION_KEYWORDS = {"file", "doc_id", "record_id"}


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "hmeimim", *args], capture_output=True, text=True, check=False
    )


def _source_trees() -> list[tuple[Path, ast.Module]]:
    return [
        (path, ast.parse(path.read_text(encoding="utf-8")))
        for path in sorted(SRC.rglob("*.py"))
        if path.name != "errors.py" or path.parent != SRC
    ]


def _calls() -> list[tuple[str, ast.Call]]:
    """Every call in src/hmeimim outside errors.py, with `file:line` for messages."""
    found = []
    for path, tree in _source_trees():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call):
                found.append((f"{path.relative_to(ROOT)}:{node.lineno}", node))
    return found


def _callee(call: ast.Call) -> str:
    func = call.func
    if isinstance(func, ast.Name):
        return func.id
    if isinstance(func, ast.Attribute):
        owner = func.value.id if isinstance(func.value, ast.Name) else "?"
        return f"{owner}.{func.attr}"
    return "?"


def _literal_code(call: ast.Call) -> str | None:
    if call.args and isinstance(call.args[0], ast.Constant):
        value = call.args[0].value
        if isinstance(value, str) and re.fullmatch(r"E\d{3}", value):
            return value
    return None


# -- the catalogue -------------------------------------------------------------------------


def test_codes_and_names_are_unique_and_well_formed() -> None:
    codes = [c.code for c in CODES.values()]
    names = [c.name for c in CODES.values()]
    assert len(set(names)) == len(names), sorted(n for n in names if names.count(n) > 1)
    assert len(set(codes)) == len(codes)
    for key, spec in CODES.items():
        assert key == spec.code
        assert re.fullmatch(r"E\d{3}", spec.code), spec
        assert re.fullmatch(r"[a-z]+(-[a-z0-9]+)*", spec.name), spec
        assert spec.kind in ("finding", "error", "notice"), spec


def test_every_template_parses_and_names_its_fields() -> None:
    for spec in CODES.values():
        written = set(FIELD.findall(spec.template))
        assert spec.fields == written, spec.code
        assert not written & RESERVED, spec.code
        # No positional or stray braces: filling exactly the named fields must work ...
        filled = spec.template.format(**{name: "<v>" for name in written})
        assert "{" not in filled, spec.code
        assert "}" not in filled, spec.code
        # ... and every field shows up in the message.
        assert filled.count("<v>") == len(FIELD.findall(spec.template)), spec.code
        assert spec.template, spec.code
        assert spec.template.strip() == spec.template, spec.code


def test_fixes_are_static_text() -> None:
    for spec in CODES.values():
        assert spec.fix.strip(), spec.code
        assert not FIELD.search(spec.fix), spec.code
        assert spec.fix.format() == spec.fix, spec.code


def test_every_code_is_raised_or_reported_in_src() -> None:
    used = {code for _, call in _calls() if (code := _literal_code(call)) is not None}
    assert sorted(set(CODES) - used) == [], "codes nothing raises or reports"
    assert sorted(used - set(CODES)) == [], "codes used in src but not in the catalogue"


def test_call_sites_pass_values_never_a_message_or_a_fix() -> None:
    wrong = []
    for where, call in _calls():
        callee = _callee(call)
        keywords = {k.arg for k in call.keywords}
        if callee == "Finding":
            message = call.args[1] if len(call.args) > 1 else None
            message = message or next((k.value for k in call.keywords if k.arg == "message"), None)
            if isinstance(message, ast.Constant | ast.JoinedStr | ast.BinOp):
                wrong.append(f"{where}: Finding(...) with a message of its own")
        if callee == "HmeimimError" and len(call.args) > 2:
            wrong.append(f"{where}: HmeimimError(...) with {len(call.args)} positional arguments")
        if callee in ("HmeimimError", "Finding.of") and keywords & {"message", "fix"}:
            wrong.append(f"{where}: {callee}(...) passes {sorted(keywords & {'message', 'fix'})}")
    assert wrong == []


def test_call_sites_pass_exactly_the_fields_of_the_template() -> None:
    """Static, so that a rare path cannot hide a missing or misspelt parameter."""
    wrong = []
    for where, call in _calls():
        code = _literal_code(call)
        callee = _callee(call)
        if code is None or not callee.endswith(("HmeimimError", "Finding.of", ".add")):
            continue
        if any(k.arg is None for k in call.keywords):
            continue  # **params: checked when it runs
        passed = {str(k.arg) for k in call.keywords}
        if callee == "Finding.of":
            passed -= LOCATION_KEYWORDS
        if passed != CODES[code].fields:
            wrong.append(
                f"{where}: {code} gets {sorted(passed)}, wants {sorted(CODES[code].fields)}"
            )
    assert wrong == []


@pytest.mark.parametrize(
    ("code", "params"),
    [
        ("E202", {"start": 3, "end": 9}),  # length missing
        ("E202", {"start": 3, "end": 9, "length": 5, "span": "x"}),  # one too many
        ("E012", {}),
        ("E011", {"version": "one"}),  # no fields at all
    ],
)
def test_a_missing_or_unexpected_parameter_fails_at_the_call(
    code: str, params: dict[str, Any]
) -> None:
    with pytest.raises(TypeError, match=code):
        HmeimimError(code, "somewhere", **params)
    with pytest.raises(TypeError, match=code):
        Finding.of(code, file="f.parquet", **params)


def test_an_unknown_code_fails_at_the_call() -> None:
    with pytest.raises(KeyError, match="E999"):
        HmeimimError("E999", "somewhere")
    with pytest.raises(KeyError, match="E999"):
        Finding.of("E999")


def test_messages_are_the_templates_filled_and_render_as_before() -> None:
    error = HmeimimError("E012", "version 7.0.0", known="1.0.0, 1.1.0")
    assert error.message == "is not released (released: 1.0.0, 1.1.0)"
    first, second = error.render().split("\n")
    assert first == "version 7.0.0: E012 is not released (released: 1.0.0, 1.1.0)"
    assert second.startswith("  fix: ")
    finding = Finding.of(
        "E202", file="train.parquet", doc_id="d", record_id="s", start=9, end=3, length=5
    )
    assert finding.message == "[9, 3) is not a non-empty range inside the text (length 5)"
    assert finding.render().split("\n")[0] == (
        "train.parquet doc=d id=s: E202 offsets-out-of-range: "
        "[9, 3) is not a non-empty range inside the text (length 5)"
    )
    assert finding.to_dict()["message"] == finding.message


def test_a_relocated_finding_keeps_code_and_message() -> None:
    finding = Finding.of("E204", file="a.json", doc_id="d", record_id="x-e1", text=" Moscow")
    moved = dataclasses.replace(finding, record_id=f"task 1 / annotation 2 / {finding.record_id}")
    assert (moved.code, moved.message) == ("E204", "span ' Moscow' starts or ends with whitespace")
    assert moved.location == "a.json doc=d id=task 1 / annotation 2 / x-e1"


def test_an_error_becomes_a_finding_of_its_input() -> None:
    error = HmeimimError("E001", "x.parquet", format="Parquet", reason="bad magic")
    finding = Finding.from_error(error)
    assert (finding.code, finding.file, finding.message) == (
        "E001",
        "x.parquet",
        "cannot be read as Parquet (bad magic)",
    )


# -- the codes added or split off, each triggered -------------------------------------------


def _no_traceback(run: subprocess.CompletedProcess[str], code: str, location: str) -> None:
    assert run.returncode == 2, run.stdout + run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert f"{location}: {code} " in run.stderr, run.stderr


def test_e008_a_manifest_without_a_files_mapping(tmp_path: Path) -> None:
    (tmp_path / "manifest.json").write_text(json.dumps({"files": ["train.parquet"]}))
    with pytest.raises(HmeimimError) as caught:
        read_manifest(tmp_path)
    assert (caught.value.code, caught.value.location) == ("E008", str(tmp_path / "manifest.json"))
    assert "`files`" in caught.value.message


def test_e015_a_bad_release_date(tmp_path: Path) -> None:
    with pytest.raises(HmeimimError) as caught:
        write_next_release(bump="patch", released="2024-13-45", root=tmp_path)
    assert (caught.value.code, caught.value.location) == ("E015", "--released")
    assert "'2024-13-45'" in caught.value.message
    run = hmeimim(tmp_path, "release", "--bump", "patch", "--released", "2024-13-45")
    _no_traceback(run, "E015", "--released")
    assert not (tmp_path / "corpus").exists()


def test_e016_a_corpus_without_releases(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "schema", tmp_path / "schema")
    (tmp_path / "corpus").mkdir()
    with pytest.raises(HmeimimError) as caught:
        release_dir(root=tmp_path)
    assert (caught.value.code, caught.value.location) == ("E016", str(tmp_path / "corpus"))
    _no_traceback(hmeimim(tmp_path, "summary"), "E016", str(tmp_path / "corpus"))


def test_e017_a_prefix_the_text_does_not_start_with(tmp_path: Path) -> None:
    text = tmp_path / "report.txt"
    text.write_text("Body of the report.\n")
    run = _run(
        "ingest",
        str(text),
        "--doc-id",
        "new-report",
        "--strip-prefix",
        "HEADER ",
        "--sources",
        str(tmp_path / "sources"),
    )
    _no_traceback(run, "E017", "doc_id new-report")
    assert "'HEADER '" in run.stderr
    assert not (tmp_path / "sources").exists()


def test_e607_a_bump_that_is_no_bump_kind(tmp_path: Path) -> None:
    with pytest.raises(HmeimimError) as caught:
        write_next_release(bump="huge", root=tmp_path)
    assert (caught.value.code, caught.value.location) == ("E607", "--bump")
    assert caught.value.message == "'huge' is not one of major, minor, patch"


def test_e608_kept_inputs_that_changed(tmp_path: Path) -> None:
    repo = copy_repo(tmp_path / "repo")
    kept = repo / "corpus" / "inputs" / "v1.0.0" / "sources"
    registry = kept / "entities.yaml"
    registry.chmod(0o644)
    registry.write_text(registry.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    _no_traceback(hmeimim(repo, "reproduce", "1.0.0"), "E608", str(kept))


def test_e604_and_e609_a_release_declaration_that_cannot_be_used(tmp_path: Path) -> None:
    declaration = tmp_path / "corpus" / "release.yaml"
    declaration.parent.mkdir()
    declaration.write_text("licenses: [unclosed\n")
    with pytest.raises(HmeimimError) as caught:
        read_release_info(tmp_path)
    assert (caught.value.code, caught.value.location) == ("E604", str(declaration))
    declaration.write_text("title: T\nlicenses: {code: MIT}\n")
    with pytest.raises(HmeimimError) as caught:
        read_release_info(tmp_path)
    assert (caught.value.code, caught.value.location) == ("E609", str(declaration))
    assert caught.value.message == "`licenses.annotations` must be a non-empty string"


def test_e715_two_frames_on_one_cue() -> None:
    doc = constructed_document()
    doc["attributions"].append({**doc["attributions"][0], "frame_id": "k-a2"})
    with pytest.raises(HmeimimError) as caught:
        build_tasks([doc], version="1.0.0")
    assert (caught.value.code, caught.value.location) == ("E715", f"doc={DOC_ID} id=k-a2")
    assert "cue span k-c1 with k-a1" in caught.value.message
    assert "differ in frame_id" in caught.value.message


def test_e720_two_stances_on_one_hub_with_one_target() -> None:
    doc = constructed_document()
    doc["stances"].append({**doc["stances"][0], "stance_id": "k-st2"})
    with pytest.raises(HmeimimError) as caught:
        build_tasks([doc], version="1.0.0")
    assert (caught.value.code, caught.value.location) == ("E720", f"doc={DOC_ID} id=k-st2")
    assert caught.value.message == "shares hub span k-v1 and target k-e4 with stance k-st1"


@pytest.mark.parametrize(
    ("code", "project"),
    [
        ("E721", None),
        ("E722", SimpleNamespace(id=1, title="T", label_config="<View></View>")),
    ],
)
def test_e721_e722_a_missing_project_or_one_with_another_config(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, code: str, project: Any
) -> None:
    monkeypatch.setattr(client, "connect", lambda url: object())
    monkeypatch.setattr(client, "find_project", lambda c, url, title: project)
    url = "http://localhost:1"
    out = tmp_path / "export.json"
    with pytest.raises(HmeimimError) as caught:
        _ = (
            client.pull(url=url, title="T", out=out)
            if code == "E721"
            else client.push(url=url, title="T")
        )
    assert (caught.value.code, caught.value.location) == (code, f"{url} project 'T'")
    assert not (tmp_path / "export.json").exists()


def test_e723_a_layer_name_that_cannot_be_a_control_name() -> None:
    schema = load_schema()
    renamed = {**schema.layers, "text": schema.layers["entity"]}
    with pytest.raises(HmeimimError) as caught:
        ls_mapping(dataclasses.replace(schema, layers=renamed))
    assert (caught.value.code, caught.value.location) == (
        "E723",
        "schema/hmeimim.yaml layer 'text'",
    )


def test_e724_an_import_with_findings_is_not_written(tmp_path: Path) -> None:
    finding = Finding.of("E209", file="export.json", doc_id="d", record_id="task 1 / x")
    result = ImportResult(file="export.json", findings=[finding])
    with pytest.raises(HmeimimError) as caught:
        write_import(result, tmp_path / "out")
    assert (caught.value.code, caught.value.location) == ("E724", "export.json")
    assert caught.value.message == "has 1 finding(s); nothing is written"
    assert not (tmp_path / "out").exists()


def test_e725_options_of_the_label_studio_commands(tmp_path: Path) -> None:
    with pytest.raises(HmeimimError) as caught:
        build_tasks([constructed_document()], version="1.0.0", as_="both")
    assert (caught.value.code, caught.value.location) == ("E725", "--as")
    export = tmp_path / "export.json"
    export.write_text("[]")
    run = _run("ls", "import", str(export), "--out", str(tmp_path / "out"), "--gold", "majority")
    _no_traceback(run, "E725", "--gold")
    assert not (tmp_path / "out").exists()
