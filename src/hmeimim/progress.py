"""How far a long operation has come: the library reports it, the caller decides how to show it.

The library never prints, so a long operation (validating, exporting, importing,
releasing) only calls `report_progress` or wraps its items in `counted`; both do nothing unless
the caller installed a sink with `reporting`. The CLI installs one that draws a rich
progress bar on a terminal and installs none when stderr is piped, so scripts and logs
see no bar. The sink lives in a context variable, not in every signature, because the
reports come from deep inside the storage and validation layers.

A sink is called as `sink(label, completed, total)`: `label` names the step (the same
label for the whole step), `completed` is how far it is and `total` its end, or None
when the end is not known.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import TypeVar

Sink = Callable[[str, float, float | None], None]
T = TypeVar("T")

_SINK: ContextVar[Sink | None] = ContextVar("hmeimim_progress", default=None)
# A step reports at most this often (seconds), however many items it has.
PROGRESS_INTERVAL = 0.1


@contextmanager
def reporting(sink: Sink) -> Iterator[None]:
    """Send the progress of every operation in this block to `sink`."""
    token = _SINK.set(sink)
    try:
        yield
    finally:
        _SINK.reset(token)


def progress_wanted() -> bool:
    """Whether anybody listens: a step whose progress is costly to measure checks first."""
    return _SINK.get() is not None


def report_progress(label: str, completed: float, total: float | None = None) -> None:
    """Tell the sink, if any, that step `label` is at `completed` of `total`."""
    sink = _SINK.get()
    if sink is not None:
        sink(label, completed, total)


def counted(items: Iterable[T], label: str, total: int | None = None) -> Iterator[T]:
    """Yield `items` unchanged, reporting how many have been handed out."""
    sink = _SINK.get()
    if sink is None:
        yield from items
        return
    sink(label, 0, total)
    done = 0
    last = time.monotonic()
    for item in items:
        yield item
        done += 1
        now = time.monotonic()
        if now - last >= PROGRESS_INTERVAL:
            sink(label, done, total)
            last = now
    sink(label, done, total if total is not None else done)
