"""Fault injection for tests: named points in the build's last steps where a test can stop the process.

``SITE_BUILDER_FAULT=<point>`` in the environment ends the process at that point with ``os._exit``
(no cleanup, no ``finally``: as a ``kill -9`` would); a test in the same process may instead set
:data:`HOOK`, which is called with each point's name. Points, in order: ``rendered`` (every output
written into the staging folder), ``prepared``, ``archived``,
``staged``, ``link-created``, ``exchanged`` (first build over a plain folder only), ``switched``,
``appended`` (the chain has the build, the journal not yet), ``recorded``, ``published``; and ``worker``, where a
worker process (rendering, writing a workbook, deciding rows or scanning files) starts a task.
"""

from __future__ import annotations

import os
from collections.abc import Callable

ENV = "SITE_BUILDER_FAULT"
KILLED = 137
HOOK: Callable[[str], None] | None = None


def fault_point(name: str) -> None:
    """Stop here if a test asked for it (no effect otherwise)."""
    if os.environ.get(ENV) == name:
        os._exit(KILLED)
    if HOOK is not None:
        HOOK(name)
