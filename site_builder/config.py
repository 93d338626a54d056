"""The site configuration: one TOML file at the project root, loaded once into a typed object.

Every option is declared below with its type, default and a docstring. Loading reports *all*
problems as ``Config value 'section.key': …`` before giving up, as MkDocs does.
"""

from __future__ import annotations

import dataclasses
import os
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from site_builder.exceptions import ConfigError

CONFIG_FILE = "site_builder.toml"
PROJECT_ROOT = Path(__file__).resolve().parent.parent


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
    """Where inputs are read from and outputs written to; relative paths are from the config file."""

    records: Path = Path("data/records")
    """Records directory: ``<item>.csv`` or ``<item>/*.csv`` per catalogue item."""
    catalogue: Path = Path("site_builder/defaults/catalogue")
    """Catalogue item definitions (YAML)."""
    profiles: Path = Path("site_builder/defaults/profiles")
    """Disclosure profiles (YAML)."""
    content: Path = Path("site_builder/defaults/content")
    """Markdown content pages."""
    templates: Path = Path("site_builder/theme")
    """Jinja2 templates and static assets."""
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
    """Index every record page, so a decision number finds its record. Pagefind's memory grows with the
    number of pages (about 100 KB per page here): above some 100,000 records set this to false, and
    subject pages carry their records' document numbers instead."""


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
class Config:
    """The whole configuration, with every path made absolute."""

    root: Path = PROJECT_ROOT
    """Directory of the configuration file; relative paths resolve against it."""
    site: SiteSettings = field(default_factory=SiteSettings)
    paths: PathSettings = field(default_factory=PathSettings)
    disclosure: DisclosureSettings = field(default_factory=DisclosureSettings)
    search: SearchSettings = field(default_factory=SearchSettings)
    signing: SigningSettings = field(default_factory=SigningSettings)
    publish: PublishSettings = field(default_factory=PublishSettings)

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
}


def load_config(path: Path | None = None) -> Config:
    """Load and validate the configuration file.

    With no ``path``, ``site_builder.toml`` in the current directory is used if present, else the
    one in the project root, else the defaults (rooted at the project root).
    """
    if path is None:
        candidates = [Path.cwd() / CONFIG_FILE, PROJECT_ROOT / CONFIG_FILE]
        path = next((p for p in candidates if p.is_file()), None)
        if path is None:
            return _resolve(Config(), PROJECT_ROOT)
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise ConfigError(f"Config file '{path}' does not exist") from exc
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
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
    if errors:
        raise ConfigError(f"Config file '{path}' is invalid:\n  " + "\n  ".join(errors))
    return _resolve(Config(**sections), path.resolve().parent)


def _section(name: str, cls: type, values: dict[str, Any], errors: list[str]) -> Any:
    """Build one settings dataclass from a TOML table, collecting type errors."""
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
        elif isinstance(default, float) and isinstance(value, int) and not isinstance(value, bool):
            value = float(value)
        elif not isinstance(value, type(default)) or isinstance(value, bool) is not isinstance(default, bool):
            errors.append(f"{where}: expected {type(default).__name__}, got {value!r}")
            continue
        kwargs[key] = value
    settings = cls(**kwargs)
    if isinstance(settings, SiteSettings) and not settings.base_url.endswith("/"):
        errors.append(f"Config value '{name}.base_url': must end with '/', got {settings.base_url!r}")
    if isinstance(settings, PublishSettings) and (settings.lock_timeout < 0 or settings.max_age_days < 0):
        errors.append(f"Config value '{name}': lock_timeout and max_age_days must not be negative")
    return settings


def _resolve(config: Config, root: Path) -> Config:
    """Make every path absolute against ``root``."""
    paths = {f.name: root / getattr(config.paths, f.name) for f in dataclasses.fields(PathSettings)}
    keys = {f.name: root / value for f in dataclasses.fields(SigningSettings)
            if (value := getattr(config.signing, f.name)) is not None}
    return dataclasses.replace(config, root=root, paths=PathSettings(**paths),
                               signing=dataclasses.replace(config.signing, **keys))
