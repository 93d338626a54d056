"""Stages of a build: one summary line per stage with its time, and a progress bar while it runs.

The build wraps each step in :meth:`Stages.stage`; when the step ends, one structured line is logged
at INFO (``stage=pages seconds=41.27 files=31210 peak_rss_mib=212 children_peak_rss_mib=0``: the
peak resident memory of the build process and of its largest finished child, such as Pagefind, so
far). Code inside a stage reports its work with :func:`expect` and :func:`advance`, which are no-ops
outside a stage, so an output or a test calling an output directly needs no progress object.

Bars are drawn with click's progress bar on stderr only when asked for (the command line asks when
stderr is a terminal and ``--quiet`` is not given): in CI and in logs there are only the summary lines.
"""

from __future__ import annotations

import logging
import resource
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, TextIO

import click

log = logging.getLogger("site_builder.build")
_current: ContextVar[Stage | None] = ContextVar("site_builder_stage", default=None)
_UNKNOWN_STEP = 500
"""Rows between redraws of a bar whose length is not known."""


class Stage:
    """One running stage: its name, the units done so far and (on a terminal) its bar."""

    def __init__(self, name: str, bar_file: TextIO | None) -> None:
        self.name, self.bar_file = name, bar_file
        self.done = 0
        self.total: int | None = None
        self._bar: Any = None
        self._shown = 0
        self._step = _UNKNOWN_STEP
        self.summary: dict[str, object] = {}
        """The key=value pairs of the summary line after the time (``files=…``, ``rows=…``)."""

    def expect(self, total: int) -> None:
        """Say how many units the stage will do (the bar's length)."""
        self.total, self._step = total, max(1, total // 200)
        if self._bar is not None:
            self._bar.length = total

    def advance(self, n: int = 1) -> None:
        """Count ``n`` units done; redraw the bar now and then."""
        self.done += n
        if self.bar_file is None or self.done - self._shown < self._step:
            return
        self._draw()

    def _draw(self) -> None:
        if self._bar is None:
            length = self.total
            unsized = iter(int, 1)  # an iterator without a length: click draws a bar that pulses
            self._bar = click.progressbar(unsized, length=length, label=f"{self.name:<12}", file=self.bar_file,
                                          show_pos=True, show_eta=length is not None)
            self._bar.render_progress()
        self._bar.update(self.done - self._shown)
        self._shown = self.done

    def finish(self) -> None:
        """Draw the last state and end the bar's line."""
        if self._bar is not None:
            if self.done > self._shown:
                self._draw()
            self._bar.render_finish()


class Stages:
    """Times the stages of one build; draws bars on ``bar_file`` (``None``: no bars)."""

    def __init__(self, bar_file: TextIO | None = None) -> None:
        self.bar_file = bar_file
        self.seconds: dict[str, float] = {}

    @contextmanager
    def stage(self, name: str) -> Iterator[Stage]:
        """Run one stage: yields it for counting; logs its summary line when it ends without error."""
        stage = Stage(name, self.bar_file)
        token = _current.set(stage)
        start = time.perf_counter()
        try:
            yield stage
        finally:
            _current.reset(token)
            stage.finish()
        seconds = time.perf_counter() - start
        self.seconds[name] = seconds
        extra = "".join(f" {key}={value}" for key, value in stage.summary.items())
        log.info("stage=%s seconds=%.3f%s peak_rss_mib=%d children_peak_rss_mib=%d", name, seconds, extra,
                 *peak_rss_mib())


def peak_rss_mib() -> tuple[int, int]:
    """Peak resident memory so far, in MiB: of this process, and of its largest finished child process."""
    unit = 1 if sys.platform == "darwin" else 1024  # ru_maxrss is in bytes on macOS, KiB on Linux
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return own * unit // 2**20, children * unit // 2**20


def expect(total: int) -> None:
    """Tell the running stage (if any) how many units it will do."""
    stage = _current.get()
    if stage is not None:
        stage.expect(total)


def advance(n: int = 1) -> None:
    """Count ``n`` units done in the running stage (if any)."""
    stage = _current.get()
    if stage is not None:
        stage.advance(n)
