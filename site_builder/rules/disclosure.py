"""The disclosure decision: a pure function of (record, catalogue item, policy, as-of date).

Rules are checked in the order of ``REASONS``; the first that applies gives the one reason code
of an excluded record. A published record gets the last day it stays public (``None``: long-term).
Periods follow the version of the rule in force on the as-of date (e.g. 发改办财金〔2019〕527号 for
2023-03-01, 国家发展改革委令2025年第36号 from 2026-04-01); the decision names it.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from site_builder.rules.catalogue import CatalogItem
from site_builder.rules.hanzi import simplified
from site_builder.rules.identifiers import id_birth_date
from site_builder.rules.periods import SLIGHT, Duration, RuleVersion, next_day, previous_day
from site_builder.rules.privacy import CODE, canonical, numbers_in
from site_builder.rules.profiles import Policy
from site_builder.rules.validation import Record, Value, means_none, roles

REASONS: dict[str, str] = {
    "not_approved": "发布状态不是“已审核”（待审核、已驳回、已撤回）",
    "not_public": "公开属性为授权查询或政务共享，不在门户公示",
    "revoked": "决定已被撤销（当前状态为撤销，如行政处罚决定被依法撤销），不公示",
    "natural_person": "本规则不公示自然人信息",
    "minor": "自然人在决定日期未满18周岁（或规则规定的年龄）",
    "age_unknown": "自然人的证件不是居民身份证，无法确认已成年",
    "summary_procedure": "适用简易程序作出的行政处罚不公示",
    "not_penalised": "不予（免予）行政处罚的决定不是行政处罚，不作为失信信息公示",
    "slight_dishonesty": "轻微失信信息（含仅给予警告或通报批评的处罚）不公示；2026-04-01起载明公示截止期的，最长公示3个月",
    "objection_upheld": "异议成立，记录撤下",
    "objection_unverifiable": "异议信息无法核实真实性，予以删除",
    "objection_pending": "异议处理中，中止公示",
    "not_started": "公示期尚未开始（决定或列入日期晚于公示日期）",
    "expired": "公示期已届满（含公示截止期、有效期至）",
    "removed": "已移出名单或已撤销（移出日期、撤销日期）",
    "repaired": "已完成信用修复，且最短公示期已届满",
}


Listing = tuple[tuple[int, int], ...]
"""When a subject is on a serious-dishonesty list, as the as-of date's list entries say: ``(first day, last day)`` of
each entry that counts (:func:`~site_builder.rules.pipeline.listed_subjects`: in force now, or ended by removal,
expiry or repair), as ordinals, in order; a last day of 0: no end given."""
NOT_LISTED: Mapping[str, Listing] = {}


_REVOKED = "行政处罚决定已被依法撤销（行政复议、行政诉讼或作出机关自行纠正），不再是有效的处罚，不作为失信信息公示"
_NOT_PENALISED = ("行政处罚法第三十三条：初次违法且危害后果轻微并及时改正的，可以不予行政处罚；不予（免予）行政处罚的决定未给予处罚，"
                  "不是行政处罚信息，不作为失信信息公示")
_REVOKED_OTHER = "{title}的决定已被依法撤销（当前状态为撤销），不再有效，不公示"
"""The basis for a revoked record of another item (a site's own item with a 当前状态 column): not a penalty's words."""


@dataclass(frozen=True)
class Decision:
    """Whether a record is published on the as-of date, and why or why not."""

    published: bool
    reason: str | None = None
    start: date | None = None
    until: date | None = None
    marked: bool = False
    basis: str = ""
    version: str = ""
    """The version of the period rule applied (e.g. ``发改办财金〔2019〕527号``); empty if unversioned."""

    @property
    def outcome(self) -> str:
        """``published`` or the reason code."""
        return "published" if self.published else str(self.reason)


def decide(record: Record, item: CatalogItem, policy: Policy, as_of: date,
           listed: Mapping[str, Listing] = NOT_LISTED) -> Decision:
    """Decide whether ``record`` is public on ``as_of`` under ``policy``.

    ``listed``: by 统一社会信用代码, when each subject with a 严重失信主体名单 entry is listed, for periods that go on
    while the subject is listed and credit repair that waits until it is not.
    """
    if record.get(roles(item).get("publish_status")) != "approved":
        return Decision(False, "not_approved")
    if record.get(roles(item).get("disclosure_level")) != "public":
        return Decision(False, "not_public")
    status = record.get(roles(item).get("decision_status"))
    if status == "revoked":
        penalty = item.id == "admin_penalty" or "处罚" in item.title
        return Decision(False, "revoked", basis=_REVOKED if penalty else _REVOKED_OTHER.format(title=item.title))
    versions = policy.rule(item.id, item.period).versions
    rule = policy.period(item.id, item.period, as_of)
    start = record.get(rule.start)
    assert isinstance(start, date), "validation guarantees the start date"
    version = rule.version
    person = _person_reason(record, item, policy)
    if person:
        return Decision(False, person, basis=policy.basis["natural_persons"], version=version)
    summary = bool(rule.summary_procedure) and record.get(rule.summary_procedure) == "summary"
    slight = is_slight(record, rule) or summary and policy.summary_is_slight
    # 令36号: 轻微 is not published, except where the authority found it necessary (a 公示截止期), for at most 3 months.
    necessary = rule.slight is not None and any(isinstance(record.get(name), date) for name in rule.ends_at)
    if summary and not policy.publish_summary_procedure and not (policy.summary_is_slight and necessary):
        return Decision(False, "summary_procedure", basis=policy.basis["summary_procedure"], version=version)
    if _NOT_WORDS.search(_text_of(record, rule)) is not None and is_not_penalised(record, rule):
        return Decision(False, "not_penalised", basis=_NOT_PENALISED, version=version)
    if slight and not necessary:
        return Decision(False, "slight_dishonesty", basis=rule.basis, version=version)
    objection = record.get(roles(item).get("objection_status"))
    filed = record.get(roles(item).get("objection_date"))
    # The objection's state is the export's, true now, whatever the as-of date: a site built for an earlier day (a
    # back-fill after an outage) goes live when it is built, and a filing date after the as-of date (or a year typed
    # wrong) had put on the live site a record found wrong, or one whose objection was being handled.
    if objection is None and isinstance(filed, date):
        objection = "pending"  # an objection was filed and no outcome is given: it is being handled
    if status == "objection" and objection in (None, "none"):
        objection = "pending"  # 当前状态 异议: an objection is being handled
    if objection == "upheld":
        return Decision(False, "objection_upheld", basis=policy.basis["objection"], version=version)
    if objection == "unverifiable" and policy.exclude_unverifiable:
        return Decision(False, "objection_unverifiable", basis=policy.basis["objection"], version=version)
    if objection == "pending" and (policy.objection_mode == "suspend" or not isinstance(filed, date)):
        # In mark mode the record stays public with its 异议标注, which gives the filing date: without one it cannot
        # be marked, so it is suspended rather than shown unmarked.
        return Decision(False, "objection_pending", basis=policy.basis["objection"], version=version)
    start = max(start, _counted(record, rule, start))  # a judgment's period begins when it takes effect (Dalian)
    if as_of < start:
        return Decision(False, "not_started", start=start, basis=rule.basis, version=version)
    code = record.get(roles(item).get("uscc"))
    listing = listed.get(code, ()) if isinstance(code, str) and code else ()
    repair = _repair_takes_effect(record, item, rule, versions, policy, as_of, slight)
    if repair is not None and policy.repair_not_while_listed:
        # Repair does not apply while the subject is listed (浙江 art. 32 ¶2): it takes effect once the listing it
        # falls in has ended. A repair that took effect before a listing began stands.
        repair = first_unlisted(listing, repair)
    until, reason = _end(record, item, rule, start, slight=slight, repair=repair)
    if until is not None and until < date.max and rule.extend_while_listed and is_listed(listing, next_day(until)):
        # The subject is on a serious-dishonesty list when its period would end: the maximum length does not end it
        # (浙江 art. 16); the end of that listing, a 公示截止期, removal or credit repair does. A period that ended
        # before a listing began is not taken up again.
        extended, why = _end(record, item, rule, start, listed=True, repair=repair)
        listing_ends = listed_until(listing, next_day(until))
        until, reason = min(((day, why) for day, why in ((extended, why), (listing_ends, "expired")) if day is not None),
                            default=(None, "expired"), key=lambda end: end[0])
    if until == date.max:
        until = None  # a period ending on the last representable day has no end in practice
    if slight and rule.valid_from is not None and start < rule.valid_from:
        if until is not None and until < rule.valid_from:
            # Its longest period ended before 轻微 information could be published at all: it never was public, and
            # has no period to show (a start of 2026-04-01 with an end of 2026-03-11 was none).
            return Decision(False, reason, until=until, basis=rule.basis, version=version)
        start = rule.valid_from  # 轻微 information could first be published on the day 令36号 came into force
    if until is not None and as_of > until:
        return Decision(False, reason, start=start, until=until, basis=rule.basis, version=version)
    marked = objection == "pending" and policy.objection_mode == "mark"
    return Decision(True, None, start=start, until=until, marked=marked, basis=rule.basis, version=version)


def is_listed(listing: Listing, day: date) -> bool:
    """Whether ``listing`` has the subject on a list on ``day``."""
    number = day.toordinal()
    return any(first <= number and (not last or number <= last) for first, last in listing)


def listed_until(listing: Listing, day: date) -> date | None:
    """The last day of the unbroken listing that holds ``day`` (entries that overlap or follow each other without a
    day between are one listing); ``None``: it has no end."""
    end = day.toordinal()
    for first, last in listing:  # in order of first day
        if first > end + 1:
            break
        if not last:
            return None
        end = max(end, last)
    return date.fromordinal(end)


def first_unlisted(listing: Listing, day: date) -> date | None:
    """``day`` if the subject is not listed then, else the day after the listing that holds it ends (``None``:
    never)."""
    if not is_listed(listing, day):
        return day
    ends = listed_until(listing, day)
    return next_day(ends) if ends is not None else None


_SEPARATORS = re.compile(r"[、,;/|\s()\[\]【】〔〕{}<>《》]+|和|(?<!涉)及|并")
"""What separates two penalty kinds (after NFKC: ，；／（） are read as ,;/()): 、 , ; / | white space, brackets, and
the words 和 及 (not in 涉及) 并."""
_OTHER = "其他"
_OTHER_KIND = re.compile(r"(?:其他|行政处罚|声誉罚|申诫罚)(?:处罚|类|种类|行政处罚)?[^\w]*[(\[【〔](?P<kind>[^)\]】〕]*)[)\]】〕]?"
                         r"|(?:其他|行政处罚|声誉罚|申诫罚)[-—–~:：]+(?P<after>.+)")
"""其他, or the name of a class of penalties (行政处罚; 声誉罚 or the older 申诫罚, 行政处罚法 art. 9 (一): 警告, 通报批评), with
the kind it stands for, bracketed or after a dash or colon: ``其他（通报批评）``, ``其他-通报批评``, ``声誉罚（警告）``,
``行政处罚-警告``."""
_QUALIFIERS = {"书面", "口头", "一般", "当场", "处罚", "行政处罚", "处理", "处分"}
"""Words that a kind's brackets or list may hold beside it and that name no sanction (``警告（书面）``, ``警告（一般）``,
``警告（处罚）``): no kind."""
_REPUTATIONAL = {"声誉罚", "申诫罚"}
"""The class of penalties that are a warning or 通报批评 only (行政处罚法 art. 9 (一); 申诫罚 its older name): a kind of
its own, as slight as they are."""
_ENGLISH = {"warning": "警告", "a warning": "警告"}
"""Kinds written in English, in Chinese."""
_VARIANTS = str.maketrans({"吿": "告", "罸": "罚"})
"""Variant characters of the words of penalties that OpenCC leaves as they are (``警吿``)."""
_NO_PENALTY = re.compile(r"(?:依法)?(?:决定)?(?:不予|免予|免于|免除|不作)(?:行政)?(?:处罚)?(?:决定)?")
"""A decision not to penalise (行政处罚法 art. 33: 不予行政处罚, 免予处罚): no penalty at all."""
_EDGES = re.compile(r"^[\W_]+|[\W_]+$")
_SPACED = re.compile(r"警\s+告|通\s*报\s*批\s*评")
"""A warning or 通报批评 written with spaces between its characters (``警 告``, ``通 报 批 评``)."""
_WORDING = re.compile(r"^(?:依法|决定|对(?:当事人|其|你|该)(?:单位|公司|企业)?|作出|给予|予以|处以|行政|书面|口头"
                      r"|在[^,;:。]{0,12}?范围内)+(?=.)"
                      r"|(?<=.)(?:的行政处罚|行政处罚|的处罚|处罚决定|处罚|处分|处理|一次|类)+$")
"""Words around a kind that do not change it (``予以警告``, ``对当事人给予警告``, ``决定给予警告``, ``行政警告``, ``书面警告``,
``在全市范围内通报批评``, ``警告处罚``, ``警告处分``, ``警告处理``, ``警告类``); removed only where something is left."""
_SANCTION = (r"罚款|罚金|罚没|没收|暂扣|吊扣|扣留|吊销|撤销|降低|降级|资质等级|停产|停业|关闭|关停|限制|禁止|禁入|取消|"
             r"暂停|拘留|查封|扣押|收缴|上缴|追缴|经济处罚|取缔|出境|并处|停止(?:生产|经营|营业|执业|施工|招生|营运|运营|业务)|"
             r"不[得准](?:参加|参与|担任|申请|从事|承接|进入|取得|报名|经营|开展|投标|再次申请)|不(?:予)?受理|暂缓(?:核发|发放|受理|审批)|"
             r"收回(?:[^，,。；;]{0,6})?(?:许可|证|照|资质|资格)|注销(?:[^，,。；;]{0,6})?(?:许可|证书|执照|资质|资格|登记)")
"""Words that name a sanction besides a warning (行政处罚法 art. 9: 限制开展生产经营活动, 限制从业, 暂扣或吊销许可证件,
责令停产停业或关闭…; 并处 always introduces another penalty, 出境 is 限期出境 or 驱逐出境): also a bar written as
``N年内不得担任…``/``不准从事…``/``不予受理…申请``, 吊扣 (暂扣), 关停, 暂缓核发 and 收回 or 注销 of a licence."""
_CN_DIGITS = "零〇一二两三四五六七八九十壹贰叁肆伍陆柒捌玖拾"
_CN_NUMERALS = _CN_DIGITS + "百千万亿佰仟萬億"
_MONEY = (rf"(?<![\d,.{_CN_NUMERALS}])(?=[\d,.{_CN_NUMERALS}]*?[\d{_CN_DIGITS}])[\d,.{_CN_NUMERALS}]++"
          rf"\s*(?:美|港|欧)?(?:元|圆|块)(?![化素件])|¥\s*\d|人民币\s*[\d{_CN_NUMERALS}]")
"""An amount of money: a run of digits or Chinese numerals with at least one digit (``2000``, ``2,000.5``, ``3万``,
``二千``, ``贰仟``) followed by 元, 圆 or 块 (not 元化 元素 元件), ``¥`` and a digit, or 人民币 and a number. Each run is
read once from its start (no backtracking), so a cell of a million digits costs linear time."""
_SANCTION_WORDS = re.compile(rf"{_SANCTION}|{_MONEY}")
"""What names a sanction besides a warning in a penalty's text (处罚内容): a penalty whose text holds one, once
negated sanctions are set aside (:data:`_NEGATED`), is never 轻微, whatever its 处罚类别 says."""
_FILLER = r"(?:给予|予以|处以|作出|进行|实施|涉及|适用|并处|另行|对其|处|予|以|作|再|其){0,4}"
_QUOTE = "[\"'“”‘’「」『』]"
_NEGATED = re.compile(
    rf"(?:不涉及|未涉及|不适用|无需|无须|不需|不再|未予|不予|免予|免于|免除|未作|不作|并未|没有|未|无|不|免){_FILLER}"
    rf"(?:{_SANCTION})(?:\s*[、和及或与/]\s*{_FILLER}(?:{_SANCTION}))*"
    rf"|(?:并处|处)?(?:{_SANCTION})(?:金额|数额|额|款|违法所得|非法财物)?\s*[:：]?\s*(?:为|是)?\s*{_QUOTE}?"
    rf"(?:无|没有|不涉及|暂无|0(?:\.0+)?\s*万?\s*元?){_QUOTE}?(?![\w.])")
"""A sanction said not to be imposed: a negation (不涉及 未涉及 不适用 无需 无须 不需 不再 未予 不予 免予 免于 免除 未作
不作 并未 没有 未 无 不 免) directly before it, with only 给予/予以/处以/作出/进行/实施/涉及/适用/并处/另行/对其/处/予/以/作/
再/其 between (``未予罚款``, ``不予没收``, ``不涉及罚款``, ``不予罚款、没收``); or the sanction followed by none (``罚款：无``,
``罚款0元``, ``处罚金额：0元``, ``罚款"0"``, ``没收违法所得为不涉及``). Read as 无."""
_CORRECTIVE = re.compile(r"(?:责令)?(?:其|当事人)?(?:立即|限期|按期|当场|及时)?"
                         r"(?:(?:改正|整改|纠正)(?:违法行为|到位)?|停止违法(?:行为)?)")
"""A corrective order (责令改正, 责令限期改正, 限期整改, 责令停止违法行为 …): not a penalty (行政处罚法 art. 28), so not a
kind; 责令停产停业 and 责令关闭 are penalties and do not match."""
_NO_SANCTION = {"0"}
"""Text of an ``other_sanctions`` field that carries nothing besides the placeholders of
:func:`~site_builder.rules.validation.means_none`."""


_MEASURED = re.compile(r"(?<![处以缴纳按罚])(?<!违法)(?<!非法)(?:违法|非法)?"
                       r"(?:经营额|经营数额|经营金额|销售额|销售金额|营业额|营业收入|货值金额|货值|涉案金额|涉案货值|涉案价值|案值|标的额|进货额|进货金额|货物价值|商品价值)"
                       rf"\s*(?:为|是|约|共|计|合计|达|[:：])*\s*(?:人民币)?\s*(?:{_MONEY})")
"""An amount that measures the violation, not a sanction (``违法经营额1500元``, ``货值金额：3万元``): left out where a
penalty's text is searched for money (a warning that quotes the turnover is still only a warning); not right after
处, 以, 缴, 纳, 按 or 罚 (``处违法经营额1500元``, ``罚货值金额3万元``, ``处以货值金额1500元``, ``上缴违法经营额…``,
``缴纳违法经营额…``, ``按违法经营额…处罚``: the amount imposed). An amount of 违法所得 stays: confiscating it is a
sanction, and a text that names it does not say it was not confiscated."""


def _readable(text: str) -> str:
    """``text`` as its words are matched: NFKC, in simplified characters (``罰款``, ``通報批評``), variant characters
    OpenCC keeps read as the common ones (``警吿``)."""
    return simplified(unicodedata.normalize("NFKC", text)).translate(_VARIANTS)


def _unsaid(text: str) -> str:
    """``text`` (:func:`_readable`) with the sanctions it says are not imposed (:data:`_NEGATED`) read as 无."""
    return _NEGATED.sub("无", _readable(text))


@functools.lru_cache(maxsize=8192)
def penalty_kinds(text: str) -> tuple[str, ...]:
    """The penalty kinds written in ``text`` (a 处罚类别, or a short 处罚内容), each normalised: NFKC; sanctions said
    not to be imposed read as 无 (:func:`_unsaid`); 其他 with a bracketed kind (or ``其他-…``, ``其他：…``) read as that
    kind; split at :data:`_SEPARATORS`; punctuation at either end dropped; leading 依法/作出/给予/予以/处以 and trailing
    处罚/行政处罚/的处罚/的行政处罚/处罚决定/一次 dropped (:data:`_WORDING`, where something is left); a placeholder for
    none (无, 不涉及, 暂无 …: :func:`means_none`) is no kind. ``警告。``, ``警告处罚``, ``予以通报批评``, ``其他（通报批评）``
    and ``警告（不涉及罚款）`` give one kind each; ``警告，并处罚款2000元`` gives ``警告`` and ``处罚款2000元``."""
    text = _OTHER_KIND.sub(lambda m: f" {m.group('kind') or m.group('after') or _OTHER} ", _unsaid(text))
    text = _SPACED.sub(lambda m: re.sub(r"\s+", "", m.group()), text)  # 警 告: one kind
    kinds = []
    for part in _SEPARATORS.split(text):
        kind = _WORDING.sub("", _EDGES.sub("", part))
        kind = _ENGLISH.get(kind.casefold(), kind)
        if kind and not means_none(kind):
            kinds.append(kind)
    named = tuple(kind for kind in kinds if kind not in _QUALIFIERS)
    return named if named or not kinds else (_OTHER,)  # only qualifiers (``处罚``, ``行政处罚``): no kind named


def is_slight(record: Record, rule: RuleVersion) -> bool:
    """Whether a record is 轻微失信 under ``rule`` (令36号; 市场监督管理行政处罚信息公示规定 art. 2).

    It is when its severity is ``slight``, or when it is a penalty that is only a warning or 通报批评:
    its kinds (:func:`penalty_kinds` of ``penalty_type``; where that gives none or only 其他, of ``penalty_content``),
    corrective orders (:data:`_CORRECTIVE`, 责令改正: not penalties) left aside, are all among the rule's
    ``slight_types`` and there is at least one; its ``penalty_content`` names no other sanction (:data:`_SANCTION_WORDS`,
    once negated ones are read as 无), and none of its ``other_sanctions`` fields carries one (:func:`_carries`). A
    penalty with any other sanction is never slight; one whose only kinds are corrective orders is not slight either.
    """
    if rule.severity and record.get(rule.severity) == SLIGHT:
        return True
    if not rule.penalty_type or not rule.slight_types:
        return False
    if any(_carries(record.get(name)) for name in rule.other_sanctions):
        return False
    kinds = [kind for kind in _kinds(record, rule) if not _CORRECTIVE.fullmatch(kind)]
    if not kinds or not all(kind in rule.slight_types or kind in _REPUTATIONAL for kind in kinds):
        return False  # most penalties end here, their text unread: a fine is no warning
    return not _SANCTION_WORDS.search(_searched_text(record, rule))


def _searched_text(record: Record, rule: RuleVersion) -> str:
    """A penalty's text (``penalty_content``) as it is searched for what it imposes: :func:`_unsaid` (sanctions said
    not to be imposed read as 无), the amounts that measure the violation left out (:data:`_MEASURED`)."""
    return _MEASURED.sub("", _unsaid(str(record.get(rule.penalty_content) or ""))) if rule.penalty_content else ""


def _kinds(record: Record, rule: RuleVersion) -> tuple[str, ...]:
    """The kinds of a penalty: of its ``penalty_type``, or where that gives none or only 其他, of its
    ``penalty_content`` (the penalty's text says what it was)."""
    kinds = penalty_kinds(str(record.get(rule.penalty_type) or "")) if rule.penalty_type else ()
    if all(kind == _OTHER for kind in kinds) and rule.penalty_content:
        kinds = penalty_kinds(str(record.get(rule.penalty_content) or ""))
    return kinds


_NOT_WORDS = re.compile("[不免]")
"""What a decision not to penalise holds (不予, 免予, 免于, 免除, 不作, in either script): a penalty whose kinds and text hold
neither is read no further for it."""


def _text_of(record: Record, rule: RuleVersion) -> str:
    """A penalty's kinds and text, as written, one after the other."""
    return "".join(str(record.get(name) or "") for name in (rule.penalty_type, rule.penalty_content) if name)


def is_not_penalised(record: Record, rule: RuleVersion) -> bool:
    """Whether a penalty record is a decision not to penalise (不予行政处罚, 免予处罚: 行政处罚法 art. 33), no penalty and
    so no adverse information: its kinds (:func:`_kinds`) are all such a decision, its text names no sanction and no
    warning, none of its ``other_sanctions`` fields carries one, and its severity is not 严重."""
    if not rule.penalty_type or any(_carries(record.get(name)) for name in rule.other_sanctions):
        return False
    if rule.severity and record.get(rule.severity) == "serious":
        return False  # 严重: the record says it is serious dishonesty (一般 is what most exports write for every row)
    content = _searched_text(record, rule)
    if _SANCTION_WORDS.search(content) or any(kind in content for kind in (*rule.slight_types, *_REPUTATIONAL)):
        return False  # its text imposes something after all (a warning with a 公示截止期 may be published 3 months)
    kinds = _kinds(record, rule)
    return bool(kinds) and all(_NO_PENALTY.fullmatch(kind) for kind in kinds)


def _carries(value: Value) -> bool:
    """Whether a field of ``other_sanctions`` carries a sanction: a number above 0, or text other than a placeholder for
    none (:func:`means_none`: 无, 不涉及, 暂无, 无此项, 无证照, -, / …; ``0``) once sanctions said not to be imposed are
    read as 无 (``未吊销`` carries none)."""
    if value is None:
        return False
    if isinstance(value, Decimal):
        return value > 0
    text = _unsaid(str(value))
    return not (means_none(text) or _EDGES.sub("", text) in _NO_SANCTION or not _EDGES.sub("", text))


def _person_reason(record: Record, item: CatalogItem, policy: Policy) -> str | None:
    """The reason a natural person's record is not published, if any."""
    if record.get(roles(item).get("subject_category")) != "natural_person":
        return None
    if not policy.publish_natural_persons:
        return "natural_person"
    decided = record.get(roles(item).get("decision_date"))
    born = _birth_date(str(record.get(roles(item).get("id_no")) or ""))
    if born is None or not isinstance(decided, date):
        return "age_unknown"
    # 周岁按照公历的年、月、日计算，从周岁生日的第二天起算 (最高人民法院关于审理未成年人刑事案件具体应用法律若干问题
    # 的解释 第二条): the N years end on the Nth birthday (民法典 art. 201-202: for 29 February, the last day of
    # February), and the person is N years old from the day after it.
    of_age = next_day(Duration(months=12 * policy.min_age).last_day(born)) if policy.min_age > 0 else born
    return "minor" if decided < of_age else None


def _birth_date(value: str) -> date | None:
    """The birth date a natural person's 证件号码 gives: of the valid ID number (either generation) that it is, else of
    the one valid 18-character ID number written in it (``ID110119201201050015``, ``证号5001…``); else ``None``
    (``age_unknown``). Positions 7-14 of anything else are no birth date: read so, ``ID1101192012…`` (a child's)
    gave 1920-12-01, and a 15-digit number 8007-07-07."""
    number = canonical(value)
    born = id_birth_date(number)
    if born is None:
        found = set(numbers_in(value, CODE))
        born = id_birth_date(found.pop()) if len(found) == 1 else None
    return born


def _severity(record: Record, rule: RuleVersion, slight: bool) -> str | None:
    """The severity code a record's lengths are read for under ``rule``."""
    severity = SLIGHT if slight else record.get(rule.severity) if rule.severity else None
    return str(severity) if severity else None


def _counted(record: Record, rule: RuleVersion, start: date) -> date:
    """The date a record's lengths count from under ``rule`` (its first filled ``count_from`` field, else ``start``),
    never before ``start``: a judgment takes effect on or after the day it is made, so an effective date before it
    (a typing error) cannot cut its period short. The record is public from that date on (:func:`decide`): a
    judgment whose 生效日期 is still to come (or is years ahead, another error) is not yet published."""
    counted = next((d for name in rule.count_from if isinstance(d := record.get(name), date)), start)
    return max(counted, start)


def _repair_takes_effect(record: Record, item: CatalogItem, rule: RuleVersion, versions: tuple[RuleVersion, ...],
                         policy: Policy, as_of: date, slight: bool) -> date | None:
    """The first day credit repair withdraws the record (``None``: it never does).

    Repair ends publication (终止公示, 令36号 art. 3) on the first day from the repair date on which the minimum
    period of the rule version **in force that day** has passed. Once it has (on or before ``as_of``), a later
    version with a longer minimum does not bring the record back (发改办财金〔2019〕527号's 6 months for a serious
    penalty, then 1 year under 国家发展改革委令第58号). While it has not, the version in force on ``as_of`` tells
    when it will.
    """
    repaired = record.get(roles(item).get("repair_date"))
    if not isinstance(repaired, date) or not policy.withdraw_repaired or item.nature != "adverse":
        return None
    for version in versions:
        first = _after_minimum(record, version, repaired, slight)
        if version.valid_from is not None:
            first = max(first, version.valid_from)
        if version.valid_until is None or first <= version.valid_until:
            if first <= as_of:
                return first  # took effect under the version then in force: publication has ended for good
            break
    return _after_minimum(record, rule, repaired, slight)


def _after_minimum(record: Record, rule: RuleVersion, repaired: date, slight: bool) -> date:
    """The first day repair on ``repaired`` can withdraw the record under ``rule``: after its minimum period."""
    start = record.get(rule.start)
    shortest = rule.length("min", _severity(record, rule, slight))
    if shortest is None or not isinstance(start, date):
        return repaired
    return max(repaired, next_day(shortest.last_day(_counted(record, rule, start))))


def _end(
    record: Record, item: CatalogItem, rule: RuleVersion, start: date, listed: bool = False,
    slight: bool = False, repair: date | None = None,
) -> tuple[date | None, str]:
    """The last public day and the reason publication ends then (``expired``, ``removed``, ``repaired``).

    ``listed``: the subject is on a serious-dishonesty list and the rule extends while it is, so
    the maximum length does not end publication. ``slight``: the record is 轻微, so the rule's
    ``slight`` length is its maximum. ``repair``: the first day credit repair withdraws it
    (:func:`_repair_takes_effect`; ``None``: never).
    """
    ends: list[tuple[date, str]] = []
    longest = rule.length("max", _severity(record, rule, slight))
    if longest is not None and not listed:
        ends.append((longest.last_day(_counted(record, rule, start)), "expired"))
    for name in rule.ends_at:
        value = record.get(name)
        if isinstance(value, date):
            ends.append((value, "expired"))
    for name in rule.removed_on:
        value = record.get(name)
        if isinstance(value, date):
            ends.append((previous_day(value), "removed"))
    if repair is not None:
        ends.append((previous_day(repair), "repaired"))
    if not ends:
        return None, "expired"
    order = ("expired", "removed", "repaired")
    return min(ends, key=lambda end: (end[0], order.index(end[1])))
