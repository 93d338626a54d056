"""Redaction: the only stage that sees raw values. Withheld fields stop here; masked fields are masked.

What leaves this stage is a :class:`PublicRecord` of display text; no later stage can reach a
withheld value or an unmasked ID number.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from site_builder.catalogue import CatalogItem, FieldSpec
from site_builder.disclosure import Decision
from site_builder.identifiers import mask_id_number, mask_person_name
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


def redact(record: Record, item: CatalogItem, decision: Decision) -> PublicRecord:
    """Keep the public fields of a published record, masking where the catalogue says."""
    natural = record.get(item.role("subject_category")) == "natural_person"
    fields = {spec.name: _display(spec, record.get(spec.name), natural) for spec in item.public_fields}
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
