"""Writing files and folders so that nothing is ever half-written, reading and hashing them.

Every writer in the package goes through `write_bytes_atomic` (a temporary sibling,
fsync, one rename, then fsync of the folder) or `staged_folder` (a temporary sibling
folder renamed into place). A kill at any moment leaves either the old content or the
new, plus at most a dot-named temporary (`.tmp-*`) that readers ignore and
`remove_temporaries` deletes.

What the operating system refuses becomes `HmeimimError`, never a traceback: a write
that fails (a full disk, a folder that may not be written) is E024 naming the file as
it would have been called, a file or folder that cannot be read is E023 (`read_bytes`,
`list_folder`), a missing one E002.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from hmeimim.errors import HmeimimError

TEMP_PREFIX = ".tmp-"


def os_reason(error: OSError) -> str:
    """What the system said, without the path (the location names it)."""
    return error.strerror or str(error) or type(error).__name__


@contextmanager
def writing(path: Path) -> Iterator[None]:
    """Turn an `OSError` of the writes in the block into E024 naming `path`."""
    try:
        yield
    except OSError as error:
        raise HmeimimError("E024", str(path), reason=os_reason(error)) from None


def read_bytes(path: Path) -> bytes:
    """The bytes of a file: E002 when it is missing, E023 when it cannot be read."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), expected="file") from None
    except OSError as error:
        raise HmeimimError("E023", str(path), reason=os_reason(error)) from None


def list_folder(path: Path) -> list[str]:
    """The names in a folder, sorted: E002 when it is missing, E023 when it cannot be read."""
    try:
        return sorted(os.listdir(path))
    except FileNotFoundError:
        raise HmeimimError("E002", str(path), expected="folder") from None
    except OSError as error:
        raise HmeimimError("E023", str(path), reason=os_reason(error)) from None


def remove_temporaries(folders: list[Path]) -> list[Path]:
    """Delete the `.tmp-*` files and folders that killed writers left in `folders`.

    Call it only while nothing else writes there (the release lock is held).
    """
    removed = []
    for folder in folders:
        try:
            names = list_folder(folder)
        except HmeimimError as error:
            if error.code == "E002":
                continue
            raise
        for name in names:
            if not name.startswith(TEMP_PREFIX):
                continue
            path = folder / name
            with writing(path):
                if path.is_dir() and not path.is_symlink():
                    shutil.rmtree(path)
                else:
                    path.unlink(missing_ok=True)
            removed.append(path)
    return removed


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


@contextmanager
def atomic_stream(path: Path) -> Iterator[BinaryIO]:
    """A binary stream into a temporary sibling of `path`, fsynced and renamed into place
    in one step when the block ends; deleted when it raises.

    The file gets the mode an ordinary `open()` would give it (0666 less the umask),
    not the private mode of `mkstemp`. A write the system refuses is E024.
    """
    with writing(path):
        fd, tmp = tempfile.mkstemp(prefix=f"{TEMP_PREFIX}{path.name}.", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as stream:
                yield stream
                stream.flush()
                os.fsync(stream.fileno())
            os.chmod(tmp, _umask_mode(0o666))
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
    _fsync_dir(path.parent)


def write_bytes_atomic(path: Path, data: bytes) -> None:
    """Write a file through a temporary sibling, fsync and one rename (`atomic_stream`)."""
    with atomic_stream(path) as stream:
        stream.write(data)


def write_text_atomic(path: Path, text: str) -> None:
    """UTF-8 text with `\\n` line endings, written atomically."""
    write_bytes_atomic(path, text.encode("utf-8"))


@contextmanager
def staged_folder(target: Path) -> Iterator[Path]:
    """Fill a temporary sibling of `target`, then rename it into place in one step.

    On any error (or a kill) the temporary `.tmp-*` folder is all that can remain, and
    readers ignore dot folders. Folders and files get the modes that the umask gives
    ordinary ones, since mkdtemp creates a private folder. Errors that name a path in
    the temporary folder are raised naming the same path under `target`, since the
    temporary is gone when they are shown.
    """
    with writing(target):
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f"{TEMP_PREFIX}{target.name}-", dir=target.parent))
    try:
        yield staging
        with writing(target):
            folder_mode, file_mode = _umask_mode(0o777), _umask_mode(0o666)
            staging.chmod(folder_mode)
            for child in staging.rglob("*"):
                child.chmod(folder_mode if child.is_dir() else file_mode)
            os.replace(staging, target)
    except HmeimimError as error:
        shutil.rmtree(staging, ignore_errors=True)
        if not error.location.startswith(str(staging)):
            raise
        location = str(target) + error.location[len(str(staging)) :]
        raise HmeimimError(error.code, location, **error.params) from None
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _fsync_dir(target.parent)
