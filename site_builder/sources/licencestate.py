"""A licence's or a registration's own state as a records file says it, read where it disagrees with the row's state.

Basic information shows its state rather than being withheld by it: a licence's 当前状态 (有效, 无效), a registration's
登记状态 (存续, 注销) are published as written (:func:`own_state_fields`). A file may say more of that state in another
column: a second column of the licence's own state (许可状态, 证照状态, 状态; a registration's 企业状态: :data:`OWN_STATE`,
:func:`own_state_heading`), its data state (数据状态 撤销), a deletion column (删除情况 许可证已注销), a legend's code
(``许可状态（1有效2吊销）`` 2) or a question of an end (是否吊销 是). Where such a cell says the licence ended
(:func:`licence_ended`, :func:`own_state_ended`), or lapsed beside no date of the lapse the portal reads (已过期; and
不予延续: a renewal refused ends the licence at its 有效期至, :func:`licence_lapsed`), while the row's state field shows
it in force (当前状态 有效, 登记状态 存续), which of the two holds is not known, and a licence revoked must not be shown
as valid: :func:`disagreement` gives the defect the loader quarantines the row with
(:func:`~site_builder.sources.statewords.state_defects` asks it for every such cell). A code such a cell cannot be
read by (a bare ``许可状态`` 2 without a legend: platforms number a licence's states each their own way; one its legend
does not list; 2 under 是否吊销) withholds the row beside a state in force too, the message saying how to have it read
(:func:`_unread_code`), unless the site's table of that heading reads it (``[states."许可状态"]`` "2" = "standing").
Nothing else of these columns is read: 许可状态 无效 or 有效 publishes the licence as its 当前状态 says.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping

from site_builder.rules.catalogue import CatalogItem, FieldSpec
from site_builder.rules.hanzi import simplified
from site_builder.sources.mapping import digit_code
from site_builder.sources.states import heading_key, table_of
from site_builder.sources.statewords import BRACKETED, REVERSED, asked_verdict, heading_kind

Defect = tuple[str, str, str]
"""``(heading, kind, message)``, as :func:`~site_builder.sources.statewords.state_defects` gives them."""

OWN_STATE = FieldSpec(name="own_state", title="许可状态", type="string", required=False, disclosure="withheld")
"""A licence's or a registration's own state in a second column beside its state field (许可状态, 证照状态, 状态 beside
当前状态): not read, but a row whose cell says the licence is cancelled or revoked (已吊销) or lapsed, or is a code
that cannot be read (许可状态 2 without a legend), while the field shows it in force (有效) is quarantined
(:func:`disagreement`)."""
_LICENCE_STATE_HEADINGS = frozenset({"状态", "当前状态", "许可状态", "许可证状态", "许可证书状态", "证照状态", "证件状态", "证书状态",
                                     "资质状态", "执照状态", "营业执照状态"})
_REGISTRATION_STATE_HEADINGS = frozenset({"状态", "企业状态", "主体状态", "经营状态", "登记状态", "企业登记状态", "主体登记状态"})
"""Headings of a licence's or a registration's own state (:data:`OWN_STATE`, :func:`own_state_heading`): a licence's
file may hold its 许可状态, a registration's its 企业状态, not a permit's state (a registration's 许可状态 is one of
its permits')."""
OWN_END_ASKED = re.compile(r"(?:是否|有无)(?:已经|已|被|已被)?(?:吊销|注销|撤销|撤消|作废|失效|无效|暂扣|暂停|废止|收回)"
                           r"(?:许可|许可证|证照|证书|执照|营业执照|登记|资质)?|is_?(?:revoked|cancell?ed|invalid|suspended)")
"""A licence's question of its own end (是否吊销, 是否注销, 是否无效, ``is_revoked``): beside its 当前状态 有效, 是 disagrees."""
OWN_LAPSE_ASKED = re.compile(r"(?:是否|有无)(?:已经|已)?(?:过期|超期|逾期|到期|期满|届满|超过有效期|(?:有效期|许可期限|期限)"
                             r"(?:已满|已过|届满|到期))|is_?(?:expired|lapsed)")
"""A licence's question of its lapse (是否过期, 是否已过期, 是否到期, ``is_expired``): 是 says what 已过期 says
(:func:`own_state_lapsed`)."""


def own_state_fields(item: CatalogItem) -> list[FieldSpec]:
    """The fields of a licence's or a registration's own state, which the public is shown (当前状态, 登记状态: public,
    of values, its title ending in 状态, no role; not 发布状态)."""
    return [f for f in item.fields if f.values and not f.role and f.disclosure == "public" and f.title.endswith("状态")]


def own_state_shown(item: CatalogItem, present: set[str]) -> bool:
    """Whether a file of basic information has a column of the item's own state field (:func:`own_state_fields`)."""
    return any(f.name in present for f in own_state_fields(item))


def _registration(item: CatalogItem) -> bool:
    """Whether ``item`` is a registration (its own state field is 登记状态), not a licence."""
    return any(f.title == "登记状态" for f in own_state_fields(item))


def own_state_heading(item: CatalogItem, heading: str) -> bool:
    """Whether a normalised ``heading`` of a licence's or a registration's file names its own state (:data:`OWN_STATE`),
    a note in brackets after it left out (``许可状态（注）``), or asks whether it ended or lapsed (:data:`OWN_END_ASKED`,
    :data:`OWN_LAPSE_ASKED`)."""
    bare = re.sub(r"[(\[【（][^)\]】）]*[)\]】）]", "", heading)
    return (bare in (_REGISTRATION_STATE_HEADINGS if _registration(item) else _LICENCE_STATE_HEADINGS)
            or OWN_END_ASKED.fullmatch(bare) is not None or OWN_LAPSE_ASKED.fullmatch(bare) is not None)


CANCELLED = re.compile(r"[\s\W_]*(?:许可证书|许可证|许可|证照|证书|执照|营业执照|登记|资质|主体|企业)?(?:已经|已|被|已被|业已)?"
                       r"(?:注销|吊销)[\s\W_]*")
"""A licence or a registration cancelled or revoked (许可证已注销, 已注销, 证照已吊销): of basic information, its own state
(shown as its 当前状态 says), not the data record deleted."""
_ENDED = re.compile(r"(?:吊销|吊消|注销|撤销|撤消|撤回|废止|暂扣|暂停|中止|终止|失效|无效|作废|取消|收回|歇业|停业|责令关闭|迁出)"
                    r"(?!中|申请|程序|审核|审批|待)")
"""A licence's or a registration's own state saying it is no longer in force, anywhere in a cell (撤销, 已吊销, 暂停,
吊销，未注销, 许可证已撤销, 暂扣许可证, 依法注销, 作废, 已收回, 歇业, 迁出; 吊消, a typo of 吊销); not under way (注销中,
撤销申请)."""
_NOT_ENDED = re.compile(r"无[^,，;；。]*记录"
                        r"|(?:未|未被|从未被|没有被?|并未|不予|不|非|无)(?:[^,，、;；。]{0,2}?)"
                        r"(?=吊销|吊消|注销|撤销|撤消|撤回|废止|暂扣|暂停|中止|终止|失效|无效|作废|取消|收回|歇业|停业|责令关闭|迁出)\S{2}"
                        r"|(?:撤销|撤消|撤回|解除|终止|取消)(?:对其的?)?(?:吊销|注销|撤销|暂扣|暂停|中止)(?:申请|决定)?"
                        r"|(?:吊销|吊消|注销|撤销|撤消|撤回|废止|暂扣|暂停|中止)(?:申请|决定|处理)?(?:已经?|已被|被)?(?:撤销|撤消|撤回|取消|解除|驳回)")
"""What says a licence was not ended, or is no longer so (removed before :data:`_ENDED` is looked for): an end negated
(未被吊销, 从未被吊销, 不予吊销, 无暂扣、吊销记录; 吊销，未注销 keeps its 吊销), an end revoked or lifted (撤销吊销, 解除暂停,
终止暂停, 撤回注销申请, 吊销已撤销, 注销申请已撤回)."""
_RESTORED = re.compile(r"恢复|发还|退还|返还")
"""A licence restored after an end (吊销后恢复, 已恢复（原暂扣）, 暂扣期满已发还): it is in force again."""
_LAPSE_STEM = (r"(?:过期|超期|逾期|到期|期满|届满|(?:超过|超出|已过|过了)有效期|(?:有效期|期限)(?:已满|已过|结束|已结束))")
_LAPSED = re.compile(rf"(?P<done>已经|已|业已)?{_LAPSE_STEM}")
"""A licence's lapse said anywhere in a cell (已过期, 过期, 到期, 期满, 有效期届满, 有效期限已满, 超过有效期限, 许可证已过期,
已于2025-01-01过期, 过期（未延续）): its 有效期至 decides a lapse (after it the portal shows 有效期届满,
:func:`~site_builder.rules.redaction.lapsed`). Not where :data:`_NOT_LAPSED` says otherwise, nor a lapse without 已 that
names when something is done (:data:`_AT_LAPSE`: 到期换证, 到期前换证, 到期日), nor beside a renewal done
(:data:`_RENEWED`) or the licence restored (:data:`_RESTORED`: 过期后恢复)."""
_NOT_LAPSED = re.compile(rf"(?:未|不|没有?|无|非|永不|不会|尚未|并未|从未)[^,，;；。！!？?]{{0,2}}?"
                         rf"(?:有效期限|有效期|许可期限|期限)?(?={_LAPSE_STEM}){_LAPSE_STEM}"
                         rf"|(?:即将|将要|将|快要|临近|接近|将近|预计|距离?|还有|尚有|剩余?)[^,，;；。！!？?]*?{_LAPSE_STEM}")
"""A lapse negated (未过期, 不过期, 尚未到期, 有效期未届满, 未被有效期届满) or still to come (即将到期, 临近到期,
将于2027-01-01到期, 还有30天到期): left out before :data:`_LAPSED` is looked for."""
_AT_LAPSE = re.compile(r"后?(?:前|日|时|之|自动|可|需|须|应|请|换|延|续|办|申请|提醒|预警)")
"""What follows a lapse that names a time or a step rather than saying it happened (到期换证, 期满换发, 到期前换证, 到期日,
到期自动延续, 到期可延续); not 到期未延续, 过期未换证."""
_RENEWAL = r"(?:延续|续期|续展|续证|换证|换发|延期)"
_NOT_RENEWED = re.compile(rf"(?:不予|不准予|不准|不同意|未予|未准予|未被准予|未获准?|未获得|未能|没有获得?|拒绝)(?:办理|批准)?{_RENEWAL}"
                          rf"|{_RENEWAL}(?:申请|审核|审批)?(?:未|不|没有)(?:获|予|被)?(?:通过|批准|准予|同意|获准|受理)"
                          rf"|{_RENEWAL}(?:申请)?(?:已经|已|被|已被|遭)?(?:驳回|拒绝|否决|退回)"
                          rf"|驳回(?:其)?{_RENEWAL}")
"""A renewal refused (行政许可法 第五十条: 不予延续; 不准予延续, 不予续期, 不予换证, 未获延续, 延续申请未通过, 延续申请被驳回,
延续申请不予受理, 驳回延续申请): the licence ends at its 有效期至, a lapse (as 到期未延续) read by :func:`licence_lapsed`.
Not a renewal granted, done or under way (准予延续, 已延续, 延续中, 申请延续, 延续审核中, 延续申请审核通过)."""
_RENEWED = re.compile(r"(?<![未不没])(?:已经|已|业已)(?:办理)?(?:延续|续期|续展|续证|换证|换发|换领|换新证|重新核发|重新发证|重新申领)")
"""A renewal done (到期已延续, 已过期（已换证）): the licence is in force again."""


def licence_ended(text: str) -> bool:
    """Whether a cell says a licence or a registration is no longer in force (:data:`_ENDED`, once what says it was not
    or is no longer so is left out: :data:`_NOT_ENDED`, :data:`_RESTORED`,
    :data:`~site_builder.sources.statewords.REVERSED`). The cell is read as a state is
    (:func:`~site_builder.rules.redaction.state_said`: invisible characters, marks and spaces inside a word left out,
    吊\u200b销, 吊 销)."""
    from site_builder.rules.redaction import state_said

    said = state_said(text)
    if _RESTORED.search(said) or REVERSED.search(said):
        return False
    return _ENDED.search(_NOT_ENDED.sub("", said)) is not None


def licence_lapsed(text: str) -> bool:
    """Whether a cell says a licence lapsed (:data:`_LAPSED`: a lapse said, not negated or still to come, not naming
    a step at the lapse, and no renewal done) or that its renewal was refused (:func:`renewal_refused`: it ends at its
    有效期至), read as a state is (:func:`~site_builder.rules.redaction.state_said`)."""
    from site_builder.rules.redaction import state_said

    said = state_said(text)
    if _RENEWED.search(said) or _RESTORED.search(said):
        return False
    return _NOT_RENEWED.search(said) is not None or _lapse_said(said)


def _lapse_said(said: str) -> bool:
    """Whether ``said`` (a cell read as a state is) says a lapse happened (:data:`_LAPSED`: not negated or still to
    come, not naming a step at the lapse)."""
    kept = _NOT_LAPSED.sub("", said)
    return any(m["done"] or not _AT_LAPSE.match(kept, m.end()) for m in _LAPSED.finditer(kept))


def renewal_refused(text: str) -> bool:
    """Whether a cell says only that a licence's renewal was refused (:data:`_NOT_RENEWED`: 不予延续, 延续申请被驳回), not
    that it lapsed as well (已过期，不予延续: :func:`_lapse_said`), and no renewal done nor the licence restored, read as a
    state is (:func:`~site_builder.rules.redaction.state_said`): the licence ends at its 有效期至."""
    from site_builder.rules.redaction import state_said

    said = state_said(text)
    return (not (_RENEWED.search(said) or _RESTORED.search(said)) and _NOT_RENEWED.search(said) is not None
            and not _lapse_said(_NOT_RENEWED.sub("", said)))


def own_state_ended(text: str, heading: str) -> bool:
    """Whether a cell of a licence's own state in a second column (:data:`OWN_STATE`) says it ended: its words
    (:func:`licence_ended`), a code by the heading's legend (``许可状态（1有效2吊销）`` 2), or the answer yes under a
    question of an end (是否吊销, 是否注销, ``is_revoked``)."""
    words = _own_words(text, heading)
    if words is None:
        return OWN_LAPSE_ASKED.fullmatch(heading_kind(heading)[0]) is None and _answered_yes(text, heading)
    return licence_ended(words)


def own_state_lapsed(text: str, heading: str) -> bool:
    """Whether a cell of a licence's own state in a second column (:data:`OWN_STATE`) says it lapsed: its words
    (:func:`licence_lapsed`), a code by the heading's legend, or the answer yes under a question of a lapse
    (:data:`OWN_LAPSE_ASKED`: 是否过期 是, ``是否过期（0否1是）`` 1)."""
    words = _own_words(text, heading)
    if words is None:
        return OWN_LAPSE_ASKED.fullmatch(heading_kind(heading)[0]) is not None and _answered_yes(text, heading)
    return licence_lapsed(words)


def _answered_yes(text: str, heading: str) -> bool:
    """Whether a cell under a question (是否吊销, 是否过期) answers it yes (是, ``1`` by its legend, ``Y``)."""
    title, _, kept_asked, _, _, legend = heading_kind(heading)
    return asked_verdict(simplified(unicodedata.normalize("NFKC", text)).strip(), title, not kept_asked, legend) is True


def _own_words(text: str, heading: str) -> str | None:
    """What a cell of a licence's own state says in words: the legend's word for its code (``许可状态（1有效2吊销）`` 2:
    吊销), else the cell itself; ``None`` under a question (是否吊销), which is answered, not said."""
    title, gone_asked, kept_asked, _, _, legend = heading_kind(heading)
    if OWN_END_ASKED.fullmatch(title) or OWN_LAPSE_ASKED.fullmatch(title) or gone_asked or kept_asked:
        return None
    if legend and (code := digit_code(text.strip()) or text.strip().casefold()) in legend:
        return legend[code]
    return text


def disagreement(item: CatalogItem, values: Mapping[str, object] | None, heading: str, position: int, text: str,
                 said: str | None = None, own: bool = False, read: bool = False) -> Defect | None:
    """The defect of a cell (``text``, in the column ``heading`` at ``position``) saying a licence or a registration
    ended while the row's own state field (``values``: the row's fields) shows it in force; ``None`` where the cell says
    no end, or the row shows no such state. The cell is read in its words (:func:`licence_ended`), or as ``said`` (what
    it was read as: a legend's word for its code), or, in a second column of the licence's own state (``own``:
    :data:`OWN_STATE`), by that column's legend or question too (:func:`own_state_ended`).

    A cell of the licence's own state (``own``) saying it lapsed (:func:`own_state_lapsed`: 已过期, 到期, 期满, 是否过期 是)
    disagrees where the row gives no date of the lapse (the state field's
    :attr:`~site_builder.rules.catalogue.FieldSpec.lapses`, a licence's 有效期至, read as the portal reads it:
    :func:`~site_builder.rules.redaction.lapse_date`): shown in force, the licence would stay so. Beside that date, it
    disagrees while the date has not passed (a licence cannot lapse before its 有效期至), and agrees once it has (the
    portal then shows 有效期届满, :func:`~site_builder.rules.redaction.lapsed`): which is known only on the build's
    as-of date, not here, so the defect is of :data:`~site_builder.sources.loading.LAPSE_SAID`, which the decision
    reads (:func:`~site_builder.rules.pipeline.held`: the row quarantined on or before the 有效期至, published after
    it). A cell saying only that its renewal was refused (不予延续, :func:`renewal_refused`) says the licence ends at
    its 有效期至, not that it has ended: it disagrees only beside no date; beside one the date decides, as the portal
    shows it. Under a data record's state (数据状态 已过期) the word may say the record's period is over, and is shown as
    it was.

    A code of the licence's own state (``own``) that cannot be read (:func:`_unread_code`: ``许可状态`` 2 without a
    legend, one its legend does not list, 是否吊销 2) disagrees too: whether it says an end is not known; not where the
    site's table of the heading names it (``read``: ``[states."许可状态"]`` "2" = "standing"). A table saying a value
    stands says the data record stands, not the licence's state: the cell is still read by its words, legend and
    question (是否吊销 是 under ``[states."是否吊销"]`` "是" = "standing", 已过期 under ``[states]`` "已过期" = "standing"
    beside no 有效期至). A cell of the licence's own state is read without its invisible characters (a zero-width
    space, a byte-order mark, a soft hyphen: ``2\u200b``, ``\ufeff是``), as its words are."""
    if own:  # 2\u200b, \ufeff是: a code or an answer with an invisible character (U+200B, U+FEFF, U+00AD) is read as without
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    words = _own_words(text, heading) if own else text if said is None else said
    if own_state_ended(text, heading) if own else licence_ended(words or ""):
        return _shown_otherwise(item, values, heading, position, text)
    if own and own_state_lapsed(text, heading):
        refused = renewal_refused(words or "")
        return _shown_otherwise(item, values, heading, position, text, lapsed=True, refused=refused)
    if own and not read and (unread := _unread_code(text, heading, item)):
        return _shown_otherwise(item, values, heading, position, text, unread=unread)
    return None


def _unread_code(text: str, heading: str, item: CatalogItem) -> tuple[str, str] | None:
    """Why a code under a heading of a licence's own state cannot be read, and how to have it read, as a quarantine
    message says them: a legend that cannot pair its codes with its words (``许可状态（1/2：有效/注销）``), one that does
    not list it (``许可状态（0有效1注销）`` 3), no legend at all (``许可状态`` 2, 0, 01: platforms number a licence's states
    each their own way, 1 有效 on one, 注销 on another, so no bare code is read whatever its value), or, under a question
    (是否吊销), a code no answer reads (2). ``None`` for words, for a code the legend reads, or for an answer under a
    question (是否吊销 1 and 0, read as yes and no). ``item``: the file's item (a registration's example says 存续 rather
    than 有效)."""
    title, _, kept_asked, _, _, legend = heading_kind(heading)
    code = digit_code(text.strip())
    if code is None:
        return None
    said = f"列名中的代码说明“{_LEGEND.sub('', heading)}”"
    how = "请在列名的代码说明中写明每个代码的含义（如“许可状态（1有效2注销）”），或在导出中写明状态"
    if legend and ("", "") in legend.items():
        return f"是代码，而{said}无法把代码与文字一一配对", how
    name = _bare_heading(heading)
    asked = _own_words(text, heading) is None  # 是否吊销（1是） 1, 0: yes and no, as under any question; 2 is no answer
    if asked and isinstance(asked_verdict(simplified(unicodedata.normalize("NFKC", text)).strip(), title, not kept_asked,
                                          legend), bool):
        return None
    if not legend:
        if asked:
            return ("是代码，无法读作“是”或“否”", f"请在导出中写明“是”或“否”，或在列名后写明代码的含义（如“{name}（0否1是）”）")
        kept = "存续" if _registration(item) else "有效"
        return ("是代码，而列名没有写明代码的含义：各平台的状态代码不同，同一个代码在有的平台表示"
                f"{kept}，在有的平台表示注销或吊销", f"请在列名后写明每个代码的含义（如“{name}（1{kept}2注销）”），或在 "
                f"site_builder.toml 的 {table_of(name)} 中写明该列各代码的含义（如 \"1\" = \"standing\"），或在导出中写明状态"
                f"（如“{kept}”“注销”）")
    return (f"是代码，而{said}没有列出该代码", how) if asked or code not in legend else None


_LEGEND = re.compile(r"^[^(\[【（]*")
"""What comes before a heading's legend (许可状态 of ``许可状态（1有效2注销）``), left out to name the legend."""


def _bare_heading(heading: str) -> str:
    """``heading`` as written without its legend or note (许可状态 of ``许可状态（注）``), to name it in an example."""
    return re.split(r"[(\[【（]", heading, maxsplit=1)[0].strip() or heading_kind(heading)[0]


def codes_withheld(item: CatalogItem, heading: str) -> str:
    """What a file's warning on a column of a licence's own state (:data:`OWN_STATE`) adds of its codes: under a heading
    without a legend, not a question (许可状态, 企业状态), a row whose cell is a code (1, 2) and whose state field shows it
    in force is withheld (:func:`_unread_code`), and how to have the codes read; ``""`` under a legend or a question."""
    if heading_kind(heading)[5] or _own_words("", heading) is None:
        return ""
    kept = "存续" if _registration(item) else "有效"
    name = _bare_heading(heading)
    table = (f"（site_builder.toml 的 {table_of(name)} 中写明的代码按其读取）" if item.states is not None
             and heading_key(heading) in item.states.headings else
             f"，或在 site_builder.toml 的 {table_of(name)} 中写明各代码的含义（如 \"1\" = \"standing\"）")
    return (f"；取值为数字代码（如“1”“2”）而目录列的状态表示{kept}的行也将隔离：列名没有写明代码的含义，而各平台的状态代码不同"
            f"；请在导出中写明状态（如“{kept}”“注销”），或在列名后写明代码的含义（如“{name}（1{kept}2注销）”）{table}")


def _shown_otherwise(item: CatalogItem, values: Mapping[str, object] | None, heading: str, position: int,
                     text: str, lapsed: bool = False, unread: tuple[str, str] | None = None,
                     refused: bool = False) -> Defect | None:
    """The defect of a licence's or a registration's state cell (``text``: 许可证已注销, 已吊销, 撤销) beside the row's own
    state field (:func:`own_state_fields`) showing it in force (当前状态 有效, 登记状态 存续,
    :func:`~site_builder.rules.redaction.in_force`): which of the two holds is not known, and a licence cancelled must
    not be shown as valid. ``None`` where the row shows no such state. With ``lapsed`` (the cell says the licence
    lapsed, or with ``refused`` that only its renewal was refused: :func:`renewal_refused`), only a field that lapses
    (当前状态 beside 有效期至): beside no date of the lapse, the defect quarantines the row; beside one, a lapse said is
    of :data:`~site_builder.sources.loading.LAPSE_SAID` (the decision quarantines the row while the date has not
    passed) and a renewal refused no defect (the date decides). With ``unread`` (why the cell, a code, cannot be read,
    and how to have it read: :func:`_unread_code`), whether it says an end is not known."""
    from site_builder.rules.redaction import in_force, lapse_date
    from site_builder.rules.validation import Value, enum_code, parse_cell
    from site_builder.sources.loading import LAPSE_SAID

    if values is None:
        return None

    def parsed(name: str) -> Value:
        """The row's field ``name`` read as the validator reads it (长期, ``NULL``, ``9999-12-31``: no date)."""
        return parse_cell(item.field(name), str(values.get(name) or ""))[0]
    for spec in own_state_fields(item):
        if lapsed and spec.lapses is None:
            continue  # a registration does not lapse
        dated = lapsed and lapse_date(item, spec, parsed) is not None  # 有效期至 as the portal reads it: still to come?
        if dated and refused:
            continue  # 不予延续 beside its 有效期至: the licence ends on that date, which decides
        shown = str(values.get(spec.name) or "").strip()
        bare = BRACKETED.sub("", shown)  # 有效（已延续）, 有效（换发新证）: in force, whatever the note adds
        if shown and (enum_code(spec, shown) == next(iter(spec.values or {}), None) or in_force(shown)
                      or bare != shown and in_force(bare) and not licence_ended(shown)):
            if unread:
                why, how = unread
                return (heading, "unmapped-column", (
                    f"列“{heading}”（第{position + 1}列）的取值“{text[:40]}”{why}：无法判断许可或登记是否已注销、吊销、撤销或"
                    f"过期，而本行的{spec.title}是“{shown[:40]}”，本行不公示；{how}"))
            until = str(values.get(spec.lapses or "") or "").strip()[:20]
            lapse = "许可不予延续，有效期届满即失效" if refused else "许可已过期"
            said, date_said = (lapse, f"，{_title(item, spec.lapses)}" + (
                f"是“{until}”，尚未届满" if dated else f"是“{until}”，不表示到期日期" if until else "为空")
                               ) if lapsed else ("许可或登记已注销、吊销或撤销", "")
            return (heading, LAPSE_SAID if dated else "unmapped-column", (
                f"列“{heading}”（第{position + 1}列）的取值“{text[:40]}”表示{said}，而本行的{spec.title}是“{shown[:40]}”"
                f"{date_said}：二者不一致，不知以何为准，本行不公示"
                + (f"（{_title(item, spec.lapses)}过后按“有效期届满”公示）" if dated else "")
                + "；请核实该记录，在导出中写明一致的状态" + (f"或{_title(item, spec.lapses)}" if lapsed else "")))
    return None


def _title(item: CatalogItem, name: str | None) -> str:
    """The title of ``item``'s field ``name`` (有效期至 for ``valid_until``)."""
    return next((f.title for f in item.fields if f.name == name), name or "")
