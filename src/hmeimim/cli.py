"""The `hmeimim` command: a thin layer that parses arguments and calls library functions.

Library errors (`HmeimimError`) become a located, coded message on stderr and exit
status 2 here, and only here. Exit status 1 means the command ran and found problems.
Each command imports the library functions it calls when it runs: a `validate` or a
`summary` then starts without loading ingest's, Label Studio's or rendering's modules.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TaskProgressColumn, TextColumn
from rich.table import Table
from typer.core import TyperGroup

from hmeimim.errors import Finding, HmeimimError, TextsWithheld
from hmeimim.paths import corpus_dir
from hmeimim.progress import reporting

DEFAULT_SOURCES = corpus_dir() / "sources"


class _ErrorBoundary(TyperGroup):
    """The one place where library errors become messages: stderr and exit status 2."""

    def invoke(self, ctx: Any) -> Any:
        try:
            with warnings.catch_warnings(record=True) as caught:
                warnings.simplefilter("always", TextsWithheld)
                try:
                    with _progress_bar():
                        return super().invoke(ctx)
                finally:
                    # A reader's notice (texts withheld) is a message like any finding.
                    for warning in caught:
                        if isinstance(warning.message, TextsWithheld):
                            err.print(warning.message.finding.render(), markup=False)
        except HmeimimError as error:
            err.print(error.render(), markup=False)
            raise typer.Exit(2) from None


@contextmanager
def _progress_bar() -> Iterator[None]:
    """A rich progress bar on stderr for the library's long steps, when stderr is a
    terminal; nothing at all when it is piped or redirected."""
    if not err.is_terminal:
        yield
        return
    columns = (TextColumn("{task.description}"), BarColumn(), TaskProgressColumn())
    with Progress(*columns, console=err, transient=True) as bar:
        steps: dict[str, TaskID] = {}

        def show(label: str, completed: float, total: float | None) -> None:
            if label not in steps:
                steps[label] = bar.add_task(label, total=total)
            bar.update(steps[label], completed=completed, total=total)

        with reporting(show):
            yield


app = typer.Typer(
    cls=_ErrorBoundary,
    name="hmeimim",
    help="The Hmeimim Corpus: validate, load, build and summarize releases.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
out = Console(highlight=False, soft_wrap=True)
err = Console(stderr=True, highlight=False, soft_wrap=True)


SourcesOption = Annotated[
    Path | None,
    typer.Option(help="Tasks of this authoring folder (e.g. corpus/sources after ingest)"),
]


class OutputFormat(StrEnum):
    text = "text"
    json = "json"


FormatOption = Annotated[
    OutputFormat, typer.Option("--format", help="text for people, json for tools")
]


class Engine(StrEnum):
    duckdb = "duckdb"
    python = "python"
    spark = "spark"


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
    engine: Annotated[
        Engine,
        typer.Option(
            help="duckdb: vectorized rules first; spark: the same rules on Spark (the "
            "spark extra, Java 17+; HMEIMIM_SPARK_MASTER for a cluster); python: every "
            "row in Python"
        ),
    ] = Engine.duckdb,
) -> None:
    """Check releases or Parquet files; exit 0 clean, 1 findings, 2 nothing readable."""
    from hmeimim.actions import validate_paths

    report = validate_paths(paths=paths or None, engine=engine.value)
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
    from hmeimim.views.summary import summarize

    summary = summarize(version=version)
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


@app.command("render")
def render_cli(
    out_dir: Annotated[
        Path, typer.Option("--out", "-o", help="Folder to write: new, empty or an earlier render")
    ],
    doc_ids: Annotated[
        list[str] | None, typer.Argument(help="Documents to render (default: all)")
    ] = None,
    release: Annotated[
        str | None, typer.Option("--release", help="Render a release (a version or latest)")
    ] = None,
    sources: Annotated[
        Path | None, typer.Option("--sources", help="Authoring folder (default: corpus/sources)")
    ] = None,
) -> None:
    """Write static HTML review pages: one per document (gold and raw layers) and index.html."""
    from hmeimim.render.site import render_pages

    result = render_pages(out=out_dir, doc_ids=doc_ids, release=release, sources=sources)
    out.print(f"wrote {result.index} and {len(result.pages)} document page(s)", markup=False)


@app.command("build")
def build_cli(
    version: Annotated[str, typer.Option(help="Version to write, e.g. 1.0.0")],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="New folder to write")],
    released: Annotated[str | None, typer.Option(help="Release date (default: today)")] = None,
    parent: Annotated[str | None, typer.Option(help="Parent version to record")] = None,
    sources: Annotated[Path, typer.Option(help="Authoring folder")] = DEFAULT_SOURCES,
) -> None:
    """Build a release into a new folder of your choice (never into corpus/; use `release`).

    Nothing is written if any input is invalid.
    """
    from hmeimim.release.build import build_release

    result = build_release(
        version=version, released=released, parent=parent, sources=sources, out=out_dir
    )
    _report_write(result.findings, result.release, "")


@app.command("ingest")
def ingest_cli(
    files: Annotated[
        list[Path], typer.Argument(help="Reports: .txt, .html/.htm pages, .jsonl (one a line)")
    ],
    doc_id: Annotated[
        str | None, typer.Option(help="New, never reused slug (default: derived)")
    ] = None,
    title: Annotated[str | None, typer.Option(help="Headline")] = None,
    published: Annotated[
        str | None, typer.Option(help="Publication date, YYYY-MM-DD (required if not found)")
    ] = None,
    outlet: Annotated[str | None, typer.Option(help="Publishing outlet")] = None,
    url: Annotated[str | None, typer.Option(help="Source URL")] = None,
    author: Annotated[str | None, typer.Option(help="Byline")] = None,
    language: Annotated[str | None, typer.Option(help="BCP-47 tag (default: en)")] = None,
    license: Annotated[
        str | None, typer.Option(help="SPDX id, all-rights-reserved or unknown")
    ] = None,
    provenance: Annotated[
        str | None, typer.Option(help="published (default) or constructed")
    ] = None,
    perspective: Annotated[str | None, typer.Option(help="The report's framing")] = None,
    split: Annotated[
        str | None, typer.Option(help="train, validation or test (default: from perspective)")
    ] = None,
    strip_prefix: Annotated[
        str | None, typer.Option(help="Header to remove first (.txt only)")
    ] = None,
    sources: Annotated[Path | None, typer.Option(help="Authoring folder")] = None,
) -> None:
    """Add reports to corpus/sources, all or none: text fixed to NFC and \\n, metadata, empty gold.

    Options override the metadata found in a page or a JSON line.
    """
    from hmeimim.authoring.ingest import ingest_paths

    given = {
        "doc_id": doc_id,
        "title": title,
        "published": published,
        "outlet": outlet,
        "url": url,
        "author": author,
        "language": language,
        "license": license,
        "provenance": provenance,
        "perspective": perspective,
        "split": split,
    }
    ingested = ingest_paths(files, given=given, strip_prefix=strip_prefix, sources=sources)
    for document in ingested:
        _render_all(document.notices)
        out.print(f"wrote {document.folder} (doc_id {document.doc_id})", markup=False)


@app.command("generate")
def generate_cli(
    check: Annotated[
        bool, typer.Option("--check", help="Only report stale files; exit 1 if any")
    ] = False,
) -> None:
    """Regenerate the files derived from schema/ and the releases (or check them)."""
    from hmeimim.publish.derived import stale_files, write_generated

    paths = stale_files() if check else write_generated()
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
    from hmeimim.views.spacy import export_spacy

    written = export_spacy(out_dir=out_dir, version=version)
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
    allow_removal: Annotated[
        bool,
        typer.Option(
            "--allow-removal",
            help="Let the release drop a document, or more than half of a document's gold "
            "spans (the changelog lists it)",
        ),
    ] = False,
) -> None:
    """Write the next version from corpus/sources, atomically, with its changelog entry."""
    from hmeimim.actions import make_release

    result = make_release(
        bump=bump.value,
        released=released,
        notes=note,
        sources=sources,
        allow_removal=allow_removal,
    )
    _report_write(result.findings, result.path, f" ({result.bump} release {result.version})")


@app.command("diff")
def diff_cli(
    old: Annotated[str, typer.Argument(help="Older version, e.g. 1.0.0")],
    new: Annotated[str, typer.Argument(help="Newer version")],
    output: FormatOption = OutputFormat.text,
) -> None:
    """What changed between two releases, keyed by doc_id, span_id, frame_id, stance_id."""
    from hmeimim.release.diff import diff_releases, render_text

    diff = diff_releases(old, new)
    if output is OutputFormat.json:
        _print_json(diff.to_dict())
    else:
        out.print(render_text(diff), markup=False)


@app.command("reproduce")
def reproduce_cli(
    version: Annotated[str | None, typer.Argument(help="Version (default: every release)")] = None,
) -> None:
    """Rebuild releases from their kept inputs and compare sha256; exit 1 on any difference."""
    from hmeimim.release.reproduce import reproduce
    from hmeimim.storage.releases import list_releases

    versions = [version] if version else [str(v) for v, _ in list_releases()]
    results = {v: reproduce(v) for v in versions}
    bad = 0
    for v, files in results.items():
        for name, (written, rebuilt) in files.items():
            same = written == rebuilt
            bad += not same
            out.print(f"{v} {name}: {'same' if same else 'DIFFERS'} {written[:12]}", markup=False)
    raise typer.Exit(1 if bad else 0)


@app.command("rehydrate")
def rehydrate_cli(
    copies: Annotated[
        Path,
        typer.Option(
            "--from",
            help="Folder of your copies: <doc_id>.txt, <doc_id>/text.txt, documents/ or "
            "<doc_id>.html",
        ),
    ],
    out_dir: Annotated[Path, typer.Option("--out", "-o", help="New local corpus root")],
    version: Annotated[str | None, typer.Option(help="Release version (default: latest)")] = None,
) -> None:
    """Fill the texts of a stand-off release in from your own copies, checked by sha256."""
    from hmeimim.release.rehydrate import rehydrate

    result = rehydrate(copies=copies, out=out_dir, version=version)
    _render_all(result.notices)
    out.print(
        f"wrote {result.release}: {len(result.rehydrated)} text(s) filled in, "
        f"{len(result.still_standoff)} still stand-off",
        markup=False,
    )
    out.print(f"load it with HMEIMIM_ROOT={out_dir}", markup=False)


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
    from hmeimim.labelstudio.mapping import label_config
    from hmeimim.storage.files import write_text_atomic

    xml = label_config()
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
    sources: SourcesOption = None,
) -> None:
    """Write one Label Studio task per document, region ids = span ids."""
    from hmeimim.labelstudio.tasks import iter_tasks, write_tasks

    count = write_tasks(output, iter_tasks(version, as_=as_.value, sources=sources))
    out.print(f"wrote {count} task(s) to {output}", markup=False)


@ls_app.command("import")
def ls_import_cli(
    export: Annotated[Path, typer.Argument(help="Label Studio JSON export (full or snapshot)")],
    output: Annotated[Path, typer.Option("--out", "-o", help="Authoring folder to create")],
    base: Annotated[str | None, typer.Option(help="Base release (default: latest)")] = None,
    gold: Annotated[
        str, typer.Option(help="ground-truth (default), latest, base or annotator:<id>")
    ] = "ground-truth",
    allow_removal: Annotated[
        bool,
        typer.Option(
            "--allow-removal",
            help="Let the gold remove more than half of a document's base gold spans",
        ),
    ] = False,
) -> None:
    """Turn an export into a validated authoring folder; nothing is written on any finding."""
    from hmeimim.labelstudio.importer import import_export, write_import

    result = import_export(export, base=base, gold=gold, allow_removal=allow_removal)
    _render_all(result.notices)
    _render_all(result.findings)
    if not result.ok:
        out.print(f"nothing written: {len(result.findings)} finding(s)", markup=False)
        raise typer.Exit(1)
    write_import(result, output)
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
    sources: SourcesOption = None,
) -> None:
    """Create or find the project (generated config) and import the release's tasks.

    The API key is read from LABEL_STUDIO_API_KEY and never printed.
    """
    from hmeimim.labelstudio.client import push

    pushed = push(url=url, title=project, version=version, as_=as_.value, sources=sources)
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
    from hmeimim.labelstudio.client import pull

    pulled = pull(url=url, title=project, out=output, timeout=timeout)
    out.print(f"wrote {output} ({pulled.tasks} task(s), export {pulled.export_id})", markup=False)


@app.command("agreement")
def agreement_cli(
    export: Annotated[Path | None, typer.Argument(help="Label Studio JSON export")] = None,
    release: Annotated[
        str | None,
        typer.Option("--release", help="Release version (or latest): its annotators.parquet"),
    ] = None,
    sources: Annotated[
        Path | None,
        typer.Option("--sources", help="Authoring folder (corpus/sources): its annotators/"),
    ] = None,
    doc: Annotated[
        list[str] | None, typer.Option("--doc", help="Only this doc_id (repeat for more)")
    ] = None,
    output: FormatOption = OutputFormat.text,
) -> None:
    """Inter-annotator agreement of an export, a release or an authoring folder: span,
    frame and stance F1 per pair of annotators, Krippendorff's alpha."""
    from hmeimim.labelstudio.agreement import agreement_report, render_agreement

    report = agreement_report(export=export, release=release, sources=sources, doc_ids=doc)
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
