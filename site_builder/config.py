"""The site configuration: one TOML file at the project root, loaded once into a typed object.

Every option is declared below with its type, default and a docstring. Loading reports *all*
problems as ``Config value 'section.key': …`` before giving up, as MkDocs does.
"""

from __future__ import annotations

import codecs
import dataclasses
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.exceptions import ConfigError
from site_builder.sources.mapping import ColumnSettings, SourceSettings
from site_builder.sources.states import StateSettings

CONFIG_FILE = "site_builder.toml"
PACKAGE_DIR = Path(__file__).resolve().parent
THEME_DIR = PACKAGE_DIR / "theme"
"""The packaged theme: Jinja2 templates at its top level, static files in ``static/``."""
DEFAULTS_DIR = PACKAGE_DIR / "defaults"
"""The packaged catalogue, profiles and content pages (``catalogue/``, ``profiles/``, ``content/``)."""
PROJECT_ROOT = PACKAGE_DIR.parent
"""The folder holding the package: the repository root in a source checkout (site-packages once installed)."""


@dataclass(frozen=True)
class SiteSettings:
    """What the portal says about itself."""

    title: str = "公共信用信息公示"
    """Site title, shown in every page header."""
    centre: str = "公共信用信息中心"
    """The credit centre that publishes the site (named in citations and the data package)."""
    base_url: str = "https://credit.example.gov.cn/"
    """Absolute URL the site is served from, ending in ``/``; used for canonical URLs and citations."""
    licence: str = "CC-BY-4.0"
    """Licence of the open data package (an SPDX identifier)."""


@dataclass(frozen=True)
class PathSettings:
    """Where inputs are read from and outputs written to; relative paths are from the config file.

    The catalogue, profiles, content and templates folders are optional layers over the packaged
    defaults: a file there replaces the packaged file of the same name, a new file adds to them
    (see :attr:`Config.catalogue_dirs` and the other ``*_dirs``). A folder given explicitly must exist.
    """

    records: Path = Path("records")
    """Records directory: ``<item>.csv`` or ``<item>/*.csv`` per catalogue item."""
    catalogue: Path = Path("catalogue")
    """The site's catalogue item files (YAML), layered over the packaged catalogue: ``common.yaml`` or
    ``<item>.yaml`` here replaces the packaged file; a new item needs its own ``common.yaml`` listing it."""
    profiles: Path = Path("profiles")
    """The site's disclosure profiles (YAML), layered over the packaged ones: ``<id>.yaml`` here adds a
    profile or replaces the packaged profile of that id."""
    content: Path = Path("content")
    """The site's Markdown content pages, layered over the packaged pages: a page here replaces the
    packaged page of the same file name (``10-about.md``), a new file adds a page."""
    templates: Path = Path("templates")
    """The site's theme overrides: Jinja2 templates searched before the packaged theme, and ``static/``
    files copied over the theme's static files (see docs/themes.md)."""
    output: Path = Path("output")
    """The published site. Replaced whole by each successful build."""
    audit: Path = Path("audit")
    """Private audit folder (per-record decisions, quarantine reports). Never published."""


@dataclass(frozen=True)
class DisclosureSettings:
    """Which rules decide what is published."""

    profile: str = "national"
    """Disclosure profile, a file ``<profile>.yaml`` under ``paths.profiles``."""
    timezone: str = "Asia/Shanghai"
    """Time zone in which "today" is taken when no ``--as-of`` date is given."""


@dataclass(frozen=True)
class SearchSettings:
    """The Pagefind search index."""

    enabled: bool = True
    """Build the Pagefind index (needs the ``pagefind_extended`` binary)."""
    index_records: bool = True
    """Index every record page (a masked name then finds a natural person's record). Pagefind's memory grows with
    the number of pages: above some 100,000 records set this to false; only subject pages are then indexed (name,
    code, kind, region), and a document number is found through the exact lookup (``search/lookup/``)."""
    bundles: int = 0
    """Search indexes the pages are split into, built one after another (each Pagefind run holds only its
    share in memory) and merged in the browser; 0: one per 5,000 indexed pages, at most 20."""


@dataclass(frozen=True)
class SigningSettings:
    """The Ed25519 key that signs each build (``site-builder keygen`` makes a pair). Keep the private key
    outside the site, the records and the audit folder: a CI secret written to a file for the build."""

    key: Path | None = None
    """Private key (PEM, PKCS#8) that signs each build; unset: builds are unsigned."""
    previous_key: Path | None = None
    """The key that signed the builds so far, set only for the build that rotates to a new ``key``: it
    signs the chain's record of the change, so a verifier holding the old public key can follow it."""
    public_key: Path | None = None
    """Public key (PEM) that ``site-builder verify`` checks the site's signature with."""


@dataclass(frozen=True)
class PublishSettings:
    """How a build takes its turn and how old a site may get."""

    lock_timeout: float = 0.0
    """Seconds a build waits for another build holding the audit folder (or the output) to finish
    before it refuses; 0 refuses at once."""
    max_age_days: int = 0
    """``site-builder due`` reports a rebuild as due once the site's as-of date is this many days old
    (0: no limit, only record expiries count)."""


@dataclass(frozen=True)
class OutputSettings:
    """Which outputs a build writes: the built-in ones (``pages``, ``subject_data``, ``feed``, ``sitemap``,
    ``datapackage``, ``search``) and those of installed plugins (entry point group ``site_builder.outputs``)."""

    enabled: tuple[str, ...] = ()
    """Names of the only outputs to write, e.g. ``["pages", "sitemap", "datapackage"]``; empty: every
    registered output."""
    disabled: tuple[str, ...] = ()
    """Names of outputs not to write, e.g. ``["feed"]``. The search index is also left out when
    ``search.enabled`` is false (or with ``build --no-search``)."""


@dataclass(frozen=True)
class ChangeSettings:
    """The change files (the output ``changes``): the records each build added, changed and withdrawn."""

    days: int = 31
    """Days back from the build's as-of date whose change files (``changes/<build id>/``: records added, changed and
    withdrawn since the build before) stay on the site: those of every build in that period that changed something,
    for the weekly and the monthly view; 0: only the last ``kept``. Older ones are left out of the site (the audit
    folder keeps every one), and the changes index says from which build on its list is complete."""
    kept: int = 12
    """Builds that changed something whose change files stay on the site however old they are: the last ``kept``,
    besides those of the last ``days`` days. A build that changed nothing is counted on the changes index, not
    listed, and pushes none of them out."""


@dataclass(frozen=True)
class DataSettings:
    """The open data downloads under ``data/`` (the ``datapackage`` output): CSV, Excel, packages, zips, statistics."""

    partition_bytes: int = 100_000_000
    """An item whose CSV would pass this many bytes is published as one CSV (and one Excel file) per year of its
    decision date, ``data/<item>/<year>.csv``, instead of one ``data/<item>.csv``; 0: never split. Excel opens at
    most 1,048,576 rows a sheet: one year of a large province stays below that where the whole item may not."""


@dataclass(frozen=True)
class BuildSettings:
    """How the build uses the machine."""

    workers: int = 0
    """Processes that render the record and subject pages and the subject data files: 0 one per core, 1 none
    besides the build itself. Each worker reads its own share of the published store; the files are the same
    whatever the number. Sites of fewer than some 2,000 pages render in the build process anyway."""
    incremental: bool = True
    """Take the pages and subject data files whose content is unchanged over from the previous build instead of
    rendering them again (the site is the same either way; ``build --full`` renders everything once)."""


@dataclass(frozen=True)
class PageSettings:
    """The portal's pages."""

    list_pages: int = 100
    """Pages of each list (an item's records, an authority's records; 50 records a page): the newest
    ``list_pages × 50`` records are listed, and the last page says where the older ones are (search, the
    subjects' pages, the data downloads). 0: every record. Each list page shows the list's total, so a
    build after one change renders every page of the lists it touches again: a province keeps this bounded."""


@dataclass(frozen=True)
class Config:
    """The whole configuration, with every path made absolute."""

    root: Path = Path(".")
    """Directory of the configuration file (or the current folder without one); relative paths resolve against it."""
    site: SiteSettings = field(default_factory=SiteSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    disclosure: DisclosureSettings = field(default_factory=DisclosureSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    signing: SigningSettings = field(default_factory=SigningSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)
    outputs: OutputSettings = field(default_factory=OutputSettings)
    changes: ChangeSettings = field(default_factory=ChangeSettings)
    data: DataSettings = field(default_factory=DataSettings)
    build: BuildSettings = field(default_factory=BuildSettings)
    pages: PageSettings = field(default_factory=PageSettings)
    sources: SourceSettings = field(default_factory=SourceSettings)
    """``[sources]``: build from a database instead of ``paths.records`` (see ``sources/mapping.py``)."""
    columns: ColumnSettings = field(default_factory=ColumnSettings)
    """``[columns]`` / ``[columns.<item>]``: the site's own headings, ``<heading> = <field name>``."""
    states: StateSettings = field(default_factory=StateSettings)
    """``[states]`` / ``[states."<heading>"]`` / ``[states.<item>]``: what the site's state values mean,
    ``<value> = "standing" | "gone" | "objection"`` (see ``sources/states.py``)."""

    @property
    def catalogue_dirs(self) -> tuple[Path, ...]:
        """The catalogue folders, first match wins: the site's ``paths.catalogue`` if it exists, then the packaged one."""
        return layers(self.paths.catalogue, DEFAULTS_DIR / "catalogue")

    @property
    def profile_dirs(self) -> tuple[Path, ...]:
        """The profile folders, first match wins: the site's ``paths.profiles`` if it exists, then the packaged one."""
        return layers(self.paths.profiles, DEFAULTS_DIR / "profiles")

    @property
    def content_dirs(self) -> tuple[Path, ...]:
        """The content folders, first match wins: the site's ``paths.content`` if it exists, then the packaged one."""
        return layers(self.paths.content, DEFAULTS_DIR / "content")

    @property
    def template_dirs(self) -> tuple[Path, ...]:
        """The template folders, first match wins: the site's ``paths.templates`` if it exists, then the packaged theme.

        Each folder's ``static/`` is copied over the previous one's, the packaged theme's first.
        """
        return layers(self.paths.templates, THEME_DIR)

    @property
    def site_inputs(self) -> dict[str, Path]:
        """The site's own input folders by option name (the packaged layers are never inside an output)."""
        paths = self.paths
        return {"records": paths.records, "catalogue": paths.catalogue, "profiles": paths.profiles,
                "templates": paths.templates, "content": paths.content, "audit": paths.audit}

    def with_paths(self, **changes: Path | None) -> Config:
        """Return a copy with some paths replaced (``None`` values are ignored).

        The output keeps its own name when it is a link (each build switches the link, see ``publish.py``).
        """
        given = {k: Path(os.path.abspath(v)) if k == "output" else v.resolve() for k, v in changes.items() if v is not None}
        return dataclasses.replace(self, paths=dataclasses.replace(self.paths, **given))


_SECTIONS: dict[str, type] = {
    "site": SiteSettings,
    "paths": PathSettings,
    "disclosure": DisclosureSettings,
    "search": SearchSettings,
    "signing": SigningSettings,
    "publish": PublishSettings,
    "outputs": OutputSettings,
    "changes": ChangeSettings,
    "pages": PageSettings,
    "data": DataSettings,
    "build": BuildSettings,
    "sources": SourceSettings,
    "columns": ColumnSettings,
    "states": StateSettings,
}
_LAYERED = ("catalogue", "profiles", "content", "templates")
_ABSOLUTE_URL = re.compile(r"https?://[^/\s?#@]+/[^\s?#]*\Z", re.ASCII | re.IGNORECASE)
"""A site's base URL: http or https, a host (no user or password), a path; no query, fragment or white space."""
_SPDX_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9.+-]*\Z", re.ASCII)
"""An SPDX licence identifier (``CC-BY-4.0``, ``LicenseRef-local``)."""


def layers(site_folder: Path, packaged: Path) -> tuple[Path, ...]:
    """``site_folder`` (if it is a folder and not the packaged one itself), then ``packaged``."""
    own = site_folder.is_dir() and site_folder.resolve() != packaged.resolve()
    return (site_folder, packaged) if own else (packaged,)


def load_config(path: Path | None = None) -> Config:
    """Load and validate the configuration file.

    With no ``path``, ``site_builder.toml`` in the current directory is used if present, else the
    defaults, rooted at the current directory (records in ``records/``, the packaged catalogue,
    profiles, content and theme unless the folder has its own).
    """
    if path is None:
        path = Path.cwd() / CONFIG_FILE
        if not path.is_file():
            return _resolve(Config(), Path.cwd())
    try:
        raw = tomllib.loads(_config_text(path))
    except FileNotFoundError as exc:
        raise ConfigError(f"Config file '{path}' does not exist") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"Config file '{path}' cannot be read: {exc}") from exc
    errors: list[str] = []
    sections: dict[str, Any] = {}
    for name, value in raw.items():
        if name not in _SECTIONS:
            errors.append(f"Config value '{name}': unknown section")
        elif not isinstance(value, dict):
            errors.append(f"Config value '{name}': must be a table")
        else:
            sections[name] = _section(name, _SECTIONS[name], value, errors)
    source: SourceSettings | None = sections.get("sources")
    if source is not None and source.url and memory_database(source.url):
        errors.append(f"Config value 'sources.url': {source.url!r} {MEMORY_DATABASE}")
    config = _resolve(Config(**sections), path.resolve().parent)
    given: dict[str, Any] = raw["paths"] if isinstance(raw.get("paths"), dict) else {}
    for name in (n for n in _LAYERED if n in given and not errors):
        if not (folder := getattr(config.paths, name)).is_dir():
            errors.append(f"Config value 'paths.{name}': the folder {folder} does not exist")
    if errors:
        raise ConfigError(f"Config file '{path}' is invalid:\n  " + "\n  ".join(errors))
    return config


def _section(name: str, cls: type, values: dict[str, Any], errors: list[str]) -> Any:
    """Build one settings dataclass from a TOML table, collecting type errors."""
    if hasattr(cls, "from_toml"):  # sections with their own structure parse themselves
        return cls.from_toml(name, values, errors)
    known = {f.name: f for f in dataclasses.fields(cls)}
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        where = f"Config value '{name}.{key}'"
        if key not in known:
            errors.append(f"{where}: unknown option")
            continue
        default = getattr(cls(), key)
        if isinstance(default, Path) or (default is None and cls is SigningSettings):
            if not isinstance(value, str) or not value:
                errors.append(f"{where}: expected a path (string), got {value!r}")
                continue
            value = Path(value)
        elif isinstance(default, tuple):
            if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
                errors.append(f"{where}: expected a list of names (strings), got {value!r}")
                continue
            value = tuple(value)
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif not isinstance(value, type(default)) or isinstance(value, bool) is not isinstance(default, bool):
            errors.append(f"{where}: expected {type(default).__name__}, got {value!r}")
            continue
        kwargs[key] = value
    settings = cls(**kwargs)
    if isinstance(settings, SiteSettings) and not settings.base_url.endswith("/"):
        errors.append(f"Config value '{name}.base_url': must end with '/', got {settings.base_url!r}")
    if isinstance(settings, SiteSettings) and not _ABSOLUTE_URL.match(settings.base_url):
        errors.append(f"Config value '{name}.base_url': must be the site's absolute address, http:// or https:// and a "
                      f"host (permalinks, the sitemap and the feed need it), got {settings.base_url!r}")
    if isinstance(settings, SiteSettings) and (problem := _licence_problem(settings.licence)):
        errors.append(f"Config value '{name}.licence': {problem}")
    if isinstance(settings, PublishSettings) and (settings.lock_timeout < 0 or settings.max_age_days < 0):
        errors.append(f"Config value '{name}': lock_timeout and max_age_days must not be negative")
    if isinstance(settings, PublishSettings) and not math.isfinite(settings.lock_timeout):
        errors.append(f"Config value '{name}.lock_timeout': must be a number of seconds (0: refuse at once), "
                      f"got {settings.lock_timeout}")
    if isinstance(settings, PageSettings) and settings.list_pages < 0:
        errors.append(f"Config value '{name}.list_pages': must be 0 (list every record) or more, got {settings.list_pages}")
    if isinstance(settings, DataSettings) and settings.partition_bytes < 0:
        errors.append(f"Config value '{name}.partition_bytes': must be 0 (never split) or more, got {settings.partition_bytes}")
    if isinstance(settings, SearchSettings) and settings.bundles < 0:
        errors.append(f"Config value '{name}.bundles': must be 0 (one per 5,000 pages, at most 20) or more, got {settings.bundles}")
    if isinstance(settings, ChangeSettings) and settings.kept < 1:
        errors.append(f"Config value '{name}.kept': must be 1 or more, got {settings.kept}")
    if isinstance(settings, ChangeSettings) and settings.days < 0:
        errors.append(f"Config value '{name}.days': must be 0 (only the last 'kept' builds) or more, got {settings.days}")
    if isinstance(settings, BuildSettings) and settings.workers < 0:
        errors.append(f"Config value '{name}.workers': must be 0 (one per core) or more, got {settings.workers}")
    return settings


def _licence_problem(licence: str) -> str:
    """Why ``licence`` is not an SPDX licence identifier (``""`` if it is one).

    The data package and the DCAT catalogue link an unknown identifier to ``https://spdx.org/licenses/<id>.html``: a
    title (``CC BY 4.0``), Chinese text or a wrong case there is a broken link in every package.
    """
    if licence == SiteSettings.licence:
        return ""
    from site_builder.outputs.downloads import LICENCES  # a quarter second to import: only for another licence

    known = {spdx.casefold(): spdx for spdx in LICENCES}
    if licence in LICENCES:
        return ""
    if licence.casefold() in known:
        return f"write the SPDX identifier as {known[licence.casefold()]!r}, got {licence!r}"
    if not _SPDX_ID.match(licence):
        return (f"must be an SPDX licence identifier (letters, digits, '.', '-', '+'), such as "
                f"{', '.join(repr(k) for k in LICENCES)}, got {licence!r}")
    return ""


def _resolve(config: Config, root: Path) -> Config:
    """Make every path absolute against ``root``, ``~`` first expanded to the home folder.

    The shell expands ``~`` on a command line, never in a TOML file: unexpanded, ``output = "~/public_html"`` would
    build into a folder named ``~`` inside the site folder.
    """
    paths = {f.name: root / getattr(config.paths, f.name).expanduser() for f in dataclasses.fields(PathSettings)}
    keys = {f.name: root / value.expanduser() for f in dataclasses.fields(SigningSettings)
            if (value := getattr(config.signing, f.name)) is not None}
    sources = config.sources
    if sources.password_file is not None:
        sources = dataclasses.replace(sources, password_file=sources.password_file.expanduser())
    if sources.url.startswith("sqlite") and "~" in sources.url:
        sources = dataclasses.replace(sources, url=_home_sqlite(sources.url))
    return dataclasses.replace(config, root=root, paths=PathSettings(**paths), sources=sources,
                               signing=dataclasses.replace(config.signing, **keys))


def _home_sqlite(url: str) -> str:
    """``sqlite:///~/x.db`` with ``~`` expanded (SQLite would take it as a folder named ``~``)."""
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return url  # refused, with its own message, when the database is opened
    if not parsed.database or not parsed.database.startswith("~"):
        return url
    return parsed.set(database=os.path.expanduser(parsed.database)).render_as_string(hide_password=False)


def memory_database(url: str) -> bool:
    """Whether ``url`` is an in-memory SQLite database (``sqlite://``, ``sqlite:///:memory:``, ``mode=memory``).

    Such a database is new and empty each time it is opened: a build from it would withdraw every record (or, on a
    first build, publish an empty site and exit 0).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import ArgumentError

    try:
        parsed = make_url(url)
    except (ArgumentError, ValueError):
        return False
    if parsed.get_backend_name() != "sqlite":
        return False
    database = parsed.database or ""
    return database in ("", ":memory:") or "mode=memory" in database or parsed.query.get("mode") == "memory"


MEMORY_DATABASE = ("is an in-memory SQLite database, new and empty each time it is opened: a build from it would "
                   "withdraw every record; give the path of the database file, sqlite:///path/to/records.sqlite")
"""What is said of an in-memory database URL (:func:`memory_database`) after naming where it was given."""


def _config_text(path: Path) -> str:
    """The configuration file's text: UTF-8, with or without the byte-order mark Windows Notepad writes.

    Another encoding (Notepad's "ANSI", GBK on a Chinese Windows) is refused naming the line and byte, with how to
    save the file again: tomllib would otherwise report the BOM as "Invalid statement (at line 1, column 1)".
    """
    data = path.read_bytes()
    try:
        return data.removeprefix(codecs.BOM_UTF8).decode("utf-8")
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        column = exc.start - (data.rfind(b"\n", 0, exc.start) + 1) + 1
        raise ConfigError(
            f"Config file '{path}' is not UTF-8 text (byte 0x{data[exc.start]:02X} at line {line}, byte {column} of the "
            "line; saved as ANSI/GBK?): save it as UTF-8 (Notepad: File > Save as, Encoding: UTF-8)") from None
