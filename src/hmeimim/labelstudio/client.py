"""Talking to a Label Studio server with `label-studio-sdk`: push tasks, pull an export.

The only module that uses the SDK's HTTP client. The API key comes from the
`LABEL_STUDIO_API_KEY` environment variable and nowhere else; it is handed to the SDK
and never put into a message, a log or a file. A key an HTTP header cannot carry (not
printable ASCII) is E732. Errors carry the status code and, except for 401 and 403, the
server's answer with the key's value redacted from it; never the request headers.

- A server that cannot be reached (refused connection, no answer within the timeout)
  is E731; an HTTP error, or a 200 whose body is not what Label Studio sends, is E717.
- `push` finds the project by exact title or creates it with the generated labeling
  config (an existing project with another config is refused, E722), and imports one task
  per document of the release that the project does not hold yet (by `data.doc_id`).
- `pull` asks for a snapshot export with predictions and annotators expanded (the
  synchronous export of the community edition gives predictions as ids only), polls it
  until it is completed, and writes the JSON atomically. `timeout` bounds every HTTP
  call and the wait for the export. A project that does not exist is E721.
"""

from __future__ import annotations

import contextlib
import json
import os
import time
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from hmeimim.errors import HmeimimError
from hmeimim.labelstudio.boundary import printable
from hmeimim.labelstudio.mapping import label_config
from hmeimim.labelstudio.parse import check_export_shape
from hmeimim.labelstudio.tasks import export_tasks
from hmeimim.storage.files import write_text_atomic

API_KEY_ENV = "LABEL_STUDIO_API_KEY"
SERIALIZATION = {"predictions": {"only_id": False}, "annotations__completed_by": {"only_id": False}}
# Seconds each HTTP call of `push` may take (`pull` takes its own timeout).
PUSH_TIMEOUT = 60.0
# Statuses whose answer may repeat the credentials: never printed.
_UNPRINTED = (401, 403)
_BODY_LIMIT = 300
_REDACTED = "***"
T = TypeVar("T")
# The timeout of the HTTP calls of the running push or pull (read by `connect`).
_TIMEOUT: ContextVar[float] = ContextVar("hmeimim_ls_timeout", default=PUSH_TIMEOUT)


@contextlib.contextmanager
def _timeout(seconds: float) -> Iterator[None]:
    token = _TIMEOUT.set(seconds)
    try:
        yield
    finally:
        _TIMEOUT.reset(token)


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


@dataclass(frozen=True)
class _Server:
    """One authenticated SDK client, with what its errors need to say and to hide."""

    url: str
    key: str
    timeout: float
    client: Any

    def redact(self, text: str) -> str:
        return printable(text.replace(self.key, _REDACTED))

    def call(self, what: str, call: Callable[[], T]) -> T:
        """Run one SDK call; any failure becomes E731 or E717 (never with the key)."""
        # The SDK and httpx load only when a server is talked to (a light `import hmeimim`).
        import httpx
        from label_studio_sdk.core.api_error import ApiError
        from label_studio_sdk.core.parse_error import ParsingError

        try:
            return call()
        except httpx.TimeoutException:
            reason = f"no answer within {self.timeout:g} s"
            raise HmeimimError("E731", self.url, action=what, reason=reason) from None
        except (httpx.TransportError, OSError) as error:
            reason = self.redact(f"{type(error).__name__}: {error}")
            raise HmeimimError("E731", self.url, action=what, reason=reason) from None
        except ApiError as error:
            raise HmeimimError("E717", self.url, action=what, reason=self.status(error)) from None
        except (httpx.HTTPError, ParsingError, ValueError, TypeError, AttributeError, KeyError):
            # A 200 whose body is not JSON, or not the JSON Label Studio sends.
            reason = "the server's answer is not what Label Studio sends"
            raise HmeimimError("E717", self.url, action=what, reason=reason) from None

    def status(self, error: Any) -> str:
        status = error.status_code
        if status in _UNPRINTED:
            return f"HTTP {status}: the token was refused (the answer is not shown)"
        body = error.body if isinstance(error.body, str) else json.dumps(error.body, default=str)
        text = self.redact(body)
        if len(text) > _BODY_LIMIT:
            text = text[: _BODY_LIMIT - 1] + "…"
        if status is None or not 200 <= status < 300:
            return f"HTTP {status}: {text}"
        return f"HTTP {status}, but the answer is not JSON: {text}"


def _api_key() -> str:
    key = os.environ.get(API_KEY_ENV, "").strip()
    if not key:
        raise HmeimimError("E716", API_KEY_ENV)
    refused = sum(1 for ch in key if not " " <= ch <= "~")
    if refused:
        raise HmeimimError("E732", API_KEY_ENV, count=refused)
    return key


def connect(url: str) -> _Server:
    """An SDK client for `url`, authenticated with LABEL_STUDIO_API_KEY, checked once.

    Every HTTP call of it is bounded by the timeout of the running push or pull.
    """
    from label_studio_sdk import LabelStudio

    key = _api_key()
    timeout = _TIMEOUT.get()
    client = LabelStudio(base_url=url.rstrip("/"), api_key=key, timeout=timeout)  # type: ignore[no-untyped-call]
    server = _Server(url, key, timeout, client)
    server.call("checking the token", client.users.whoami)
    return server


@dataclass(frozen=True)
class Project:
    id: int
    label_config: str | None


def find_project(server: _Server, url: str, title: str) -> Project | None:
    """The project with exactly this title (the oldest of several)."""

    def matching() -> Project | None:
        found = [
            Project(int(p.id), p.label_config)
            for p in server.client.projects.list(title=title)
            if p.title == title
        ]
        return min(found, key=lambda p: p.id) if found else None

    return server.call("listing projects", matching)


def _same_config(a: str | None, b: str) -> bool:
    return " ".join((a or "").split()) == " ".join(b.split())


def push(
    *,
    url: str,
    title: str,
    version: str | None = None,
    as_: str = "predictions",
    timeout: float | None = None,
    sources: Path | None = None,
) -> PushResult:
    """Create or find the project and import the release's tasks (module docstring), or
    the tasks of the authoring folder `sources` (newly ingested reports included)."""
    with _timeout(timeout or PUSH_TIMEOUT):
        return _push(url=url, title=title, version=version, as_=as_, sources=sources)


def _push(
    *, url: str, title: str, version: str | None, as_: str, sources: Path | None
) -> PushResult:
    tasks = export_tasks(version, as_=as_, sources=sources)
    config = label_config()
    server = connect(url)
    project = find_project(server, url, title)
    created = project is None
    if project is None:
        client = server.client

        def create() -> Project:
            made = client.projects.create(title=title, label_config=config)
            return Project(int(made.id), config)

        project = server.call("creating the project", create)
    elif not _same_config(project.label_config, config):
        raise HmeimimError("E722", f"{url} project {title!r}")
    client = server.client
    pid = project.id

    def present() -> set[Any]:
        listed = client.tasks.list(project=pid)
        return {t.data.get("doc_id") for t in listed if isinstance(t.data, dict)}

    held = server.call("listing tasks", present)
    new = [t for t in tasks if t["data"]["doc_id"] not in held]
    if new:
        server.call(
            "importing tasks",
            lambda: client.projects.import_tasks(id=pid, request=new, return_task_ids=True),
        )
    return PushResult(pid, created, len(new), len(tasks) - len(new))


def pull(*, url: str, title: str, out: Path, timeout: float = 300.0) -> PullResult:
    """Write a full snapshot export of the project to `out` (module docstring)."""
    with _timeout(timeout):
        return _pull(url=url, title=title, out=out, timeout=timeout)


def _pull(*, url: str, title: str, out: Path, timeout: float) -> PullResult:
    server = connect(url)
    project = find_project(server, url, title)
    if project is None:
        raise HmeimimError("E721", f"{url} project {title!r}")
    client = server.client
    pid = project.id

    def create() -> int:
        made = client.projects.exports.create(
            id=pid, title="hmeimim ls pull", serialization_options=SERIALIZATION
        )
        return int(made.id)

    export_id = server.call("creating the export", create)
    deadline = time.monotonic() + timeout
    delay = 0.2
    while True:
        status = server.call(
            "polling the export",
            lambda: client.projects.exports.get(id=pid, export_pk=export_id).status,
        )
        if status == "completed":
            break
        if status == "failed" or time.monotonic() > deadline:
            raise HmeimimError(
                "E717",
                f"{url} project {title!r}",
                action=f"export {export_id}",
                reason=f"status {printable(str(status))} after {timeout:g} s",
            )
        time.sleep(delay)
        delay = min(delay * 2, 5.0)
    raw = server.call(
        "downloading the export",
        lambda: b"".join(
            client.projects.exports.download(id=pid, export_pk=export_id, export_type="JSON")
        ),
    )
    try:
        data = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError) as error:
        raise HmeimimError("E701", url, reason=server.redact(str(error))) from None
    tasks = check_export_shape(data, url)
    out.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(out, json.dumps(data, ensure_ascii=False, indent=1) + "\n")
    return PullResult(pid, export_id, len(tasks), out)
