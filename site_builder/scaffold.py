"""``site-builder init``: a new site folder, ready to build.

The folder gets a commented ``site_builder.toml``, one example content page the centre edits, an
empty ``templates/`` for theme overrides (with a README.txt, not a template), a ``.gitignore`` and
``records/`` with a handful of sample rows per catalogue item taken from the demo data
(``defaults/sample_records/``): valid rows published on the day ``init`` runs, one row excluded and
one quarantined, so the first build shows every audit report. The packaged catalogue, profiles,
content and theme stay in the package as the base layer; nothing is copied that the site does not
change.

The sample rows are dated as of :data:`SAMPLE_AS_OF`; ``init`` moves every date by the days from
then to today, so the same rows are published (and the same row excluded) whenever it runs.
"""

from __future__ import annotations

import contextlib
import csv
import io
import re
import sqlite3
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from site_builder.exceptions import InitError

PACKAGE = Path(__file__).resolve().parent
SAMPLE_RECORDS = PACKAGE / "defaults" / "sample_records"
"""The packaged sample rows: ``<item>.csv`` with the catalogue's Chinese column titles."""
SAMPLE_AS_OF = date(2026, 11, 24)
"""The date the sample rows were chosen for: all but two published on it under the national profile."""
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")

CONFIG = """\
# site_builder configuration of this site. Relative paths are from this file.
# Every option, its type and default: the operator's guide (docs/operator-guide.md in site_builder's
# source repository) and the module site_builder/config.py.

[site]
title = "示例市公共信用信息公示"
# The credit centre that publishes the site (named in citations and the data package).
centre = "示例市公共信用信息中心"
# Absolute URL the site is served from, ending in "/".
base_url = "https://credit.example.gov.cn/"
# Licence of the open data package (an SPDX identifier).
licence = "CC-BY-4.0"

[paths]
# The export of the credit information system: <item>.csv, .xlsx or a folder <item>/ per catalogue item.
# It holds unapproved rows and raw ID numbers: keep it out of any public repository.
records = "records"
# The packaged catalogue, profiles, content pages and theme are the base layer. A file in this site's
# catalogue/, profiles/ or content/ replaces the packaged file of the same name or adds one; a template
# in templates/ is used instead of the packaged one (see templates/README.txt).
# content = "content"
# templates = "templates"
# The published site (replaced whole by each build) and the private audit folder (never publish it).
# output = "output"
# audit = "audit"

[disclosure]
# Disclosure profile: {profiles}.
profile = "national"
# Time zone in which "today" is taken when no --as-of date is given.
timezone = "Asia/Shanghai"

[search]
# The Pagefind search index (its binary is installed with site_builder).
enabled = true

# What the platform's state columns mean, where its exports state a record's state in a column the
# catalogue has no field for (状态, 名单状态, 数据状态 …) in codes or words of its own: "standing" (the
# record stands), "gone" (revoked, removed, deleted, hidden or expired: withheld) or "objection"
# (under objection: withheld). A heading's own table is read first, then the values of any heading;
# [states.<item>."<heading>"] is for one item. Never 发布状态, 公开属性 or 异议状态: the catalogue reads them.
# [states]
# "信用修复" = "gone"
# [states."名单状态"]
# "0" = "standing"
# "1" = "gone"
# "2" = "objection"
"""

CONTACT_PAGE = """\
# 联系我们

本页由{centre}维护，请按本中心的实际情况修改（文件 `content/50-contact.md`）。

| 事项 | 电话 | 地址 |
| --- | --- | --- |
| 信用信息查询 | 0000-12345678 | 示例市示例路 1 号 |
| 异议申诉 | 0000-12345679 | 示例市示例路 1 号 |
| 信用修复 | 0000-12345680 | 示例市示例路 1 号 |

工作时间：工作日 9:00–17:00。也可发送邮件至 <a href="mailto:credit@example.gov.cn">credit@example.gov.cn</a>。
"""

TEMPLATES_README = """\
Theme overrides for this site.

A template put here is used instead of the packaged template of the same name; every other page
keeps the packaged theme. Start from a copy of the packaged file, for example:

    cp {theme}/base.html templates/

Files in templates/static/ are copied over the packaged static files (site.css, search.js, ...) of
the same name, and new ones are added. The templates, and the variables each may rely on, are
described in the operator's guide (docs/ in site_builder's source repository). Packaged templates:

{names}
"""

DATABASE = "records.sqlite"
KEY = "序号"
DATABASE_CONFIG = f"""
[sources]
# Build from this database instead of paths.records: an SQLAlchemy URL without a password (the
# password comes from password_env or password_file), here the embedded SQLite sample database.
# A table per catalogue item, named by its id; [sources.<item>] names another table or a query.
url = "sqlite:///{DATABASE}"
"""

GITIGNORE = """\
# Built by site-builder: the published site, its versions and lock, and the private audit folder.
/output
/.output.builds/
/.output.lock
/audit/
# Private keys (site-builder keygen) and the embedded database of init --database (raw records).
*.key
/records.sqlite
# records/ holds the raw export: commit it only to a private repository.
"""


@dataclass(frozen=True)
class Scaffold:
    """What ``init`` wrote: the site folder, the sample rows per records file and the date they are moved to."""

    folder: Path
    rows: dict[str, int]
    as_of: date


def init_site(folder: Path, today: date, centre: str = "示例市公共信用信息中心", database: bool = False) -> Scaffold:
    """Make a new site folder at ``folder``, with sample records dated for ``today``.

    ``database``: the sample rows go into an embedded SQLite database ``records.sqlite`` (one table
    per item, the catalogue's Chinese titles as column names, a ``序号`` key) and the configuration's
    ``[sources]`` points at it, as a credit platform's database would be; otherwise into ``records/``.

    Refuses (:class:`InitError`) a folder that exists and is not empty, or is a file: nothing the
    user has is ever overwritten.
    """
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise InitError(f"{folder}: {'is not a folder' if not folder.is_dir() else 'exists and is not empty'}; "
                        "give a new or empty folder (nothing was written)")
    shift = today - SAMPLE_AS_OF
    try:
        folder.mkdir(parents=True, exist_ok=True)
        profiles = ", ".join(f'"{p.stem}"' for p in sorted((PACKAGE / "defaults" / "profiles").glob("*.yaml")))
        config = CONFIG.replace("{profiles}", profiles) + (DATABASE_CONFIG if database else "")
        (folder / "site_builder.toml").write_text(config, encoding="utf-8")
        (folder / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
        (folder / "content").mkdir()
        (folder / "content" / "50-contact.md").write_text(CONTACT_PAGE.format(centre=centre), encoding="utf-8")
        (folder / "templates").mkdir()
        names = "\n".join(f"    {p.relative_to(PACKAGE / 'theme')}" for p in _theme_files())
        (folder / "templates" / "README.txt").write_text(
            TEMPLATES_README.format(theme=PACKAGE / "theme", names=names), encoding="utf-8")
        rows = {}
        samples = {sample.stem: shift_dates(sample.read_text(encoding="utf-8-sig"), shift)
                   for sample in sorted(SAMPLE_RECORDS.glob("*.csv"))}
        if database:
            rows = _write_database(folder / DATABASE, {item: text for item, (text, _) in samples.items()})
        else:
            (folder / "records").mkdir()
            for item, (text, count) in samples.items():
                (folder / "records" / f"{item}.csv").write_text(text, encoding="utf-8-sig", newline="")
                rows[f"{item}.csv"] = count
    except OSError as exc:
        raise InitError(f"{exc.filename or folder}: cannot be written ({exc.strerror or exc})") from exc
    return Scaffold(folder, rows, today)


def _write_database(path: Path, samples: dict[str, str]) -> dict[str, int]:
    """The sample rows as an SQLite database: a table per item, a ``序号`` key and the CSV headings as columns."""
    rows = {}
    with contextlib.closing(sqlite3.connect(path)) as db, db:
        for item, text in samples.items():
            heading, *cells = list(csv.reader(io.StringIO(text, newline="")))
            columns = ", ".join(_quoted(name) + " TEXT" for name in heading)
            db.execute(f"CREATE TABLE {_quoted(item)} ({_quoted(KEY)} INTEGER PRIMARY KEY, {columns})")
            marks = ", ".join("?" * (len(heading) + 1))
            db.executemany(f"INSERT INTO {_quoted(item)} VALUES ({marks})",
                           [(number, *(cell or None for cell in row)) for number, row in enumerate(cells, start=1)])
            rows[f"<{item}>"] = len(cells)
    return rows


def _quoted(name: str) -> str:
    """An SQL identifier in double quotes (the names are the packaged catalogue's, never user input)."""
    return '"' + name.replace('"', '""') + '"'


def shift_dates(text: str, shift: timedelta) -> tuple[str, int]:
    """A records CSV with every cell that is a date (``YYYY-MM-DD``) moved by ``shift``; and its number of rows."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    rows = list(csv.reader(io.StringIO(text, newline="")))
    for number, cells in enumerate(rows):
        writer.writerow(cells if number == 0 else [_shifted(cell, shift) for cell in cells])
    return out.getvalue(), len(rows) - 1


def _shifted(cell: str, shift: timedelta) -> str:
    if not _DATE.match(cell):
        return cell
    try:
        return (date.fromisoformat(cell) + shift).isoformat()
    except (ValueError, OverflowError):
        return cell


def _theme_files() -> list[Path]:
    """The packaged theme's files, templates first, then static files."""
    theme = PACKAGE / "theme"
    return sorted((p for p in theme.rglob("*") if p.is_file() and "__pycache__" not in p.parts),
                  key=lambda p: (p.parent != theme, str(p)))
