"""Metadata for harvesters: the DCAT-AP catalogue ``data/catalog.jsonld`` and the download page's schema.org markup.

Both describe the same packages (:class:`~site_builder.outputs.downloads.Package`): one dataset per catalogue
item and one for everything, each with its files as distributions (CSV, Excel, the Frictionless descriptor,
the zip), their sizes, media types and SHA-256. The DCAT catalogue carries its own JSON-LD context (no
remote context to fetch); the schema.org markup uses ``https://schema.org`` as search engines expect.
Dataset identifiers are fragments of the download page (``data/#admin_penalty``, ``data/#all``), which has
an element of that id.

Dates describe the data, not the build (``data_dates.py``), so that the catalogue keeps its bytes while the data
does: a dataset's ``dct:modified`` (schema.org ``dateModified``) is the last day one of its records appeared,
changed or was withdrawn, its ``dct:issued`` (``datePublished``) the day its first record appeared on the site;
the catalogue's are the latest and the earliest of them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from site_builder.outputs.downloads import DataFile, Package, licence
from site_builder.outputs.site import Site
from site_builder.rules.catalogue import CatalogItem

CATALOG = "data/catalog.jsonld"
"""The DCAT catalogue's path: a stable URL for harvesters."""
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/", "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#", "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_EU = "http://publications.europa.eu/resource/authority/"
MEDIA_TYPES = {"csv": "text/csv", "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
               "json": "application/json", "zip": "application/zip"}
FILE_TYPES = {"csv": "CSV", "xlsx": "XLSX", "json": "JSON", "zip": "ZIP"}
"""EU file type authority codes (DCAT-AP ``dct:format``)."""
DATA_PACKAGE_SPEC = "https://datapackage.org/standard/data-package/"


def _text(value: str) -> dict[str, str]:
    return {"@value": value, "@language": "zh"}


def _typed(value: object, kind: str) -> dict[str, str]:
    return {"@value": str(value), "@type": f"xsd:{kind}"}


def _iri(url: str) -> dict[str, str]:
    return {"@id": url}


def description(site: Site, item: CatalogItem | None, records: int, updated: date) -> str:
    """What the package of ``item`` (``None``: every item) holds, in a sentence or two, with the date of its data
    (``updated``; the data packages, DCAT and schema.org say the same)."""
    settings = site.config.site
    what = f"{item.title}信息" if item else "公共信用信息（" + "、".join(i.title for i in site.catalogue.items) + "）"
    return (f"{settings.centre}依法公示的{what}，共 {records} 条记录，数据更新于 {updated.isoformat()}，"
            f"公示规则：{site.policy.title}。已过公示期、未经审核或不予公开的记录不在其中；自然人姓名和证件号码已脱敏。")


def _files(package: Package) -> list[DataFile]:
    return [*package.csv, *package.xlsx, package.descriptor, package.zip]


def catalog_jsonld(site: Site, packages: list[Package]) -> dict[str, Any]:
    """The DCAT-AP catalogue of the packages (the whole one last), as JSON-LD with an inline context."""
    settings = site.config.site
    licence_url, _title = licence(settings.licence)
    publisher = {"@id": settings.base_url + "#publisher", "@type": "foaf:Agent", "foaf:name": _text(settings.centre)}
    datasets = [_dataset(site, package, publisher, licence_url) for package in packages]
    whole = datasets[-1]
    whole["dct:hasPart"] = [_iri(d["@id"]) for d in datasets[:-1]]
    everything = packages[-1]
    return {
        "@context": CONTEXT, "@id": site.canonical(CATALOG), "@type": "dcat:Catalog",
        "dct:title": _text(settings.title + " 开放数据"),
        "dct:description": _text(description(site, None, everything.records, everything.modified)),
        "dct:publisher": publisher, "dct:license": _iri(licence_url), "dct:language": _iri(_EU + "language/ZHO"),
        **_dates(everything), "foaf:homepage": _iri(settings.base_url), "dcat:dataset": datasets,
    }


def _dates(package: Package) -> dict[str, Any]:
    """``dct:modified`` and (if a record ever appeared) ``dct:issued`` of a package's data."""
    dates = {"dct:modified": _typed(package.modified.isoformat(), "date")}
    if package.issued is not None:
        dates["dct:issued"] = _typed(package.issued.isoformat(), "date")
    return dates


def _dataset(site: Site, package: Package, publisher: dict[str, Any], licence_url: str) -> dict[str, Any]:
    page = site.canonical("data/")
    dataset: dict[str, Any] = {
        "@id": f"{page}#{package.anchor}", "@type": "dcat:Dataset", "dct:identifier": package.name,
        "dct:title": _text(package.title),
        "dct:description": _text(description(site, package.item, package.records, package.modified)),
        "dct:publisher": _iri(publisher["@id"]), **_dates(package),
        "dct:license": _iri(licence_url), "dct:language": _iri(_EU + "language/ZHO"),
        "dcat:landingPage": _iri(page), "dcat:theme": _iri(_EU + "data-theme/GOVE"),
        "dcat:keyword": [_text("公共信用信息"), *([_text(package.item.title)] if package.item else [])],
        "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": _text(site.config.site.centre),
                              "vcard:hasURL": _iri(site.config.site.base_url)},
        "dcat:distribution": [_distribution(site, f, licence_url) for f in _files(package)],
    }
    if package.years:
        dataset["dct:temporal"] = {"@type": "dct:PeriodOfTime", "dcat:startDate": _typed(package.years[0], "gYear"),
                                   "dcat:endDate": _typed(package.years[1], "gYear")}
    return dataset


def _distribution(site: Site, file: DataFile, licence_url: str) -> dict[str, Any]:
    kind = file.path.rsplit(".", 1)[-1]
    url = site.canonical(file.path)
    distribution: dict[str, Any] = {
        "@id": url, "@type": "dcat:Distribution", "dct:title": _text(file.name),
        "dcat:accessURL": _iri(site.canonical("data/")), "dcat:downloadURL": _iri(url),
        "dcat:mediaType": _iri("https://www.iana.org/assignments/media-types/" + MEDIA_TYPES[kind]),
        "dct:format": _iri(_EU + "file-type/" + FILE_TYPES[kind]), "dct:license": _iri(licence_url),
        "dcat:byteSize": _typed(file.bytes, "nonNegativeInteger"),
        "spdx:checksum": {"@type": "spdx:Checksum", "spdx:algorithm": _iri("spdx:checksumAlgorithm_sha256"),
                          "spdx:checksumValue": _typed(file.sha256, "hexBinary")},
    }
    if kind in ("json", "zip"):
        distribution["dct:conformsTo"] = _iri(DATA_PACKAGE_SPEC)
    return distribution


def dataset_jsonld(site: Site, packages: list[Package]) -> dict[str, Any]:
    """schema.org ``Dataset`` markup of the download page: every item's dataset as a part of the whole."""
    settings = site.config.site
    licence_url, _title = licence(settings.licence)
    centre = {"@type": "GovernmentOrganization", "name": settings.centre, "url": settings.base_url}

    def dataset(package: Package) -> dict[str, Any]:
        data: dict[str, Any] = {
            "@type": "Dataset", "@id": f"{site.canonical('data/')}#{package.anchor}", "name": package.title,
            "description": description(site, package.item, package.records, package.modified),
            "url": site.canonical("data/") + f"#{package.anchor}", "identifier": package.name, "license": licence_url,
            "inLanguage": "zh-CN", "isAccessibleForFree": True, "dateModified": package.modified.isoformat(),
            **({"datePublished": package.issued.isoformat()} if package.issued else {}), "creator": centre,
            "publisher": centre,
            "distribution": [{"@type": "DataDownload", "name": f.name, "contentUrl": site.canonical(f.path),
                              "encodingFormat": MEDIA_TYPES[f.path.rsplit(".", 1)[-1]], "contentSize": f.size}
                             for f in _files(package)],
        }
        if package.years:
            data["temporalCoverage"] = f"{package.years[0]}/{package.years[1]}"
        return data

    whole = dataset(packages[-1])
    whole["hasPart"] = [dataset(package) for package in packages[:-1]]
    whole["includedInDataCatalog"] = {"@type": "DataCatalog", "name": settings.title + " 开放数据",
                                      "url": site.canonical(CATALOG)}
    return {"@context": "https://schema.org", **whole}
