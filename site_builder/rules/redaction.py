"""Redaction: the only stage that sees raw values. Withheld fields stop here; masked fields are masked.

What leaves this stage is a :class:`PublicRecord` of display text; no later stage can reach a
withheld value or an unmasked ID number. Every string field that reaches output is
de-identified (GB/T 35273 §7.2) by :func:`site_builder.privacy.scrub`: the record's own ID numbers,
withheld values and (for a natural person) name are replaced by their masked form wherever its other
fields repeat them, in any written form, and every personal number is masked.

A natural person's name is masked name by name (:func:`~site_builder.rules.identifiers.person_names`: without a
bracketed note such as ``（个人）``, each of several names separated by ``/``), and each name is looked for in the
record's other fields. A natural person's code column (工商注册号, 税务登记号…) whose value is an ID number of either
generation is masked like the ID number (:func:`~site_builder.rules.privacy.person_id_code`), and so is any subject's
code column that holds one of the ID numbers the record withholds (a 个体工商户's 税务登记号, its operator's number). An
ID number of the 1900s is also looked for in the other generation's form (15 digits for 18, and back). A withheld
value that is also one of the record's public codes (a 法定代表人证件号码 that is the company's own 统一社会信用代码) is
no secret, unless it is an ID number.

The record's own 18-character ID numbers are looked for by their first 17 digits, which decide the 18th
(:func:`~site_builder.rules.identifiers.id_body`): written with a wrong check character or none, the number is still
the person's. A withheld value (the legal representative's ID number above all: DOMAIN rule 7, never published, not
even masked) is replaced with asterisks wherever the record repeats it, so no character of it remains; a masked one
(a natural person's 证件号码) is shown masked, as in its own field.

Numbers are read with the record's date (:func:`~site_builder.rules.privacy.dated_field`): an 18-character number whose
birth date is on or after it is no person's ID number in that record (a building permit number ``330106`` +
``20250310`` + ``0018``, made of a region code, its own licence date and a serial, passes the check one time in
eleven). The leak scan reads the input rows with the same date (:func:`~site_builder.rules.privacy.row_secrets`).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal

from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.rules.disclosure import Decision
from site_builder.rules.hanzi import simplified
from site_builder.rules.identifiers import id_body, mask_id_number, mask_person_name, person_names, with_check
from site_builder.rules.privacy import (
    CODE,
    MIN_SECRET,
    TEXT,
    canonical,
    dated_field,
    id_forms,
    numbers_in,
    once_per,
    own_forms,
    person_id_code,
    scrub_mode,
    scrub_own,
)
from site_builder.rules.validation import Record, Value, roles


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
    first_published: dt.date | None = None
    """The as-of date of the build in which the record first appeared on the site (set by the published store
    from the audit state, see ``audit/changes.py``; ``None`` until then)."""
    last_changed: dt.date | None = None
    """The as-of date of the build in which its public values last changed (or it first appeared)."""


def redact(record: Record, item: CatalogItem, decision: Decision, as_of: dt.date | None = None) -> PublicRecord:
    """Keep the public fields of a published record, masking where the catalogue says.

    Every string field that reaches output goes through :func:`site_builder.privacy.scrub`. With ``as_of`` (the
    build's, a :class:`~site_builder.rules.rowcache.TracingDate`), a state that has lapsed by then is shown so
    (:func:`lapsed`).
    """
    role = roles(item)
    plan = _plan(item)
    natural = record.get(role.get("subject_category")) == "natural_person"
    ids = _code_ids(record, plan, natural)
    dated = dated_field(item)
    recorded = record.get(dated.name) if dated is not None else None
    day = recorded if isinstance(recorded, dt.date) else None
    allowed = frozenset(code for code in (canonical(str(record.get(name))) for name in plan.codes if record.get(name))
                        if code not in ids.values() and not numbers_in(code, CODE, day))
    own = own_forms(_own_secrets(record, item, natural, allowed, ids))
    fields = {}
    for spec, mode in plan.public:
        text = _display(spec, record.get(spec.name))
        if natural and spec.role == "uscc":
            text = ""  # a natural person has no such code; the column may hold their ID number
        elif spec.mask == "person_name" and (natural or spec.role != "subject_name"):
            # A subject's name is a person's only for a natural person; any other field masked so (an inspector, a
            # contact) always holds a person's name.
            # Of the record's own secrets, only its ID, passport and permit numbers (which may be written across
            # other characters), not the name itself, which mask_person_name masks.
            text = mask_person_name(scrub_own(text, tuple(s for s in own if s.spread), mode or TEXT, allowed, day))
        elif spec.name in ids:
            text = mask_id_number(ids[spec.name])  # a natural person's ID number in a code column
        elif mode is not None:
            text = scrub_own(text, own, mode, allowed, day)
        if spec.lapses is not None and as_of is not None:
            text = lapsed(text, lapse_date(item, spec, record.get), as_of)
        fields[spec.name] = text
    started = decision.start or record.get(role.get("decision_date"))
    assert isinstance(started, dt.date)
    objected = record.get(role.get("objection_date")) if decision.marked else None
    return PublicRecord(
        item=item.id,
        record_id=record.record_id,
        subject_key="" if natural else str(record.get(role.get("uscc")) or ""),
        subject_name=fields.get(role.get("subject_name") or "", ""),
        subject_category=str(record.get(role.get("subject_category")) or "legal_person"),
        authority=fields.get(role.get("authority") or "", ""),
        date=started,
        until=decision.until,
        objection_date=objected if isinstance(objected, dt.date) else None,
        fields=fields,
    )


@dataclass(frozen=True)
class _Plan:
    """What redaction reads of an item's fields, worked out once per item instead of once per record."""

    public: tuple[tuple[FieldSpec, str | None], ...]
    """Public and masked fields, in catalogue order, with how each is scrubbed."""
    codes: tuple[str, ...]
    """Public fields holding codes (统一社会信用代码, ``format: code``, document numbers)."""
    secret: tuple[tuple[str, bool], ...]
    """Fields whose values must not appear in the record's other fields (ID numbers, withheld texts), each with whether
    it is withheld (else masked)."""
    since: tuple[str, ...]
    """The date fields from which a record is in force (its decision date, an 有效期自 named ``valid_from``): a lapsing
    state's end before them is a system's "no date" (:func:`lapsed`)."""


@once_per
def _plan(item: CatalogItem) -> _Plan:
    public = item.public_fields
    return _Plan(
        public=tuple((spec, scrub_mode(spec)) for spec in public),
        codes=tuple(f.name for f in public if f.format in ("uscc", "code") or f.role == "document_no"),
        secret=tuple((f.name, f.disclosure == "withheld") for f in item.fields
                     if not f.values and (f.mask == "id_number" or f.disclosure == "withheld")),
        since=tuple(name for name in (roles(item).get("decision_date"), "valid_from")
                    if name and any(f.name == name for f in item.fields)),
    )


def _code_ids(record: Record, plan: _Plan, natural: bool) -> dict[str, str]:
    """The record's code columns whose value is an ID number: field name -> the number.

    A natural person's, whenever the value is one of either generation (:func:`person_id_code`); any subject's,
    when it is one of the ID numbers the record withholds or masks, in either generation's form (a 个体工商户's
    税务登记号 is its operator's ID number, which a 15-digit 工商注册号 resembles: only the record's own tells them
    apart)."""
    found = {}
    own: set[str] | None = None
    for name in plan.codes:
        value = record.get(name)
        if isinstance(value, str) and (number := person_id_code(value)):
            if own is None and not natural:  # read only for a code that is an ID number's shape (a 15-digit 工商注册号)
                own = {form for secret, _withheld in plan.secret if isinstance(held := record.get(secret), str)
                       for form in id_forms(canonical(held))}
            if natural or own is not None and number in own:
                found[name] = number
    return found


def _own_secrets(record: Record, item: CatalogItem, natural: bool, allowed: frozenset[str] = frozenset(),
                 ids: dict[str, str] | None = None) -> dict[str, str]:
    """Raw values of this record that must not appear in its other fields, with what replaces them.

    A withheld value is replaced with as many asterisks (the legal representative's ID number is never published,
    not even masked), a masked one with its masked form. An 18-character ID number (its check character right or
    wrong) is looked for by its first 17 digits too, and in the other generation's form.

    ``allowed``: the record's public codes (a withheld value equal to one is not a secret); ``ids``: a natural
    person's ID numbers in code columns (:func:`_code_ids`).
    """
    found: dict[str, str] = {}
    for field_name, withheld in _plan(item).secret:
        value = record.get(field_name)
        if not isinstance(value, str) or len(code := canonical(value)) < MIN_SECRET or code in allowed:
            continue
        found[value] = "*" * len(code) if withheld else mask_id_number(code) if code.isalnum() else "*" * len(value)
        body = id_body(code) if len(code) == 18 else None
        number = with_check(body) if body is not None else code
        forms = id_forms(number)
        for form in (number, *forms[1:]) if forms else ():  # the other generation's form (15 digits for 18)
            found.setdefault(form, "*" * len(form) if withheld else mask_id_number(form))
        if body is not None:  # the 17 digits that decide the 18th, followed by any check character or none
            found.setdefault(body, "*" * 18 if withheld else body[:3] + "*" * 15)
    for field_name, number in (ids or {}).items():
        found[str(record.get(field_name))] = mask_id_number(number)
    name = record.get(roles(item).get("subject_name"))
    if natural and isinstance(name, str):
        for each in person_names(name):
            if len(each) >= 2:
                found[each] = mask_person_name(each)
    return found


LAPSED = "有效期届满"
"""What a lapsing state (:attr:`FieldSpec.lapses`: a licence's 当前状态) shows once its date has passed, where the
export still says it is in force, or says nothing."""
_IN_FORCE = re.compile(r"(?:当前|现行|正常|仍然|仍|持续)?(?:有效|生效|已生效|有效中|正常|正常有效|在有效期内|有效期内|在用|使用中|"
                       r"正常使用|存续|未过期|未到期|未失效|在期|在有效期|长期有效|永久有效|长期|永久|valid|active|normal|effective"
                       r"|是|1(?:\.0+)?|y|yes|true)?")
"""What an export writes of a licence still in force (without white space or brackets, NFKC, simplified, lower case):
有效, 生效, 当前有效, 未过期, 在有效期内 …, a yes or a flag (是, ``1``, ``Y``, ``yes``, ``true``, in any case and
full-width: a 当前状态 exported as a 是否有效 flag), or nothing. 长期有效 and 永久有效 too: beside a 有效期至 that has
passed they contradict the date, and the dated field governs (a licence granted for a term ends with it; one truly
without a term has no 有效期至, or a system's "no date", which :func:`lapsed` reads as none)."""
_BRACKETS = re.compile(r"[(\[【][^)\]】]*[)\]】]")


def lapse_date(item: CatalogItem, spec: FieldSpec, value: Callable[[str], Value]) -> dt.date | None:
    """The date on which ``spec``, a lapsing state (:attr:`FieldSpec.lapses`: a licence's 当前状态), lapses, of a record
    whose parsed fields ``value`` gives by name: its 有效期至; ``None`` where there is none (blank, or a placeholder the
    validator reads as none: 长期, 永久, ``NULL``, ``9999-12-31``) or it comes before the day the record is in force
    from (its decision date, its 有效期自: a system's "no date", 1900-01-01 or 1970-01-01). :func:`lapsed` shows the
    state by it, and a licence's own state saying it lapsed is judged by it
    (:func:`~site_builder.sources.licencestate.disagreement`)."""
    until = value(spec.lapses) if spec.lapses else None
    since = [d for d in (value(name) for name in _plan(item).since) if isinstance(d, dt.date)]
    return until if isinstance(until, dt.date) and not (since and until < min(since)) else None


def lapsed(text: str, until: dt.date | None, as_of: dt.date) -> str:
    """``text``, a state shown of a record, as the public should read it on ``as_of``: :data:`LAPSED` if the record's
    ``until`` (its 有效期至 as :func:`lapse_date` reads it; ``None``: none) has passed and ``text`` says it is in force
    or nothing (:data:`_IN_FORCE`; a bracket after it saying so too left out: ``有效（正常）``); else ``text`` as it is
    (``有效（已延续至2029-06-30）`` says more).

    An expired licence is exported with 当前状态 有效 as often as not (the platform writes the state when it records
    the licence); shown so, it tells the public that a licence expired years ago is valid.
    """
    if until is None or not as_of > until:  # as_of first: a TracingDate notes the day it flips
        return text
    said = state_said(text)
    notes = [note[1:-1] for note in _BRACKETS.findall(said)]
    if not all(_IN_FORCE.fullmatch(note) for note in notes):
        return text  # 有效（已延续至2029-06-30）, 正常（变更后继续有效）: the bracket says more than the state
    return LAPSED if _IN_FORCE.fullmatch(_BRACKETS.sub("", said)) else text


def in_force(text: str) -> bool:
    """Whether ``text``, a licence's or a registration's own state (当前状态, 登记状态), says it is in force: :data:`_IN_FORCE`
    (有效, 正常, 生效, 长期有效, 存续; not nothing) or a registration's :data:`_ACTIVE` (在营, 开业, 在册), with a bracket
    saying so too (``有效（正常）``, ``存续（在营、开业、在册）``, the national publicity system's words)."""
    said = state_said(text)
    parts = [p for note in _BRACKETS.findall(said) for p in _NOTE_PARTS.split(note[1:-1]) if p]
    bare = _BRACKETS.sub("", said)
    return bool(bare) and all(_IN_FORCE.fullmatch(p) or _ACTIVE.fullmatch(p) for p in [bare, *parts])


def state_said(text: str) -> str:
    """A state as it is read (:data:`_IN_FORCE` here, a licence's end in
    :func:`~site_builder.sources.licencestate.licence_ended`): NFKC, simplified, lower case, without white space,
    invisible characters (a zero-width space), marks (``有效✓``) or a full stop after it."""
    said = "".join(c for c in unicodedata.normalize("NFKC", text) if unicodedata.category(c) not in ("Cf", "So"))
    return simplified("".join(said.split())).lower().rstrip("。.;；,，")


_ACTIVE = re.compile(r"(?:存续|在营|开业|在业|正常在业|在册|营业|正常营业|正常经营|经营|确立|成立|登记成立)(?:中)?")
"""What the national enterprise credit publicity system writes of a registration in force (存续（在营、开业、在册）)."""
_NOTE_PARTS = re.compile(r"[、,，;；/]+")


def _display(spec: FieldSpec, value: Value) -> str:
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
        return mask_id_number(canonical(value))
    return value
