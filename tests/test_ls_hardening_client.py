"""`hmeimim ls push` and `ls pull` against servers that fail: every failure is a coded error.

Each server here is a tiny HTTP server on 127.0.0.1, started in a thread by the test: one
that refuses connections, one that echoes the token in a 401, one that never answers,
one that answers 200 with something that is not JSON. The API key never appears in a
message, and `--timeout` bounds every HTTP call.
"""

from __future__ import annotations

import contextlib
import json
import os
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from hmeimim.errors import HmeimimError
from hmeimim.labelstudio import client
from hmeimim.labelstudio.mapping import label_config

KEY = "tok-5ecret-0123456789abcdef"
Respond = Callable[[BaseHTTPRequestHandler, threading.Event], None]


@contextlib.contextmanager
def serving(respond: Respond) -> Iterator[str]:
    """A server on 127.0.0.1 that answers every request with `respond`; yields its URL."""
    release = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            respond(self, release)

        do_POST = do_GET

        def log_message(self, *args: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


def _send(handler: BaseHTTPRequestHandler, status: int, body: str | bytes, kind: str) -> None:
    data = body.encode("utf-8") if isinstance(body, str) else body
    # The client may have given up already (a timeout): then there is no one to answer.
    with contextlib.suppress(BrokenPipeError, ConnectionResetError):
        handler.send_response(status)
        handler.send_header("Content-Type", kind)
        handler.send_header("Content-Length", str(len(data)))
        handler.end_headers()
        handler.wfile.write(data)


def echo(status: int) -> Respond:
    """Answers `status` with a JSON body that repeats the Authorization header."""

    def respond(handler: BaseHTTPRequestHandler, release: threading.Event) -> None:
        header = handler.headers.get("Authorization", "")
        body = json.dumps({"detail": f"Invalid token: {header!r}"})
        _send(handler, status, body, "application/json")

    return respond


def hang(handler: BaseHTTPRequestHandler, release: threading.Event) -> None:
    release.wait(60)
    _send(handler, 200, "{}", "application/json")


def not_json(handler: BaseHTTPRequestHandler, release: threading.Event) -> None:
    _send(handler, 200, "<html><body>Welcome to nginx</body></html>", "text/html")


def wrong_json(handler: BaseHTTPRequestHandler, release: threading.Event) -> None:
    body = '{"id": 1}' if "whoami" in handler.path else '"not a page of projects"'
    _send(handler, 200, body, "application/json")


def fake_label_studio(broken: str, page: bytes = b"<html>maintenance</html>") -> Respond:
    """Answers like Label Studio, except on the route `broken`: 200 with `page`."""
    config = label_config()

    def respond(handler: BaseHTTPRequestHandler, release: threading.Event) -> None:
        path, _, query = handler.path.partition("?")
        path = path.rstrip("/")
        if "page=" in query and "page=1" not in query.split("&"):
            # Label Studio ends its pages with a 404.
            _send(handler, 404, json.dumps({"detail": "Invalid page."}), "application/json")
            return
        routes = {
            "whoami": (path.endswith("whoami"), {"id": 1, "email": "lead@example.com"}),
            "download": (path.endswith("download"), [{"id": 1, "data": {}, "annotations": []}]),
            "export": (path.endswith("exports/5"), {"id": 5, "status": "completed"}),
            "create": (path.endswith("exports"), {"id": 5, "status": "created"}),
            "tasks": (path.endswith("tasks"), {"tasks": [], "total": 0}),
            "projects": (
                path.endswith("projects"),
                {
                    "count": 1,
                    "next": None,
                    "previous": None,
                    "results": [{"id": 3, "title": "T", "label_config": config}],
                },
            ),
        }
        for name, (hit, body) in routes.items():
            if hit:
                if name == broken:
                    _send(handler, 200, page, "text/html")
                else:
                    _send(handler, 200, json.dumps(body), "application/json")
                return
        _send(handler, 404, json.dumps({"detail": "not found"}), "application/json")

    return respond


def _refused_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    return f"http://127.0.0.1:{port}"


@pytest.fixture(autouse=True)
def api_key(monkeypatch: pytest.MonkeyPatch) -> str:
    monkeypatch.setenv(client.API_KEY_ENV, KEY)
    return KEY


def _calls(url: str, tmp_path: Path) -> dict[str, Callable[[], object]]:
    return {
        "push": lambda: client.push(url=url, title="T", version="1.0.0"),
        "pull": lambda: client.pull(url=url, title="T", out=tmp_path / "x.json", timeout=2),
    }


def _error(call: Callable[[], object]) -> HmeimimError:
    with pytest.raises(HmeimimError) as caught:
        call()
    error = caught.value
    for text in (str(error), error.render(), error.message, error.location):
        assert KEY not in text
    return error


@pytest.mark.parametrize("action", ["push", "pull"])
def test_a_refused_connection_is_a_connection_failure(tmp_path: Path, action: str) -> None:
    error = _error(_calls(_refused_url(), tmp_path)[action])
    assert error.code == "E731", error.render()
    assert "authentication" not in error.message
    assert "cannot reach the server" in error.message
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("status", [401, 403])
def test_a_refused_token_echoed_by_the_server_is_never_printed(tmp_path: Path, status: int) -> None:
    with serving(echo(status)) as url:
        error = _error(_calls(url, tmp_path)["pull"])
    assert error.code == "E717"
    assert f"HTTP {status}" in error.message
    assert "Invalid token" not in error.message  # no body of a 401/403 is printed


def test_a_server_error_body_is_printed_without_the_key(tmp_path: Path) -> None:
    with serving(echo(500)) as url:
        error = _error(_calls(url, tmp_path)["push"])
    assert error.code == "E717"
    assert "HTTP 500" in error.message
    assert "Invalid token" in error.message  # the body is shown, the key redacted
    assert "***" in error.message


@pytest.mark.parametrize("action", ["push", "pull"])
def test_a_server_that_never_answers_is_bounded_by_the_timeout(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, action: str
) -> None:
    monkeypatch.setattr(client, "PUSH_TIMEOUT", 2.0)
    with serving(hang) as url:
        started = time.monotonic()
        error = _error(_calls(url, tmp_path)[action])
        elapsed = time.monotonic() - started
    assert error.code == "E731", error.render()
    assert "no answer within 2 s" in error.message
    assert elapsed < 15, elapsed


@pytest.mark.parametrize("respond", [not_json, wrong_json], ids=["html", "wrong-shape"])
@pytest.mark.parametrize("action", ["push", "pull"])
def test_a_200_that_is_not_label_studio_json_is_a_coded_error(
    tmp_path: Path, action: str, respond: Respond
) -> None:
    with serving(respond) as url:
        error = _error(_calls(url, tmp_path)[action])
    assert error.code == "E717", error.render()
    assert not (tmp_path / "x.json").exists()


def test_the_fake_server_answers_like_label_studio(tmp_path: Path) -> None:
    with serving(fake_label_studio("")) as url:
        pulled = client.pull(url=url, title="T", out=tmp_path / "x.json", timeout=2)
    assert (pulled.project_id, pulled.export_id, pulled.tasks) == (3, 5, 1)


@pytest.mark.parametrize("broken", ["whoami", "projects", "create", "export", "download"])
def test_a_200_with_an_html_page_at_any_step_of_pull_is_a_coded_error(
    tmp_path: Path, broken: str
) -> None:
    with serving(fake_label_studio(broken)) as url:
        error = _error(lambda: client.pull(url=url, title="T", out=tmp_path / "x.json", timeout=2))
    assert error.code == ("E701" if broken == "download" else "E717"), error.render()
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize(
    "page",
    [b"[" + b"1" + b"0" * 4400 + b"]", b"\xff\xfe not UTF-8", b"[" * 100_000 + b"]" * 100_000],
    ids=["huge-number", "not-utf8", "deep"],
)
def test_a_downloaded_export_that_is_not_json_is_a_coded_error(tmp_path: Path, page: bytes) -> None:
    with serving(fake_label_studio("download", page)) as url:
        error = _error(lambda: client.pull(url=url, title="T", out=tmp_path / "x.json", timeout=2))
    assert error.code == "E701", error.render()
    assert not (tmp_path / "x.json").exists()


@pytest.mark.parametrize("key", ["clé-du-serveur", "tok\nen", "tok\ten", "トークン"])
def test_an_api_key_an_http_header_cannot_carry_is_a_coded_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv(client.API_KEY_ENV, key)
    with serving(echo(401)) as url, pytest.raises(HmeimimError) as caught:
        client.pull(url=url, title="T", out=tmp_path / "x.json", timeout=2)
    assert (caught.value.code, caught.value.location) == ("E732", client.API_KEY_ENV)
    assert key not in caught.value.render()


def test_cli_pull_timeout_applies_to_the_http_calls(tmp_path: Path) -> None:
    env = {**os.environ, client.API_KEY_ENV: KEY}
    with serving(hang) as url:
        started = time.monotonic()
        run = subprocess.run(
            [sys.executable, "-m", "hmeimim", "ls", "pull", "--url", url, "--timeout", "1",
             "-o", str(tmp_path / "x.json")],
            capture_output=True, text=True, env=env, check=False, timeout=60,
        )  # fmt: skip
        elapsed = time.monotonic() - started
    assert run.returncode == 2, run.stdout + run.stderr
    assert "E731" in run.stderr
    assert "Traceback" not in run.stdout + run.stderr
    assert KEY not in run.stdout + run.stderr
    assert elapsed < 20, elapsed
