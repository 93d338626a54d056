"""Outputs behind one interface: the registry's order, the [outputs] section, and a third-party output
installed as a package with an entry point in the group ``site_builder.outputs``."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import COMPANY, row, site_config, write_csv

from site_builder.build import build
from site_builder.cli import main
from site_builder.config import Config, OutputSettings, load_config
from site_builder.exceptions import BuildError, ConfigError
from site_builder.outputs.files import FileIndex
from site_builder.outputs.registry import BUILTIN, available, enabled_outputs
from site_builder.scaffold import init_site

AS_OF = date(2025, 6, 1)

PLUGIN_PYPROJECT = """\
[build-system]
requires = ["setuptools"]
build-backend = "setuptools.build_meta"

[project]
name = "sb-hello"
version = "1.0"

[project.entry-points."site_builder.outputs"]
hello = "sb_hello:HelloOutput"

[tool.setuptools]
py-modules = ["sb_hello"]
"""
PLUGIN_MODULE = '''\
"""A third-party output: record counts as text."""
from pathlib import Path

from site_builder.outputs.base import Output
from site_builder.outputs.site import Site


class HelloOutput(Output):
    name = "hello"
    title = "Record counts as text"
    media_types = ("text/plain",)

    def write(self, site: Site, out: Path) -> list[Path]:
        path = out / "hello.txt"
        path.write_text("".join(f"{i.id} {site.store.count(i.id)}\\n" for i in site.catalogue.items), encoding="utf-8")
        return [path]
'''


@pytest.fixture(scope="module")
def plugin_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The plugin package built and installed by pip into a folder of its own (the venv is not touched)."""
    source = tmp_path_factory.mktemp("sb_hello_src")
    (source / "pyproject.toml").write_text(PLUGIN_PYPROJECT, encoding="utf-8")
    (source / "sb_hello.py").write_text(PLUGIN_MODULE, encoding="utf-8")
    target = tmp_path_factory.mktemp("sb_hello_installed")
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "--disable-pip-version-check", "--target", str(target), str(source)],
                   check=True, capture_output=True, cwd=source, timeout=300)
    assert list(target.glob("sb_hello-1.0.dist-info"))
    return target


@pytest.fixture
def plugin(plugin_dir: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """The plugin on sys.path (importlib.metadata finds its dist-info there) for one test."""
    monkeypatch.syspath_prepend(str(plugin_dir))
    yield
    sys.modules.pop("sb_hello", None)


def records(tmp_path: Path) -> Path:
    folder = tmp_path / "records"
    write_csv(folder / "subject.csv", "subject", [row("subject", record_id="SJ-1")])
    write_csv(folder / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1")])
    return folder


def with_outputs(config: Config, **settings: tuple[str, ...]) -> Config:
    return dataclasses.replace(config, outputs=OutputSettings(**settings))


def test_builtin_outputs_run_pages_first_and_search_last() -> None:
    names = [o.name for o in available().values()]
    assert names[0] == "pages" and names[-1] == "search"
    assert names.index("sitemap") > max(names.index(n) for n in ("pages", "subject_data", "datapackage", "feed"))
    assert {cls.name for cls in BUILTIN} <= set(names)
    for output in available().values():
        assert output.title and output.media_types and all("/" in m for m in output.media_types)


def test_search_follows_search_enabled_and_unknown_names_are_config_errors(tmp_path: Path) -> None:
    config = site_config(tmp_path, tmp_path / "records", search=False)
    assert "search" not in [o.name for o in enabled_outputs(with_outputs(config, enabled=("pages", "search")))]
    assert [o.name for o in enabled_outputs(with_outputs(config, enabled=("sitemap", "pages")))] == ["pages", "sitemap"]
    with pytest.raises(ConfigError, match=r"Config value 'outputs.disabled': unknown output 'rss' \(known: pages, "):
        enabled_outputs(with_outputs(config, disabled=("rss",)))


def test_outputs_section_is_typed(tmp_path: Path) -> None:
    path = tmp_path / "site_builder.toml"
    path.write_text('[outputs]\ndisabled = ["feed"]\n', encoding="utf-8")
    assert load_config(path).outputs.disabled == ("feed",)
    path.write_text('[outputs]\ndisabled = "feed"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"Config value 'outputs.disabled': expected a list of names"):
        load_config(path)


def test_disabling_the_feed_removes_it_and_its_links_and_the_site_verifies(tmp_path: Path) -> None:
    folder = records(tmp_path)
    config = with_outputs(site_config(tmp_path, folder, search=False), disabled=("feed",))
    build(config, AS_OF)
    out = tmp_path / "output"
    assert not (out / "feed.xml").exists()
    assert (out / "sitemap.xml").is_file() and (out / "subject" / COMPANY / "data.json").is_file()
    assert "feed.xml" not in (out / "index.html").read_text(encoding="utf-8")
    assert "feed.xml" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]
    result = CliRunner().invoke(main, ["verify", str(out), "--records", str(folder), "--audit", str(tmp_path / "audit")])
    assert result.exit_code == 0, result.output


def test_disabling_subject_data_drops_the_files_and_the_links(tmp_path: Path) -> None:
    build(with_outputs(site_config(tmp_path, records(tmp_path), search=False), disabled=("subject_data",)), AS_OF)
    subject = tmp_path / "output" / "subject" / COMPANY
    assert (subject / "index.html").is_file() and not (subject / "data.json").exists()
    assert "data.json" not in (subject / "index.html").read_text(encoding="utf-8")


@pytest.mark.usefixtures("plugin")
def test_an_output_installed_through_the_entry_point_is_written_and_can_be_disabled(tmp_path: Path) -> None:
    assert "hello" in available()
    folder = records(tmp_path)
    config = site_config(tmp_path, folder, search=False)
    build(config, AS_OF)
    out = tmp_path / "output"
    assert (out / "hello.txt").read_text(encoding="utf-8").splitlines()[:2] == ["subject 1", "admin_license 0"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert "hello.txt" in manifest["outputs"]

    build(with_outputs(config, disabled=("hello",)), date(2025, 6, 2))
    assert not (out / "hello.txt").exists()
    assert "hello.txt" not in json.loads((out / "manifest.json").read_text(encoding="utf-8"))["outputs"]


@pytest.mark.usefixtures("plugin")
def test_a_site_folder_with_a_template_override_and_a_plugin_output(tmp_path: Path) -> None:
    """The issue's demonstration: a site folder made by ``init`` that overrides one template and adds one
    output through an entry point builds, and its output shows both."""
    site = tmp_path / "mysite"
    made = init_site(site, AS_OF)
    (site / "templates" / "home.html").write_text(
        '{% extends "!home.html" %}{% block main %}<p id="local">本市首页</p>{{ super() }}{% endblock %}\n', encoding="utf-8")
    config = load_config(site / "site_builder.toml")
    build(dataclasses.replace(config, search=dataclasses.replace(config.search, enabled=False)), AS_OF)
    out = site / "output"
    assert '<p id="local">本市首页</p>' in (out / "index.html").read_text(encoding="utf-8")
    assert "最新公示" in (out / "index.html").read_text(encoding="utf-8")  # the packaged home page around it
    published = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["counts"]["published"]
    assert published == sum(made.rows.values()) - 2  # one sample row excluded, one quarantined
    assert (out / "hello.txt").read_text(encoding="utf-8").startswith("subject ")


def test_a_broken_plugin_stops_the_build_naming_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    dist = tmp_path / "sb_broken-1.0.dist-info"
    dist.mkdir()
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: sb-broken\nVersion: 1.0\n", encoding="utf-8")
    (dist / "entry_points.txt").write_text("[site_builder.outputs]\nbroken = sb_no_such_module:Output\n", encoding="utf-8")
    monkeypatch.syspath_prepend(str(tmp_path))
    with pytest.raises(BuildError, match=r"Output plugin 'broken' \(sb_no_such_module:Output, from sb-broken 1.0\): "
                                         r"cannot be loaded: ModuleNotFoundError"):
        available()


def test_the_files_an_output_returns_may_be_paths_or_their_strings(tmp_path: Path) -> None:
    """What an output wrote itself is hashed and listed whether it returns ``out / name`` or ``f"{out}/{name}"``; what
    it wrote through the index is listed once either way."""
    out = tmp_path / "site"
    out.mkdir()
    files = FileIndex(out, "key")
    files.write_text("indexed.txt", "through the index\n")
    (out / "by_path.txt").write_text("a path\n", encoding="utf-8")
    (out / "by_string.txt").write_text("a string\n", encoding="utf-8")
    files.note_written([out / "by_path.txt", f"{out}/by_string.txt", f"{out}/indexed.txt", out / "indexed.txt"], 0)
    listed = {w.path: w.sha256 for w in files.written}
    assert len(files.written) == 3
    assert listed == {name: hashlib.sha256((out / name).read_bytes()).hexdigest()
                      for name in ("indexed.txt", "by_path.txt", "by_string.txt")}
