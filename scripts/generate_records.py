"""Generate realistic, deterministic demo records in the national 双公示 format.

    python scripts/generate_records.py --out data/records --encoding-mix
    python scripts/generate_records.py --out /tmp/big --subjects 300000     # ~1 million rows
    python scripts/generate_records.py --out /tmp/big --subjects 100000 --records 1000000   # exactly 1,000,000 rows
    python scripts/generate_records.py --sqlite data/demo.sqlite            # the same rows as data/records
    python scripts/generate_records.py --database postgresql+psycopg://user:pw@host/db   # into a server

A database gets one table per item, named by the item id, with the Chinese titles as TEXT columns
(empty cells as empty text, as in the CSV) and an integer primary key ``序号`` in file order.

Column headings are read from the catalogue (Chinese titles), so they always match it. Codes
are valid (统一社会信用代码 per GB 32100 with a GB 11714 organisation code; resident IDs per
GB 11643). About a tenth of the records must be excluded (pending, 授权查询/政务共享, objections,
repairs, summary procedure, minors, expired periods). For the bundled set (up to 20,000 subjects)
three admin_penalty rows are deliberately invalid, to show the quarantine report: a bad check
character (记录编号 AP-BAD-CODE), an impossible date 2023-13-45 (AP-BAD-DATE) and a duplicate
记录编号 (a second row with the id of the first penalty).
"""

from __future__ import annotations

import argparse
import csv
import functools
import random
import sys
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path
from typing import IO

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from stdnum.cn import ric, uscc  # noqa: E402

from site_builder.rules.catalogue import FieldSpec, load_catalogue  # noqa: E402

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
REGIONS = [("杭州", "330100", ["330102", "330106", "330108"]), ("宁波", "330200", ["330203", "330212"]),
           ("温州", "330300", ["330302", "330304"]), ("大连", "210200", ["210202", "210204"]),
           ("北京", "110000", ["110105", "110108"]), ("上海", "310000", ["310104", "310115"]),
           ("深圳", "440300", ["440304", "440305"]), ("海口", "460100", ["460105", "460106"])]
TRADE_A = "恒鑫华瑞金宏博盛泰德嘉兴永晨远达丰诚润创新天海安源信启明志宇腾福豪中兆鼎峰凯越辰洲"
TRADE_B = "远达盛丰信源泰和宇辉通成康瑞隆腾发晟鸿昌荣锦悦美佳联汇星翔泽润"
INDUSTRIES = ["科技", "贸易", "建筑工程", "餐饮管理", "物流", "医药", "电子商务", "食品", "机械制造", "环保科技",
              "房地产开发", "文化传媒", "供应链管理", "新材料", "信息技术"]
FORMS = ["有限公司", "有限公司", "有限公司", "股份有限公司", "有限责任公司"]
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗高郑梁谢宋唐"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红"
LAW = ["《中华人民共和国食品安全法》第一百二十四条", "《中华人民共和国广告法》第五十五条",
       "《中华人民共和国安全生产法》第九十九条", "《中华人民共和国税收征收管理法》第六十四条",
       "《中华人民共和国产品质量法》第四十九条", "《中华人民共和国环境保护法》第五十九条"]
VIOLATIONS = [("食品安全", "经营超过保质期的食品"), ("广告违法", "发布虚假广告"), ("安全生产", "未按规定开展安全培训"),
              ("税收违法", "未按期申报纳税"), ("产品质量", "生产不合格产品"), ("环境保护", "超标排放污染物")]
PENALTIES = ["警告", "罚款", "没收违法所得", "警告；罚款", "责令停产停业"]
LISTS = ["失信被执行人", "重大税收违法失信主体", "严重违法失信企业名单", "安全生产领域失信生产经营单位"]
HONOURS = ["浙江省守合同重信用企业", "市级文明单位", "AAA级纳税信用企业", "省级专精特新中小企业", "劳动关系和谐企业"]
CAUSES = ["买卖合同纠纷", "借款合同纠纷", "建设工程施工合同纠纷", "劳动争议", "租赁合同纠纷"]
ITEMS = ("subject", "admin_license", "commendation", "admin_penalty", "dishonest_list", "judgment")
PREFIX = {"subject": "SJ", "admin_license": "XK", "commendation": "BZ", "admin_penalty": "AP",
          "dishonest_list": "SX", "judgment": "PJ"}


def make_uscc(rng: random.Random, head: str, region: str) -> str:
    """A valid 统一社会信用代码 with a GB 11714 organisation code."""
    body = "".join(rng.choice(ALPHABET[:10] + "ABCDEFGHJKLMNPQRTUWXY") for _ in range(8))
    weights = (3, 7, 9, 10, 5, 8, 4, 2)
    total = sum(w * int(c, 36) for w, c in zip(weights, body, strict=True))
    check = (11 - total % 11) % 11
    org = body + ("X" if check == 10 else str(check))
    code = head + region + org
    return code + uscc.calc_check_digit(code)


def make_ric(rng: random.Random, region: str, born: date) -> str:
    """A valid resident ID number."""
    body = f"{region}{born:%Y%m%d}{rng.randint(100, 999)}"
    return body + ric.calc_check_digit(body + "0")


class Generator:
    """Makes subjects and their records; all choices from one seeded random generator."""

    def __init__(self, as_of: date, seed: int) -> None:
        self.rng = random.Random(seed)
        self.as_of = as_of
        self.counters = dict.fromkeys(ITEMS, 0)
        self.names: set[str] = set()

    def day(self, back_days: int = 5 * 365) -> date:
        if self.rng.random() < 0.05:
            return self.as_of - timedelta(days=self.rng.randint(0, 30))
        return self.as_of - timedelta(days=self.rng.randint(0, back_days))

    def person_name(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choice(GIVEN) for _ in range(self.rng.choice((1, 2, 2))))

    def control(self, item: str, adverse: bool) -> dict[str, str]:
        self.counters[item] += 1
        r = self.rng.random
        status = self.rng.choices(["已审核", "待审核", "已驳回", "已撤回"], [88, 6, 3, 3])[0]
        if r() < 0.1:
            status = {"已审核": "approved", "待审核": "pending", "已驳回": "rejected", "已撤回": "withdrawn"}[status]
        row = {"record_id": f"{PREFIX[item]}-{self.counters[item]:06d}", "publish_status": status,
               "disclosure_level": self.rng.choices(["公开", "授权查询", "政务共享"], [90, 5, 5])[0],
               "objection_status": self.rng.choices(["无", "", "处理中", "异议成立", "异议不成立"], [70, 23, 3, 2, 2])[0]}
        if row["objection_status"] == "处理中":
            row["objection_date"] = (self.as_of - timedelta(days=self.rng.randint(1, 20))).isoformat()
        return row

    def subject(self) -> dict[str, str]:
        city, city_code, districts = self.rng.choice(REGIONS)
        kind = self.rng.choices(["企业", "个体工商户", "事业单位", "社会组织"], [86, 10, 2, 2])[0]
        while True:
            trade = self.rng.choice(TRADE_A) + self.rng.choice(TRADE_B)
            if kind == "个体工商户":
                name = f"{city}市{self.rng.choice(SURNAMES)}记{trade}{self.rng.choice(['餐饮店', '便利店', '五金店', '理发店'])}"
            elif kind == "事业单位":
                name = f"{city}市{trade}{self.rng.choice(['职业技术学校', '检验检测中心', '人民医院'])}"
            elif kind == "社会组织":
                name = f"{city}市{trade}{self.rng.choice(['行业协会', '商会', '慈善基金会'])}"
            else:
                name = f"{city}{trade}{self.rng.choice(INDUSTRIES)}{self.rng.choice(FORMS)}"
            if name not in self.names:
                self.names.add(name)
                break
        head = {"企业": "91", "个体工商户": "92", "事业单位": "12", "社会组织": "51"}[kind]
        region = self.rng.choice(districts)
        rep = self.person_name()
        rep_id = make_ric(self.rng, region, date(1960, 1, 1) + timedelta(days=self.rng.randint(0, 12000)))
        row = self.control("subject", adverse=False)
        row |= {"subject_name": name, "uscc": make_uscc(self.rng, head, region), "subject_type": kind, "legal_rep": rep,
                "established": (self.as_of - timedelta(days=self.rng.randint(400, 9000))).isoformat(),
                "registration_authority": f"{city}市市场监督管理局", "address": f"{city}市{self.rng.randint(1, 999)}号",
                "business_scope": f"{self.rng.choice(INDUSTRIES)}相关业务", "registration_status": self.rng.choices(
                    ["存续", "注销", "吊销"], [92, 5, 3])[0],
                "_city": city, "_region": region, "_rep_id": rep_id}
        return row

    def party(self, subject: dict[str, str], person: bool, decided: date) -> dict[str, str]:
        """Subject columns of a record: the company, or a natural person (some of them minors)."""
        if not person:
            category = "个体工商户" if subject["uscc"].startswith("92") else "法人及非法人组织"
            return {"subject_name": subject["subject_name"], "subject_category": category, "uscc": subject["uscc"],
                    "legal_rep": subject["legal_rep"], "legal_rep_id_type": "身份证", "legal_rep_id_no": subject["_rep_id"]}
        age = self.rng.choices([self.rng.randint(19, 70), self.rng.randint(15, 17)], [93, 7])[0]
        born = decided - timedelta(days=age * 365 + self.rng.randint(10, 300))
        return {"subject_name": self.person_name(), "subject_category": "自然人", "uscc": "", "id_type": "身份证",
                "id_no": make_ric(self.rng, subject["_region"], born)}

    def authority(self, subject: dict[str, str], kind: str) -> tuple[str, str]:
        name = f"{subject['_city']}市{kind}"
        return name, make_uscc(random.Random(name), "11", subject["_region"][:4] + "00")

    def record(self, item: str, subject: dict[str, str]) -> dict[str, str]:
        adverse = item in ("admin_penalty", "dishonest_list", "judgment")
        decided = self.day()
        person = item in ("admin_penalty", "admin_license", "judgment") and self.rng.random() < 0.08
        row = self.control(item, adverse) | self.party(subject, person, decided)
        if adverse and self.rng.random() < 0.05:
            row["repair_date"] = (decided + timedelta(days=self.rng.randint(30, 400))).isoformat()
        return row | getattr(self, item)(subject, decided, row["record_id"])

    def admin_penalty(self, subject: dict[str, str], decided: date, rid: str) -> dict[str, str]:
        city = subject["_city"]
        authority, code = self.authority(subject, self.rng.choice(["市场监督管理局", "税务局", "生态环境局", "应急管理局"]))
        vtype, facts = self.rng.choice(VIOLATIONS)
        serious = self.rng.random() < 0.2
        years = 3 if serious else 1
        row = {"decision_no": f"{city[0]}{authority[len(city) + 1]}罚〔{decided.year}〕{self.rng.randint(1, 999)}号",
               "violation_type": vtype, "violation_facts": f"当事人{facts}", "legal_basis": self.rng.choice(LAW),
               "penalty_type": self.rng.choice(PENALTIES), "penalty_content": f"处以罚款人民币{self.rng.randint(1, 50)}千元",
               "fine_amount": f"{self.rng.randint(1, 500) / 10:.1f}", "decision_date": decided.isoformat(),
               "authority": authority, "authority_uscc": code, "source_unit": authority, "source_unit_uscc": code,
               "severity": "严重" if serious else "一般",
               "procedure": self.rng.choices(["普通程序", "简易程序"], [85, 15])[0]}
        if self.rng.random() < 0.5:
            shift = self.rng.choice([0, 0, 0, -60])
            row["disclosure_deadline"] = (decided.replace(year=decided.year + years) + timedelta(days=shift)).isoformat() \
                if not (decided.month == 2 and decided.day == 29) else (decided + timedelta(days=365 * years)).isoformat()
        if self.rng.random() < 0.1:
            row["decision_no"] += "/" + str(self.rng.randint(1, 9))
        return row

    def admin_license(self, subject: dict[str, str], decided: date, rid: str) -> dict[str, str]:
        authority, code = self.authority(subject, self.rng.choice(["行政审批局", "市场监督管理局", "卫生健康委员会"]))
        until = decided + timedelta(days=365 * self.rng.choice([1, 3, 5]))
        number = f"{subject['_city']}许〔{decided.year}〕{self.rng.randint(1, 9999)}号"
        return {"license_doc_name": "准予行政许可决定书", "license_doc_no": number,
                "license_category": self.rng.choice(["普通", "特许", "认可", "核准", "登记", "其他"]),
                "certificate_name": self.rng.choice(["食品经营许可证", "排污许可证", "建筑业企业资质证书", "药品经营许可证"]),
                "license_no": f"JY{self.rng.randint(10**12, 10**13 - 1)}", "license_content": "准予许可",
                "decision_date": decided.isoformat(), "valid_from": decided.isoformat(), "valid_until": until.isoformat(),
                "authority": authority, "authority_uscc": code, "status": "有效" if until >= self.as_of else "无效",
                "source_unit": authority, "source_unit_uscc": code}

    def commendation(self, subject: dict[str, str], decided: date, rid: str) -> dict[str, str]:
        authority, code = self.authority(subject, self.rng.choice(["人民政府", "市场监督管理局", "税务局"]))
        row = {"honour_name": self.rng.choice(HONOURS), "authority": authority, "authority_uscc": code,
               "decision_date": decided.isoformat(), "doc_no": f"{subject['_city']}政发〔{decided.year}〕{self.rng.randint(1, 99)}号"}
        if self.rng.random() < 0.4:
            row["valid_until"] = (decided + timedelta(days=365 * 2)).isoformat()
        return row

    def dishonest_list(self, subject: dict[str, str], decided: date, rid: str) -> dict[str, str]:
        authority, code = self.authority(subject, self.rng.choice(["中级人民法院", "税务局", "市场监督管理局"]))
        row = {"list_type": self.rng.choice(LISTS), "reason": "有履行能力而拒不履行生效法律文书确定的义务",
               "basis": "《最高人民法院关于公布失信被执行人名单信息的若干规定》第一条", "decision_date": decided.isoformat(),
               "authority": authority, "authority_uscc": code}
        if self.rng.random() < 0.3:
            row["removal_date"] = (decided + timedelta(days=self.rng.randint(60, 900))).isoformat()
        elif self.rng.random() < 0.3:
            row["valid_until"] = (decided + timedelta(days=365 * 3)).isoformat()
        return row

    def judgment(self, subject: dict[str, str], decided: date, rid: str) -> dict[str, str]:
        court = f"{subject['_city']}市{self.rng.choice(['中级人民法院', '人民法院'])}"
        return {"case_no": f"({decided.year}){subject['_region'][:2] and '浙'}{subject['_region'][2:]}民初{self.rng.randint(1, 9999)}号",
                "cause": self.rng.choice(CAUSES), "result": "判令被告支付货款及利息", "authority": court,
                "decision_date": decided.isoformat(), "effective_date": (decided + timedelta(days=30)).isoformat()}


RECORDS_PER_SUBJECT = (0, 1, 1, 2, 2, 3, 4, 6)
"""How many records a subject has, drawn uniformly (mean 2.375: 300 subjects give about 1,000 rows)."""


def record_counts(subjects: int, records: int, seed: int) -> list[int]:
    """Records per subject summing to exactly ``records``: the usual spread, scaled (largest remainders).

    Drawn from their own random generator, so the rows themselves come from the same stream as without a total.
    """
    if records < 0 or (records and not subjects):
        raise ValueError(f"cannot spread {records} records over {subjects} subjects")
    rng = random.Random(f"{seed}-record-counts")
    draws = [rng.choice(RECORDS_PER_SUBJECT) for _ in range(subjects)]
    total = sum(draws) or subjects
    shares = [(d if sum(draws) else 1) * records / total for d in draws]
    counts = [int(share) for share in shares]
    short = records - sum(counts)
    for i in sorted(range(subjects), key=lambda i: (counts[i] - shares[i], i))[:short]:
        counts[i] += 1
    return counts


def rows(gen: Generator, subjects: int, counts: list[int] | None = None) -> Iterator[tuple[str, dict[str, str]]]:
    """``(item, row)`` for every subject and its records, subject first (``counts[i]`` records of subject i if given)."""
    weights = {"admin_penalty": 40, "admin_license": 25, "commendation": 10, "dishonest_list": 10, "judgment": 15}
    for i in range(subjects):
        subject = gen.subject()
        yield "subject", subject
        for _ in range(gen.rng.choice(RECORDS_PER_SUBJECT) if counts is None else counts[i]):
            item = gen.rng.choices(list(weights), list(weights.values()))[0]
            yield item, gen.record(item, subject)


@functools.cache
def item_fields(item: str) -> tuple[FieldSpec, ...]:
    """The catalogue fields of ``item``, in catalogue order (the CSV's columns)."""
    return load_catalogue(ROOT / "site_builder" / "defaults" / "catalogue")[item].fields


class Writers:
    """One CSV writer per item (split into parts of ``part_rows`` rows for large sets)."""

    def __init__(self, out: Path, encodings: dict[str, str], split: bool, part_rows: int = 100_000) -> None:
        self.fields = {item: list(item_fields(item)) for item in ITEMS}
        self.out, self.encodings, self.split, self.part_rows = out, encodings, split, part_rows
        self.files: dict[str, IO[str]] = {}
        self.writers: dict[str, csv.DictWriter[str]] = {}
        self.counts = dict.fromkeys(ITEMS, 0)

    def write(self, item: str, row: dict[str, str]) -> None:
        if self.counts[item] % self.part_rows == 0 and (self.split or item not in self.files):
            self._open(item)
        self.writers[item].writerow({f.title: row.get(f.name, "") for f in self.fields[item]})
        self.counts[item] += 1

    def _open(self, item: str) -> None:
        if item in self.files:
            self.files[item].close()
        if self.split:
            path = self.out / item / f"part-{self.counts[item] // self.part_rows + 1:04d}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
        else:
            path = self.out / f"{item}.csv"
            path.parent.mkdir(parents=True, exist_ok=True)
        self.files[item] = path.open("w", encoding=self.encodings.get(item, "utf-8-sig"), newline="")
        self.writers[item] = csv.DictWriter(self.files[item], [f.title for f in self.fields[item]])
        self.writers[item].writeheader()

    def close(self) -> None:
        for fh in self.files.values():
            fh.close()


class DatabaseWriter:
    """One table per item in a database (SQLAlchemy), rows inserted in batches in file order."""

    KEY = "序号"

    def __init__(self, url: str, batch: int = 2000) -> None:
        from sqlalchemy import Column, Integer, MetaData, Table, Text, create_engine

        catalogue = load_catalogue(ROOT / "site_builder" / "defaults" / "catalogue")
        self.titles = {i.id: [f.title for f in i.fields] for i in catalogue.items}
        self.engine = create_engine(url)
        metadata = MetaData()
        self.tables = {item: Table(item, metadata, Column(self.KEY, Integer, primary_key=True, autoincrement=False),
                                   *[Column(t, Text) for t in titles]) for item, titles in self.titles.items()}
        metadata.drop_all(self.engine)
        metadata.create_all(self.engine)
        self.batch = batch
        self.pending: dict[str, list[dict[str, object]]] = {item: [] for item in self.tables}
        self.counts = dict.fromkeys(self.tables, 0)

    def write(self, item: str, row: dict[str, str]) -> None:
        self.counts[item] += 1
        names = [f.name for f in item_fields(item)]
        self.pending[item].append({self.KEY: self.counts[item]} | dict(zip(self.titles[item], (row.get(n, "") for n in names),
                                                                             strict=True)))
        if len(self.pending[item]) >= self.batch:
            self.flush(item)

    def flush(self, item: str) -> None:
        if self.pending[item]:
            with self.engine.begin() as conn:
                conn.execute(self.tables[item].insert(), self.pending[item])
            self.pending[item] = []

    def close(self) -> None:
        for item in self.tables:
            self.flush(item)
        self.engine.dispose()


BROKEN = ("AP-BAD-CODE", "AP-BAD-DATE", "duplicate")
"""The invalid admin_penalty rows of a set of up to 20,000 subjects (see :func:`broken_rows`)."""


def broken_rows(first_penalty: dict[str, str]) -> list[dict[str, str]]:
    """Three invalid admin_penalty rows for the quarantine demo."""
    code = first_penalty["uscc"]
    wrong = code[:-1] + ("0" if code[-1] != "0" else "1")
    bad_code = dict(first_penalty, record_id="AP-BAD-CODE", uscc=wrong, subject_category="法人及非法人组织")
    bad_date = dict(first_penalty, record_id="AP-BAD-DATE", decision_date="2023-13-45")
    return [bad_code, bad_date, dict(first_penalty)]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, help="records folder to write CSV files into")
    parser.add_argument("--sqlite", type=Path, help="SQLite database to write (replaced), one table per item")
    parser.add_argument("--database", metavar="URL", help="database to write the tables into (SQLAlchemy URL)")
    parser.add_argument("--subjects", type=int, default=300)
    parser.add_argument("--records", type=int, metavar="N",
                        help="exactly N rows in all (subject rows and the three invalid demo rows included), "
                             "spread over the subjects; default: about 3.4 rows per subject")
    parser.add_argument("--as-of", type=date.fromisoformat, default=date(2026, 11, 24))
    parser.add_argument("--seed", type=int, default=20261124)
    parser.add_argument("--encoding-mix", action="store_true",
                        help="admin_penalty in GB18030, judgment in UTF-8 without BOM, the rest UTF-8 with BOM")
    args = parser.parse_args(argv)
    if not (args.out or args.sqlite or args.database):
        parser.error("give --out, --sqlite or --database")
    encodings = {"admin_penalty": "gb18030", "judgment": "utf-8"} if args.encoding_mix else {}
    split = args.subjects > 20_000
    counts = None
    if args.records is not None:
        records = args.records - args.subjects - (0 if split else len(BROKEN))
        if records < 0:
            parser.error(f"--records {args.records}: fewer than one row per subject (and the invalid rows)")
        counts = record_counts(args.subjects, records, args.seed)
    writers: list[Writers | DatabaseWriter] = [Writers(args.out, encodings, split)] if args.out else []
    if args.sqlite:
        args.sqlite.unlink(missing_ok=True)
        writers.append(DatabaseWriter(f"sqlite:///{args.sqlite}"))
    if args.database:
        writers.append(DatabaseWriter(args.database))
    gen = Generator(args.as_of, args.seed)
    first_penalty: dict[str, str] | None = None
    for item, row in rows(gen, args.subjects, counts):
        for writer in writers:
            writer.write(item, row)
        if item == "admin_penalty" and first_penalty is None and row["subject_category"] != "自然人":
            first_penalty = row
    if not split and first_penalty is not None:
        for row in broken_rows(first_penalty):
            for writer in writers:
                writer.write("admin_penalty", row)
    elif not split and counts is not None:
        print(f"warning: no admin_penalty row to copy, so the {len(BROKEN)} invalid rows are missing: "
              f"{args.records - len(BROKEN)} rows, not {args.records}", file=sys.stderr)
    for writer in writers:
        writer.close()
    for item in ITEMS:
        where = [w.encodings.get(item, "utf-8-sig") if isinstance(w, Writers) else "database" for w in writers]
        print(f"{item}: {writers[0].counts[item]} rows, {', '.join(where)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
