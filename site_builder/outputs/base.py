"""The one interface every output implements (zavod's ``exporters/common.py`` is the model).

An output writes some files of the site from the published store: it has a ``name`` (used in the
``[outputs]`` configuration), a ``title``, the media types it writes and an ``order``, and one
method, ``write(site, out)``, that writes into the staging folder ``out`` and returns the files it
wrote (:data:`Paths`). Outputs run in ``order``, then name: pages first, the sitemap after every page, the search
index last (it indexes the written pages). Nothing an output writes is published unless the whole
build verifies; every file it writes is hashed in ``manifest.json``.
"""

from __future__ import annotations

import os
from abc import ABC, abstractmethod
from collections.abc import Sequence
from pathlib import Path
from typing import ClassVar

from site_builder.outputs.site import Site

Paths = Sequence[str | os.PathLike[str]]
"""What :meth:`Output.write` returns: the files it wrote, each as a path (``out / name``) or the string of one
(``f"{out}/{name}"``: the outputs that write hundreds of thousands of files skip making a ``Path`` of each, some
2.5 s a build for the large set's 600,000 pages)."""
PAGES, DATA, DEFAULT, INDEXES, LAST = 10, 30, 50, 80, 90
"""Order values: pages, data files, a plugin's default, indexes of what was written (sitemap), the search index."""


class Output(ABC):
    """One output format of the site. Subclass it, set the class attributes and implement :meth:`write`.

    A plugin registers its subclass in the entry point group ``site_builder.outputs`` (see docs/themes.md).
    """

    name: ClassVar[str]
    """Short lower-case name, unique among outputs: ``[outputs] disabled = ["<name>"]`` leaves it out."""
    title: ClassVar[str]
    """What it writes, in a few words (logged and listed)."""
    media_types: ClassVar[tuple[str, ...]]
    """Media types of the files it writes (``text/html``, ``text/csv``, …)."""
    order: ClassVar[int] = DEFAULT
    """When it runs: lower first; an output that reads what others wrote runs after them."""
    through_index: ClassVar[bool] = False
    """It puts files into ``out`` only through ``site.files`` (and workers of ``parallel.py``, started from there), so
    it may start while the check of the staging folder still runs: the index waits for the check when the output
    first writes (``outputs/files.py``). Otherwise the build waits before the output starts."""

    @abstractmethod
    def write(self, site: Site, out: Path) -> Paths:
        """Write this output's files of ``site`` into the staging folder ``out``; return the files written.

        Must be deterministic: the same site gives byte-identical files. Write new files only, never over a
        file already in ``out``: an incremental build puts the previous build's unchanged pages there as hard
        links to the live site (write through ``site.files`` to take part in that). Raise
        :class:`site_builder.exceptions.BuildError` with a one-line message on failure.
        """

    def __repr__(self) -> str:
        return f"<Output {self.name}>"
