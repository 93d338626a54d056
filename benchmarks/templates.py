"""Jinja2 against MiniJinja on the portal's own templates: record and subject pages per second, to memory.

    pip install minijinja          # not a dependency of site_builder: only this comparison uses it
    python benchmarks/templates.py [--records N] [--repeat R]

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
import dataclasses
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
            return jinja.loader.get_source(jinja, name)[0]  # type: ignore[union-attr]
        except Exception:
            return None

    env = minijinja.Environment(loader=load, undefined_behavior="strict", trim_blocks=True, lstrip_blocks=True,
                                auto_escape_callback=lambda name: "html")
    for name, value in jinja.globals.items():
        if name == "catalogue":  # MiniJinja tries item access first, which a Catalogue answers only for item ids
            value = Items(value)
        if name not in ("range", "dict", "lipsum", "cycler", "joiner", "namespace"):
            env.add_global(name, value)
    env.add_filter("next_day", lambda d: d + timedelta(days=1))
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=0, help="generate this many rows instead of the demo's")
    parser.add_argument("--repeat", type=int, default=3, help="render every page this many times per engine")
    args = parser.parse_args(argv)
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
            capture.record_pages(item)
        capture.subject_pages()
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
