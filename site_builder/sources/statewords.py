"""How a cell of a column stating a record's state is read (名单状态, 数据状态, 是否移出, 删除标志, 移出原因): whether it
says the record stands, is gone (revoked, removed, deleted, repaired, taken off publication), or cannot be read.

:func:`watched_columns` finds the columns of a heading row that may state a record's own state without a catalogue
field for it; :func:`state_defects` reads a row's cells there, in words (simplified or traditional, in the many ways
platforms write them), by the heading's legend (``状态（0正常1撤销）``) or by the site's ``[states]`` table
(:mod:`site_builder.sources.states`), and gives each cell that withholds the row a defect the loader quarantines it
with. A yes-or-no question (是否移出, 是否有效) is read by its answers (:func:`answer_of`).
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from types import MappingProxyType

from site_builder.rules.catalogue import CatalogItem, FieldSpec, normalise_title
from site_builder.rules.hanzi import simplified
from site_builder.sources.mapping import (
    REASON_GONE,
    RECORD_STATE,
    RECORD_STATE_HEADINGS,
    YES_NO_GONE,
    YES_NO_KEPT,
    digit_code,
    stated_columns,
    without_legend,
)
from site_builder.sources.states import declared_columns, state_hint, told_defects


def _whole_state(words: str, after: str, ends: bool = True) -> re.Pattern[str]:
    """A whole state made of one of ``words`` (``|``-separated), with an optional 已/被 or 依法 before it and one of
    ``after`` after it, punctuation and white space around, and a reason in brackets after it (``已撤销（弄虚作假）``);
    with ``ends``, or one of :data:`_TAKEN_DOWN`, :data:`_EXPIRED` and :data:`_REPAIRED`. Either may follow what says
    when or why (:data:`_WHEN`: ``到期移出``, ``自动下线``, ``到期已下线``, ``信用修复下线``)."""
    more = f"|{_TAKEN_DOWN}|{_EXPIRED}|{_REPAIRED}" if ends else ""
    state = rf"(?:依法|依职权)?(?:(?:{_WHEN})+(?:已经|已|业已)?(?:{words}{more})|(?:{words}{more}))(?:{after})?[\s\W_]*"
    return re.compile(rf"[\s\W_]*(?:(?:已经|已|被|已被|业已){state}{_BECAUSE_DONE}|{state}{_BECAUSE})")


_PROCESS = r"中[)）】\]]|待(?:审|批|复核|确认)"
"""Words in brackets after a state not said done (no 已 or 被) that say it is under way (``移出（申请中）``,
``撤销（待审核）``): the state is not read as reached. Any other bracket is read past: one naming how or why
(``移出（经审核）``, ``撤销（申请人弄虚作假）``), and one that cannot be read either way (``移出（撤回）``, ``移出（未通过）``,
``撤销（复审未通过）``: a removal refused, or a revocation because a review failed), which withholds the row, named for
the operator."""
_BECAUSE = rf"(?:[(（【\[](?![^)）】\]]*(?:{_PROCESS}))[^)）】\]]{{0,40}}[)）】\]][\s\W_]*)?"
"""A reason in brackets after a state not said done (``撤销（弄虚作假）``, ``移出（期满）``); not one of a process
(:data:`_PROCESS`)."""
_BECAUSE_DONE = r"(?:[(（【\[][^)）】\]]{0,40}[)）】\]][\s\W_]*)?"
"""Anything in brackets after a state said done (``已撤销（弄虚作假）``, ``已移出（经审核）``, ``被撤销（复议中）``,
``已移出（撤回）``): the state is said, and whether a bracket undoes it cannot be known; the row is withheld with the
column and value named, for the operator to resolve."""


_WHEN = ("到期|期满|届满|自动|主动|提前|依申请|经审核|再审|裁定|二审|终审|(?:因|经)?(?:信用)?修复(?:完成)?后?"
         "|(?:撤销|撤回|处理|核实)异议后|审核(?:通过)?后")
"""What may stand before the word of a whole state: 到期移出, 自动移出, 期满自动解除, 提前移出, 依申请屏蔽, 再审撤销,
裁定撤销, 信用修复移出 (removed on repair), 撤销异议后移出 (removed once an objection was withdrawn). Not 申请
alone: 申请移出, 申请撤销 are applications under review, the record standing meanwhile."""
_TAKEN_DOWN = ("停止公示|不再公示|终止公示|结束公示|公示结束|公示已结束|公示终止|中止公示|暂停公示|撤下|下线|下架|不予公示|不公示"
               "|暂不公示|不予公开|不再公开|停止公开")
"""Whole states saying that a record was taken off publication (停止公示, 已撤下, 已下线, 下架, 不予公示, 暂不公示):
only a removal date decides beside them (a 公示截止期 is when it would have ended)."""
_EXPIRED = ("过期|已(?:到期|期满|届满)|(?:已?过|超过|超出)(?:有效期|公示期|公示期限)"
            "|(?:有效期|公示期|公示期限)(?:已满|已过|届满|期满|满|结束|已结束|到期|已到期)")
"""Whole states saying that a record's period is over (已过期, 已到期, 有效期已满, 已过公示期); not 到期 or 期满 alone,
which may say so of something else (a suspension's term)."""
_REPAIRED = "(?:已经?|业已)(?:信用)?修复|(?:信用)?修复(?:完成|成功|已完成)"
"""Whole states saying that a record was repaired (已修复, 信用修复完成); not 修复 or 信用修复 alone, which may name the
process, nor 申请修复."""
_EXPIRED_ONLY = re.compile(rf"[\s\W_]*(?:已经|已|业已)?(?:{_EXPIRED})[\s\W_]*")
"""A whole state of :data:`_EXPIRED` alone: beside the row's date its period ends (有效期至, 公示截止期) or its record
leaves (移出日期), the date decides."""
_REPAIRED_ONLY = re.compile(rf"[\s\W_]*(?:{_REPAIRED})[\s\W_]*")
"""A whole state of :data:`_REPAIRED` alone: beside the row's 信用修复日期, the date decides."""


_NOT_IN_FORCE = _whole_state("撤销|撤消|撤回|撤除|撤下|作废|无效|失效|废止", "处罚|决定|处罚决定|行政处罚", ends=False)
"""A whole state saying that a record is no longer in force (撤销, 已撤回, 被撤销处罚决定, 无效, 作废), besides the values
of the field itself (the 当前状态 values 撤销 and 异议 in every spelling the catalogue knows): in a column that may
state the record's own state (:func:`~site_builder.sources.mapping.stated_columns`), its row is refused. A state that
only holds such a word (``未撤销``, ``无异议``, ``异议不成立``, ``撤回推送``, ``当事人撤回诉讼``) says something else."""


def watched_columns(warnings: list[str], item: CatalogItem, header: list[str], columns: dict[int, str],
                    where: str = "", whole: str = "文件") -> tuple[tuple[int, str, FieldSpec], ...]:
    """The columns that may state the record's own state (:func:`~site_builder.sources.mapping.stated_columns`, and
    those the site's ``[states]`` names: :func:`~site_builder.sources.states.declared_columns`), each
    with a warning saying that rows whose state reads as the field's would withhold them are quarantined
    (:func:`state_defects`), the others read without it."""
    from site_builder.sources.licencestate import OWN_STATE, codes_withheld  # it imports this module

    found = tuple(stated_columns(item, header, columns))
    found += declared_columns(item, header, columns, found)  # the site's [states] names their headings
    read_as_field = {position for position, _, spec in found if spec is not RECORD_STATE}
    yes_no = {p for p, h, s in found if s is RECORD_STATE and any(heading_kind(h)[1:3])}
    beside = states_record(item)
    for position, heading, spec in found:
        if spec is RECORD_STATE and position in read_as_field:
            continue  # read both ways (有效状态 of a penalty file without 当前状态); the field's warning says it
        title, gone_asked, kept_asked, _, own, legend = heading_kind(heading)
        coded = (not legend and position not in yes_no and not (spec is RECORD_STATE and (beside or item.nature == "basic"))
                 and (own or title.endswith(("状态", "情况")) and (gone_asked or kept_asked)))
        codes = (f"取值为数字代码（如“0”“1”）的行也将隔离：列名没有写明代码的含义，而各平台的状态代码不同；请在导出中写明状态"
                 f"（如“正常”“撤销”“已移出”），或在列名后写明代码的含义（如“{title}（1有效 0无效）”）{state_hint(item, title)}"
                 + ("" if spec is RECORD_STATE else f"，或在 [columns.{item.id}] 中把该列对应到“{spec.title}”")
                 + "。其他文字取值" if coded else "其他取值")
        if spec is OWN_STATE:
            warnings.append(f"{where + '：' if where else ''}列“{heading}”（第{position + 1}列）不读取，{item.title}的状态以目录列为准"
                            "；但取值表示已注销、吊销或撤销，而目录列的状态表示有效、存续的行将隔离（二者不一致，不知以何为准）"
                            + codes_withheld(item, heading))
            continue
        if spec is RECORD_STATE:
            warnings.append(f"{where + '：' if where else ''}列“{heading}”（第{position + 1}列）不读取，但可能说明记录自身的状态，"
                            f"而{item.title}没有与之对应的目录列：取值表示已撤销、已移出、已删除、已屏蔽、已无效或有异议等的行将隔离，"
                            f"{codes}（如“正常”“有效”“已推送”）不影响公示。已撤销、已删除或已移出的记录请不要导出（移出请写明移出日期）；"
                            "若该列说明的不是记录的状态，可在导出中删去该列或改用其他列名")
            continue
        values = "、".join((spec.values or {}).values())
        warnings.append(f"{where + '：' if where else ''}列“{heading}”（第{position + 1}列）不读取，但可能说明记录自身的状态"
                        f"（目录列“{spec.title}”，{spec.name}），而本{whole}没有该列：取值为撤销、异议、无效等（{spec.title}"
                        f"不予公示的取值，如“撤销”“已撤销”“异议处理中”“作废”）的行将隔离，{codes}（如“未撤销”“无异议”“已推送”）"
                        f"不影响公示。若该列就是{spec.title}（取值为{values}），请在 site_builder.toml 中写明 [columns.{item.id}] "
                        f"\"{heading}\" = \"{spec.name}\"；若不是，可在导出中删去该列或改用其他列名")
    return found


def ends_given(item: CatalogItem, values: Mapping[str, str]) -> frozenset[str]:
    """Which dates a row's values (by field) give: ``removed`` (the record leaves: 移出日期, an honour's 撤销日期),
    ``ended`` (its publication ends: 有效期至, 公示截止期), ``repaired`` (信用修复日期)."""
    period = item.period.at()
    repaired = tuple(f.name for f in item.fields if f.role == "repair_date")

    def given(names: tuple[str, ...]) -> bool:
        return any(str(values.get(name) or "").strip() for name in names)
    return frozenset(kind for kind, names in (("removed", period.removed_on), ("ended", period.ends_at),
                                              ("repaired", repaired)) if given(names))


def states_record(item: CatalogItem) -> bool:
    """Whether ``item`` has a field of the record's own state (role ``decision_status``: a penalty's 当前状态), worked
    out once per file or table (the ``beside`` of :func:`state_defects`), not once per row."""
    return any(f.role == "decision_status" for f in item.fields)


def state_defects(item: CatalogItem, watched: tuple[tuple[int, str, FieldSpec], ...],
                  cells: Mapping[int, object], dated: frozenset[str] = frozenset(),
                  beside: bool | None = None, values: Mapping[str, object] | None = None,
                  ) -> tuple[tuple[str, str, str], ...]:
    """A defect for each column of ``watched`` whose cell (``cells``: a row's cells by position) reads, in words, as
    a value of the field that withholds a record (any but its first, 正常: 撤销, 异议 in every spelling the catalogue
    knows, simplified or traditional), or is a whole state of a record no longer in force (:data:`_NOT_IN_FORCE`): the
    record's state cannot be decided on until the column is mapped to the field. Codes (``1``, ``2``) are not read under
    a platform's own state (推送状态, 案件状态), which numbers its states otherwise; under a heading naming the record's
    own state (数据状态, 记录状态, 有效状态, 撤销状态, 名单状态) a code is read by the heading's legend, and without one
    withholds the row (:func:`_state_words`). A cell whose parts disagree (正常（已移出）) withholds it too. A column
    asking whether a record is gone or stands
    (:data:`~site_builder.sources.mapping.YES_NO_GONE`: 是否撤销, 撤销标志; :data:`~site_builder.sources.mapping.YES_NO_KEPT`:
    是否有效) reads the answers 是 and 否; one asking it as a question (是否…, 有无…) ``Y``, ``N``, ``1`` and ``0`` too. A
    code it cannot read (``2`` under 是否已移出, ``1`` under 移出状态 or 删除标志) withholds the row.

    ``dated`` (:func:`ends_given`): the dates the row gives. Beside a removal date (移出日期, 撤销日期) a state of
    :data:`~site_builder.sources.mapping.RECORD_STATE` saying the record is gone says what that date says, and the
    date decides; so does a state saying its period is over (:data:`_EXPIRED_ONLY`) beside the date it ends or the
    record leaves, and one saying it was repaired (:data:`_REPAIRED_ONLY`) beside its 信用修复日期. A 有效期至 is when
    the record would end: beside it, 已移出 or 是否撤销 是 still withholds the row.

    Of basic information (a licence, a registration), a cell saying the licence or registration was cancelled or
    revoked (:data:`~site_builder.sources.licencestate.CANCELLED`: 许可证已注销, 已吊销) says its own state, which is
    shown, not that the record was deleted: under 删除情况 or 是否删除 it does not withhold the row (已删除 does), unless
    the row's own state field (``values``: the row's fields) shows the licence or registration in force (当前状态 有效,
    登记状态 存续): which of the two holds is not known, and a cancelled licence must not be shown as valid
    (:func:`~site_builder.sources.licencestate.disagreement`, asked of every cell that may say so). Under a second
    column of its own state (:data:`~site_builder.sources.licencestate.OWN_STATE`: 许可状态, 企业状态) a code that cannot
    be read (2 without a legend, whatever its value) withholds such a row too; a licence's 数据状态 code does not (it
    would say the data record deleted, not the licence ended). The site's ``[states]`` saying such a cell stands says the data record
    stands, not which of the two states holds: the cell is still asked of, as the licence's own state under a second
    column of it (its words, legend, question, lapse), a code the heading's own table names being read by the table.

    ``beside``: whether the item has a field of the record's state (:func:`states_record`), which the caller works out
    once per file (:attr:`Layout.beside`); worked out here if not given."""
    from site_builder.rules.validation import enum_code, means_none
    from site_builder.sources.licencestate import CANCELLED, OWN_STATE, disagreement  # it imports this module

    if beside is None:
        beside = states_record(item)
    basic = item.nature == "basic"
    defects: list[tuple[str, str, str]] = []
    refused: set[int] = set()
    yes_no = {p for p, h, s in watched if s is RECORD_STATE and any(heading_kind(h)[1:3])}
    as_field = {p for p, _, s in watched if s is not RECORD_STATE and s is not OWN_STATE}  # 状态 of a penalty file without 当前状态
    for position, heading, spec in watched:
        if position in refused:
            continue  # a column read both as a yes-or-no and as the field: one defect is enough
        value = cells.get(position)
        text = "" if value is None else str(value).strip()
        if not text:
            continue
        # the site's [states] (never for a column that may be a catalogue field, nor for a code the heading's legend names)
        if (item.states is not None and position not in as_field and not _legend_names(text, heading) and (told := told_defects(
                item, position, heading, text, "removed" in dated and spec is RECORD_STATE)) is not None):
            refused.update([position] if told else [])
            defects.extend(told)
            # the table says the data record stands, not which of two states holds: a licence's own state is still read
            # by its words, legend and question (是否吊销 是), a code its heading's own table names no longer unread
            if not told and basic and (found := disagreement(item, values, heading, position, text, own=spec is OWN_STATE,
                                                             read=item.states.reads_for(heading, text))):
                refused.add(position)
                defects.append(found)
            continue  # the site's [states] says what the value means
        if spec is OWN_STATE:  # 许可状态 beside 当前状态: read only where the two disagree
            if found := disagreement(item, values, heading, position, text, own=True):
                refused.add(position)
                defects.append(found)
            continue
        said = simplified(unicodedata.normalize("NFKC", text))
        if ("removed" in dated and spec is RECORD_STATE or dated & {"removed", "ended"} and _EXPIRED_ONLY.fullmatch(said)
                or "repaired" in dated and (_REPAIRED_ONLY.fullmatch(said) or _REPAIR_SAID.fullmatch(said))):
            continue  # the row's date of removal, end or repair decides
        title, gone_asked, kept_asked, reason, own, legend = heading_kind(heading)
        deletion = basic and ("删" in title or "del" in title.casefold())
        if basic and CANCELLED.fullmatch(said) and not (deletion and _DELETED_BARE.fullmatch(said)):
            if found := disagreement(item, values, heading, position, text, said):
                refused.add(position)
                defects.append(found)  # 当前状态 有效 beside 许可证已注销: which holds?
            continue  # 删除情况 许可证已注销: the licence's own state, shown as such, not the record deleted
        if basic and spec is RECORD_STATE and not reason and _data_gone(said, coded=deletion):
            verdict: bool | str = True  # 数据状态 已删除, 作废, 无效, 数据已注销, 已注销（删除）; 删除标志 注销
            refused.add(position)
            defects.append((heading, "unmapped-column", (
                f"列“{heading}”（第{position + 1}列）的取值“{text[:40]}”表示记录已删除、已作废或已无效，而{item.title}"
                "没有与之对应的目录列：本行不公示；已删除的记录请不要导出")))
            continue
        if basic and (found := disagreement(item, values, heading, position, text, said)):
            refused.add(position)
            defects.append(found)  # 吊销，未注销, 许可证已撤销, 暂扣许可证 beside 当前状态 有效
            continue
        asked = spec is RECORD_STATE and (gone_asked or kept_asked)
        lifted = (spec is RECORD_STATE and item.nature == "adverse" and not reason
                  and any(_LIFTED.fullmatch(c) for c in _CLAUSES.split(said) if c))  # 已解除限制: a list's measure ended
        answer = _answer(said, title) if asked else None
        if answer is None and (said.casefold() in _NULL or means_none(said)):
            continue  # a placeholder (/, -, N/A, NULL, 无): nothing said
        if spec is RECORD_STATE and reason:
            # 移出原因, 撤销文号: a reason or a document of a removal, unless it says the decision stands (复议维持)
            verdict = not (_NOTHING_SAID.fullmatch(said) or _UPHELD.fullmatch(said))
        elif lifted:
            verdict = True
        elif asked:
            verdict = asked_verdict(said, title, gone_asked, legend)
        else:
            stated = position not in yes_no and (own or title.endswith(("状态", "情况")) and (gone_asked or kept_asked))
            words, why = _state_words(said, legend) if stated else (said, None)
            if why == AMBIGUOUS_CODE and spec is RECORD_STATE and (beside or basic):
                # 数据状态 1 beside a penalty's 当前状态, no legend: the 当前状态 says its state; a licence's: its words
                # are read (已删除), its codes not (withholding every licence of a platform that numbers its states
                # would hide what must be public, where a code misread shows a licence deleted)
                continue
            if why is None and basic and spec is RECORD_STATE and words != said and _data_gone(words, coded=True):
                verdict = True  # 数据状态（0正常1注销） 1: the legend's word for the data record
            elif why is not None:
                verdict = why  # 有效状态 0 without a legend: 无效, or 正常 as the 当前状态 codes it? Not known
            elif stated and spec is RECORD_STATE and any(_OBJECTION.fullmatch(p) for p in _PARTS.split(words) if p):
                verdict = OBJECTION  # 名单状态 异议处理中, or 2 under 状态（…2异议…）
            elif basic and spec is RECORD_STATE and not asked:
                if found := disagreement(item, values, heading, position, text, words):
                    refused.add(position)
                    defects.append(found)  # 数据状态 撤销 beside 当前状态 有效
                continue  # a licence's 数据状态 已过期, 撤销, 暂停, 下线: the licence's own state, not the record gone
            elif stated and _REVERSED_WHOLE.fullmatch(words):
                continue  # 信用修复已撤销, 下线已撤销, 移出已撤销: the record stands as before
            elif words.isascii() and not (stated and _state_of(words)):
                continue  # a platform's own code (推送状态 1), or a word saying nothing known
            else:
                code = enum_code(spec, text if words == said else words) if spec.values else None
                gone = _GONE if spec is RECORD_STATE else _OWN_NOT_IN_FORCE if own else _NOT_IN_FORCE
                if (code is not None and code != next(iter(spec.values or {}), None)
                        or gone.fullmatch(words) is not None or own and _taken_off(words, beside, item.nature == "adverse")
                        or own and _NOT_PUBLIC.fullmatch(words) is not None
                        or own and _WITHDRAWN_OBJECT.fullmatch(words) is not None):
                    verdict = True
                elif _parts_disagree(words):
                    verdict = CONTRADICTORY  # 正常（已移出）, 有效，已撤销
                else:  # 已于2025年6月1日移出, 到期已移出, 荣誉已被撤销, 已撤销异议，移出; a code's word (2-删除)
                    verdict = stated and (_done_said(said) or (words != said or words.isascii()) and _removal_said(words))
        if verdict is not False:
            refused.add(position)
        if isinstance(verdict, str):
            defects.append((heading, "unmapped-column", (
                f"列“{heading}”（第{position + 1}列）的取值“{text[:40]}”{_UNREAD[verdict]}，无法判断记录是否已撤销、已删除或"
                f"已移出：本行不公示；{_UNREAD_HOW[verdict]}")))
        elif verdict:
            defects.append((heading, "unmapped-column", (
                f"列“{heading}”（第{position + 1}列）的取值“{text[:40]}”表示记录已撤销、已移出、已删除、已过期或已无效，而{item.title}"
                "没有与之对应的目录列：本行不公示；已撤销、已删除或已移出的记录请不要导出（移出请写明移出日期）"
                if spec is RECORD_STATE else
                f"列“{heading}”（第{position + 1}列）的取值“{text[:40]}”表示记录已撤销、有异议、已过期或已无效，"
                f"而该列未对应目录列“{spec.title}”（{spec.name}，决定是否公示）：在确认之前本行不公示；若该列"
                f"就是{spec.title}，请在 [columns.{item.id}] 中写明")))
    return tuple(defects)


_OWN_NOT_IN_FORCE = _whole_state("撤销|撤消|撤回|撤除|撤下|作废|无效|失效|废止|删除|屏蔽", "处罚|决定|处罚决定|行政处罚")
"""A whole state of :data:`_NOT_IN_FORCE`, or saying the record was deleted, hidden, taken down, is past its period or
was repaired (已删除, 已屏蔽, 停止公示, 已过期, 已修复): in a column whose heading names the record's own state
(:data:`~site_builder.sources.mapping.RECORD_STATE_HEADINGS`: 状态, 当前状态, 数据状态); in another (许可证状态,
履行状态) 已过期 or 已到期 is said of something else."""


_DELETED_BARE = re.compile(r"[\s\W_]*(?:已经|已|被|已被|业已)?注销[\s\W_]*")
"""A bare 注销 (已注销): under a licence's deletion column (删除标志, 删除状态, 是否删除) the record deleted, not the licence
cancelled (许可证已注销, 已吊销 name the licence: its own state)."""
_DATA_GONE = re.compile(r"删除|删|作废|无效|屏蔽|草稿|暂存|未发布|未公示|未公开|未上线|归档|停用|禁用"
                        r"|(?:数据|记录|信息)(?:已经|已|被|已被|业已)?(?:注销|撤销|撤回|失效)")
"""Words saying the data record itself is gone or not public (已删除, 作废, 无效, 已屏蔽, 草稿, 已停用, 数据已注销, 记录已撤销):
under a licence's or a registration's 数据状态, 记录状态, 信息状态 or deletion column only these withhold; the licence's
own states (已过期, 失效, 撤销, 暂停, 废止, 下线, 注销 alone) are shown, not read as the record gone."""
_DATA_KEPT = re.compile(r"[\s\W_]*(?:非|未|不|无|没有|尚未|并未|未曾)(?:被|经)?(?:删除|删|作废|屏蔽|注销|停用|禁用|归档|失效|无效)"
                        r"(?:数据|记录)?[\s\W_]*")
"""A data record's deletion negated (非删除, 未作废, 不屏蔽): it stands (CI found 非删除 withheld since this stop)."""
_DATA_GONE_WORDS = frozenset({"deleted", "delete", "removed", "invalid", "inactive", "disabled", "disable", "draft",
                              "archived"})


def _data_gone(said: str, coded: bool = False) -> bool:
    """Whether a cell under a licence's (a registration's) data state says the data record is gone (:data:`_DATA_GONE`)
    in one of its parts not itself standing (未删除, 未作废); with ``coded`` (a legend's word, a deletion column), 注销 and
    已注销 too."""
    for part in (p for p in _PARTS.split(said) if p):
        if _state_of(part) is False or _DATA_KEPT.fullmatch(part):
            continue
        if (_DATA_GONE.search(part) or part.casefold() in _DATA_GONE_WORDS
                or coded and _DELETED_BARE.fullmatch(part)):
            return True
    return False


_REPAIR_SAID = re.compile(r"[\s\W_]*(?:已经?|业已|因|经)?(?:信用)?修复(?:完成|成功|已完成)?(?:后?移出)?[\s\W_]*")
"""Credit repair said as a record's state (信用修复, 修复, 已修复, 信用修复移出), whole or as a part of a cell
(``是（信用修复）``): under a heading naming the record's own state (名单状态, 状态, 数据状态) the record was repaired, and
a repaired record is no longer published (令36号 art. 3: 终止公示). Not an application or a process (申请修复,
修复申请中, 信用修复中, 信用修复未通过). Beside the row's 信用修复日期 the date decides."""
_OFF_PUBLICATION = _whole_state("撤回|注销", "处罚|决定|处罚决定|行政处罚|公示", ends=False)
"""A penalty's own state (状态, 数据状态, 公示状态 beside its 当前状态) saying the record was withdrawn (撤回, 已撤回) or
cancelled (注销, 已注销): taken off publication. Only there: 撤回 under a platform's own state (推送状态) or a judgment's
(an appeal withdrawn), 注销 under a subject's or a licence's state (许可证已注销), say something else."""


def _taken_off(words: str, beside: bool, adverse: bool) -> bool:
    """Whether the words of a cell under a heading naming the record's own state say it was taken off publication in
    words :data:`_GONE` and :data:`_OWN_NOT_IN_FORCE` do not read: repaired (:data:`_REPAIR_SAID`, of adverse
    information: a penalty, a list entry, a judgment), or, for an item with a field of the record's state (``beside``:
    a penalty), withdrawn or cancelled (:data:`_OFF_PUBLICATION`)."""
    if beside and _OFF_PUBLICATION.fullmatch(words):
        return True
    if not adverse:
        return False
    parts = [part for part in _PARTS.split(words) if part]
    repaired = [part for part in parts if _REPAIR_SAID.fullmatch(part)]
    if any(_SAID_DONE.match(part) for part in repaired):
        return True  # 已修复（审核中）: said done with 已, whatever the bracket says (as 已移出（审核中）)
    return bool(repaired) and not any(_REPAIR_NOT_DONE.search(part) for part in parts if part not in repaired)


_SAID_DONE = re.compile(r"[\s\W_]*(?:已经|已被|业已|已|被)")
"""A state said done (已修复, 已经修复, 业已修复)."""


_NOT_PUBLIC = re.compile(rf"[\s\W_]*(?:已经|已|业已)?(?:未发布|未公示|未公开|不公开|非公开|不予公开|未上线|草稿|暂存)"
                         rf"[\s\W_]*{_BECAUSE_DONE}")
"""A whole cell saying the record is not public (未发布, 未公示, 草稿, 暂存, 不公开, 非公开), as a legend's word does
(:data:`_GONE_WORDS`): under a heading naming the record's own state (名单状态, 公示状态, 荣誉状态, 判决状态), withheld."""
_OBJECTS = "列入决定|列入|名单|认定决定|认定|荣誉称号|荣誉|称号|表彰决定|表彰|行政处罚决定|处罚决定|行政处罚|处罚|公示"
_WITHDRAWN_OBJECT = re.compile(rf"[\s\W_]*(?:(?:已经|已|被|已被|业已)?撤回(?:{_OBJECTS})|(?:{_OBJECTS})(?:已经|已|已被|被|业已)?撤回)"
                               rf"[\s\W_]*{_BECAUSE_DONE}")
"""The record itself withdrawn, naming it (撤回列入, 列入决定已撤回, 撤回荣誉, 荣誉已撤回, 处罚决定已撤回): under a heading
naming the record's own state, withheld, though 撤回 alone is not read so of a list entry or a judgment (an appeal
withdrawn)."""
_REPAIR_NOT_DONE = re.compile(r"撤销|撤消|取消|申请|审核中|审查中|审批中|核查中|核实中|办理中|处理中|进行中|待|受理"
                              r"|未通过|不通过|未获|未予|不予|驳回|未批准|不批准|不同意|退回|失败|撤回|中止|终止")
"""Beside the word of a repair (``信用修复（申请中）``, ``修复（待审核）``, ``信用修复（未通过）``, ``信用修复，不予受理``): the
repair applied for, under review, refused or revoked (``信用修复（撤销）``), not done; the record stands (as
``信用修复申请中`` does)."""


_GONE = _whole_state("(?:移出|移除|出列|退出|删除)(?:申请)?(?:审核|审批)?(?:已经?)?(?:通过|批准)"
                     "|撤销|撤消|作废|无效|失效|废止|移出|移除|屏蔽|解除|取消|删除|退出|撤出|出库|收回|摘牌|撤牌|降级|暂停"
                     r"|(?:撤销原判决?[，,、\s]*(?:并)?)?发回重审|撤销原判决?|(?:依法|部分)?改判|部分撤销|(?:复核|复审)(?:不|未)通过",
                     "名单|荣誉称号|荣誉|称号|表彰|列入|公示|资格")
"""A whole state of a list entry, an honour or a judgment saying it is gone (已移出, 已屏蔽, 被撤销荣誉, 已撤销, a removal
approved: 移出审核通过, 移出已通过), in a
column that states such a record's state (:data:`~site_builder.sources.mapping.RECORD_STATE`). Not 撤回 (an appeal
withdrawn leaves the judgment standing), not 撤销判决 (a kind of judgment)."""


@functools.lru_cache(maxsize=256)
def heading_kind(heading: str) -> tuple[str, bool, bool, bool, bool, Mapping[str, str]]:
    """What a watched column's heading asks, worked out once per heading rather than once per row: its normalised
    title, whether it asks if the record is gone (:data:`~site_builder.sources.mapping.YES_NO_GONE`) or stands
    (:data:`~site_builder.sources.mapping.YES_NO_KEPT`), whether it gives a removal's reason
    (:data:`~site_builder.sources.mapping.REASON_GONE`), whether it names the record's own state
    (:data:`~site_builder.sources.mapping.RECORD_STATE_HEADINGS`), and what the legend of its codes says
    (:func:`~site_builder.sources.mapping.without_legend`; read-only, shared by every row)."""
    title, legend = without_legend(normalise_title(heading))
    return (title, YES_NO_GONE.fullmatch(title) is not None, YES_NO_KEPT.fullmatch(title) is not None,
            REASON_GONE.fullmatch(title) is not None, title in RECORD_STATE_HEADINGS, MappingProxyType(dict(legend)))


UNREADABLE = "unreadable"
"""Why a cell cannot be read (:func:`asked_verdict`): a code no answer or legend reads (``2`` under 是否已移出)."""
CONTRADICTORY = "contradictory"
"""Why a cell cannot be read: its parts disagree (``否，已于6月1日移出``, ``正常（已移出）``, ``否（已删除）``)."""
AMBIGUOUS_CODE = "ambiguous-code"
"""Why a cell cannot be read: a bare code under a heading naming a record's state without a legend (:func:`_state_words`)."""
LEGEND_WORD = "legend-word"
"""Why a cell cannot be read: a code whose word in the heading's legend says neither that the record stands nor that
it is gone (``3`` under ``状态（0正常1撤销2异议3其他）``)."""
OBJECTION = "objection"
"""Why a cell withholds a record: under a state column it says an objection is pending (异议, 异议处理中, or a code the
legend reads so): publication is suspended while it is handled."""
OUTSIDE_LEGEND = "outside-legend"
"""Why a cell cannot be read: a code the heading's legend does not name (``2`` under ``数据状态（1有效0无效）``)."""
UNPAIRED = "unpaired"
"""Why a cell cannot be read: a code under a legend that cannot be paired (:data:`~site_builder.sources.mapping.UNREADABLE_LEGEND`)."""
_UNREAD = MappingProxyType({
    UNREADABLE: "无法读作“是”或“否”",
    CONTRADICTORY: "各部分说法不一（一部分说记录仍在、有效或未被撤销、删除、移出，另一部分说已撤销、已删除或已移出）",
    UNPAIRED: "是代码，而列名中的代码说明无法把代码与文字一一配对",
    AMBIGUOUS_CODE: "是代码，而列名没有写明代码的含义：各平台的状态代码不同（如有效状态的0多表示无效，当前状态的0却表示正常）",
    OUTSIDE_LEGEND: "是列名中的代码说明没有列出的代码",
    LEGEND_WORD: "是代码，而列名中的代码说明给出的含义既不是记录仍在（如“正常”“有效”“在列”），也不是已撤销、已删除或已移出",
    OBJECTION: "表示记录有异议、正在处理（异议处理期间不公示）",
})
"""What a quarantine message says of a cell that cannot be read, by why (:data:`UNREADABLE` …)."""
_UNREAD_HOW = MappingProxyType({
    UNREADABLE: "请在导出中写明“是”或“否”",
    CONTRADICTORY: "请核实该记录，在导出中只写一种说法（“是”或“否”，或一种状态）",
    UNPAIRED: "请在列名中写明每个代码的含义（如“（0否1是）”），或在导出中写明“是”或“否”",
    AMBIGUOUS_CODE: "请在导出中写明状态（如“正常”“撤销”“无效”），或在列名后写明代码的含义（如“有效状态（1有效 0无效）”），"
                    "或在 site_builder.toml 的 [states] 中写明该列代码的含义",
    OUTSIDE_LEGEND: "请在列名的代码说明中写明该代码的含义，或在导出中写明状态",
    LEGEND_WORD: "请在导出中写明状态（如“正常”“撤销”“已移出”），或在列名的代码说明中写明该代码表示的状态",
    OBJECTION: "异议处理完毕后，请在导出中写明处理结果（如“正常”“已撤销”“已移出”）",
})
"""What a quarantine message asks the operator to do, by why a cell cannot be read."""


def asked_verdict(said: str, title: str, gone_asked: bool, legend: Mapping[str, str]) -> bool | str:
    """Whether a yes-or-no column's cell (``said``: NFKC, simplified) says the record is gone (``True``) or stands
    (``False``), or why it cannot be read (:data:`UNREADABLE`, :data:`CONTRADICTORY`, :data:`UNPAIRED`).

    First the cell as a whole: an answer (:func:`_answer`, whatever brackets follow it: ``是（申请中）``), or a whole
    state saying the record is gone (:data:`_GONE`: ``已删除``, ``移出``, ``信用修复移出`` but not ``移出（申请中）``).
    Else, where the cell holds a code or an answer among other words (``1-是``, ``0:未删除``, ``1（已删除）``,
    ``0-无效``), it is read in its parts: each an answer (a digit the heading's legend names read as its word:
    ``是否删除（0否1是）``), a state saying the record is gone, or one saying it stands (:data:`_STANDING`). A code that no
    part reads cannot be read (``2`` under 是否已移出). Any other words say the record stands, as they did before the
    cell was read in parts: an application (``申请移出``), a process (``复议中``, ``再审中``), a state of its own
    (``已列入``, ``维持原判``); but a removal said done anywhere (``已于6月1日移出``, :data:`_DONE_GONE`) says it is gone.

    An answer or a state that stands, contradicted by what follows it in any bracket or after 、，,;； (``否，已于6月1日
    移出``, ``否（已删除）``, ``正常（已移出）``, ``未删除（2025-06-01已删除）``), cannot be read: which one holds is not
    known, and a record removed must not be published."""
    if (found := _BYTES.fullmatch(said)) is not None:
        said = found.group(1)  # b'0': a database's bit field, written as Python writes bytes
    said = _legend_word(said, legend, title)
    if not said:
        return UNPAIRED
    said = said.replace("\ufe0f", "").replace("\ufe0e", "")  # ☑️: an emoji's variation selector
    if any(_is_mark(c) for c in said) and said.casefold() not in _ANSWERS:
        form = _form_answer(said, title)
        if form is not None:
            return form if isinstance(form, str) else form if gone_asked else not form  # ☑是☐否, ●是, √否
        said = "".join(c for c in said if not _is_mark(c)).strip()  # ●已移出: the words, read as they are
    if _QUESTION_ONLY.fullmatch(said):
        return UNREADABLE  # 是否: the question itself, no answer
    if _ALREADY.fullmatch(said):
        return True if gone_asked else UNREADABLE  # 是否移出 已: removed already; 是否有效 已: not an answer
    whole = _answer(said, title)
    if whole is not None:
        gone = whole if gone_asked else not whole
        return CONTRADICTORY if not gone and _removal_said(said) else gone
    if _GONE.fullmatch(said) or said.casefold() in _GONE_WORDS:
        return True
    if gone_asked and _REMOVAL_ASKED.search(title) and _CAUSE_ALONE.fullmatch(said):
        return True  # 是否移出 信用修复, 到期: "removed?" answered by the removal's cause
    raw = [part for part in _PARTS.split(said) if part]
    if not any(part.isascii() or _answer(part, title) is not None for part in raw):  # before the legend: 1-已移出
        return CONTRADICTORY if _parts_disagree(said) else _done_said(said)
    verdicts = set()
    for word in (_legend_word(part, legend, title) for part in raw):
        answer = _answer(word, title)
        if answer is not None:
            verdicts.add(answer if gone_asked else not answer)
        elif word.isascii() and any(c.isdigit() for c in word):
            continue  # a code no answer reads (0 under 移出状态 may be 已移出): it says nothing known
        elif (state := _state_of(word, within=True)) is not None:
            verdicts.add(state)
    if _DONE_GONE.search(said):
        verdicts.add(True)  # 否，已于2025-06-01移出: split at its dashes, no part says it
    if verdicts:
        return verdicts.pop() if len(verdicts) == 1 else CONTRADICTORY
    return OUTSIDE_LEGEND if legend and _code_key(said, legend) is not None else UNREADABLE


def _state_words(said: str, legend: Mapping[str, str]) -> tuple[str, str | None]:
    """A cell under a heading naming a record's state (数据状态, 记录状态, 有效状态, 撤销状态, 名单状态), its codes read:
    ``(words, None)``, the words being the cell itself where it holds no code, the legend's word for a code the legend
    names (``数据状态（1有效0无效）`` ``0``: 无效; a removal in the legend's own words, ``2物理删除``, as 删除), or the cell's
    words without the codes beside them (``2-删除``: 删除); ``(said, why)`` for a code alone that cannot be read.

    A digit code under such a heading without a legend is never read (:data:`AMBIGUOUS_CODE`): platforms number a
    record's states each their own way, and the same digit says opposite things (有效状态 ``0`` is 无效 on most
    platforms, while the 2016 双公示 当前状态 codes 0 正常, 1 撤销; 状态 ``1`` may be 正常 or 撤销). Read as 正常, as it
    had been, a ``0`` published records no longer valid; read as 无效, it had withheld every normal penalty. No digit
    is taken as unambiguous here: a flag or a deletion state (删除状态, 删除标志), where 0 is "not", is read as a
    yes-or-no column (:func:`asked_verdict`), as is a validity state beside 当前状态 (有效状态 1 and 0). A code the legend does
    not name (:data:`OUTSIDE_LEGEND`), or any code under a legend that cannot be paired (:data:`UNPAIRED`), cannot be
    read either."""
    words, coded = [], False
    for part in (p for p in _PARTS.split(said) if p):
        key = _code_key(part, legend)
        coded = coded or key is not None
        if key is None:
            words.append(part)
        elif word := legend.get(key):
            if _state_of(word) is None and _GONE_VERB.search(word) and not _NEGATED.search(word):
                word = "删除"
            elif _state_of(word) is None and not _OBJECTION.fullmatch(word):
                return said, LEGEND_WORD  # 3 under 状态（…3其他）: neither standing nor gone
            words.append(word)
    if not coded:
        return said, None
    if words:
        return "，".join(dict.fromkeys(words)), None
    return said, UNPAIRED if ("", "") in legend.items() else OUTSIDE_LEGEND if legend else AMBIGUOUS_CODE


def _legend_names(text: str, heading: str) -> bool:
    """Whether the legend after ``heading`` (``名单状态（0在列1移出）``) names the code ``text`` is: the file then says what
    it means, and the site's ``[states]`` table does not read it (a table written for another export would otherwise
    turn this file's codes around without a word)."""
    legend = heading_kind(heading)[5]
    return bool(legend) and _code_key(simplified(unicodedata.normalize("NFKC", text)).strip(), legend) in legend


def _code_key(part: str, legend: Mapping[str, str]) -> str | None:
    """The code a part of a cell is, as a legend names it (``1``, ``01``, ``1.0``: ``1``; a letter the legend names), or
    ``None`` if it is none."""
    if (code := digit_code(part)) is not None:
        return code
    folded = part.casefold()
    return folded if len(folded) == 1 and folded.isascii() and folded in legend else None


def _removal_said(said: str) -> bool:
    """Whether a cell says anywhere that the record is gone: a removal said done (:data:`_DONE_GONE`), or a part of it
    (between brackets, 、，,;；, dashes) a state of a record gone (``否（删除）``)."""
    return _DONE_GONE.search(said) is not None or any(_state_of(p, within=True) for p in _PARTS.split(said) if p)


def _done_said(said: str) -> bool:
    """Whether a cell written in words says the record is gone in one of its clauses (between 、，,;；, brackets
    kept): a removal said done anywhere (:data:`_DONE_GONE`: ``已于2025年6月1日移出``, ``到期已移出``, ``荣誉已被撤销``), or
    a clause a whole state of a record gone (``已撤销异议，移出``). Not a removal under way in brackets
    (``移出（申请中）``), nor the removal of something else (``已撤销异议``), nor 已注销 (said of the subject: a company
    deregistered, its honour or listing standing as written)."""
    if REVERSED.search(said):
        return False
    return (any(not m.group().endswith("注销") for m in _DONE_GONE.finditer(said))
            or any(_GONE.fullmatch(c) for c in _CLAUSES.split(said) if c))


_CLAUSES = re.compile(r"[、,，;；]+")
"""What separates the clauses of a cell written in words (``列入期满，已移出``)."""
_OBJECTION = re.compile(r"[\s\W_]*(?:有|存在|已提出|提出|当事人)?异议(?:中|处理中|审核中|审查中|核查中|受理中|办理中|待处理|"
                        r"未处理|期间|申请中|处理)?[\s\W_]*")
"""A state saying an objection is pending (异议, 异议中, 异议处理中, 有异议), whole: not 无异议, 异议不成立, 已撤销异议."""
_LIFTED = re.compile(r"[\s\W_]*(?:已经|已|被|已被|业已)?(?:解除|撤销|撤消|取消|终止)(?:对其的?)?(?:限制消费|限制高消费|限制|失信|"
                     r"惩戒|联合惩戒|失信惩戒|信用惩戒)(?:措施)?[\s\W_]*")
"""A list entry's measure lifted (已解除限制, 解除限制消费, 已撤销限制, 已解除失信): the entry was removed."""
_REMOVAL_ASKED = re.compile(r"移出|移除|出列|退出")
"""A yes-or-no heading asking whether a record was removed from its list (是否移出, 移出标志)."""
_CAUSE_ALONE = re.compile(r"[\s\W_]*(?:(?:因|经)?(?:信用)?修复(?:完成|成功|已完成)?|(?:已经?|业已)(?:信用)?修复"
                          r"|(?:已|因)?(?:到期|期满|届满|过期))[\s\W_]*")
"""The cause of a removal alone (信用修复, 已修复, 因信用修复, 到期, 期满): as the answer to "removed?", it says removed."""


def _parts_disagree(said: str) -> bool:
    """Whether a cell's parts say at once that the record stands (``正常``, ``在列``, ``未移出``) and that it is gone
    (``正常（已移出）``, ``在列，到期移出``)."""
    return any(_state_of(p) is False for p in _PARTS.split(said) if p) and _removal_said(said)


def _state_of(word: str, within: bool = False) -> bool | None:
    """Whether a word of a yes-or-no cell says the record is gone (``True``: :data:`_GONE`, :data:`_GONE_WORDS`; with
    ``within``, a removal said done anywhere in it, :data:`_DONE_GONE`) or stands (``False``: :data:`_STANDING`,
    :data:`_NOTHING_SAID`, :data:`_STANDING_WORDS`); ``None`` if neither."""
    if _GONE.fullmatch(word) or word.casefold() in _GONE_WORDS or within and _DONE_GONE.search(word):
        return True
    if _STANDING.fullmatch(word) or _NOTHING_SAID.fullmatch(word) or word.casefold() in _STANDING_WORDS:
        return False
    return None


def _legend_word(code: str, legend: Mapping[str, str], title: str) -> str:
    """What a code means by the heading's legend (``是否删除（0否1是）``): its word where that reads as an answer or a
    state; a removal in the legend's own words (``2物理删除``, ``1已撤``, ``1出列``) as 删除; else the code itself, read
    as it is (``1`` under a question is still a yes: ``是否撤销（0未撤1已撤）``)."""
    if ("", "") in legend.items() and code.isascii() and code.isalnum():
        return ""  # a legend that cannot be paired: no code under it can be read (UNREADABLE_LEGEND, UNPAIRED)
    word = legend.get(code.casefold())
    if word is None:
        return code
    if _answer(word, title) is not None or _state_of(word) is not None:
        return word
    if _GONE_VERB.search(word) and not _NEGATED.search(word):
        return "删除"
    return code


_GONE_VERB = re.compile(r"撤|删|移出|出列|作废|失效|无效|注销|停用|禁用|解除|取消")
_NEGATED = re.compile(r"[未不无非没否]")
_BYTES = re.compile(r"b'(.*)'")
_PARTS = re.compile(r"[\s\-—–－:：/／、,，;；|()（）【】\[\]]+")
"""What separates the parts of a yes-or-no cell (``1-是``, ``0：正常``, ``1（已删除）``)."""
_STANDING = re.compile(r"(?:已|当前|现行|正常)?(?:生效|有效|在用|使用中|启用|在册|在列|列入中|存续|有效中|正常有效|未过期|未失效|"
                       r"未作废|未删|未撤|发布|公示|公开|上线|在线|正式|上报|报送|推送|审核通过|审核完成|通过|已审核|予以公示)")
"""Words saying a record stands, besides :data:`_NOTHING_SAID`'s (正常, 在列, 未删除): in force, in use, published
(已发布, 已公示, 已上线, 正式), reported or approved (已上报, 已推送, 审核通过): a legend's word for a code
(``状态（1已发布2草稿）``) reads so."""
_STANDING_WORDS = frozenset({"valid", "active", "normal", "enabled", "enable", "ok"})
_GONE_WORDS = frozenset({"deleted", "delete", "removed", "revoked", "invalid", "inactive", "disabled", "disable", "已删",
                         "草稿", "暂存", "未发布", "未公示", "未公开", "未上线", "已归档", "归档", "offline", "draft", "archived",
                         "逻辑删除", "已逻辑删除", "软删除", "已软删除", "出列", "已出列", "不在列", "已撤", "停用", "已停用",
                         "禁用", "已禁用", "删", "注销", "已注销", "作废"})
"""Words saying a record is gone that :data:`_GONE` does not read as a whole state (a system's English, 已删), or is not
public (草稿, 暂存, 未发布, 已归档: a legend's word for a code, ``状态（1已发布2草稿）``)."""
_DONE_GONE = re.compile(r"(?:(?<![未没不])(?:已经|已|被|业已)(?:于|在)?(?:[\d年月日号\-/.:\s]+|近日|当日|同日|今日)?"
                        r"|(?<![拟将预计未没不应定])于[\d年月日号\-/.:\s]{4,}(?:被|已|予以)?)"
                        r"(?:撤销|撤消|移出|移除|删除|屏蔽|解除|取消|作废|注销|失效)"
                        r"(?!异议|申请|冻结|限制|查封|扣押|质押|抵押|移出|移除|删除|撤销|撤消|出列|决定|操作)")
"""A removal said done anywhere in a yes-or-no cell, with the day it was done or not (``已移出``, ``已于6月1日移出``,
``已于2025-06-01删除``, ``于2025-06-01移出``); not an application (``已于6月1日申请移出``) or a removal to come
(``拟于2025-06-01移出``), nor the removal of something else (``已撤销异议``, ``已撤销申请``, ``已解除冻结``: the record
stands; a list entry's 已解除限制 is read apart, :data:`_LIFTED`), nor a removal said not done (``未于2025年移出``,
``未被删除``) or itself revoked (``已撤销移出``, ``已撤销撤销决定``; ``移出已撤销``, :data:`REVERSED`)."""
_REVERSIBLE = "撤销|撤消|移出|移除|删除|出列|作废|注销|(?:信用)?修复|下线|下架|撤下|屏蔽|不予公示|停止公示|终止公示"
REVERSED = re.compile(rf"(?:{_REVERSIBLE})(?:决定|操作|处理)?(?:已经?|已被|被)(?:撤销|撤消|撤回|取消|解除)")
"""A removal, a repair or a takedown itself revoked (``移出已撤销``, ``删除已撤销``, ``撤销决定已撤销``, ``信用修复已撤销``,
``下线已撤销``, ``不予公示决定已撤销``): the record stands as before it."""
_REVERSED_WHOLE = re.compile(rf"[\s\W_]*{REVERSED.pattern}[\s\W_]*{_BECAUSE_DONE}")
"""A whole cell of :data:`REVERSED`: under a record's own state, it stands."""


def answer_of(text: str) -> bool | None:
    """The answer ``text`` gives under a yes-or-no question (是否移出): see :func:`_answer`."""
    return _answer(simplified(unicodedata.normalize("NFKC", text)).strip(), "是否移出")


def _answer(said: str, title: str) -> bool | None:
    """The answer a yes-or-no column's cell gives (:data:`_ANSWERS`, a reason in brackets after it left out: ``是（已修复）``):
    是, 否, ``Y``, ``N`` anywhere; a digit (``1``, ``0``, ``0.0``) under a question (是否…, 有无…, ``is_deleted``,
    ``del_flag``); ``0`` under a flag or a deletion state (撤销标志, 删除状态: 0 is "not", whatever the other codes
    are); no digit under another state (移出状态: 1 may be 正常, 0 已移出); ``None`` if it gives none."""
    bare = BRACKETED.sub("", said).strip().casefold()
    bare = "0" if _ZERO.fullmatch(bare) else "1" if bare in ("1.0", "01") else bare
    answer = _ANSWERS.get(bare)
    if (answer is None or not bare.isdigit() or title.startswith(("是否", "有无", "is", "sf")) or "del" in title
            or YES_NO_KEPT.fullmatch(title)):
        return answer  # 有效标志 1
    flag = title.endswith(("标志", "标识", "标记", "flag", "mark")) or title.startswith(("删除", "逻辑删除", "软删除"))
    return False if bare == "0" and flag else None  # 0 under 移出状态 may be a code of 已移出


BRACKETED = re.compile(r"[(（【\[][^)）】\]]*[)）】\]]")
"""Anything in brackets after an answer (``是（已修复）``, ``是（申请中）``), left out of it: the answer is said."""
_NOTHING_SAID = re.compile(r"[\s\W_]*(?:(?:未|无|没有|尚未|暂未|不予|不|无需|无须|不需|不需要|不必)(?:申请)?(?:被)?"
                           r"(?:撤销|撤消|移出|移除|删除|取消|屏蔽|解除|退出|撤回|撤下|下线|下架)"
                           r"(?:记录|名单|荣誉|称号|申请)?|尚未申请|未申请|未到期|(?:在)?(?:公示期|有效期)内|正常|在列|有效|公示中"
                           r"|0+(?:\.0+)?|(?:0000-00-00|0001-01-01|1753-01-01|1899-12-3[01]|1900-01-01|1970-01-01|9999-12-31)"
                           r"(?:[ T][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?)"
                           r"[\s\W_]*")
"""What a column of why or when a record was removed (移出原因, 撤销原因, ``deleted_at``) holds when it says nothing: the
removal itself negated, whole (未撤销, 无撤销, 不予移出, 未申请移出, 无移出记录), nothing applied for or due (尚未申请,
未到期, 在公示期内), a normal state (正常, 在列, 有效), zero, or a system's "no date" (0000-00-00, 1970-01-01,
9999-12-31), with nothing after it: 未移出（2025-06-01已移出）, 正常（已移出） say more. Any sentence is a reason,
negative or not: 不再符合列入条件移出, 未履行承诺撤销荣誉称号."""
_UPHELD = re.compile(r"[\s\W_]*(?:(?:经过?|已)?(?:行政)?(?:复议|复核|诉讼|审查|再审|二审|终审|一审|法院)?(?:决定|后|予以|依法|判决|裁定)?"
                     r"维持(?:原)?(?:处罚|行政处罚|决定|处罚决定|判决|判|裁定|认定|列入|名单)?(?:决定)?"
                     r"|(?:复议|复核|诉讼|法院|再审)?(?:决定|判决|裁定)?驳回(?:复议|诉讼|再审|撤销|移出)?(?:申请|请求|起诉|诉讼请求|诉请)?"
                     r"|(?:不予|未予|未获|不)(?:撤销|撤消|移出)|(?:撤销|撤消|移出)申请(?:被|已被|已)?(?:驳回|不予(?:通过|批准|同意))"
                     r"|(?:撤销|撤消|移出)申请未(?:获|予)?(?:通过|批准|同意))[\s\W_]*")
"""What a column of why a record was removed or revoked (撤销原因, 移出原因) holds when it says the decision stands:
upheld on review or in court (``维持``, ``复议维持``, ``经复议维持原处罚决定``, ``维持原判``), the application against it
dismissed (``驳回复议申请``, ``复议驳回``, ``撤销申请被驳回``), or no revocation granted (``不予撤销``). Whole, as
:data:`_NOTHING_SAID` is: ``部分维持部分撤销`` and ``撤销原判，驳回起诉`` are reasons (such a record was withheld with a
message saying it was revoked)."""
_QUESTION_ONLY = re.compile(r"[\s\W_]*(?:是否|有无|是不是|是或否)[\s\W_]*")
"""A yes-or-no cell holding the question itself (是否): no answer, the row is not published."""
_TICKED = frozenset("☑✔✓√✅●■◉⦿▣")
"""A form's mark saying its option is chosen (``☑是``, ``●是○否``, ``√否``)."""
_UNTICKED = frozenset("☐□○◯〇")
"""A form's mark saying its option is not chosen (the ideographic zero 〇 looks like ○)."""
_FORM_SEPARATORS = frozenset(" -—–－:：/／、,，;；|")


def _is_mark(char: str) -> bool:
    """Whether ``char`` is a form's mark (a symbol: ☑, ●, ○, ★, ☒, ❌, √, ×; the ideographic zero 〇)."""
    return len(char) == 1 and (char in _TICKED or char in _UNTICKED or char == "×" or unicodedata.category(char) == "So")


def _form_answer(said: str, title: str) -> bool | str | None:
    """The answer a cell with a form's marks gives: the one answer whose mark says it is chosen (``☑是☐否``, ``●是``,
    ``是√``, ``√否``: :data:`_TICKED`), the others unmarked or marked not chosen (:data:`_UNTICKED`); :data:`UNREADABLE`
    for marks alone (``○``, ``●``, ``★``; not ``√`` or ``×``, answers of their own), an answer marked otherwise (``☒是``,
    ``❌是``, ``○否``, ``★是``: crossed out or chosen? not chosen?), none chosen or two; ``None`` where the cell holds
    other words than answers (``●已移出``: its words are read)."""
    tokens: list[str] = []
    for char in said:
        if _is_mark(char):
            tokens.append(char)
        elif char in _FORM_SEPARATORS:
            tokens.append("")
        elif tokens and tokens[-1] and not _is_mark(tokens[-1]):
            tokens[-1] += char
        else:
            tokens.append(char)
    tokens = [t for t in tokens if t]
    words = [(i, t) for i, t in enumerate(tokens) if not _is_mark(t)]
    if not words:
        return UNREADABLE
    if any(_answer(word, title) is None for _, word in words):
        return None
    before = _is_mark(tokens[0])  # marks before their options (☑是☐否) or after them (是☑否☐)
    chosen: set[bool] = set()
    for i, word in words:
        j = i - 1 if before else i + 1
        mark = tokens[j] if 0 <= j < len(tokens) else ""
        if mark in _TICKED:
            chosen.add(bool(_answer(word, title)))
        elif mark not in _UNTICKED:
            return UNREADABLE  # ☒是, ❌是, ★是, 是 否☑: which is chosen is not known
        elif len(words) == 1:
            return UNREADABLE  # ○否 alone: not chosen, or a form's blank?
    return chosen.pop() if len(chosen) == 1 else UNREADABLE


_ALREADY = re.compile(r"[\s\W_]*(?:已|已经|业已)[\s\W_]*")
"""已 alone under a question: "removed?" answered "already" (是否移出 已: removed); under 是否有效 it answers nothing."""
_ZERO = re.compile(r"0+(?:\.0+)?")
"""Zero as a spreadsheet or a data frame writes it (``0``, ``00``, ``0.0``)."""
_NULL = frozenset({"null", "none", "n/a", "nan", "na"})
"""Spellings of an empty cell in database exports (compared case-folded)."""
_ANSWERS = {**dict.fromkeys(("是", "是的", "已是", "有", "对", "对的", "正确", "y", "yes", "1", "true", "t", "√", "✓", "✔", "☑",
                             "✅"), True),
            **dict.fromkeys(("否", "不是", "不", "无", "没有", "不对", "错", "n", "no", "0", "false", "f", "×", "✗", "✘", "❌", "✖",
                             "❎"), False)}
"""The answers a yes-or-no column (是否撤销, 是否有效) gives, by their NFKC case-folded text."""
