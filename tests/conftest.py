"""Shared fixtures: the real catalogue and profile, and helpers that make records and records files.

Tests build paths from this file's location, never from the working directory.
"""

from __future__ import annotations

import csv
import dataclasses
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from stdnum.cn import ric, uscc

from site_builder.audit import history
from site_builder.build import BuildResult, build
from site_builder.config import Config, load_config
from site_builder.rules.catalogue import Catalogue, load_catalogue
from site_builder.rules.profiles import Policy, load_profile
from site_builder.rules.validation import Quarantined, Record, Validator
from site_builder.sources.loading import RawRow

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "site_builder"
CATALOGUE_DIR = PACKAGE / "defaults" / "catalogue"
PROFILES_DIR = PACKAGE / "defaults" / "profiles"
CONTENT_DIR = PACKAGE / "defaults" / "content"
THEME_DIR = PACKAGE / "theme"
CATALOGUE = load_catalogue(CATALOGUE_DIR)

# Values every row needs, by item, keyed by English field name.
DEFAULTS: dict[str, dict[str, str]] = {
    "subject": {"subject_name": "杭州恒远科技有限公司", "subject_type": "企业", "established": "2015-03-04"},
    "admin_license": {"license_doc_no": "浙杭许〔2024〕1号", "decision_date": "2024-01-10", "authority": "杭州市行政审批局"},
    "commendation": {"honour_name": "守合同重信用企业", "decision_date": "2024-01-10", "authority": "浙江省市场监督管理局"},
    "admin_penalty": {"decision_no": "杭市监罚〔2025〕1号", "decision_date": "2025-03-10", "authority": "杭州市市场监督管理局",
                      "severity": "一般", "procedure": "普通程序"},
    "dishonest_list": {"list_type": "失信被执行人", "decision_date": "2024-01-10", "authority": "杭州市中级人民法院"},
    "judgment": {"case_no": "(2023)浙0106民初1234号", "decision_date": "2023-06-01", "authority": "杭州市西湖区人民法院"},
}


def make_uscc(body: str = "91330100MA27XL0A1") -> str:
    """A valid 统一社会信用代码: ``body`` (17 characters) plus its check character."""
    return body + uscc.calc_check_digit(body)


def make_resident_id(region: str = "330106", birth: str = "19900307", seq: str = "123") -> str:
    """A valid resident ID number for the given region, birth date and sequence."""
    body = region + birth + seq
    return body + ric.calc_check_digit(body + "0")  # stdnum expects a placeholder check digit


COMPANY = make_uscc()


def row(item: str, **values: str) -> dict[str, str]:
    """A complete, valid, published-by-default row of ``item`` by English field name."""
    base = {"record_id": f"{item[:2].upper()}-1", "publish_status": "已审核", "disclosure_level": "公开", "uscc": COMPANY}
    if item != "subject":
        base |= {"subject_name": "杭州恒远科技有限公司", "subject_category": "法人及非法人组织"}
    return base | DEFAULTS[item] | values


def person(**values: str) -> dict[str, str]:
    """Subject columns of a natural person (an adult with a resident ID), to merge into a row."""
    return {"subject_name": "张三丰", "subject_category": "自然人", "uscc": "", "id_type": "身份证",
            "id_no": make_resident_id()} | values


def validate(item: str, **values: str) -> Record | Quarantined:
    """Run one row through the real validator."""
    return Validator(CATALOGUE[item]).validate(RawRow(item, f"{item}.csv", 2, row(item, **values)))


def record(item: str, **values: str) -> Record:
    """A valid record of ``item``; fails the test if the row does not validate."""
    checked = validate(item, **values)
    assert isinstance(checked, Record), checked
    return checked


def write_csv(path: Path, item: str, rows: list[dict[str, str]], encoding: str = "utf-8-sig",
              headings: str = "title") -> Path:
    """Write rows (by English name) as a records file with Chinese titles (or English names) as headings."""
    fields = [f for f in CATALOGUE[item].fields if any(f.name in r for r in rows)]
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding=encoding, newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([f.title if headings == "title" else f.name for f in fields])
        for r in rows:
            writer.writerow([r.get(f.name, "") for f in fields])
    return path


def own_profile(tmp_path: Path, periods: str, name: str = "mine") -> Path:
    """A site's profiles folder under ``tmp_path`` holding ``<name>.yaml``: the national profile with ``periods`` (YAML
    lines under ``periods:``, indented two spaces) as its own period rules."""
    profiles = tmp_path / "profiles"
    profiles.mkdir(exist_ok=True)
    national = (ROOT / "site_builder" / "defaults" / "profiles" / "national.yaml").read_text(encoding="utf-8")
    assert "periods: {}" in national
    (profiles / f"{name}.yaml").write_text(national.replace("id: national", f"id: {name}").replace(
        "periods: {}", "periods:\n" + periods), encoding="utf-8")
    return profiles


def site_config(tmp_path: Path, records: Path, **changes: Any) -> Config:
    """The project's configuration with records, output and audit under ``tmp_path``."""
    config = load_config(ROOT / "site_builder.toml").with_paths(
        records=records, output=tmp_path / "output", audit=tmp_path / "audit"
    )
    if "search" in changes:
        config = dataclasses.replace(config, search=dataclasses.replace(config.search, enabled=changes.pop("search")))
    if "profile" in changes:
        config = dataclasses.replace(config, disclosure=dataclasses.replace(config.disclosure, profile=changes.pop("profile")))
    return config


def _benchmarks_browser() -> Any:
    """``benchmarks/browser.py`` (Playwright and a local server), imported only by the browser tests."""
    if str(ROOT / "benchmarks") not in sys.path:
        sys.path.insert(0, str(ROOT / "benchmarks"))
    import browser

    return browser


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path]]:
    """The bundled demo records built with search as of 2026-11-24, served on loopback (browser tests)."""
    served = _benchmarks_browser().served

    root = tmp_path_factory.mktemp("demo")
    build_site(root, ROOT / "data" / "records", date(2026, 11, 24), search=True)
    with served(root / "output") as base:
        yield base, root / "output"


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's headless Chromium, through Playwright (browser tests)."""
    with _benchmarks_browser().chromium() as b:
        yield b


def versions_left(builds: Path, timeout: float = 30.0) -> list[str]:
    """The folders in an output's ``.<out>.builds`` once the detached removal of the replaced site has ended.

    The command line leaves that removal to a background process (``publish.remove_version``); wait for it.
    """
    deadline = time.monotonic() + timeout
    while any(p.name.startswith(".old-") for p in builds.iterdir()) and time.monotonic() < deadline:
        time.sleep(0.05)
    return sorted(p.name for p in builds.iterdir())


def build_site(tmp_path: Path, records: Path, as_of: date, search: bool = False, **changes: Any) -> BuildResult:
    """Build ``records`` into ``tmp_path/output`` (search index off unless asked for), published on its as-of date (the
    nightly build: the audit journal's clock says 10:00 that day in China)."""
    with published_on(as_of):
        return build(site_config(tmp_path, records, search=search, **changes), as_of)


@contextmanager
def published_on(day: date, hour: int = 2) -> Iterator[None]:
    """The audit journal's clock set to ``hour`` o'clock UTC on ``day`` (a build made then)."""
    saved = history.clock
    history.clock = lambda: datetime(day.year, day.month, day.day, hour, tzinfo=UTC)
    try:
        yield
    finally:
        history.clock = saved


@pytest.fixture(scope="session")
def catalogue() -> Catalogue:
    """The project's catalogue."""
    return CATALOGUE


@pytest.fixture(scope="session")
def national() -> Policy:
    """The national disclosure profile."""
    return load_profile(PROFILES_DIR, "national", CATALOGUE)
