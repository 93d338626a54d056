"""Dirty input never leaks or loses a row (issue 8): broken quoting, ID numbers in every written form,
repeated ids, empty or linked item files, sentinel dates, control characters.

Each test builds real records files through the real build and reads every output file back.
"""

from __future__ import annotations

import csv
import json
import os
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import CATALOGUE_DIR, build_site, make_resident_id, make_uscc, person, row, site_config, write_csv
from test_build import output_texts

from site_builder.cli import main
from site_builder.exceptions import InputError
from site_builder.inputs import input_secrets
from site_builder.rules.catalogue import load_catalogue
from site_builder.rules.privacy import canonical, scan_for_leaks, scrub

AS_OF = date(2026, 11, 24)
ADULT_ID = make_resident_id("330106", "19900307", "123")
REP_ID = make_resident_id("110108", "19750102", "555")
ID15 = "330106" + "850307" + "123"  # first generation: region, YYMMDD, sequence
MOBILE = "13800138000"
BANK_CARD = "6222021234567890128"  # 19 digits, Luhn-valid
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")
CN_DIGITS = str.maketrans("0123456789", "〇一二三四五六七八九")


def quarantine(result_audit: Path) -> list[dict[str, str]]:
    with (result_audit / "quarantine.csv").open(encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def manifest(output: Path) -> dict[str, object]:
    data: dict[str, object] = json.loads((output / "manifest.json").read_text(encoding="utf-8"))
    return data


def digits_anywhere(texts: dict[str, str], number: str) -> list[str]:
    """The output files in which ``number`` can be read in any written form (separators, widths, digits)."""
    return [name for name, text in texts.items() if canonical(number) in canonical(text)]


# --- 1. Quoting that swallows rows --------------------------------------------------------------------


def penalty_file(path: Path, facts: list[str]) -> list[str]:
    """A penalty file whose rows carry the given 违法事实; returns its lines (heading first)."""
    rows = [row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01", violation_facts=f"FACT{n}",
                legal_rep_id_no=REP_ID if n == 2 else "")
            for n in range(1, len(facts) + 1)]
    rows[2] |= {"publish_status": "待审核", "subject_name": "SECRETPENDING有限公司"}
    rows[3] |= {"disclosure_level": "授权查询", "subject_name": "SECRETAUTHORISED有限公司"}
    write_csv(path, "admin_penalty", rows)
    text = path.read_text(encoding="utf-8-sig")
    for n, fact in enumerate(facts, start=1):
        text = text.replace(f"FACT{n},", fact + ",", 1)
    path.write_text(text, encoding="utf-8-sig")
    return text.splitlines()


@pytest.mark.parametrize("closing", ["never", "later"])
def test_a_cell_opened_with_ascii_and_closed_with_full_width_quote_swallows_nothing(tmp_path: Path, closing: str) -> None:
    facts = ["正常", '"经查，当事人销售过期食品”', "甲", "乙", '"含,逗号"' if closing == "later" else "丙", "丁"]
    records = tmp_path / "records"
    lines = penalty_file(records / "admin_penalty.csv", facts)
    assert len(lines) == 7
    result = build_site(tmp_path, records, AS_OF)
    counts = manifest(result.output)["counts"]
    assert isinstance(counts, dict)
    assert counts["input_rows"] == 6  # every physical data line is a row
    assert counts["published"] + sum(counts["excluded"].values()) + counts["quarantined"] == 6
    entries = quarantine(result.audit)
    broken = [e for e in entries if e["error"] == "broken-quoting"]
    last = 6 if closing == "later" else 7
    assert [int(e["row"]) for e in broken] == list(range(3, last + 1))
    assert all(f"第3–{last}行" in e["message"] for e in broken)
    texts = output_texts(result.output)
    for secret in ("SECRETPENDING", "SECRETAUTHORISED", "经查，当事人销售过期食品"):
        assert not [n for n, t in texts.items() if secret in t], secret
    assert "record/admin_penalty/AP-1/index.html" in texts  # the row before is published
    if closing == "later":
        assert "record/admin_penalty/AP-6/index.html" in texts  # and the row after the stretch


def test_a_quote_left_open_at_the_end_of_a_truncated_file(tmp_path: Path) -> None:
    records = tmp_path / "records"
    path = records / "admin_penalty.csv"
    penalty_file(path, ["正常", "b", "c", "d"])
    path.write_text(path.read_text(encoding="utf-8-sig") + 'AP-9,已审核,公开,"未写完的', encoding="utf-8-sig")
    result = build_site(tmp_path, records, AS_OF)
    entries = quarantine(result.audit)
    assert [(e["row"], e["error"]) for e in entries] == [("6", "broken-quoting")]
    assert "引号未闭合" in entries[0]["message"]
    assert "未写完的" not in "".join(output_texts(result.output).values())


def test_a_truncated_row_is_quarantined_not_published_short(tmp_path: Path) -> None:
    records = tmp_path / "records"
    path = records / "admin_penalty.csv"
    lines = penalty_file(path, ["正常", "b", "c", "d"])
    path.write_text("\n".join([*lines[:4], lines[4][: len(lines[4]) // 2]]) + "\n", encoding="utf-8-sig")
    result = build_site(tmp_path, records, AS_OF)
    assert [(e["row"], e["error"]) for e in quarantine(result.audit)] == [("5", "short-row")]


def test_a_real_multi_line_cell_is_kept_and_rows_are_numbered_by_line(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", violation_facts="第一行\n第二行\n第三行"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-31"),
    ])
    result = build_site(tmp_path, records, AS_OF)
    assert [(e["row"], e["error"]) for e in quarantine(result.audit)] == [("5", "date")]
    page = (result.output / "record/admin_penalty/AP-1/index.html").read_text(encoding="utf-8")
    assert "第三行" in page


# --- 2. ID numbers, phone and card numbers in every written form ----------------------------------------


FORMS = {
    "full-width": ADULT_ID.translate(FULL_WIDTH),
    "spaces": f"{ADULT_ID[:6]} {ADULT_ID[6:14]} {ADULT_ID[14:]}",
    "nbsp": "\u00a0".join([ADULT_ID[:6], ADULT_ID[6:]]),
    "ideographic-space": "\u3000".join([ADULT_ID[:9], ADULT_ID[9:]]),
    "dashes": f"{ADULT_ID[:6]}-{ADULT_ID[6:14]}—{ADULT_ID[14:]}",
    "dots": ".".join([ADULT_ID[:6], ADULT_ID[6:14], ADULT_ID[14:]]),
    "line-break": f"{ADULT_ID[:10]}\n{ADULT_ID[10:]}",
    "label": f"ID{ADULT_ID}",
    "zero-width": "\u200b".join(ADULT_ID),
    "chinese-digits": ADULT_ID.translate(CN_DIGITS),
    "lower-x": make_resident_id("330106", "19900307", "124").lower(),
}


@pytest.mark.parametrize("form", sorted(FORMS))
def test_scrub_masks_an_id_number_in_any_written_form(form: str) -> None:
    text = f"经查，当事人（身份证{FORMS[form]}号）销售过期食品"
    out = scrub(text)
    assert canonical(FORMS[form]) not in canonical(out), out
    assert "*" in out and out.startswith("经查，当事人（身份证") and out.endswith("号）销售过期食品")


@pytest.mark.parametrize(("number", "shown"), [
    (ID15, "330*"), (MOBILE, "138****8000"), ("138 0013 8000", "138****8000"),
    ("+86 138-0013-8000", "138****8000"), (BANK_CARD, "6222"), (" ".join([BANK_CARD[i:i + 4] for i in range(0, 19, 4)]), "6222"),
])
def test_scrub_masks_first_generation_ids_mobiles_and_bank_cards(number: str, shown: str) -> None:
    out = scrub(f"联系方式{number}。")
    assert canonical(number).removeprefix("+86").removeprefix("86") not in canonical(out), out
    assert shown in out


def test_an_id_ending_in_x_is_masked_whatever_follows_it() -> None:
    """Found by the property test: ``…837Xy`` (a letter right after the final X) hid the number."""
    number = next(n for seq in range(1000) if (n := make_resident_id("500106", "19941122", f"{seq:03d}")).endswith("X"))
    for after in ("y", "号", "ABC", ""):
        out = scrub(f"No.{number}{after}")
        assert number not in canonical(out) and out.endswith(f"{number[-4:]}{after}"), out


def test_scrub_leaves_dates_amounts_codes_and_document_numbers_alone() -> None:
    text = "2024年3月5日作出杭市监罚〔2024〕123号决定，罚款12000元，统一社会信用代码91330100MA27XL0A1X。"
    assert scrub(text) == text


def test_every_written_form_is_masked_in_every_output_file(tmp_path: Path) -> None:
    """One build with the search index: each form in 备注, in 违法事实, in names; no file holds the digits."""
    records = tmp_path / "records"
    rows = [
        row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01", remarks=f"当事人身份证{written}",
            violation_facts=f"经查{written}，联系电话 138 0013 8000，银行卡{BANK_CARD}，老身份证{ID15}")
        for n, written in enumerate(FORMS.values(), start=1)
    ]
    rows.append(row("admin_penalty", record_id="AP-50", decision_date="2026-06-01", legal_rep_id_no=REP_ID,
                    remarks=f"法定代表人证件号码{REP_ID.translate(FULL_WIDTH)}"))
    rows.append(row("admin_penalty", record_id="AP-51", decision_date="2026-06-01",
                    subject_name=f"杭州某某有限公司{ADULT_ID}", uscc=make_uscc("91330100MA27XL0B1")))
    rows.append(row("admin_penalty", record_id="AP-52", decision_date="2026-06-01", subject_category="个体工商户",
                    subject_name=f"西湖区张三理发店（经营者身份证{ID15}）", uscc=make_uscc("92330106MA27XL0C1")))
    write_csv(records / "admin_penalty.csv", "admin_penalty", rows)
    result = build_site(tmp_path, records, AS_OF, search=True)
    texts = output_texts(result.output)
    assert any(name.endswith(".pf_fragment") for name in texts)
    for number in (*{canonical(f) for f in FORMS.values()}, REP_ID, ID15, MOBILE, BANK_CARD):
        assert digits_anywhere(texts, number) == [], number
    page = texts["record/admin_penalty/AP-1/index.html"]
    assert f"{ADULT_ID[:3]}{'*' * 11}{ADULT_ID[-4:]}" in page and "138****8000" in page
    assert "杭州某某有限公司330" in texts["record/admin_penalty/AP-51/index.html"]


@pytest.mark.parametrize("form", sorted(FORMS))
def test_verify_finds_a_planted_id_number_in_any_written_form(tmp_path: Path, form: str) -> None:
    records = tmp_path / "records"
    number = canonical(FORMS[form])
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", violation_facts=f"身份证{number}"),
    ])
    result = build_site(tmp_path, records, AS_OF)
    secrets = input_secrets(site_config(tmp_path, records))
    assert scan_for_leaks(result.output, secrets) == []
    page = result.output / "record/admin_penalty/AP-1/index.html"
    page.write_text(page.read_text(encoding="utf-8") + f"<p>{FORMS[form]}</p>", encoding="utf-8")
    assert scan_for_leaks(result.output, secrets) == [
        "record/admin_penalty/AP-1/index.html: contains 1 withheld value(s) or raw ID number(s)"]


def test_verify_finds_a_withheld_value_planted_in_full_width_with_spaces(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", legal_rep_id_no=REP_ID),
    ])
    result = build_site(tmp_path, records, AS_OF)
    secrets = input_secrets(site_config(tmp_path, records))
    data = result.output / "data" / "admin_penalty.csv"
    planted = " ".join(REP_ID[i:i + 6] for i in range(0, 18, 6)).translate(FULL_WIDTH)
    data.write_text(data.read_text(encoding="utf-8-sig") + planted, encoding="utf-8-sig")
    assert scan_for_leaks(result.output, secrets) == ["data/admin_penalty.csv: contains 1 withheld value(s) or raw ID number(s)"]


def test_a_record_id_that_is_an_id_number_is_quarantined(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id=f"P{ADULT_ID}", decision_date="2026-06-01")])
    result = build_site(tmp_path, records, AS_OF)
    assert [(e["error"], e["column"]) for e in quarantine(result.audit)] == [("unsafe-id", "记录编号")]
    assert digits_anywhere(output_texts(result.output), ADULT_ID) == []


# --- 5. Repeated record ids ----------------------------------------------------------------------------


@pytest.mark.parametrize("later", [{"publish_status": "已撤回"}, {"objection_status": "异议成立"}, {"record_id": "ap-7"},
                                   {"record_id": "ＡＰ－７"}])
def test_every_row_of_a_repeated_id_is_quarantined(tmp_path: Path, later: dict[str, str]) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty" / "a.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01"),
        row("admin_penalty", record_id="AP-7", decision_date="2026-06-01", violation_facts="FIRSTCOPY")])
    write_csv(records / "admin_penalty" / "b.csv", "admin_penalty", [
        row("admin_penalty", **{"record_id": "AP-7", "decision_date": "2026-06-01", "violation_facts": "SECONDCOPY"} | later)])
    result = build_site(tmp_path, records, AS_OF)
    entries = [e for e in quarantine(result.audit) if e["error"] == "duplicate-id"]
    assert [(e["file"], e["row"]) for e in entries] == [("admin_penalty/a.csv", "3"), ("admin_penalty/b.csv", "2")]
    assert all("admin_penalty/a.csv第3行" in e["message"] and "admin_penalty/b.csv第2行" in e["message"] for e in entries)
    texts = "".join(output_texts(result.output).values())
    assert "FIRSTCOPY" not in texts and "SECONDCOPY" not in texts
    assert (result.output / "record/admin_penalty/AP-1/index.html").is_file()


# --- 6. Items emptied silently ---------------------------------------------------------------------------


def run_build(records: Path, root: Path) -> tuple[int, str]:
    result = CliRunner().invoke(main, ["build", "--records", str(records), "--out", str(root / "out"),
                                       "--audit", str(root / "audit"), "--as-of", "2026-11-24", "--no-search"])
    assert result.exception is None or isinstance(result.exception, SystemExit), result.exception
    return result.exit_code, result.output


def test_a_zero_byte_item_file_stops_the_build(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [row("judgment")])
    (records / "admin_penalty.csv").write_bytes(b"")
    code, output = run_build(records, tmp_path)
    assert code == 1 and "admin_penalty.csv' is empty" in output


def test_a_dangling_link_named_like_an_item_file_stops_the_build(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "judgment.csv", "judgment", [row("judgment")])
    (records / "admin_penalty").mkdir()
    (records / "admin_penalty" / "2026.csv").symlink_to(tmp_path / "gone.csv")
    code, output = run_build(records, tmp_path)
    assert code == 1 and "2026.csv' is a symbolic link" in output and "does not exist" in output


def test_a_symlinked_subfolder_is_read(tmp_path: Path) -> None:
    elsewhere = tmp_path / "exports" / "2026"
    write_csv(elsewhere / "part.csv", "admin_penalty", [row("admin_penalty", record_id="AP-9", decision_date="2026-06-01")])
    records = tmp_path / "records"
    (records / "admin_penalty").mkdir(parents=True)
    (records / "admin_penalty" / "2026").symlink_to(elsewhere, target_is_directory=True)
    result = build_site(tmp_path, records, AS_OF)
    assert (result.output / "record/admin_penalty/AP-9/index.html").is_file()
    assert [s.name for s in result.sources] == ["admin_penalty/2026/part.csv"]


def test_a_folder_linking_back_to_itself_is_refused(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty" / "a.csv", "admin_penalty", [row("admin_penalty")])
    (records / "admin_penalty" / "loop").symlink_to(records / "admin_penalty", target_is_directory=True)
    with pytest.raises(InputError, match="links back"):
        build_site(tmp_path, records, AS_OF)


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file")
def test_an_unreadable_item_file_stops_the_build(tmp_path: Path) -> None:
    records = tmp_path / "records"
    path = write_csv(records / "admin_penalty.csv", "admin_penalty", [row("admin_penalty")])
    path.chmod(0)
    code, output = run_build(records, tmp_path)
    assert code == 1 and "cannot be read" in output


# --- 4. Sentinel dates -------------------------------------------------------------------------------------


def test_far_future_end_dates_mean_no_end_and_impossible_dates_are_quarantined(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "commendation.csv", "commendation", [
        row("commendation", record_id="BZ-1", valid_until="9999-12-31")])
    write_csv(records / "dishonest_list.csv", "dishonest_list", [
        row("dishonest_list", record_id="SX-1", removal_date="0001-01-01"),
        row("dishonest_list", record_id="SX-2", removal_date="9999-12-31", valid_until="2999-01-01"),
        row("dishonest_list", record_id="SX-3", decision_date="9999-12-31")])
    result = build_site(tmp_path, records, AS_OF)
    entries = {(e["record_id"], e["column"], e["error"]) for e in quarantine(result.audit)}
    assert entries == {("SX-1", "移出日期", "date"), ("SX-3", "列入日期", "date")}
    for path in ("record/commendation/BZ-1/index.html", "record/dishonest_list/SX-2/index.html"):
        assert (result.output / path).is_file()


@pytest.mark.parametrize("profile", ["national", "dalian", "zhejiang", "shanghai", "beijing"])
def test_sentinel_dates_never_stop_a_build_under_any_profile(tmp_path: Path, profile: str) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", penalty_valid_until="9999-12-31",
            disclosure_deadline="9999-12-31", repair_date="9999-12-31"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-01", penalty_valid_until="0001-01-01")])
    write_csv(records / "dishonest_list.csv", "dishonest_list", [row("dishonest_list", valid_until="9999-12-31")])
    result = build_site(tmp_path, records, AS_OF, profile=profile)
    assert result.counts.total() == 3
    assert {(e["record_id"], e["column"]) for e in quarantine(result.audit)} == {("AP-2", "处罚有效期")}


# --- 9. Control characters are removed at parse time ---------------------------------------------------------


def test_control_characters_are_removed_from_every_cell(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1\x00", decision_date="2026-06-01", violation_facts="经查\x01当事人\ufffe销售\u202e过期食品",
            subject_name="杭州\x0b恒远\u200b科技有限公司")])
    result = build_site(tmp_path, records, AS_OF)
    texts = output_texts(result.output)
    page = texts["record/admin_penalty/AP-1/index.html"]
    assert "经查当事人销售过期食品" in page and "杭州恒远科技有限公司" in page
    for char in "\x00\x01\x0b\ufffe\u202e":
        assert not [n for n, t in texts.items() if char in t], repr(char)


def test_natural_persons_keep_their_masked_forms(tmp_path: Path) -> None:
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", violation_facts="张三丰于2026年销售过期食品",
            **person(id_no=ADULT_ID))])
    result = build_site(tmp_path, records, AS_OF)
    page = (result.output / "record/admin_penalty/AP-1/index.html").read_text(encoding="utf-8")
    assert "张*丰于2026年" in page and "张三丰" not in page
    assert digits_anywhere(output_texts(result.output), ADULT_ID) == []


def test_the_catalogue_marks_registration_numbers_as_codes() -> None:
    catalogue = load_catalogue(CATALOGUE_DIR)
    subject_fields = {f.name: f for f in catalogue["admin_penalty"].fields}
    assert {subject_fields[n].format for n in ("business_reg_no", "org_code", "tax_reg_no")} == {"code"}


# --- columns that map to one field, numbers beyond reason, date-times (the second probe) ------------------------


def test_a_second_disclosure_column_saying_authorised_keeps_the_row_off_the_site(tmp_path: Path) -> None:
    """Bug: the first of two columns for one field won with only a file warning, so a row whose 共享公开属性
    said 授权查询 was published."""
    records = tmp_path / "records"
    path = write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01", subject_name=f"SECRET{n}有限公司")
        for n in range(1, 4)])
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    path.write_text("\n".join([lines[0] + ",共享公开属性", lines[1] + ",授权查询", lines[2] + ",", lines[3] + ",公开"]) + "\n",
                    encoding="utf-8-sig")
    result = build_site(tmp_path, records, AS_OF)
    entries = quarantine(result.audit)
    assert [(e["record_id"], e["error"]) for e in entries] == [("AP-1", "duplicate-column")]
    assert "共享公开属性" in entries[0]["message"] and "授权查询" in entries[0]["message"]
    texts = output_texts(result.output)
    assert not [n for n, t in texts.items() if "SECRET1" in t]
    assert "record/admin_penalty/AP-2/index.html" in texts and "record/admin_penalty/AP-3/index.html" in texts


def test_two_database_columns_of_one_field_are_settled_the_same_way(tmp_path: Path) -> None:
    import sqlalchemy as sa

    from site_builder.build import build
    from site_builder.sources.database import with_source

    item = load_catalogue(CATALOGUE_DIR)["admin_penalty"]
    data = [row("admin_penalty", record_id=f"AP-{n}", decision_date="2026-06-01") for n in range(1, 5)]
    fields = [f for f in item.fields if f.name in data[0]]
    engine = sa.create_engine(f"sqlite:///{tmp_path / 'db.sqlite'}")
    columns = [sa.Column(f.title, sa.Text) for f in fields] + [sa.Column("审核状态", sa.Text)]
    table = sa.Table("admin_penalty", sa.MetaData(), *columns)
    with engine.begin() as conn:
        table.create(conn)
        for values, second in zip(data, ["已驳回", None, "已审核", "已审核"], strict=True):
            first = {"发布状态": None} if values["record_id"] == "AP-4" else {}  # a NULL the other column fills
            conn.execute(table.insert().values({f.title: values[f.name] for f in fields} | {"审核状态": second} | first))
    engine.dispose()
    config = with_source(site_config(tmp_path, tmp_path / "records"), f"sqlite:///{tmp_path / 'db.sqlite'}")
    result = build(config, AS_OF)
    entries = quarantine(result.audit)
    assert [(e["record_id"], e["error"], e["column"]) for e in entries] == [("AP-1", "duplicate-column", "发布状态")]
    assert "已驳回" in entries[0]["message"] and "审核状态" in entries[0]["message"]
    assert json.loads((result.output / "manifest.json").read_text(encoding="utf-8"))["counts"]["published"] == 3


def test_numbers_beyond_reason_are_quarantined_and_never_printed(tmp_path: Path) -> None:
    """Bug: ``1e2000000`` was published with 2,000,001 digits; ``9e999999999`` ended the build in MemoryError."""
    records = tmp_path / "records"
    write_csv(records / "admin_penalty.csv", "admin_penalty", [
        row("admin_penalty", record_id="AP-1", decision_date="2026-06-01", fine_amount="1e2000000"),
        row("admin_penalty", record_id="AP-2", decision_date="2026-06-01", confiscated_amount="9e999999999"),
        row("admin_penalty", record_id="AP-3", decision_date="2026-06-01", fine_amount="-5"),
        row("admin_penalty", record_id="AP-4", decision_date="2026-06-01T08:00:00+08:00", fine_amount="12000元"),
    ])
    result = build_site(tmp_path, records, AS_OF)
    entries = quarantine(result.audit)
    assert [(e["record_id"], e["error"]) for e in entries] == [("AP-1", "number"), ("AP-2", "number"), ("AP-3", "number")]
    assert entries[1]["column"] == "没收违法所得、没收非法财物的金额（万元）"
    page = output_texts(result.output)["record/admin_penalty/AP-4/index.html"]
    assert "1.2" in page
