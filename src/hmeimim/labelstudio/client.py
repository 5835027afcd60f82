"""Talking to a Label Studio server with `label-studio-sdk`: push tasks, pull an export.

The only module that uses the SDK's HTTP client. The API key comes from the
`LABEL_STUDIO_API_KEY` environment variable and nowhere else; it is handed to the SDK
and never put into a message, a log or a file (errors carry the status code and the
server's answer, never the request headers).

- `push` finds the project by exact title or creates it with the generated labeling
  config (an existing project with another config is refused, E722), and imports one task
  per document of the release that the project does not hold yet (by `data.doc_id`).
- `pull` asks for a snapshot export with predictions and annotators expanded (the
  synchronous export of the community edition gives predictions as ids only), polls it
  until it is completed (bounded by `timeout`), and writes the JSON atomically. A project
  that does not exist is E721.
"""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hmeimim.errors import HmeimimError
from hmeimim.labelstudio.mapping import label_config
from hmeimim.labelstudio.parse import check_export_shape
from hmeimim.labelstudio.tasks import export_tasks
from hmeimim.storage.files import write_text_atomic

API_KEY_ENV = "LABEL_STUDIO_API_KEY"
SERIALIZATION = {"predictions": {"only_id": False}, "annotations__completed_by": {"only_id": False}}
T = TypeVar("T")


@dataclass(frozen=True)
class PushResult:
    project_id: int
    created: bool
    imported: int
    skipped: int


@dataclass(frozen=True)
class PullResult:
    project_id: int
    export_id: int
    tasks: int
    path: Path


def _failed(url: str, what: str, error: Exception) -> HmeimimError:
    status = getattr(error, "status_code", None)
    body = getattr(error, "body", None)
    detail = f"HTTP {status}: {str(body)[:300]}" if status is not None else type(error).__name__
    return HmeimimError("E717", url, action=what, reason=detail)


def _call(url: str, what: str, call: Callable[[], T]) -> T:
    """Run one SDK call; any HTTP or connection failure becomes E717 (without headers)."""
    import httpx
    from label_studio_sdk.core.api_error import ApiError

    try:
        return call()
    except (ApiError, httpx.HTTPError, OSError) as error:
        raise _failed(url, what, error) from None


def connect(url: str) -> Any:
    """An SDK client for `url`, authenticated with LABEL_STUDIO_API_KEY."""
    from label_studio_sdk import LabelStudio

    key = os.environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise HmeimimError("E716", API_KEY_ENV)
    client = LabelStudio(base_url=url.rstrip("/"), api_key=key, timeout=60)  # type: ignore[no-untyped-call]
    _call(url, "authentication", client.users.whoami)
    return client


def find_project(client: Any, url: str, title: str) -> Any | None:
    projects = _call(url, "listing projects", lambda: list(client.projects.list(title=title)))
    matches = [p for p in projects if p.title == title]
    return min(matches, key=lambda p: p.id) if matches else None


def _same_config(a: str | None, b: str) -> bool:
    return " ".join((a or "").split()) == " ".join(b.split())


def push(
    *, url: str, title: str, version: str | None = None, as_: str = "predictions"
) -> PushResult:
    """Create or find the project and import the release's tasks (module docstring)."""
    tasks = export_tasks(version, as_=as_)
    config = label_config()
    client = connect(url)
    project = find_project(client, url, title)
    created = project is None
    if project is None:
        project = _call(
            url,
            "creating the project",
            lambda: client.projects.create(title=title, label_config=config),
        )
    elif not _same_config(project.label_config, config):
        raise HmeimimError("E722", f"{url} project {title!r}")
    pid = int(project.id)
    listed = _call(url, "listing tasks", lambda: list(client.tasks.list(project=pid)))
    present = {t.data.get("doc_id") for t in listed if isinstance(t.data, dict)}
    new = [t for t in tasks if t["data"]["doc_id"] not in present]
    if new:
        _call(
            url,
            "importing tasks",
            lambda: client.projects.import_tasks(id=pid, request=new, return_task_ids=True),
        )
    return PushResult(pid, created, len(new), len(tasks) - len(new))


def pull(*, url: str, title: str, out: Path, timeout: float = 300.0) -> PullResult:
    """Write a full snapshot export of the project to `out` (module docstring)."""
    client = connect(url)
    project = find_project(client, url, title)
    if project is None:
        raise HmeimimError("E721", f"{url} project {title!r}")
    pid = int(project.id)
    snapshot = _call(
        url,
        "creating the export",
        lambda: client.projects.exports.create(
            id=pid, title="hmeimim ls pull", serialization_options=SERIALIZATION
        ),
    )
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        status = _call(
            url,
            "polling the export",
            lambda: client.projects.exports.get(id=pid, export_pk=snapshot.id),
        ).status
        if status == "completed":
            break
        if status == "failed" or time.monotonic() > deadline:
            raise HmeimimError(
                "E717",
                f"{url} project {title!r}",
                action=f"export {snapshot.id}",
                reason=f"status {status} after {timeout:.0f} s",
            )
        time.sleep(delay)
        delay = min(delay * 2, 5.0)
    raw = _call(
        url,
        "downloading the export",
        lambda: b"".join(
            client.projects.exports.download(id=pid, export_pk=snapshot.id, export_type="JSON")
        ),
    )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise HmeimimError("E701", url, reason=str(error)) from None
    tasks = check_export_shape(data, url)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return PullResult(pid, int(snapshot.id), len(tasks), out)
