"""Which subjects are on a serious-dishonesty list (严重失信主体名单) on the as-of date.

Some regions keep adverse information public for as long as its subject stays listed (浙江省公共
信用信息管理条例第十六条; period option ``extend_while_listed``), and some do not withdraw a
repaired record while it is (第三十二条第二款; repair option ``not_while_listed``). Whether a subject is listed is itself
a disclosure decision, so it is computed by a first, separate pass over the list's rows, and the
resulting set is passed into :func:`site_builder.disclosure.decide` for every other record, which
keeps the decision a pure function of its inputs.
"""

from __future__ import annotations

from datetime import date

from site_builder.rules.catalogue import Catalogue
from site_builder.rules.periods import LIST_ITEM
from site_builder.rules.pipeline import process
from site_builder.rules.profiles import Policy
from site_builder.rules.validation import Record
from site_builder.sources.loading import SourceFile


def needs_listing(catalogue: Catalogue, policy: Policy) -> bool:
    """Whether some item's period (any version, the profile's or the catalogue's) extends while the
    subject is listed, or the profile suspends credit repair while it is (Zhejiang art. 32 ¶2)."""
    return policy.repair_not_while_listed or any(
        policy.rule(item.id, item.period).extend_while_listed for item in catalogue.items)


def listed_subjects(catalogue: Catalogue, policy: Policy, sources: list[SourceFile], as_of: date) -> frozenset[str]:
    """统一社会信用代码 of the subjects with a list entry published on ``as_of`` under ``policy``.

    Empty when no period depends on it (the list's files are then not read twice) or when the
    catalogue has no list item. A list entry that is quarantined, excluded, removed or expired
    does not count: the subject is listed only as far as the portal says so that day. The
    ``sources`` are not changed.
    """
    if LIST_ITEM not in catalogue.ids or not needs_listing(catalogue, policy):
        return frozenset()
    uscc = catalogue[LIST_ITEM].role("uscc")
    # Fresh copies: reading a file records its rows and warnings on the SourceFile, which the
    # main pass must count once.
    copies = [SourceFile(s.item, s.path, s.name) for s in sources if s.item == LIST_ITEM]
    codes = set()
    for row in process(catalogue, policy, copies, as_of, only_item=LIST_ITEM):
        if isinstance(row.checked, Record) and row.decision is not None and row.decision.published:
            code = row.checked.get(uscc)
            if code:
                codes.add(str(code))
    return frozenset(codes)
