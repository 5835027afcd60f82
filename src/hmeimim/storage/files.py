"""Writing files and folders so that nothing is ever half-written, and hashing them.

Every writer in the package goes through `write_bytes_atomic` (a temporary sibling,
fsync, one rename, then fsync of the folder) or `staged_folder` (a temporary sibling
folder renamed into place). A kill at any moment leaves either the old content or the
new, plus at most a dot-named temporary that readers ignore.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

TEMP_PREFIX = ".tmp-"


def sha256_of(path: Path) -> str:
    with path.open("rb") as stream:
        return hashlib.file_digest(stream, "sha256").hexdigest()


def _umask_mode(base: int) -> int:
    # os.umask can only be read by setting it; set it straight back.
    mask = os.umask(0)
    os.umask(mask)
    return base & ~mask


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return  # Some platforms cannot open folders; the rename is still atomic there.
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file through a temporary sibling, fsync and one rename.

    The file gets the mode an ordinary `open()` would give it (0666 less the umask),
    not the private mode of `mkstemp`.
    """
    fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.chmod(tmp, _umask_mode(0o666))
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    _fsync_dir(path.parent)


def write_text_atomic(path: Path, text: str) -> None:
    """UTF-8 text with `\\n` line endings, written atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


def write_json_atomic(path: Path, data: Any) -> None:
    """JSON (UTF-8, not ASCII-escaped, one level of indent), written atomically."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_text_atomic(path, json.dumps(data, ensure_ascii=False, indent=1) + "\n")


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Fill a temporary sibling of `target`, then rename it into place in one step.

    On any error (or a kill) the temporary `.tmp-*` folder is all that can remain, and
    readers ignore dot folders. Folders and files get the modes that the umask gives
    ordinary ones, since mkdtemp creates a private folder.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{target.name}-", dir=target.parent))
    try:
        yield staging
        folder_mode, file_mode = _umask_mode(0o777), _umask_mode(0o666)
        staging.chmod(folder_mode)
        for child in staging.rglob("*"):
            child.chmod(folder_mode if child.is_dir() else file_mode)
        os.replace(staging, target)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_dir(target.parent)
