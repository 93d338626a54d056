"""The open data package (the output ``datapackage``): one CSV per catalogue item and
``data/datapackage.json`` (Frictionless).

Each CSV holds exactly the published records, in record-id order, with the public and masked
fields under their English names; the Table Schema carries the Chinese titles, types and
constraints. CSVs are UTF-8 with a BOM so that Excel opens them correctly, and every text cell
that a spreadsheet would run as a formula is prefixed with ``'`` by :func:`safe_cell`, the one
escaping function of every CSV the site writes (OWASP CSV injection).
"""

from __future__ import annotations

import csv
import hashlib
import json
import unicodedata
from pathlib import Path
from typing import Any

from frictionless import Package, Resource, Schema

from site_builder import __version__, progress
from site_builder.outputs import base
from site_builder.outputs.site import Site
from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.rules.identifiers import USCC_PATTERN

_FORMULA_START = frozenset("=+-@\t\r\n")
"""First characters that make a spreadsheet evaluate a cell (after NFKC: full-width ＝＋－＠ and the
small forms ﹦﹢﹣﹫ count too, since spreadsheets and input methods may normalise them)."""
COMMON_COLUMNS = ("publication_start", "publication_until")


def table_schema(item: CatalogItem) -> dict[str, Any]:
    """The Frictionless Table Schema of an item's published CSV."""
    fields: list[dict[str, Any]] = [_schema_field(f) for f in item.public_fields]
    fields += [
        {"name": "publication_start", "title": "公示起始日期", "type": "date", "constraints": {"required": True}},
        {"name": "publication_until", "title": "公示截止日期", "type": "date",
         "description": "最后一个公示日；为空表示长期公示"},
    ]
    id_field = item.role("record_id") or "record_id"
    return {"fields": fields, "primaryKey": [id_field], "missingValues": [""]}


def _schema_field(spec: FieldSpec) -> dict[str, Any]:
    field: dict[str, Any] = {"name": spec.name, "title": spec.title, "type": spec.type}
    constraints: dict[str, Any] = {}
    if spec.required:
        constraints["required"] = True
    if spec.values and not spec.open:
        constraints["enum"] = list(spec.values.values())
    if spec.format == "uscc":
        constraints["pattern"] = USCC_PATTERN
    if spec.disclosure == "masked":
        field["description"] = "已脱敏" if spec.mask == "id_number" else "自然人姓名已脱敏"
    if constraints:
        field["constraints"] = constraints
    return field


def safe_cell(value: str) -> str:
    """A text cell as written to a CSV: prefixed with ``'`` if a spreadsheet would evaluate it.

    Applies to text cells only: a number column keeps ``-5`` as a number. ``=HYPERLINK(…)``,
    ``@SUM(…)``, ``=cmd|…``, ``+``, ``-``, a tab, CR or LF first, and their full-width forms are caught.
    """
    return "'" + value if value and unicodedata.normalize("NFKC", value[0])[:1] in _FORMULA_START else value


class DataPackageOutput(base.Output):
    """``data/<item>.csv`` for every catalogue item and ``data/datapackage.json`` describing them."""

    name = "datapackage"
    title = "Open data package (Frictionless)"
    media_types = ("text/csv", "application/json")
    order = base.DATA

    def write(self, site: Site, out: Path) -> list[Path]:
        """Write the package into ``out/data`` and the download page ``data/index.html``; return the files."""
        from site_builder.outputs.render import Renderer

        descriptor = write_datapackage(site, out / "data")
        page = Renderer(site, out)
        page.write("data/", "data.html", counts=[(item, site.store.count(item.id)) for item in site.catalogue.items],
                   jsonld=dataset_jsonld(site))
        return [*(out / "data" / f"{item.id}.csv" for item in site.catalogue.items), descriptor, *page.written]


def dataset_jsonld(site: Site) -> dict[str, Any]:
    """schema.org description of the open data set (on the download page)."""
    settings = site.config.site
    return {
        "@context": "https://schema.org", "@type": "Dataset", "name": settings.title + " 开放数据",
        "description": f"{settings.centre}公示的公共信用信息，数据截至 {site.as_of}。",
        "url": site.canonical("data/"), "license": settings.licence, "inLanguage": "zh-CN",
        "dateModified": site.as_of.isoformat(),
        "creator": {"@type": "GovernmentOrganization", "name": settings.centre},
        "distribution": [{"@type": "DataDownload", "encodingFormat": "text/csv", "name": item.title,
                          "contentUrl": site.canonical(f"data/{item.id}.csv")} for item in site.catalogue.items],
    }


def write_datapackage(site: Site, folder: Path) -> Path:
    """Write every item's CSV and ``datapackage.json`` into ``folder``; return the descriptor path."""
    folder.mkdir(parents=True, exist_ok=True)
    resources = []
    progress.expect(site.store.count())
    for item in site.catalogue.items:
        path = folder / f"{item.id}.csv"
        _write_csv(site, item, path)
        data = path.read_bytes()
        resources.append(Resource(
            name=item.id.replace("_", "-"), title=item.title, path=path.name, format="csv", mediatype="text/csv",
            encoding="utf-8-sig", hash="sha256:" + hashlib.sha256(data).hexdigest(), bytes=len(data),
            schema=Schema.from_descriptor(table_schema(item)),
        ))
    package = Package(
        name="public-credit-information", title=site.config.site.title,
        description=f"{site.config.site.centre}公示的公共信用信息，数据截至 {site.as_of}。",
        version=site.as_of.isoformat(), licenses=[{"name": site.config.site.licence}],
        created=f"{site.as_of.isoformat()}T00:00:00+08:00", resources=resources,
    )
    descriptor = package.to_descriptor()
    descriptor["sb:profile"] = site.policy.id
    descriptor["sb:software"] = f"site_builder {__version__}"
    target = folder / "datapackage.json"
    target.write_text(json.dumps(descriptor, ensure_ascii=False, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    return target


def _write_csv(site: Site, item: CatalogItem, path: Path) -> None:
    names = [f.name for f in item.public_fields]
    text = {f.name for f in item.public_fields if f.type == "string"}  # open enumerations and codes too
    with path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh, lineterminator="\r\n")
        writer.writerow([*names, *COMMON_COLUMNS])
        for record in site.store.by_item(item.id):
            row = [safe_cell(record.fields[n]) if n in text else record.fields[n] for n in names]
            writer.writerow([*row, record.date.isoformat(), record.until.isoformat() if record.until else ""])
            progress.advance()
