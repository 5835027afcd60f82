"""The `hmeimim` command: a thin layer that parses arguments and calls library functions.

Library errors (`HmeimimError`) become a located, coded message on stderr and exit
status 2 here, and only here. Exit status 1 means the command ran and found problems.
"""

from __future__ import annotations

import datetime as dt
import json
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from hmeimim.errors import HmeimimError
from hmeimim.findings import Finding

app = typer.Typer(
    name="hmeimim",
    help="The Hmeimim Corpus: validate, load, build and summarize releases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="text for people, json for tools")
]


def _fail(error: HmeimimError) -> typer.Exit:
    err.print(error.render(), markup=False)
    return typer.Exit(2)


def _report_write(findings: list[Finding], written: Path | None, detail: str) -> None:
    """Print the findings of a writing command; exit 1 when it wrote nothing."""
    for finding in findings:
        out.print(finding.render(), markup=False)
    if written is None:
        out.print(f"nothing written: {len(findings)} finding(s)", markup=False)
        raise typer.Exit(1)
    out.print(f"wrote {written}{detail}", markup=False)


def _print_json(data: Any) -> None:
    out.print(json.dumps(data, indent=2, ensure_ascii=False, default=str), markup=False)


@app.command("validate")
def validate_cli(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(help="Release folders or Parquet files (default: all releases)"),
    ] = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Check releases or Parquet files; exit 0 clean, 1 findings, 2 nothing readable."""
    from hmeimim.validate import validate_paths

    try:
        report = validate_paths(paths=paths or None)
    except HmeimimError as error:
        raise _fail(error) from None
    if output is OutputFormat.json:
        _print_json(report.to_dict())
    else:
        for finding in report.findings:
            out.print(finding.render(), markup=False)
        verdict = "clean" if report.ok else f"{len(report.findings)} finding(s)"
        out.print(
            f"validated {report.files} file(s), {report.documents} document(s): {verdict}",
            markup=False,
        )
    if report.readable == 0:
        raise typer.Exit(2)
    raise typer.Exit(0 if report.ok else 1)


@app.command("summary")
def summary_cli(
    version: Annotated[str | None, typer.Option(help="Release version (default: latest)")] = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Print what a release holds: documents, spans per layer and label, frames, stances."""
    from hmeimim.summary import summarize

    try:
        summary = summarize(version=version)
    except HmeimimError as error:
        raise _fail(error) from None
    if output is OutputFormat.json:
        _print_json(summary)
        return
    out.print(
        f"Hmeimim Corpus v{summary['version']} (released {summary['released']}, "
        f"parent {summary['parent'] or 'none'}, schema {summary['schema_version']})",
        markup=False,
    )
    out.print(
        f"{summary['documents']} document(s), {summary['characters']} characters, "
        f"splits {summary['splits']}",
        markup=False,
    )
    table = Table("layer", "label", "spans", title="Spans")
    for layer, labels in summary["spans"].items():
        for label, count in labels.items():
            table.add_row(layer, label, str(count))
    out.print(table)
    out.print(
        f"{summary['attributions']} attribution frame(s) by source type {summary['source_types']}",
        markup=False,
    )
    out.print(f"{summary['stances']} stance(s) by polarity {summary['polarities']}", markup=False)


@app.command("build")
def build_cli(
    version: Annotated[str, typer.Option(help="Version to write, e.g. 1.0.0")],
    released: Annotated[str | None, typer.Option(help="Release date (default: today)")] = None,
    parent: Annotated[str | None, typer.Option(help="Parent version (default: previous)")] = None,
    sources: Annotated[
        Path | None, typer.Option(help="Authoring folder (default: corpus/sources)")
    ] = None,
    out_dir: Annotated[Path | None, typer.Option("--out", help="Output folder")] = None,
) -> None:
    """Build a release from the authoring files; nothing is written if any input is invalid."""
    from hmeimim.build import build_release

    try:
        result = build_release(
            version=version, released=released, parent=parent, sources=sources, out=out_dir
        )
    except HmeimimError as error:
        raise _fail(error) from None
    _report_write(result.findings, result.release, "")


@app.command("ingest")
def ingest_cli(
    text_file: Annotated[Path, typer.Argument(help="UTF-8 text of the report")],
    doc_id: Annotated[str, typer.Option(help="New, never reused slug")],
    strip_prefix: Annotated[str | None, typer.Option(help="Header to remove first")] = None,
    published: Annotated[str | None, typer.Option(help="Publication date, YYYY-MM-DD")] = None,
    language: Annotated[str, typer.Option(help="BCP-47 tag")] = "en",
    provenance: Annotated[str, typer.Option(help="published or constructed")] = "published",
    split: Annotated[str, typer.Option(help="train, validation or test")] = "train",
    sources: Annotated[Path | None, typer.Option(help="Authoring folder")] = None,
) -> None:
    """Add a document to corpus/sources: text fixed to NFC and \\n, metadata, empty gold."""
    from hmeimim.ingest import ingest_document

    try:
        raw = text_file.read_bytes()
        date = dt.date.fromisoformat(published) if published else None
    except OSError as error:
        raise _fail(HmeimimError("E002", str(text_file), str(error), "check the path")) from None
    except ValueError:
        raise _fail(
            HmeimimError("E107", "--published", "is not YYYY-MM-DD", "fix the date")
        ) from None
    try:
        folder = ingest_document(
            raw=raw,
            doc_id=doc_id,
            strip_prefix=strip_prefix,
            published=date,
            language=language,
            provenance=provenance,
            split=split,
            sources=sources,
        )
    except HmeimimError as error:
        raise _fail(error) from None
    out.print(f"wrote {folder}", markup=False)


@app.command("generate")
def generate_cli(
    check: Annotated[
        bool, typer.Option("--check", help="Only report stale files; exit 1 if any")
    ] = False,
) -> None:
    """Regenerate the files derived from schema/ and the releases (or check them)."""
    from hmeimim.derived import stale_files, write_generated

    try:
        paths = stale_files() if check else write_generated()
    except HmeimimError as error:
        raise _fail(error) from None
    verb = "stale" if check else "wrote"
    for path in paths:
        out.print(f"{verb}: {path}", markup=False)
    if check and paths:
        out.print("run `hmeimim generate` and commit the result", markup=False)
        raise typer.Exit(1)


export_app = typer.Typer(help="Export a release to other tools' formats.", no_args_is_help=True)
app.add_typer(export_app, name="export")


@export_app.command("spacy")
def export_spacy_cli(
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="Output folder")],
    version: Annotated[str | None, typer.Option(help="Release version (default: latest)")] = None,
) -> None:
    """Write one spaCy DocBin per split (train.spacy, validation.spacy, test.spacy)."""
    from hmeimim.export_spacy import export_spacy

    try:
        written = export_spacy(out_dir=out_dir, version=version)
    except HmeimimError as error:
        raise _fail(error) from None
    for split, path in written.items():
        out.print(f"wrote {split}: {path}", markup=False)


class Bump(StrEnum):
    major = "major"
    minor = "minor"
    patch = "patch"


@app.command("release")
def release_cli(
    bump: Annotated[Bump, typer.Option(help="major (schema break), minor (additions), patch")],
    released: Annotated[str | None, typer.Option(help="Release date (default: today)")] = None,
    note: Annotated[str | None, typer.Option(help="Release notes for the changelog")] = None,
    sources: Annotated[
        Path | None,
        typer.Option(
            help="Release another authoring folder (e.g. from `ls import`); it then "
            "replaces corpus/sources"
        ),
    ] = None,
) -> None:
    """Write the next version from corpus/sources, atomically, with its changelog entry."""
    from hmeimim.derived import write_generated
    from hmeimim.release import make_release

    try:
        result = make_release(bump=bump.value, released=released, notes=note, sources=sources)
        if result.path is not None:
            write_generated()
    except HmeimimError as error:
        raise _fail(error) from None
    _report_write(result.findings, result.path, f" ({result.bump} release {result.version})")


@app.command("diff")
def diff_cli(
    old: Annotated[str, typer.Argument(help="Older version, e.g. 1.0.0")],
    new: Annotated[str, typer.Argument(help="Newer version")],
    output: FormatOption = OutputFormat.text,
) -> None:
    """What changed between two releases, keyed by doc_id, span_id, frame_id, stance_id."""
    from hmeimim.diff import diff_releases, render_text

    try:
        diff = diff_releases(old, new)
    except HmeimimError as error:
        raise _fail(error) from None
    if output is OutputFormat.json:
        _print_json(diff.to_dict())
    else:
        out.print(render_text(diff), markup=False)


@app.command("reproduce")
def reproduce_cli(
    version: Annotated[str | None, typer.Argument(help="Version (default: every release)")] = None,
) -> None:
    """Rebuild releases from their kept inputs and compare sha256; exit 1 on any difference."""
    from hmeimim.release import reproduce
    from hmeimim.storage import list_releases

    try:
        versions = [version] if version else [str(v) for v, _ in list_releases()]
        results = {v: reproduce(v) for v in versions}
    except HmeimimError as error:
        raise _fail(error) from None
    bad = 0
    for v, files in results.items():
        for name, (written, rebuilt) in files.items():
            same = written == rebuilt
            bad += not same
            out.print(f"{v} {name}: {'same' if same else 'DIFFERS'} {written[:12]}", markup=False)
    raise typer.Exit(1 if bad else 0)


ls_app = typer.Typer(
    help="Label Studio round trip: config, tasks, import, push and pull.", no_args_is_help=True
)
app.add_typer(ls_app, name="ls")


class LsAs(StrEnum):
    predictions = "predictions"
    annotations = "annotations"


def _render_all(findings: list[Any]) -> None:
    for finding in findings:
        out.print(finding.render(), markup=False)


@ls_app.command("config")
def ls_config_cli(
    output: Annotated[
        Path | None, typer.Option("--out", "-o", help="File (default: stdout)")
    ] = None,
) -> None:
    """Print (or write) the labeling config XML generated from schema/."""
    from hmeimim.ls_config import label_config
    from hmeimim.storage import write_text_atomic

    try:
        xml = label_config()
    except HmeimimError as error:
        raise _fail(error) from None
    if output is None:
        out.print(xml, markup=False, end="")
    else:
        write_text_atomic(output, xml)
        out.print(f"wrote {output}", markup=False)


@ls_app.command("export")
def ls_export_cli(
    output: Annotated[Path, typer.Option("--out", "-o", help="Tasks JSON file to write")],
    version: Annotated[str | None, typer.Option(help="Release version (default: latest)")] = None,
    as_: Annotated[
        LsAs, typer.Option("--as", help="Send the gold as predictions or as annotations")
    ] = LsAs.predictions,
) -> None:
    """Write one Label Studio task per document, region ids = span ids."""
    from hmeimim.ls_tasks import export_tasks, write_json_atomic

    try:
        tasks = export_tasks(version, as_=as_.value)
    except HmeimimError as error:
        raise _fail(error) from None
    write_json_atomic(output, tasks)
    out.print(f"wrote {len(tasks)} task(s) to {output}", markup=False)


@ls_app.command("import")
def ls_import_cli(
    export: Annotated[Path, typer.Argument(help="Label Studio JSON export (full or snapshot)")],
    output: Annotated[Path, typer.Option("--out", "-o", help="Authoring folder to create")],
    base: Annotated[str | None, typer.Option(help="Base release (default: latest)")] = None,
    gold: Annotated[
        str, typer.Option(help="ground-truth (default), latest, base or annotator:<id>")
    ] = "ground-truth",
) -> None:
    """Turn an export into a validated authoring folder; nothing is written on any finding."""
    from hmeimim.ls_import import import_export, write_import

    try:
        result = import_export(export, base=base, gold=gold)
        _render_all(result.notices)
        _render_all(result.findings)
        if not result.ok:
            out.print(f"nothing written: {len(result.findings)} finding(s)", markup=False)
            raise typer.Exit(1)
        write_import(result, output)
    except HmeimimError as error:
        raise _fail(error) from None
    counts = ", ".join(f"{k} {v}" for k, v in result.counts.items())
    out.print(f"wrote {output} ({counts})", markup=False)


ApiUrl = Annotated[str, typer.Option("--url", help="Label Studio URL, e.g. http://localhost:8080")]
ProjectTitle = Annotated[str, typer.Option("--project", help="Project title")]


@ls_app.command("push")
def ls_push_cli(
    url: ApiUrl,
    project: ProjectTitle = "Hmeimim Corpus",
    version: Annotated[str | None, typer.Option(help="Release version (default: latest)")] = None,
    as_: Annotated[
        LsAs, typer.Option("--as", help="predictions or annotations")
    ] = LsAs.predictions,
) -> None:
    """Create or find the project (generated config) and import the release's tasks.

    The API key is read from LABEL_STUDIO_API_KEY and never printed.
    """
    from hmeimim.ls_client import push

    try:
        pushed = push(url=url, title=project, version=version, as_=as_.value)
    except HmeimimError as error:
        raise _fail(error) from None
    out.print(
        f"project {pushed.project_id} ({project}): {pushed.imported} task(s) imported, "
        f"{pushed.skipped} already there",
        markup=False,
    )


@ls_app.command("pull")
def ls_pull_cli(
    url: ApiUrl,
    output: Annotated[Path, typer.Option("--out", "-o", help="Export JSON file to write")],
    project: ProjectTitle = "Hmeimim Corpus",
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the export")] = 300.0,
) -> None:
    """Download a full snapshot export (predictions and annotators expanded).

    The API key is read from LABEL_STUDIO_API_KEY and never printed.
    """
    from hmeimim.ls_client import pull

    try:
        pulled = pull(url=url, title=project, out=output, timeout=timeout)
    except HmeimimError as error:
        raise _fail(error) from None
    out.print(f"wrote {output} ({pulled.tasks} task(s), export {pulled.export_id})", markup=False)


@app.command("agreement")
def agreement_cli(
    export: Annotated[Path, typer.Argument(help="Label Studio JSON export")],
    output: FormatOption = OutputFormat.text,
) -> None:
    """Inter-annotator agreement: span, frame and relation F1, Krippendorff's alpha."""
    from hmeimim.agreement import agreement_from_export, render_agreement

    try:
        report = agreement_from_export(export)
    except HmeimimError as error:
        raise _fail(error) from None
    if report.findings:
        _render_all(report.findings)
        out.print(f"no agreement: {len(report.findings)} finding(s)", markup=False)
        raise typer.Exit(1)
    if output is OutputFormat.json:
        _print_json(report.to_dict())
    else:
        out.print(render_agreement(report), markup=False)


def main() -> None:
    app()
