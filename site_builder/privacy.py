"""What is secret, and finding it in any written form: the one owner of that knowledge.

Withheld values and raw ID numbers of the input rows are collected as :class:`Secrets`; the leak
scan looks for them in every published file (inside gzip streams and zip members too).
"""

from __future__ import annotations

import gzip
import io
import re
import unicodedata
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from site_builder.catalogue import CatalogItem
from site_builder.loading import RawRow

MIN_SECRET = 6
_ALNUM_RUN = re.compile(rf"[0-9A-Za-z]{{{MIN_SECRET},}}")


@dataclass
class Secrets:
    """Values that must never appear in the published site: withheld values and raw ID numbers."""

    codes: set[str] = field(default_factory=set)
    """Alphanumeric secrets (ID numbers and the like), matched inside any run of letters and digits."""
    texts: set[str] = field(default_factory=set)
    """Other secrets, matched as substrings."""
    lengths: set[int] = field(default_factory=set)
    """The lengths of the alphanumeric secrets."""

    def add_row(self, raw: RawRow, item: CatalogItem) -> None:
        """Collect the withheld free values and raw ID numbers of one input row, valid or not."""
        for spec in item.fields:
            if (spec.disclosure == "withheld" and not spec.values and spec.type == "string") or spec.mask == "id_number":
                self.add(raw.values.get(spec.name, ""))

    def add(self, value: str) -> None:
        """Add one secret (normalised as the validator normalises codes); short values are ignored."""
        text = unicodedata.normalize("NFKC", value).strip()
        if len(text) < MIN_SECRET:
            return
        if text.isascii() and text.isalnum():
            self.codes.add(text.upper())
            self.lengths.add(len(text))
        else:
            self.texts.add(text)

    def find(self, text: str) -> list[str]:
        """The secrets that occur in ``text`` (U+200B, which Pagefind puts between words, removed)."""
        text = text.replace("\u200b", "")
        found = {s for s in self.texts if s in text}
        for run in _ALNUM_RUN.findall(text):
            run = run.upper()
            for length in self.lengths:
                for start in range(len(run) - length + 1):
                    if run[start:start + length] in self.codes:
                        found.add(run[start:start + length])
        return sorted(found)


def readable_texts(path: Path) -> Iterator[tuple[str, str]]:
    """``(label, text)`` for a file, looking inside gzip streams and zip members."""
    data = path.read_bytes()
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (OSError, EOFError):
            pass
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                yield f"{path.name}!{name}", archive.read(name).decode("utf-8", errors="replace")
        return
    yield path.name, data.decode("utf-8", errors="replace")


def scan_for_leaks(site_dir: Path, secrets: Secrets) -> list[str]:
    """One problem per file that contains a secret (the secret itself is not repeated)."""
    problems = []
    for path in sorted(p for p in site_dir.rglob("*") if p.is_file()):
        for label, text in readable_texts(path):
            found = secrets.find(text)
            if found:
                where = path.relative_to(site_dir).as_posix() + (label[len(path.name):] if "!" in label else "")
                problems.append(f"{where}: contains {len(found)} withheld value(s) or raw ID number(s)")
    return problems


def collect_secrets(records: Path, catalogue_dir: Path) -> Secrets:
    """The secrets of every row of the records directory (read as the build reads it)."""
    from site_builder.catalogue import load_catalogue
    from site_builder.loading import find_sources, read_rows

    catalogue = load_catalogue(catalogue_dir)
    secrets = Secrets()
    for source in find_sources(records, catalogue):
        item = catalogue[source.item]
        for raw in read_rows(source, item):
            secrets.add_row(raw, item)
    return secrets
