"""Redaction: the only stage that sees raw values. Withheld fields stop here; masked fields are masked.

What leaves this stage is a :class:`PublicRecord` of display text; no later stage can reach a
withheld value or an unmasked ID number. Free text is de-identified too (GB/T 35273 §7.2): where a
违法事实 repeats the record's own ID numbers or withheld values, or a natural person's name, they are
replaced by their masked form, and any other valid resident ID number in it is masked.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal

from site_builder.catalogue import CatalogItem, FieldSpec
from site_builder.disclosure import Decision
from site_builder.identifiers import mask_id_number, mask_person_name, resident_id_problem
from site_builder.validation import Record, Value


@dataclass(frozen=True)
class PublicRecord:
    """A published record as the public may see it."""

    item: str
    record_id: str
    subject_key: str
    """统一社会信用代码 of the subject; empty for natural persons (who get no subject page)."""
    subject_name: str
    subject_category: str
    authority: str
    """The deciding body (the field with the ``authority`` role)."""
    date: dt.date
    until: dt.date | None
    objection_date: dt.date | None
    """Set only where the profile marks (rather than suspends) a record under objection."""
    fields: dict[str, str]
    """Display text of every public or masked field, by field name, in catalogue order."""


_RESIDENT_ID = re.compile(r"(?<![0-9A-Za-z])[1-9]\d{16}[\dXx](?![0-9A-Za-z])")
_MIN_SECRET = 6


def redact(record: Record, item: CatalogItem, decision: Decision) -> PublicRecord:
    """Keep the public fields of a published record, masking where the catalogue says."""
    natural = record.get(item.role("subject_category")) == "natural_person"
    replacements = _replacements(record, item, natural)
    fields = {}
    for spec in item.public_fields:
        text = _display(spec, record.get(spec.name), natural)
        if natural and spec.role == "uscc":
            text = ""  # a natural person has no such code; the column may hold their ID number
        elif _free_text(spec):
            text = scrub(text, replacements)
        fields[spec.name] = text
    started = decision.start or record.get(item.role("decision_date"))
    assert isinstance(started, dt.date)
    objected = record.get(item.role("objection_date")) if decision.marked else None
    return PublicRecord(
        item=item.id,
        record_id=record.record_id,
        subject_key="" if natural else str(record.get(item.role("uscc")) or ""),
        subject_name=fields.get(item.role("subject_name") or "", ""),
        subject_category=str(record.get(item.role("subject_category")) or "legal_person"),
        authority=fields.get(item.role("authority") or "", ""),
        date=started,
        until=decision.until,
        objection_date=objected if isinstance(objected, dt.date) else None,
        fields=fields,
    )


def _free_text(spec: FieldSpec) -> bool:
    """Whether a field holds free text to de-identify (not a code, number, date or enumeration)."""
    return spec.type == "string" and not spec.values and not spec.format and not spec.mask and spec.role not in (
        "record_id", "uscc", "id_no", "subject_name")


def _replacements(record: Record, item: CatalogItem, natural: bool) -> dict[str, str]:
    """Raw values of this record that must not appear in its free text, with what replaces them."""
    found: dict[str, str] = {}
    for spec in item.fields:
        value = record.get(spec.name)
        if not isinstance(value, str) or len(value) < _MIN_SECRET or spec.values:
            continue
        if spec.mask == "id_number" or spec.disclosure == "withheld":
            found[value] = mask_id_number(value)
    name = record.get(item.role("subject_name"))
    if natural and isinstance(name, str) and len(name) >= 2:
        found[name] = mask_person_name(name)
    return found


def scrub(text: str, replacements: dict[str, str]) -> str:
    """``text`` with the given raw values replaced and every valid resident ID number masked."""
    for raw in sorted(replacements, key=len, reverse=True):
        text = text.replace(raw, replacements[raw])

    def mask(match: re.Match[str]) -> str:
        number = match.group().upper()
        return mask_id_number(number) if resident_id_problem(number) is None else match.group()

    return _RESIDENT_ID.sub(mask, text)


def _display(spec: FieldSpec, value: Value, natural_person: bool) -> str:
    """Display text of a value; masked per the field's mask."""
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    if spec.values is not None:
        return spec.values.get(value, value)
    if spec.mask == "id_number":
        return mask_id_number(value)
    if spec.mask == "person_name" and natural_person:
        return mask_person_name(value)
    return value
