"""Jinja2 against MiniJinja on the portal's own templates: record and subject pages per second, to memory.

    pip install minijinja          # not a dependency of site_builder: only this comparison uses it
    python benchmarks/templates.py [--records N] [--repeat R]
    python benchmarks/templates.py --pages FOLDER [--sample K] [--profile FILE]

With ``--pages``: the CPU time (``time.process_time``, one process) the ``pages`` stage spends per record page
and per subject page of a generated set, through the renderer's own ``record_pages`` and ``subject_pages``:
first to memory (the rendered text kept, no file written; the SHA-256 of all pages printed, to compare the
bytes of two versions of the theme), then to files in a fresh folder. ``FOLDER`` holds the records
(``FOLDER/r``, made with ``scripts/generate_records.py --out FOLDER/r --subjects 10000 --records 100000``)
and the published store the first run decides them into (``FOLDER/published.sqlite``, kept for the next
runs). ``--sample K`` renders every K-th page only; reading the records from the store is timed on its own.

The demo records (or ``N`` generated ones) are decided and redacted into a published store as a build
does; then every record page and subject page is rendered ``R`` times by each engine from the same
values, with autoescaping on in both: Jinja2 through the site's own environment (templates compiled
once, as every build does) and MiniJinja (the Rust engine's Python binding) with the same templates,
globals and filters. Pages are rendered to strings only (no file writes), so the figures are the
engines' cost alone. It also prints on how many pages the two engines give the same HTML (MiniJinja's
escaping of ``/`` as ``&#x2f;`` aside): the templates use only what both implement, but the engines
differ in details, and a page that differs is counted.
"""

from __future__ import annotations

import argparse
import cProfile
import dataclasses
import hashlib
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from site_builder.config import load_config  # noqa: E402
from site_builder.inputs import load_inputs  # noqa: E402
from site_builder.outputs.render import Renderer  # noqa: E402
from site_builder.outputs.site import Site  # noqa: E402
from site_builder.rules.pipeline import decide_rows  # noqa: E402
from site_builder.rules.redaction import redact  # noqa: E402
from site_builder.rules.validation import Quarantined  # noqa: E402
from site_builder.store.published import PublishedStore  # noqa: E402

AS_OF = date(2026, 11, 24)


def published_site(records: Path, folder: Path) -> Site:
    """The demo (or given) records decided into a published store, as a build does, and the site over it."""
    config = load_config(ROOT / "site_builder.toml").with_paths(records=records)
    inputs = load_inputs(config)
    store = PublishedStore(folder / "published.sqlite")
    for row in decide_rows(inputs.catalogue, inputs.policy, inputs.sources, AS_OF, reports=[]):
        if not isinstance(row.checked, Quarantined) and row.decision is not None and row.decision.published:
            store.add(redact(row.checked, row.item, row.decision))
    store.flush()
    return Site(config, inputs.catalogue, inputs.policy, AS_OF, store)


class Capture(Renderer):
    """A renderer that keeps each page's template and values instead of writing it."""

    def __init__(self, site: Site, out: Path) -> None:
        super().__init__(site, out)
        self.pages: list[tuple[str, str, dict[str, Any]]] = []

    def write(self, path: str, template: str, **context: Any) -> None:
        self.pages.append((path, template, context | {"canonical": self.site.canonical(path)}))

    def render_to(self, path: str, template: str, mark: str, **context: Any) -> None:
        self.write(path, template, **context)


class Items(dict[str, Any]):
    """The catalogue as MiniJinja reads it: ``catalogue[item_id]`` and ``catalogue.items``."""

    def __init__(self, catalogue: Any) -> None:
        super().__init__({item.id: item for item in catalogue.items})
        self["items"] = catalogue.items


def minijinja_environment(renderer: Renderer) -> Any:
    """A MiniJinja environment with the Jinja2 environment's templates, globals and filters."""
    import minijinja

    jinja = renderer.env
    assert jinja.loader is not None

    def load(name: str) -> str | None:
        try:
            source = jinja.loader.get_source(jinja, name)[0]  # type: ignore[union-attr]
        except Exception:
            return None
        # MiniJinja has no {% sitewide %} (the theme's Jinja2 extension): an always-true block renders the same
        return source.replace("{% sitewide %}", "{% if true %}").replace("{% endsitewide %}", "{% endif %}")

    env = minijinja.Environment(loader=load, undefined_behavior="strict", trim_blocks=True, lstrip_blocks=True,
                                auto_escape_callback=lambda name: "html")
    for name, value in jinja.globals.items():
        if name == "catalogue":  # MiniJinja tries item access first, which a Catalogue answers only for item ids
            value = Items(value)
        if name not in ("range", "dict", "lipsum", "cycler", "joiner", "namespace"):
            env.add_global(name, value)
    env.add_filter("next_day", lambda d: d + timedelta(days=1))
    env.add_filter("qr_svg", jinja.filters["qr_svg"])  # its Markup (``__html__``) is safe to MiniJinja too
    return env


class Kept:
    """A file index that keeps what it is given in memory (the digest of every page, in order) and writes nothing."""

    def __init__(self) -> None:
        self.digest = hashlib.sha256()
        self.count = 0
        self.bytes = 0

    def write_text(self, path: str, text: str, fingerprint: str = "") -> None:
        data = text.encode("utf-8")
        self.digest.update(path.encode() + b"\0" + data + b"\0")
        self.count += 1
        self.bytes += len(data)

    save_text = write_text  # what the renderer writes its pages with


def stored_site(folder: Path) -> Site:
    """The site over the published store of ``folder`` (decided from ``folder/r`` on the first run)."""
    store_path = folder / "published.sqlite"
    config = load_config(ROOT / "site_builder.toml").with_paths(records=folder / "r")
    if not store_path.exists():
        site = published_site(folder / "r", folder)  # writes folder/published.sqlite
        # the dates a build fills from its previous state: first published, and changed since for every fifth record
        site.store.db.execute("UPDATE record SET first_published = '2026-11-20', last_changed = "
                              "CASE WHEN rowid % 5 = 0 THEN '2026-11-24' ELSE '2026-11-20' END")
        site.store.db.commit()
        site.store.close()
    inputs = load_inputs(config)
    return Site(config, inputs.catalogue, inputs.policy, AS_OF, PublishedStore.open_readonly(store_path))


def page_times(folder: Path, sample: int, profile: Path | None) -> int:
    """CPU per record page and per subject page, to memory and to files (see the module's docstring)."""
    site = stored_site(folder)
    out = folder / "out"
    shutil.rmtree(out, ignore_errors=True)
    renderer = Renderer(site, out)
    records = {item.id: list(renderer.record_marks(item))[::sample] for item in site.catalogue.items}
    subjects = list(renderer.subject_marks())[::sample]
    n_records = sum(map(len, records.values()))
    clock = time.process_time
    start = clock()
    for item in site.catalogue.items:
        site.store.by_ids(item.id, [key for key, _ in records[item.id]])
    read_records = clock() - start
    start = clock()
    for _ in site.store.subjects_in([key for key, _ in subjects]):
        pass
    read_subjects = clock() - start
    print(f"{n_records:,} record pages, {len(subjects):,} subject pages; CPU ms a page (process_time)")
    print(f"  reading from the store:  record {read_records / n_records * 1e3:6.3f}  subject {read_subjects / len(subjects) * 1e3:6.3f}")
    profiler = cProfile.Profile() if profile else None
    for mode in ("memory", "files"):
        renderer = Renderer(site, out)
        if mode == "memory":
            kept = Kept()
            renderer.files = kept  # type: ignore[assignment]
        if profiler and mode == "memory":
            profiler.enable()
        start = clock()
        for item in site.catalogue.items:
            renderer.record_pages(item, records[item.id])
        middle = clock()
        renderer.subject_pages(subjects)
        end = clock()
        if profiler and mode == "memory":
            profiler.disable()
        print(f"  {mode:<7} (with reading): record {(middle - start) / n_records * 1e3:6.3f}  "
              f"subject {(end - middle) / len(subjects) * 1e3:6.3f}")
        if mode == "memory":
            print(f"  pages' SHA-256 {kept.digest.hexdigest()} ({kept.count:,} pages, {kept.bytes:,} bytes)")
    if profiler and profile:
        profiler.dump_stats(profile)
    shutil.rmtree(out, ignore_errors=True)
    site.store.close()
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=0, help="generate this many rows instead of the demo's")
    parser.add_argument("--repeat", type=int, default=3, help="render every page this many times per engine")
    parser.add_argument("--pages", type=Path, help="time the renderer's record and subject pages of the set in this folder")
    parser.add_argument("--sample", type=int, default=1, help="with --pages: render every K-th page only")
    parser.add_argument("--profile", type=Path, help="with --pages: write a cProfile of the pages to memory here")
    args = parser.parse_args(argv)
    if args.pages:
        return page_times(args.pages, args.sample, args.profile)
    try:
        import minijinja  # noqa: F401
    except ImportError:
        raise SystemExit("pip install minijinja first (only this benchmark uses it)") from None
    with tempfile.TemporaryDirectory(prefix="sb-templates-") as tmp:
        records = ROOT / "data" / "records"
        if args.records:
            import subprocess

            records = Path(tmp) / "records"
            subprocess.run([sys.executable, str(ROOT / "scripts" / "generate_records.py"), "--out", str(records),
                            "--subjects", str(max(1, args.records // 3)), "--records", str(args.records)],
                           check=True, capture_output=True)
        site = published_site(records, Path(tmp))
        capture = Capture(dataclasses.replace(site), Path(tmp) / "out")
        for item in site.catalogue.items:
            capture.record_pages(item, list(capture.record_marks(item)))
        capture.subject_pages(list(capture.subject_marks()))
        pages = capture.pages
        jinja = capture.env
        mini = minijinja_environment(capture)
        print(f"{len(pages):,} pages (record and subject), rendered {args.repeat} times by each engine, to memory")
        timings: dict[str, float] = {}
        outputs: dict[str, list[str]] = {}
        for name in ("jinja2", "minijinja"):
            start = time.perf_counter()
            for _ in range(args.repeat):
                if name == "jinja2":
                    html = [jinja.get_template(template).render(**context) for _, template, context in pages]
                else:
                    html = [mini.render_template(template, **context) for _, template, context in pages]
            timings[name] = time.perf_counter() - start
            outputs[name] = html
        same = sum(1 for a, b in zip(outputs["jinja2"], outputs["minijinja"], strict=True) if a == b.replace("&#x2f;", "/"))
        for name, seconds in timings.items():
            print(f"  {name:<10} {len(pages) * args.repeat / seconds:9,.0f} pages/s")
        print(f"  minijinja / jinja2 speed: {timings['jinja2'] / timings['minijinja']:.2f}x; "
              f"identical HTML on {same:,} of {len(pages):,} pages")
        site.store.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
