"""The catalogue (公共信用信息目录): catalogue items as data, loaded and validated once.

Each item lives in ``<item>.yaml``; shared field groups and the order of items in ``common.yaml``.
A catalogue may be layered (a site's folder over the packaged one): each file is taken from the
first folder that has it. Fields are Frictionless Table Schema fields with a few extensions (see
``common.yaml``). Loading reports every problem with its file and key, then raises
:class:`CatalogueError`.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from site_builder.exceptions import CatalogueError
from site_builder.rules.hanzi import simplified
from site_builder.rules.periods import Duration, PeriodRule, parse_period
from site_builder.rules.yamlfile import load_yaml, unknown_key

if TYPE_CHECKING:
    from site_builder.sources.states import StateTable

FIELD_TYPES = ("string", "date", "number", "integer")
FORMATS = ("uscc", "code", "default")
"""``uscc``: a checked 统一社会信用代码; ``code``: another registration code (only ID numbers are masked in it);
``default``: Table Schema's, the same as none."""
CONSTRAINTS = ("required", "unique", "minLength", "maxLength", "minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum",
               "pattern", "enum", "jsonSchema")
"""The Table Schema constraints a field may give. The build applies ``required`` (a required field's empty cell
quarantines the row); the others are accepted as Table Schema writes them and not applied."""
DISCLOSURES = ("public", "masked", "withheld")
MASKS = ("id_number", "person_name")
CLASSES = ("registration", "qualification", "commendation", "regulatory", "judicial")
NATURES = ("basic", "good", "adverse")
ROLES = (
    "record_id", "publish_status", "disclosure_level", "objection_status", "objection_date",
    "repair_date", "subject_name", "subject_category", "uscc", "id_type", "id_no",
    "decision_date", "authority", "document_no", "document_title", "legal_basis", "decision_status",
)
REQUIRED_ROLES = ("record_id", "publish_status", "disclosure_level", "subject_name", "decision_date")
_FIELD_KEYS = {
    "name", "title", "type", "format", "constraints", "disclosure", "mask", "aliases", "values", "synonyms",
    "open", "role", "description", "lapses",
}
_ITEM_KEYS = {"id", "title", "files", "class", "nature", "include", "period", "fields", "description"}
_NAME = re.compile(r"^[a-z][a-z0-9_]*$")


def normalise_title(title: str) -> str:
    """Normalise a column title for matching: NFKC (full-width → ASCII), in simplified characters (``異議狀態`` is
    异议状态, as OpenCC's ``t2s`` reads it), no spaces, no ``*``."""
    text = simplified(unicodedata.normalize("NFKC", title))
    return re.sub(r"[\s*＊]+", "", text).lower()


@dataclass(frozen=True)
class FieldSpec:
    """One column of a catalogue item."""

    name: str
    title: str
    type: str
    required: bool
    disclosure: str
    mask: str | None = None
    role: str | None = None
    format: str | None = None
    values: dict[str, str] | None = None
    """Enumerations: canonical code -> Chinese label."""
    synonyms: dict[str, tuple[str, ...]] | None = None
    """Other spellings seen in exports, by code (``审核通过`` for ``approved``)."""
    open: bool = False
    """A descriptive enumeration: values outside ``values`` are kept as given instead of refused."""
    aliases: tuple[str, ...] = ()
    description: str = ""
    unapplied: tuple[str, ...] = ()
    """Table Schema constraints the field gives that the build does not apply (``unique``, ``pattern`` …): warned of."""
    lapses: str | None = None
    """A state field (a licence's 当前状态): the date field after which the state it says in force has lapsed. From the
    day after that date, a value saying so (``有效``, ``正常`` …) or none is shown as :data:`LAPSED`
    (``rules/redaction.py``); a value saying otherwise (``无效``, ``注销``) is shown as written."""

    @property
    def published(self) -> bool:
        """Whether any form of the value (plain or masked) leaves the redaction stage."""
        return self.disclosure != "withheld"


@dataclass(frozen=True)
class CatalogItem:
    """A catalogue item: its class, nature, disclosure period rule and fields."""

    id: str
    title: str
    klass: str
    nature: str
    period: PeriodRule
    fields: tuple[FieldSpec, ...]
    source: Path
    files: tuple[str, ...] = ()
    """Other names the item's records file or folder may have (``xzcf.csv``, ``行政处罚信息/``)."""
    states: StateTable | None = None
    """What the site's ``[states]`` says the values of this item's state columns mean (set by
    :func:`site_builder.sources.states.apply_states`); ``None``: nothing, they are read by their words."""

    def field(self, name: str) -> FieldSpec:
        """The field called ``name``."""
        return next(f for f in self.fields if f.name == name)

    def role(self, role: str) -> str | None:
        """The name of the field that plays ``role`` in this item, if any."""
        return next((f.name for f in self.fields if f.role == role), None)

    @property
    def public_fields(self) -> tuple[FieldSpec, ...]:
        """Fields published plainly or masked, in catalogue order."""
        return tuple(f for f in self.fields if f.published)

    def header_index(self) -> dict[str, str]:
        """Map every accepted column heading (normalised) to its field name."""
        index: dict[str, str] = {}
        for f in self.fields:
            for heading in (f.title, f.name, *f.aliases):
                index.setdefault(normalise_title(heading), f.name)
        return index


@dataclass(frozen=True)
class Catalogue:
    """All catalogue items, in catalogue order."""

    items: tuple[CatalogItem, ...]
    files: tuple[Path, ...]

    def __getitem__(self, item_id: str) -> CatalogItem:
        return next(i for i in self.items if i.id == item_id)

    @property
    def ids(self) -> tuple[str, ...]:
        """Item ids in catalogue order."""
        return tuple(i.id for i in self.items)


def find_file(folders: Path | Sequence[Path], name: str) -> Path | None:
    """The file ``name`` in the first of ``folders`` that has it (a site's folder before the packaged one)."""
    for folder in [folders] if isinstance(folders, Path) else folders:
        if (folder / name).is_file():
            return folder / name
    return None


def load_catalogue(folders: Path | Sequence[Path]) -> Catalogue:
    """Load ``common.yaml`` and every item it lists, each file from the first of ``folders`` that has it.

    ``folders`` is one folder or layers, the site's first (see :attr:`Config.catalogue_dirs`); raise on any problem.
    """
    layers = [folders] if isinstance(folders, Path) else list(folders)
    errors: list[str] = []
    common_path = find_file(layers, "common.yaml") or layers[0] / "common.yaml"
    common = _read_yaml(common_path)
    order = common.get("items")
    groups = common.get("groups") or {}
    if not isinstance(order, list) or not order:
        raise CatalogueError(f"{common_path}: 'items' must list the catalogue item ids")
    items = []
    for item_id in sorted({i for i in order if order.count(i) > 1}, key=str):
        errors.append(f"{common_path}: items: {item_id!r} is listed more than once")
    for item_id in dict.fromkeys(order):
        path = find_file(layers, f"{item_id}.yaml")
        if path is None:
            errors.append(f"{common_path}: items: no file {item_id}.yaml for item {item_id!r}")
            continue
        item = _parse_item(path, _read_yaml(path), common_path, groups, errors)
        if item is not None and item.id != item_id:
            errors.append(f"{path}: id: {item.id!r} does not match the file name")
        elif item is not None:
            items.append(item)
    _check_names(items, errors)
    if errors:  # a shared group's problem once, not once per item including it
        raise CatalogueError("The catalogue is invalid:\n  " + "\n  ".join(dict.fromkeys(errors)))
    files = (common_path, *(i.source for i in items))
    return Catalogue(items=tuple(items), files=files)


def _read_yaml(path: Path) -> dict[str, Any]:
    try:
        data = load_yaml(path.read_text(encoding="utf-8"), path)
    except FileNotFoundError as exc:
        raise CatalogueError(f"{path}: file not found") from exc
    except (OSError, UnicodeDecodeError, ValueError, yaml.YAMLError) as exc:
        raise CatalogueError(f"{path}: cannot be read: {exc}") from exc
    if not isinstance(data, dict):
        raise CatalogueError(f"{path}: expected a mapping at the top level")
    return data


def _parse_item(
    path: Path, data: dict[str, Any], common: Path, groups: dict[str, Any], errors: list[str]
) -> CatalogItem | None:
    """Parse one item file, appending ``file: key: problem`` lines to ``errors``."""
    before = len(errors)
    for key in sorted(set(data) - _ITEM_KEYS, key=str):
        errors.append(f"{path}: {key}: {unknown_key(key, _ITEM_KEYS)}")
    if not isinstance(data.get("id"), str) or not _NAME.match(data["id"]):
        # The id names the item's folders and files in the site (record/<id>/, data/<id>.csv): ``../`` would write
        # outside it.
        errors.append(f"{path}: id: {data.get('id')!r} must be lower_snake_case ASCII (it names the item's folders "
                      "and files in the site)")
    if not isinstance(data.get("title"), str) or not data["title"].strip():
        # The title heads the item's pages and names its records file: an item without one was titled "None".
        errors.append(f"{path}: title: the item's Chinese title is required (it heads the item's pages)")
    for key, allowed in (("class", CLASSES), ("nature", NATURES)):
        if data.get(key) not in allowed:
            errors.append(f"{path}: {key}: {data.get(key)!r} is not one of {', '.join(allowed)}")
    if _texts(data.get("files")):
        errors.append(f"{path}: files: {_texts(data.get('files'))}: expected a list of file or folder names")
    raw_fields: list[tuple[str, Any]] = []  # where each field is written (a shared group's in common.yaml), and it
    for group in data.get("include") or []:
        if not isinstance(groups, dict) or group not in groups:
            errors.append(f"{path}: include: unknown field group {group!r}")
        elif not isinstance(groups[group], list):
            errors.append(f"{common}: groups.{group}: must be a list of fields")
        else:
            raw_fields += [(f"{common}: groups.{group}[{i}]", raw) for i, raw in enumerate(groups[group])]
    if not isinstance(data.get("fields"), list):
        errors.append(f"{path}: fields: must be a list of fields")
    else:
        raw_fields += [(f"{path}: fields[{i}]", raw) for i, raw in enumerate(data["fields"])]
    fields = [_parse_field(place, raw, errors) for place, raw in raw_fields]
    specs = tuple(f for f in fields if f is not None)
    _check_fields(path, specs, errors)
    period = parse_period(f"{path}: period", data.get("period"), {f.name: f.type for f in specs}, errors,
                          {f.name: tuple(f.values) for f in specs if f.values and not f.open},
                          {f.name for f in specs if f.required})
    if len(errors) > before or period is None:
        return None
    return CatalogItem(
        id=str(data.get("id")), title=str(data.get("title")), klass=data["class"],
        nature=data["nature"], period=period, fields=specs, source=path,
        files=tuple(str(name) for name in data.get("files") or ()),
    )


def _texts(value: Any) -> str:
    """What is wrong with ``value`` as a list of names (``aliases: 承诺事项`` was read as its characters); ``""`` if it
    is absent or a list of texts or numbers (``2024``, read as written)."""
    if value is None:
        return ""
    if not isinstance(value, list):
        return f"{value!r} is a {type(value).__name__}, not a list (write [{value}])"
    wrong = [v for v in value if isinstance(v, bool) or not isinstance(v, (str, int)) or not str(v).strip()]
    return f"the entry {wrong[0]!r} is no name" if wrong else ""


def _constraints(raw: Any) -> list[str]:
    """Problems of a field's ``constraints``: a mapping of known constraints (``constraints: true`` and ``[required]``
    stopped the build with an AttributeError; ``{requried: true}`` left the field optional without a word)."""
    if raw is None:
        return []
    if not isinstance(raw, dict):
        return [f"constraints: expected a mapping such as {{required: true}}, not {raw!r}"]
    problems = [f"constraints.{key}: {unknown_key(key, CONSTRAINTS, 'constraint')}"
                for key in sorted(set(raw) - set(CONSTRAINTS), key=str)]
    if "required" in raw and not isinstance(raw["required"], bool):
        problems.append(f"constraints.required: expected true or false, not {raw['required']!r}")
    return problems


def _parse_field(place: str, raw: Any, errors: list[str]) -> FieldSpec | None:
    """Parse one field written at ``place`` (``<file>: fields[3]``), appending ``place (name): key: problem`` lines."""
    if not isinstance(raw, dict) or not isinstance(raw.get("name"), str):
        errors.append(f"{place}: a field needs a 'name'")
        return None
    where = f"{place} ({raw['name']})"
    problems = [f"{key}: {unknown_key(key, _FIELD_KEYS)}" for key in sorted(set(raw) - _FIELD_KEYS, key=str)]
    if not _NAME.match(raw["name"]):
        problems.append(f"name: {raw['name']!r} must be lower_snake_case ASCII")
    if not isinstance(raw.get("title"), str) or not raw["title"]:
        problems.append("title: the Chinese title is required")
    if raw.get("type") not in FIELD_TYPES:
        problems.append(f"type: {raw.get('type')!r} is not one of {', '.join(FIELD_TYPES)}")
    if raw.get("disclosure") not in DISCLOSURES:
        problems.append(f"disclosure: {raw.get('disclosure')!r} is not one of {', '.join(DISCLOSURES)}")
    if (raw.get("disclosure") == "masked") != (raw.get("mask") is not None):
        problems.append("mask: a masked field needs a mask, and only a masked field has one")
    elif raw.get("mask") is not None and raw["mask"] not in MASKS:
        problems.append(f"mask: {raw['mask']!r} is not one of {', '.join(MASKS)}")
    values = raw.get("values")
    if raw.get("open") is not None and (values is None or not isinstance(raw["open"], bool) or raw.get("role")):
        problems.append("open: only a descriptive enumeration (with values, without a role) may be open")
    if raw.get("format") is not None and raw["format"] not in FORMATS:
        problems.append(f"format: {raw['format']!r} is not one of {', '.join(FORMATS)}")
    problems += _constraints(raw.get("constraints"))
    if raw.get("lapses") is not None and not (isinstance(raw["lapses"], str) and raw.get("type") == "string"
                                              and raw.get("disclosure") == "public"):
        problems.append("lapses: only a public string field (a state) may lapse, after a date field named as a string")
    if _texts(raw.get("aliases")):
        problems.append(f"aliases: {_texts(raw.get('aliases'))}: expected a list of column titles")
    if raw.get("role") is not None and raw["role"] not in ROLES:
        problems.append(f"role: {raw['role']!r} is not a known role")
    if values is not None and not (isinstance(values, dict) and values):
        problems.append("values: must map codes to Chinese labels")
    synonyms = raw.get("synonyms")
    if synonyms is not None and not (isinstance(synonyms, dict) and isinstance(values, dict)
                                     and set(synonyms) <= set(values)
                                     and all(isinstance(v, list) for v in synonyms.values())):
        problems.append("synonyms: must map codes of 'values' to lists of other spellings")
    errors.extend(f"{where}: {p}" for p in problems)
    if problems:
        return None
    return FieldSpec(
        name=raw["name"], title=raw["title"], type=raw["type"],
        required=(raw.get("constraints") or {}).get("required") is True,
        disclosure=raw["disclosure"], mask=raw.get("mask"), role=raw.get("role"),
        format=None if raw.get("format") == "default" else raw.get("format"),
        values={str(k): str(v) for k, v in values.items()} if values else None,
        synonyms={str(k): tuple(str(x) for x in v) for k, v in synonyms.items()} if synonyms else None,
        open=bool(raw.get("open", False)),
        aliases=tuple(str(a) for a in raw.get("aliases") or ()),
        unapplied=tuple(sorted(str(k) for k in (raw.get("constraints") or {}) if k != "required")),
        description=str(raw.get("description") or ""),
        lapses=raw.get("lapses"),
    )


RESERVED_ITEM_IDS = frozenset({"catalog", "datapackage", "index", "statistics"})
"""Names of the download folder's own files (``data/datapackage.zip``, ``data/statistics.csv``, ``data/catalog.jsonld``,
``data/index.html``), which an item's files (``data/<id>.csv``, ``data/<id>.zip``) would replace or join."""
RESERVED_FIELD_NAMES = frozenset({"publication_start", "publication_until"})
"""Columns every item's data file has besides its fields (the days the site publishes the record)."""


def _check_names(items: list[CatalogItem], errors: list[str]) -> None:
    """Item ids the download folder uses itself, and names (id, title, ``files``) that two items claim: a records file
    so named would be read for the first item only, its rows decided by that item's rules."""
    owner: dict[str, CatalogItem] = {}
    for item in items:
        if item.id in RESERVED_ITEM_IDS:
            errors.append(f"{item.source}: id: {item.id!r} is the name of the download folder's own files "
                          f"(data/{item.id}.*); choose another id")
        for name in dict.fromkeys((item.id, item.title, *item.files)):
            other = owner.setdefault(name.casefold(), item)
            if other is not item:
                errors.append(f"{item.source}: {name!r} (its id, title or files) also names item {other.id} "
                              f"({other.source}): a records file so named would be read for {other.id} only; give "
                              "each item names of its own")


def _check_fields(path: Path, fields: tuple[FieldSpec, ...], errors: list[str]) -> None:
    """Checks across fields: unique names, headings and roles; the roles every item needs; no name a data file's own
    column has; an ID number field never published plainly."""
    seen: dict[str, str] = {}
    for f in fields:
        if f.name in RESERVED_FIELD_NAMES:
            errors.append(f"{path}: fields ({f.name}): the name of a column every data file has; choose another name")
        if f.role == "id_no" and f.disclosure == "public":
            errors.append(f"{path}: fields ({f.name}): an ID number (role id_no) is never published plainly (a natural "
                          "person's is masked: disclosure masked, mask id_number; or withheld)")
    for f in fields:
        for heading in {normalise_title(h) for h in (f.name, f.title, *f.aliases)}:
            if seen.get(heading, f.name) != f.name:
                errors.append(f"{path}: fields ({f.name}): heading {heading!r} also names {seen[heading]}")
            seen[heading] = f.name
    dates = {f.name for f in fields if f.type == "date"}
    for f in fields:
        if f.lapses is not None and f.lapses not in dates:
            errors.append(f"{path}: fields ({f.name}): lapses: {f.lapses!r} is not a date field of this item"
                          + (f" ({', '.join(sorted(dates))})" if dates else ""))
    roles = [f.role for f in fields if f.role]
    for role in sorted({r for r in roles if roles.count(r) > 1}):
        errors.append(f"{path}: fields: role {role!r} is given to more than one field")
    for role in REQUIRED_ROLES:
        if role not in roles:
            errors.append(f"{path}: fields: no field has the role {role!r}")


__all__ = ["Catalogue", "CatalogItem", "Duration", "FieldSpec", "find_file", "load_catalogue", "normalise_title"]
