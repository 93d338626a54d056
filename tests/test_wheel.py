"""The installed product: the wheel alone (no repository, no editable install) can make and build a site.

The wheel is built from a copy of the package sources (so the shared working tree gets no ``build/``),
without build isolation (``setuptools>=77`` comes with the test extra), and installed with ``--no-deps``
into a fresh virtual environment outside the repository. Its dependencies are not downloaded: a ``.pth``
file points at a folder of links to the test environment's installed packages, every one except
site_builder's own (its editable install, dist-info and finder), so ``import site_builder`` and
``importlib.metadata`` can only find the wheel. No network, about 15 s.

To prove that nothing is read from the repository, the installed package's ``common.yaml`` and
``site.css`` get one extra comment line: the manifest's catalogue hash and the published stylesheet
must be those of the installed copies, which no file in the repository matches.
"""

from __future__ import annotations

import json
import os
import shutil
import site
import subprocess
import sys
import venv
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from conftest import ROOT

from site_builder.audit.manifest import file_sha256

MARK = "installed copy, not the repository's"


def run(args: list[str], cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """Run a command, failing the test with its output if it fails."""
    result = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, f"{' '.join(args)} exited {result.returncode}:\n{result.stdout}\n{result.stderr}"
    return result


def dependencies_view(target: Path) -> Path:
    """A folder of links to the test environment's installed packages, without site_builder's own entries."""
    target.mkdir()
    for folder in map(Path, site.getsitepackages()):
        for entry in folder.iterdir():
            name = entry.name.lower()
            if "site_builder" in name or name.endswith(".pth") or name == "__pycache__" or (target / entry.name).exists():
                continue
            (target / entry.name).symlink_to(entry)
    return target


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A fresh virtual environment outside the repository with the wheel installed; its ``bin`` folder."""
    tmp = tmp_path_factory.mktemp("wheel")
    source = tmp / "source"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    shutil.copytree(ROOT / "site_builder", source / "site_builder", ignore=shutil.ignore_patterns("__pycache__"))
    run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "--no-build-isolation", "-w", str(tmp / "dist"),
         str(source)], cwd=tmp)
    wheel = next((tmp / "dist").glob("site_builder-*.whl"))
    env_dir = tmp / "venv"
    venv.EnvBuilder(with_pip=False).create(env_dir)
    python = env_dir / "bin" / "python"
    run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps", str(wheel)], cwd=tmp)
    packages = Path(run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"], cwd=tmp).stdout.strip())
    (packages / "_test_dependencies.pth").write_text(f"{dependencies_view(tmp / 'deps')}\n", encoding="utf-8")
    for path, comment in (("defaults/catalogue/common.yaml", f"# {MARK}\n"), ("theme/static/site.css", f"/* {MARK} */\n")):
        with (packages / "site_builder" / path).open("a", encoding="utf-8") as fh:
            fh.write(comment)
    return env_dir / "bin"


def clean_env() -> dict[str, str]:
    """The environment for the installed tool: no PYTHONPATH, no virtual environment of the tests."""
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "PYTHONHOME")}


def test_the_wheel_holds_the_theme_and_the_defaults(installed: Path) -> None:
    packages = Path(run([str(installed / "python"), "-c", "import site_builder, os; print(os.path.dirname(site_builder.__file__))"],
                        cwd=installed, env=clean_env()).stdout.strip())
    assert packages.is_relative_to(installed.parent), packages
    for path in ("theme/base.html", "theme/feed.xml", "theme/static/site.css", "theme/static/search.js", "theme/static/favicon.svg",
                 "defaults/catalogue/common.yaml", "defaults/profiles/national.yaml", "defaults/content/10-about.md",
                 "defaults/sample_records/admin_penalty.csv"):
        assert (packages / path).is_file(), path


def test_init_and_build_from_another_folder(installed: Path, tmp_path: Path) -> None:
    """``site-builder init mysite`` then ``cd mysite && site-builder build``, the installed tool only."""
    tool = str(installed / "site-builder")
    today = datetime.now(ZoneInfo("Asia/Shanghai")).date()
    work = tmp_path / "elsewhere"
    work.mkdir()
    made = run([tool, "init", "mysite"], cwd=work, env=clean_env())
    assert "cd mysite && site-builder build" in made.stdout
    site_dir = work / "mysite"
    assert sorted(p.name for p in site_dir.iterdir()) == [".gitignore", "content", "records", "site_builder.toml", "templates"]
    assert [p.name for p in (site_dir / "templates").iterdir()] == ["README.txt"]

    built = run([tool, "build", "--no-search", "--as-of", today.isoformat()], cwd=site_dir, env=clean_env())
    assert "13 published" in built.stdout and "1 quarantined" in built.stdout, built.stdout
    out = site_dir / "output"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["as_of"] == today.isoformat()
    assert manifest["counts"]["input_rows"] == 15
    counts = manifest["counts"]
    assert (counts["published"], counts["quarantined"]) == (13, 1)
    excluded = counts["by_item"]["admin_license"]["excluded"]
    assert {reason: n for reason, n in excluded.items() if n} == {"withdrawn_by_authority": 1}  # per public reason class
    assert all(counts["by_item"][item]["published"] for item in counts["by_item"]), "every item has a published sample"
    for page in ("index.html", "pages/contact/index.html", "pages/about/index.html", "items/admin_penalty/index.html",
                 "subject/91330212R2F6XT4CXG/index.html", "data/datapackage.json", "sitemap.xml", "feed.xml", "404.html"):
        assert (out / page).is_file(), page
    assert "<table>" in (out / "pages/contact/index.html").read_text(encoding="utf-8")
    assert (site_dir / "audit").is_dir() and not (out / "quarantine.csv").exists()

    packaged = installed.parent / "lib" / f"python{sys.version_info.major}.{sys.version_info.minor}" / "site-packages" / "site_builder"
    common = packaged / "defaults" / "catalogue" / "common.yaml"
    assert file_sha256(common) in manifest["inputs"]["catalogue"].values()
    assert file_sha256(common) != file_sha256(ROOT / "site_builder" / "defaults" / "catalogue" / "common.yaml")
    assert MARK in (out / "static" / "site.css").read_text(encoding="utf-8")

    verified = run([tool, "verify"], cwd=site_dir, env=clean_env())
    assert verified.stdout.startswith("OK "), verified.stdout


def test_init_dates_the_samples_for_the_day_it_runs(installed: Path, tmp_path: Path) -> None:
    """Sample rows made years later are still published: every date moves with the day of ``init``."""
    tool = str(installed / "site-builder")
    run([tool, "init", "later", "--as-of", "2031-05-02"], cwd=tmp_path, env=clean_env())
    built = run([tool, "build", "--no-search", "--as-of", "2031-05-02", "--future"], cwd=tmp_path / "later",  # as if run then
                env=clean_env())
    assert "13 published" in built.stdout and "1 quarantined" in built.stdout, built.stdout
    assert date(2031, 5, 2).isoformat() in built.stdout
