"""The theme: a site folder's templates, static files, profiles and content over the packaged ones, and
docs/themes.md covering every variable a packaged template uses (Datasette's docs-coverage test is the model)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import jinja2
import jinja2.meta
import pytest
from click.testing import CliRunner
from conftest import CATALOGUE, PROFILES_DIR, ROOT, THEME_DIR, row, write_csv

from site_builder.build import build
from site_builder.cli import main
from site_builder.config import DEFAULTS_DIR, load_config
from site_builder.exceptions import ConfigError
from site_builder.outputs.site import Site
from site_builder.outputs.theme import SitewideExtension, environment
from site_builder.rules.profiles import load_profile
from site_builder.store.published import PublishedStore

AS_OF = date(2025, 6, 1)
DOC = ROOT / "docs" / "themes.md"
TEMPLATES = sorted(p.name for p in THEME_DIR.iterdir() if p.suffix in (".html", ".xml"))


def documented() -> tuple[set[str], dict[str, set[str]]]:
    """The variables every template gets (globals, ``canonical``) and, per template, its own, as docs/themes.md
    documents them (the first column of its tables)."""
    text = DOC.read_text(encoding="utf-8")
    names = re.compile(r"^\| `(\w+)` \|", re.M)
    everywhere = {name for part in ("## Globals", "## Every page")
                  for name in names.findall(text.split(part, 1)[1].split("\n## ", 1)[0])}
    per_template = {m.group(1): set(names.findall(m.group(2)))
                    for m in re.finditer(r"^### `([\w.]+)`\n(.*?)(?=^#{2,3} |\Z)", text, re.M | re.S)}
    return everywhere, per_template


def undeclared(name: str) -> set[str]:
    """Variables template ``name`` uses that it does not set itself."""
    env = jinja2.Environment(extensions=[SitewideExtension])  # the theme's tags and filters, so its templates compile
    env.filters |= {"next_day": str, "qr_svg": str}
    return jinja2.meta.find_undeclared_variables(env.parse((THEME_DIR / name).read_text(encoding="utf-8")))


@pytest.mark.parametrize("name", TEMPLATES)
def test_every_variable_of_a_packaged_template_is_documented(name: str) -> None:
    """Each template, partials (``_record_list.html``) and ``feed.xml`` included, is checked on its own source."""
    globals_, per_template = documented()
    assert name in per_template, f"docs/themes.md has no section ### `{name}`"
    missing = undeclared(name) - globals_ - per_template[name]
    assert not missing, f"{name} uses variables docs/themes.md does not document: {sorted(missing)}"


def test_docs_name_only_packaged_templates_and_the_real_globals(tmp_path: Path) -> None:
    globals_, per_template = documented()
    assert set(per_template) == set(TEMPLATES)
    store = PublishedStore(tmp_path / "store.sqlite")
    try:
        site = Site(load_config(ROOT / "site_builder.toml"), CATALOGUE, load_profile(PROFILES_DIR, "national", CATALOGUE),
                    AS_OF, store)
        real = set(environment(site).globals) - set(jinja2.Environment().globals)
    finally:
        store.close()
    assert real == globals_ - {"canonical"}


# --- A site folder over the packaged defaults ---------------------------------------------------------------------


def make_site(folder: Path, config: str = "") -> Path:
    """A site folder: its own site_builder.toml and records/ with a subject and a penalty, nothing else."""
    (folder / "site_builder.toml").parent.mkdir(parents=True, exist_ok=True)
    (folder / "site_builder.toml").write_text(
        '[site]\ntitle = "测试市公共信用信息公示"\n[search]\nenabled = false\n' + config, encoding="utf-8")
    write_csv(folder / "records" / "subject.csv", "subject", [row("subject", record_id="SJ-1")])
    write_csv(folder / "records" / "admin_penalty.csv", "admin_penalty", [row("admin_penalty", record_id="AP-1")])
    return folder / "site_builder.toml"


def test_a_bare_site_folder_builds_with_the_packaged_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    make_site(tmp_path / "mysite")
    monkeypatch.chdir(tmp_path / "mysite")
    config = load_config()
    assert config.root == tmp_path / "mysite" and config.paths.records == tmp_path / "mysite" / "records"
    assert config.catalogue_dirs == (DEFAULTS_DIR / "catalogue",) and config.template_dirs == (THEME_DIR,)
    build(config, AS_OF)
    out = tmp_path / "mysite" / "output"
    assert "测试市公共信用信息公示" in (out / "index.html").read_text(encoding="utf-8")
    assert (out / "record" / "admin_penalty" / "AP-1" / "index.html").is_file()
    assert (out / "pages" / "about" / "index.html").is_file()


def test_no_config_file_means_defaults_rooted_at_the_current_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    config = load_config()
    assert config.root == tmp_path and config.paths.records == tmp_path / "records"
    assert config.paths.output == tmp_path / "output" and config.profile_dirs == (DEFAULTS_DIR / "profiles",)


def test_site_templates_static_profile_and_content_layer_over_the_packaged_ones(tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    config_file = make_site(site, '[disclosure]\nprofile = "myregion"\n')
    (site / "templates" / "static").mkdir(parents=True)
    (site / "templates" / "record.html").write_text(
        '{% extends "!record.html" %}{% block main %}<p class="marker">本市记录页</p>{{ super() }}{% endblock %}\n',
        encoding="utf-8")
    (site / "templates" / "static" / "site.css").write_text("/* 本市样式 */\n", encoding="utf-8")
    (site / "templates" / "static" / "logo.txt").write_text("logo\n", encoding="utf-8")
    national = (PROFILES_DIR / "national.yaml").read_text(encoding="utf-8")
    (site / "profiles").mkdir()
    (site / "profiles" / "myregion.yaml").write_text(
        re.sub(r"^id: national$", "id: myregion", re.sub(r"^title: .*$", "title: 本市规则", national, flags=re.M), flags=re.M),
        encoding="utf-8")
    (site / "content").mkdir()
    (site / "content" / "10-about.md").write_text("# 关于本市数据\n\n本市说明。\n", encoding="utf-8")
    config = load_config(config_file)
    assert config.template_dirs == (site / "templates", THEME_DIR)
    build(config, AS_OF)
    out = site / "output"

    record = (out / "record" / "admin_penalty" / "AP-1" / "index.html").read_text(encoding="utf-8")
    assert '<p class="marker">本市记录页</p>' in record and "公示期限" in record  # the override and the packaged block
    subject = (out / "subject" / row("subject")["uscc"] / "index.html").read_text(encoding="utf-8")
    assert "marker" not in subject and "信息概览" in subject  # other templates are the packaged ones
    assert (out / "static" / "site.css").read_text(encoding="utf-8") == "/* 本市样式 */\n"
    assert (out / "static" / "logo.txt").is_file()
    for name in ("search.js", "favicon.svg"):
        assert (out / "static" / name).read_bytes() == (THEME_DIR / "static" / name).read_bytes()
    assert "本市规则" in record  # the site's profile (its title in the footer)
    about = (out / "pages" / "about" / "index.html").read_text(encoding="utf-8")
    assert "本市说明" in about and (out / "pages" / "regulations" / "index.html").is_file()

    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["profile"] == "myregion"
    assert list(manifest["inputs"]["profile"]) == ["profiles/myregion.yaml"]
    assert manifest["inputs"]["catalogue"] and all(not name.startswith("catalogue/") for name in manifest["inputs"]["catalogue"])


def test_a_site_catalogue_file_replaces_the_packaged_one(tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    config_file = make_site(site)
    (site / "catalogue").mkdir()
    penalty = (DEFAULTS_DIR / "catalogue" / "admin_penalty.yaml").read_text(encoding="utf-8")
    assert "title: 行政处罚\n" in penalty
    (site / "catalogue" / "admin_penalty.yaml").write_text(penalty.replace("title: 行政处罚\n", "title: 本市行政处罚\n", 1),
                                                          encoding="utf-8")
    build(load_config(config_file), AS_OF)
    out = site / "output"
    assert "本市行政处罚" in (out / "items" / "admin_penalty" / "index.html").read_text(encoding="utf-8")
    catalogue = json.loads((out / "manifest.json").read_text(encoding="utf-8"))["inputs"]["catalogue"]
    assert "catalogue/admin_penalty.yaml" in catalogue and len(catalogue) == len(CATALOGUE.files)


def test_a_folder_named_in_the_config_must_exist(tmp_path: Path) -> None:
    config_file = make_site(tmp_path, '[paths]\ntemplates = "my-theme"\n')
    with pytest.raises(ConfigError, match=r"Config value 'paths.templates': the folder .*my-theme does not exist"):
        load_config(config_file)


def test_an_overriding_template_error_names_the_site_file(tmp_path: Path) -> None:
    site = tmp_path / "mysite"
    config_file = make_site(site)
    (site / "templates").mkdir()
    (site / "templates" / "home.html").write_text('{% extends "!home.html" %}{% block main %}{{ nope }}{% endblock %}\n',
                                                 encoding="utf-8")
    result = CliRunner().invoke(main, ["--config", str(config_file), "build", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 1, result.output
    assert "home.html" in result.output and "nope" in result.output and "Traceback" not in result.output
    # an old copy after an upgrade: the message says what to do about it
    assert "the site's own template replaces the packaged home.html: after an upgrade, update it from the packaged " \
           "theme" in " ".join(result.output.split()), result.output
