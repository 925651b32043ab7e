"""A synthetic Ningbo: pure, deterministic generators of organizations, persons and record facts.

Nothing here touches the database. Every value comes from ``random.Random`` instances seeded from the
demo seed, so the same seed gives the same city, byte for byte:

- organization ``i`` and person ``i`` are random-access (``organization_at(seed, i)``): each has its own
  ``Random`` seeded from (seed, kind, i), so a record can name its subject without a lookup table and
  a larger city keeps the smaller one as its prefix;
- identifiers are unique by construction: the organization code and the RIN's (area, birth date,
  order) triple come from an affine bijection of the index, never from a "seen" set in memory;
- records stream from one ``Random`` in order, with a few counters per (kind, year) for document numbers.

Names, laws and codes are real (GB/T 2260 divisions, GB/T 4754 sections, laws and their articles);
people and companies are invented.
"""

from __future__ import annotations

import math
import random
import zlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import cached_property, lru_cache
from typing import Any

from gongxin.demo import distributions
from gongxin.subjects.identifiers import USCC_ALPHABET, rin_generate, uscc_generate

# ---------------------------------------------------------------------------------------------------
# Places
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class District:
    code: str  # GB/T 2260
    name: str  # 海曙区
    short: str  # 海曙
    weight: int  # share of the city's market subjects, roughly
    streets: tuple[str, ...]  # streets and towns (街道 / 镇) for addresses
    roads: tuple[str, ...]


CITY_CODE = "330200"
CITY_NAME = "宁波市"

DISTRICTS: tuple[District, ...] = (
    District("330203", "海曙区", "海曙", 11, ("南门街道", "鼓楼街道", "白云街道", "段塘街道", "石碶街道", "集士港镇"),
             ("中山西路", "解放南路", "药行街", "县前街", "望春路", "柳汀街", "丽园南路")),
    District("330205", "江北区", "江北", 7, ("中马街道", "白沙街道", "孔浦街道", "文教街道", "洪塘街道", "慈城镇"),
             ("人民路", "大闸路", "环城北路", "康庄南路", "北环西路", "洪塘中路")),
    District("330206", "北仑区", "北仑", 11, ("新碶街道", "大碶街道", "小港街道", "霞浦街道", "柴桥街道", "春晓街道"),
             ("明州路", "长江路", "太河路", "黄山西路", "新大路", "岷山路")),
    District("330211", "镇海区", "镇海", 6, ("招宝山街道", "蛟川街道", "骆驼街道", "庄市街道", "九龙湖镇"),
             ("车站路", "胜利路", "东邑北路", "骆兴路", "庄市大道", "中官西路")),
    District("330212", "鄞州区", "鄞州", 18, ("首南街道", "中河街道", "钟公庙街道", "下应街道", "姜山镇", "五乡镇"),
             ("天童南路", "钱湖北路", "宁南南路", "首南西路", "日丽中路", "嵩江中路", "四明中路")),
    District("330213", "奉化区", "奉化", 5, ("岳林街道", "锦屏街道", "江口街道", "西坞街道", "溪口镇"),
             ("南山路", "大成东路", "中山东路", "岳林东路", "金海中路")),
    District("330225", "象山县", "象山", 5, ("丹东街道", "丹西街道", "爵溪街道", "石浦镇", "西周镇"),
             ("靖南路", "象山港路", "天安路", "丹河路", "新华路")),
    District("330226", "宁海县", "宁海", 6, ("跃龙街道", "桃源街道", "梅林街道", "西店镇", "长街镇"),
             ("兴宁中路", "时代大道", "金水路", "气象北路", "桃源北路")),
    District("330281", "余姚市", "余姚", 13, ("阳明街道", "凤山街道", "梨洲街道", "兰江街道", "泗门镇", "马渚镇"),
             ("新建北路", "舜水南路", "谭家岭东路", "阳明西路", "城东路", "长新路")),
    District("330282", "慈溪市", "慈溪", 18, ("浒山街道", "古塘街道", "白沙路街道", "坎墩街道", "周巷镇", "观海卫镇"),
             ("三北大街", "新城大道", "北三环东路", "孙塘北路", "青少年宫路", "开发大道")),
)
DISTRICT_BY_CODE = {d.code: d for d in DISTRICTS}
_DISTRICT_WEIGHTS = [d.weight for d in DISTRICTS]

# ---------------------------------------------------------------------------------------------------
# Industries (GB/T 4754-2017 sections) and the words firms of each section use in their names
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Industry:
    section: str
    name: str
    weight: int
    words: tuple[str, ...]


INDUSTRIES: tuple[Industry, ...] = (
    Industry("A", "农、林、牧、渔业", 2, ("农业开发", "水产养殖", "生态农业", "果蔬专业合作", "苗木")),
    Industry("B", "采矿业", 1, ("矿业", "石料")),
    Industry("C", "制造业", 30, ("模具", "机械", "电器", "塑料制品", "五金制品", "汽车零部件", "轴承", "服饰",
                              "家用电器", "文具", "新材料", "精密机械", "液压", "电子", "化工", "紧固件", "厨具",
                              "照明电器", "纺织品", "光电科技")),
    Industry("D", "电力、热力、燃气及水生产和供应业", 1, ("能源", "热电", "燃气", "新能源")),
    Industry("E", "建筑业", 7, ("建设", "建筑工程", "装饰工程", "市政工程", "钢结构工程", "水利工程")),
    Industry("F", "批发和零售业", 24, ("贸易", "商贸", "进出口", "电子商务", "国际贸易", "供应链", "医药",
                                    "百货", "化工贸易", "建材")),
    Industry("G", "交通运输、仓储和邮政业", 6, ("物流", "货运代理", "国际物流", "船务", "运输", "仓储",
                                          "集装箱运输")),
    Industry("H", "住宿和餐饮业", 4, ("餐饮管理", "酒店管理", "餐饮", "宾馆")),
    Industry("I", "信息传输、软件和信息技术服务业", 4, ("网络科技", "信息技术", "软件", "数据科技",
                                                  "智能科技")),
    Industry("J", "金融业", 1, ("融资担保", "小额贷款", "典当")),
    Industry("K", "房地产业", 3, ("房地产开发", "物业管理", "置业", "物业服务")),
    Industry("L", "租赁和商务服务业", 8, ("企业管理咨询", "人力资源", "广告", "会展服务", "商务信息咨询",
                                       "汽车租赁")),
    Industry("M", "科学研究和技术服务业", 4, ("检测技术", "工程设计", "科技", "环保科技", "工程咨询")),
    Industry("N", "水利、环境和公共设施管理业", 1, ("环境工程", "园林绿化", "环境卫生服务")),
    Industry("O", "居民服务、修理和其他服务业", 2, ("家政服务", "汽车维修", "保洁服务")),
    Industry("P", "教育", 1, ("教育咨询", "培训")),
    Industry("Q", "卫生和社会工作", 1, ("医疗管理", "健康管理", "养老服务")),
    Industry("R", "文化、体育和娱乐业", 2, ("文化传媒", "体育发展", "影视文化", "文化创意")),
)
INDUSTRY_BY_SECTION = {i.section: i for i in INDUSTRIES}
_INDUSTRY_WEIGHTS = [i.weight for i in INDUSTRIES]

# Shops of individual businesses (个体工商户): (name word, GB/T 4754 section).
SHOPS: tuple[tuple[str, str], ...] = (
    ("小吃店", "H"), ("面馆", "H"), ("早餐店", "H"), ("海鲜排档", "H"), ("饭店", "H"), ("奶茶店", "H"),
    ("便利店", "F"), ("五金商行", "F"), ("水果店", "F"), ("副食品商店", "F"), ("服装店", "F"),
    ("日用品商行", "F"), ("建材商行", "F"), ("烟酒商行", "F"), ("茶叶店", "F"), ("农资店", "F"),
    ("理发店", "O"), ("家电维修部", "O"), ("汽车修理店", "O"), ("洗衣店", "O"), ("照相馆", "R"),
)

# 字号: two characters, the brand of a firm.
_BRAND_FIRST = "甬宁明海东天三浙永恒华金宏德鑫博中富凯瑞嘉昌汇盛兴隆丰佳新远诚信达利泰和顺万通康"
_BRAND_SECOND = "兴远天港州明江盛达鑫源泰力邦瑞丰禾隆利业诚信华通宇创辉腾威龙安康顺凯峰晟"

# ---------------------------------------------------------------------------------------------------
# People
# ---------------------------------------------------------------------------------------------------

# Common surnames, with the local ones (俞 应 邵 励 竺 虞 鲍 忻) a Ningbo register shows, weighted.
_SURNAMES: tuple[tuple[str, int], ...] = (
    ("陈", 60), ("王", 55), ("张", 45), ("李", 40), ("胡", 30), ("徐", 30), ("周", 28), ("林", 20),
    ("孙", 18), ("俞", 16), ("应", 14), ("杨", 14), ("吴", 22), ("朱", 14), ("郑", 12), ("黄", 12),
    ("刘", 18), ("邵", 10), ("叶", 10), ("沈", 10), ("金", 10), ("蒋", 8), ("冯", 8), ("毛", 8),
    ("陆", 8), ("钱", 6), ("施", 6), ("董", 6), ("方", 6), ("袁", 6), ("许", 8), ("赵", 10), ("何", 8),
    ("谢", 6), ("马", 6), ("郭", 6), ("罗", 5), ("励", 4), ("竺", 3), ("虞", 4), ("鲍", 4), ("忻", 2),
    ("柴", 3), ("戴", 5), ("范", 5), ("姚", 6), ("汪", 5), ("严", 4), ("任", 4), ("史", 3),
)
_SURNAME_CHARS = [s for s, _ in _SURNAMES]
_SURNAME_WEIGHTS = [w for _, w in _SURNAMES]
_GIVEN_MALE = "伟杰涛军峰斌明强磊勇超刚辉建国华平志海波宇浩鹏飞俊杰凯晨阳东林文龙"
_GIVEN_FEMALE = "芳娟敏静丽艳红霞燕萍琳婷洁玲雪慧颖倩佳怡欣悦丹蓉英莉秀梅"
_GIVEN_ANY = "晓春佳子一思嘉永天梓雨家安"

# ---------------------------------------------------------------------------------------------------
# Deterministic randomness
# ---------------------------------------------------------------------------------------------------

_TAG_ORGANIZATION = 1
_TAG_PERSON = 2
_TAG_RECORD = 3
_TAG_BIJECTION = 4
_TAG_PLAN = 5
_TAG_COUNT = 6


def _rng(seed: int, tag: int, index: int) -> random.Random:
    # An integer seed: cheap to initialize (no hashing) and distinct for every (seed, tag, index).
    return random.Random((seed << 48) ^ (tag << 44) ^ index)


@dataclass(frozen=True)
class _Affine:
    """x -> (a·x + b) mod m: a bijection of [0, m) that scatters consecutive indexes."""

    a: int
    b: int
    m: int

    @classmethod
    @lru_cache(maxsize=64)
    def for_seed(cls, seed: int, salt: int, m: int) -> _Affine:
        rng = _rng(seed, _TAG_BIJECTION, salt)
        a = rng.randrange(m // 3, m - 1) | 1
        while math.gcd(a, m) != 1:
            a += 2
        return cls(a=a, b=rng.randrange(m), m=m)

    def __call__(self, x: int) -> int:
        if not 0 <= x < self.m:
            raise ValueError(f"index {x} out of the identifier space ({self.m})")
        return (self.a * x + self.b) % self.m


# ---------------------------------------------------------------------------------------------------
# Identifiers
# ---------------------------------------------------------------------------------------------------

_GB11714_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)


def org_code_check(body8: str) -> str:
    """GB 11714 check character of an 8-character organization code body (A=10 … Z=35)."""
    total = sum(int(c, 36) * w for c, w in zip(body8, _GB11714_WEIGHTS, strict=True))
    check = 11 - total % 11
    return "X" if check == 10 else ("0" if check == 11 else str(check))


_DIGIT_SPACE = 10**8  # pre-2015 codes: 8 digits
_MA_SPACE = 31**6  # codes issued with the USCC since 2015-10: "MA" + 6 characters of the USCC alphabet
USCC_SINCE = date(2015, 10, 1)


def _base31(n: int, width: int) -> str:
    chars = []
    for _ in range(width):
        n, r = divmod(n, 31)
        chars.append(USCC_ALPHABET[r])
    return "".join(reversed(chars))


def organization_code(*, seed: int, index: int, modern: bool) -> str:
    """The 9-character organization code (positions 9-17 of the USCC) of organization ``index``."""
    if modern:
        body = "MA" + _base31(_Affine.for_seed(seed, 1, _MA_SPACE)(index), 6)
    else:
        body = f"{_Affine.for_seed(seed, 2, _DIGIT_SPACE)(index):08d}"
    return body + org_code_check(body)


# Birth dates 1950-01-01 … 2006-12-31, order numbers 001-999, the ten divisions: every person index maps
# to one distinct (area, date, order) triple.
_BIRTH_FIRST = date(1950, 1, 1)
_BIRTH_DAYS = (date(2006, 12, 31) - _BIRTH_FIRST).days + 1
_ORDERS = 999
_RIN_SPACE = len(DISTRICTS) * _BIRTH_DAYS * _ORDERS

# ---------------------------------------------------------------------------------------------------
# Subjects
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OrganizationSpec:
    index: int
    uscc: str
    name: str
    org_kind: str  # subjects.choices.OrganizationKind values
    district_code: str
    industry: str  # "C 制造业"
    legal_representative: str
    # The person subject (index) who is the legal representative, when the city knows them as a person.
    legal_representative_index: int | None
    registration_date: date
    registered_capital_yuan: Decimal | None
    address: str
    status: str  # subjects.choices.OrganizationStatus values

    @property
    def is_individual_business(self) -> bool:
        return self.org_kind == "individual_business"


@dataclass(frozen=True, slots=True)
class PersonSpec:
    index: int
    rin: str
    name: str
    is_male: bool
    birth_date: date
    district_code: str


def person_name(rng: random.Random, *, male: bool | None = None) -> str:
    if male is None:
        male = rng.random() < 0.5
    surname = rng.choices(_SURNAME_CHARS, _SURNAME_WEIGHTS)[0]
    pool = _GIVEN_MALE if male else _GIVEN_FEMALE
    if rng.random() < 0.25:
        return surname + rng.choice(pool)
    first = rng.choice(_GIVEN_ANY) if rng.random() < 0.3 else rng.choice(pool)
    return surname + first + rng.choice(pool)


def place_prefix(district: District) -> str:
    """How names start in a district: 宁波市海曙区… for city districts, 余姚市… / 象山县… for the others."""
    return f"{CITY_NAME}{district.name}" if district.name.endswith("区") else district.name


def _brand(rng: random.Random) -> str:
    return rng.choice(_BRAND_FIRST) + rng.choice(_BRAND_SECOND)


def _registration_date(rng: random.Random, as_of: date) -> date:
    # More firms each year: the share registered in a year grows roughly linearly since 1995.
    first = date(1995, 1, 1)
    span = (as_of - first).days
    return first + timedelta(days=int(span * math.sqrt(rng.random())))


def _capital(rng: random.Random, kind: str, listed: bool) -> Decimal | None:
    if kind == "individual_business":
        return None if rng.random() < 0.4 else Decimal(rng.choice((1, 2, 3, 5, 10, 20, 30, 50)) * 10_000)
    if kind in {"public_institution", "social_organization"}:
        return Decimal(rng.choice((3, 10, 30, 50, 100, 200)) * 10_000)
    if listed:
        return Decimal(rng.choice((5000, 8000, 10000, 20000, 36000, 50000)) * 10_000)
    wan = rng.choices((10, 30, 50, 100, 200, 300, 500, 800, 1000, 2000, 5000, 10000),
                      (8, 10, 16, 22, 12, 8, 10, 3, 6, 2, 2, 1))[0]
    return Decimal(wan * 10_000)


def _address(rng: random.Random, district: District) -> str:
    street = rng.choice(district.streets)
    road = rng.choice(district.roads)
    number = rng.randint(1, 1200)
    suffix = rng.choice(
        ("", "", "", f"{rng.randint(1, 30)}幢", f"{rng.randint(1, 25)}楼", f"{rng.randint(101, 2208)}室")
    )
    return f"浙江省{CITY_NAME}{district.name}{street}{road}{number}号{suffix}"


# Share of enterprises whose legal representative is one of the city's person subjects.
LEGAL_REPRESENTATIVE_SHARE = 0.1


@lru_cache(maxsize=16_384)  # records revisit busy subjects; bounded, so memory stays flat at any scale
def organization_at(seed: int, index: int, *, as_of: date, persons: int = 0) -> OrganizationSpec:
    """Organization ``index`` of the city of ``seed`` (random access, no state).

    With ``persons`` > 0 some enterprises' legal representatives are person subjects of the city
    (``legal_representative_index``), so relations between subjects can be shown.
    """
    rng = _rng(seed, _TAG_ORGANIZATION, index)
    district = rng.choices(DISTRICTS, _DISTRICT_WEIGHTS)[0]
    roll = rng.random()
    kind = ("enterprise" if roll < 0.62 else "individual_business" if roll < 0.95
            else "social_organization" if roll < 0.98 else "public_institution")
    registered = _registration_date(rng, as_of)
    legal_rep = person_name(rng, male=rng.random() < 0.72)
    listed = False
    if kind == "enterprise":
        industry = rng.choices(INDUSTRIES, _INDUSTRY_WEIGHTS)[0]
        word = rng.choice(industry.words)
        brand = _brand(rng)
        form = rng.random()
        if form < 0.05:
            listed = True
            name = f"{rng.choice(('宁波', '浙江'))}{brand}{word}股份有限公司"
        elif form < 0.55:
            name = f"宁波{brand}{word}有限公司"
        elif form < 0.75:
            name = f"{place_prefix(district)}{brand}{word}有限公司"
        elif not district.name.endswith("区"):
            name = f"{district.name}{brand}{word}有限公司"
        else:
            name = f"宁波{district.short}{brand}{word}有限公司"
        prefix = "91"
    elif kind == "individual_business":
        shop, section = rng.choice(SHOPS)
        industry = INDUSTRY_BY_SECTION.get(section) or Industry(section, "居民服务、修理和其他服务业", 0, ())
        owner_word = (legal_rep[0] + rng.choice("记氏家")) if rng.random() < 0.4 else _brand(rng)
        place = rng.choice(district.streets) if rng.random() < 0.3 else ""
        name = f"{place_prefix(district)}{place}{owner_word}{shop}"
        prefix = "92"
    elif kind == "social_organization":
        form = rng.random()
        if form < 0.4:
            industry = rng.choices(INDUSTRIES, _INDUSTRY_WEIGHTS)[0]
            name = f"{place_prefix(district)}{rng.choice(industry.words)}行业协会"
            prefix, industry = "51", Industry("S", "公共管理、社会保障和社会组织", 0, ())
        elif form < 0.85:
            name = f"{place_prefix(district)}{rng.choice(district.streets)}{_brand(rng)}" + rng.choice(
                ("养老服务中心", "社会工作服务中心", "青少年活动中心", "康复服务中心"))
            prefix, industry = "52", INDUSTRY_BY_SECTION["Q"]
        else:
            name = f"{CITY_NAME}{_brand(rng)}慈善基金会"
            prefix, industry = "53", Industry("S", "公共管理、社会保障和社会组织", 0, ())
    else:
        street = rng.choice(district.streets)
        template, section = rng.choice((
            ("{d}{s}中心小学", "P"), ("{d}{s}中心幼儿园", "P"), ("{d}{s}社区卫生服务中心", "Q"),
            ("{d}{s}农业综合服务站", "A"), ("{d}{s}文化站", "R"), ("{d}{s}成人文化技术学校", "P"),
        ))
        name = template.format(d=place_prefix(district), s=street)
        industry = INDUSTRY_BY_SECTION.get(section, INDUSTRIES[0])
        prefix = "12"
    modern = registered >= USCC_SINCE and prefix in {"91", "92"}
    org_code = organization_code(seed=seed, index=index, modern=modern or prefix == "92")
    uscc = uscc_generate(prefix=prefix, division=district.code, org_code=org_code)
    status_roll = rng.random()
    status = "active" if status_roll < 0.92 else "deregistered" if status_roll < 0.97 else "revoked"
    capital = _capital(rng, kind, listed)
    address = _address(rng, district)
    # Drawn whatever ``persons`` is, so the rest of the organization does not depend on it.
    rep_roll, rep_pick = rng.random(), rng.random()
    rep_index: int | None = None
    if persons > 0 and kind == "enterprise" and rep_roll < LEGAL_REPRESENTATIVE_SHARE:
        rep_index = int(rep_pick * persons)
        legal_rep = person_at(seed, rep_index).name
    return OrganizationSpec(
        index=index, uscc=uscc, name=name, org_kind=kind, district_code=district.code,
        industry=f"{industry.section} {industry.name}", legal_representative=legal_rep,
        legal_representative_index=rep_index,
        registration_date=registered, registered_capital_yuan=capital, address=address, status=status,
    )


@lru_cache(maxsize=16_384)
def person_at(seed: int, index: int) -> PersonSpec:
    """Person ``index`` of the city of ``seed`` (random access, no state). RINs are unique by index."""
    slot = _Affine.for_seed(seed, 3, _RIN_SPACE)(index)
    slot, order = divmod(slot, _ORDERS)
    district_index, day = divmod(slot, _BIRTH_DAYS)
    sequence = order + 1
    district = DISTRICTS[district_index]
    birth = _BIRTH_FIRST + timedelta(days=day)
    rng = _rng(seed, _TAG_PERSON, index)
    male = sequence % 2 == 1
    return PersonSpec(
        index=index, rin=rin_generate(area=district.code, birth_date=birth, sequence=sequence),
        name=person_name(rng, male=male), is_male=male, birth_date=birth, district_code=district.code,
    )


def organizations(
    *, seed: int, count: int, as_of: date, persons: int = 0, start: int = 0
) -> Iterator[OrganizationSpec]:
    for index in range(start, count):
        yield organization_at(seed, index, as_of=as_of, persons=persons)


def persons(*, seed: int, count: int, start: int = 0) -> Iterator[PersonSpec]:
    for index in range(start, count):
        yield person_at(seed, index)


# ---------------------------------------------------------------------------------------------------
# Record facts
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Authority:
    """A department as the generators see it (the service maps it to a Department / SourceUnit)."""

    code: str
    name: str
    domain: str
    short: str  # abbreviation used in document numbers: 甬市监, 海市监 ...
    level: str = "city"
    region_code: str = CITY_CODE

    @cached_property
    def uscc(self) -> str:
        """A government body's USCC (authority 1, type 1), stable for the department code."""
        body = f"{zlib.crc32(self.code.encode()) % _DIGIT_SPACE:08d}"
        return uscc_generate(prefix="11", division=self.region_code, org_code=body + org_code_check(body))


# The city's departments that provide records, with their regulatory domain (catalog policy picks
# domain-specific periods from it) and the abbreviation their documents carry.
CITY_AUTHORITIES: tuple[Authority, ...] = (
    Authority("nb-amr", "宁波市市场监督管理局", "market_regulation", "甬市监"),
    Authority("nb-tax", "国家税务总局宁波市税务局", "tax", "甬税"),
    Authority("nb-eco", "宁波市生态环境局", "ecology_environment", "甬环"),
    Authority("nb-ems", "宁波市应急管理局", "work_safety", "甬应急"),
    Authority("nb-zjj", "宁波市住房和城乡建设局", "housing", "甬建"),
    Authority("nb-hrss", "宁波市人力资源和社会保障局", "human_resources", "甬人社"),
    Authority("nb-jtj", "宁波市交通运输局", "transport", "甬交"),
    Authority("nb-wjw", "宁波市卫生健康委员会", "health", "甬卫"),
    Authority("nb-court", "宁波市中级人民法院", "court", "浙02"),
    Authority("nb-fire", "宁波市消防救援支队", "fire", "甬消"),
    Authority("nb-fgw", "宁波市发展和改革委员会", "credit", "甬发改"),
)

# District market regulation bureaus (the bulk of penalties and licences of small firms).
DISTRICT_AUTHORITIES: tuple[Authority, ...] = tuple(
    Authority(f"{d.code}-amr", f"{d.name}市场监督管理局", "market_regulation", f"{d.short[0]}市监",
              level="district", region_code=d.code)
    for d in DISTRICTS
)
# District courts: basic people's courts, court code 浙02xx as used in case numbers.
_COURT_CODES = {"330203": "0203", "330205": "0205", "330206": "0206", "330211": "0211", "330212": "0212",
                "330213": "0283", "330225": "0225", "330226": "0226", "330281": "0281", "330282": "0282"}


@dataclass(frozen=True)
class Violation:
    domain: str
    kind: str  # 违法行为类型
    facts: str  # 违法事实 template: {name} {date} {amount}
    basis: str  # 处罚依据
    penalty_types: tuple[str, ...]  # keys of PENALTY_TYPES
    fine: tuple[int, int] | None  # yuan
    confiscate: tuple[int, int] | None = None
    weight: int = 1


# Penalty types of the national data standard (处罚类别). Their severity class is policy data
# (catalog ``severity_map``), not decided here.
PENALTY_TYPES: dict[str, str] = {
    "warning": "警告",
    "circulated_criticism": "通报批评",
    "fine": "罚款",
    "confiscation": "没收违法所得、没收非法财物",
    "licence_suspension": "暂扣许可证件",
    "qualification_downgrade": "降低资质等级",
    "licence_revocation": "吊销许可证件",
    "business_restriction": "限制开展生产经营活动",
    "suspension": "责令停产停业",
    "closure": "责令关闭",
    "practice_restriction": "限制从业",
}

VIOLATIONS: tuple[Violation, ...] = (
    # Market regulation
    Violation("market_regulation", "经营不符合食品安全标准的食品",
              "当事人于{date}经营的{goods}经抽样检验，{item}项目不符合食品安全标准，货值金额{value}元。",
              "《中华人民共和国食品安全法》第一百二十四条第一款", ("fine", "confiscation"), (50_000, 200_000),
              (300, 20_000), weight=6),
    Violation("market_regulation", "经营超过保质期的食品",
              "执法人员于{date}检查发现当事人经营场所内存放超过保质期的{goods}，用于销售。",
              "《中华人民共和国食品安全法》第一百二十四条第一款第（五）项", ("fine", "confiscation"),
              (50_000, 100_000), (100, 3_000), weight=5),
    Violation("market_regulation", "未按规定查验记录食品进货",
              "当事人未按规定建立并遵守食品进货查验记录制度，经责令改正后拒不改正。",
              "《中华人民共和国食品安全法》第一百二十六条第一款", ("warning",), None, weight=6),
    Violation("market_regulation", "未按规定查验记录食品进货（拒不改正）",
              "当事人未按规定查验供货者的许可证和食品出厂检验合格证，经{date}责令改正后拒不改正。",
              "《中华人民共和国食品安全法》第一百二十六条第一款第（三）项", ("fine",), (5_000, 50_000), weight=4),
    Violation("market_regulation", "发布虚假广告",
              "当事人在其网店页面发布含有“{claim}”等内容的广告，无法提供证明材料，构成虚假广告。",
              "《中华人民共和国广告法》第五十五条第一款", ("fine",), (20_000, 300_000), weight=4),
    Violation("market_regulation", "广告使用绝对化用语",
              "当事人在宣传材料中使用“{claim}”等绝对化用语。", "《中华人民共和国广告法》第五十七条第（一）项",
              ("fine",), (200_000, 300_000), weight=2),
    Violation("market_regulation", "生产销售不合格产品",
              "经抽查检验，当事人生产的{product}不合格，不合格项目为{item}，货值金额{value}元。",
              "《中华人民共和国产品质量法》第四十九条", ("fine", "confiscation"), (10_000, 150_000),
              (1_000, 50_000), weight=4),
    Violation("market_regulation", "价格违法行为",
              "当事人销售商品时未按规定明码标价，或标价外加价收取费用。",
              "《中华人民共和国价格法》第四十二条；《明码标价和禁止价格欺诈规定》第二十三条",
              ("warning", "fine"), (2_000, 5_000), weight=3),
    Violation("market_regulation", "未按规定报送年度报告",
              "当事人未按规定期限公示年度报告，经责令限期履行后仍未履行。",
              "《中华人民共和国市场主体登记管理条例》第四十八条", ("fine",), (1_000, 10_000), weight=2),
    Violation("market_regulation", "使用未经定期检验的特种设备",
              "当事人使用的{equipment}未经定期检验，检验有效期已于{date}届满。",
              "《中华人民共和国特种设备安全法》第八十四条第（一）项", ("fine", "suspension"),
              (30_000, 300_000), weight=2),
    Violation("market_regulation", "侵犯注册商标专用权",
              "当事人销售侵犯“{brand}”注册商标专用权的{product}，违法经营额{value}元。",
              "《中华人民共和国商标法》第六十条第二款", ("fine", "confiscation"), (10_000, 250_000),
              (2_000, 40_000), weight=2),
    Violation("market_regulation", "无照经营",
              "当事人未依法取得营业执照，擅自从事{product}经营活动。",
              "《无证无照经营查处办法》第十三条", ("fine", "confiscation"), (1_000, 10_000), (500, 5_000),
              weight=1),
    Violation("market_regulation", "食品生产严重违法（吊销许可）",
              "当事人使用非食品原料生产食品，情节严重。",
              "《中华人民共和国食品安全法》第一百二十三条第一款第（一）项",
              ("fine", "confiscation", "licence_revocation"), (150_000, 600_000), (5_000, 80_000), weight=1),
    # Tax
    Violation("tax", "未按规定期限办理纳税申报", "当事人未按照规定期限办理{period}的纳税申报和报送纳税资料。",
              "《中华人民共和国税收征收管理法》第六十二条", ("fine",), (200, 2_000), weight=6),
    Violation("tax", "未按规定开具发票", "当事人应开具而未开具发票，涉及金额{value}元。",
              "《中华人民共和国发票管理办法》第三十五条第（一）项", ("fine",), (500, 10_000), weight=4),
    Violation("tax", "偷税", "当事人通过少列收入、多列支出等手段，少缴{period}税款{value}元。",
              "《中华人民共和国税收征收管理法》第六十三条第一款", ("fine",), (20_000, 800_000), weight=2),
    Violation("tax", "虚开增值税专用发票", "当事人在没有真实交易的情况下虚开增值税专用发票{count}份，税额{value}元。",
              "《中华人民共和国发票管理办法》第三十五条第（一）项；《中华人民共和国税收征收管理法》第六十三条",
              ("fine", "confiscation"), (50_000, 500_000), (10_000, 200_000), weight=1),
    # Ecology and environment
    Violation("ecology_environment", "超标排放大气污染物",
              "经{date}监测，当事人{outlet}排放的{pollutant}浓度超过排放标准。",
              "《中华人民共和国大气污染防治法》第九十九条第（二）项", ("fine",), (100_000, 1_000_000), weight=3),
    Violation("ecology_environment", "未采取措施防止排放恶臭气体", "当事人生产过程中未采取有效措施，排放恶臭气体。",
              "《中华人民共和国大气污染防治法》第一百一十七条第（八）项", ("fine",), (10_000, 100_000), weight=3),
    Violation("ecology_environment", "通过逃避监管方式排放水污染物", "当事人通过暗管排放生产废水，{pollutant}超标。",
              "《中华人民共和国水污染防治法》第八十三条第（三）项", ("fine", "suspension"), (200_000, 1_000_000),
              weight=1),
    Violation("ecology_environment", "未依法报批建设项目环境影响报告表",
              "当事人{project}未依法报批环境影响报告表，擅自开工建设。",
              "《中华人民共和国环境影响评价法》第三十一条第一款", ("fine",), (50_000, 500_000), weight=2),
    Violation("ecology_environment", "危险废物贮存不规范", "当事人将{waste}露天堆放，未设置危险废物识别标志。",
              "《中华人民共和国固体废物污染环境防治法》第一百一十二条第一款第（二）项", ("fine",),
              (100_000, 1_000_000), weight=2),
    # Work safety
    Violation("work_safety", "未按规定对从业人员进行安全生产教育和培训",
              "当事人未对{count}名新入职从业人员进行安全生产教育和培训。",
              "《中华人民共和国安全生产法》第九十七条第（三）项", ("fine",), (10_000, 100_000), weight=4),
    Violation("work_safety", "未建立事故隐患排查治理制度",
              "当事人未建立事故隐患排查治理制度，未如实记录隐患排查治理情况。",
              "《中华人民共和国安全生产法》第一百零一条第（五）项", ("fine",), (20_000, 100_000), weight=3),
    Violation("work_safety", "生产安全事故责任", "{date}当事人厂区发生一起{accident}事故，造成{count}人受伤。",
              "《中华人民共和国安全生产法》第一百一十四条第一款第（一）项", ("fine",), (300_000, 1_000_000),
              weight=1),
    # Fire
    Violation("fire", "消防设施未保持完好有效", "当事人{place}的消防设施、器材未保持完好有效。",
              "《中华人民共和国消防法》第六十条第一款第（一）项", ("fine",), (5_000, 50_000), weight=4),
    Violation("fire", "占用、堵塞、封闭疏散通道", "当事人{place}占用、堵塞疏散通道、安全出口。",
              "《中华人民共和国消防法》第六十条第一款第（三）项", ("fine",), (5_000, 50_000), weight=3),
    Violation("fire", "擅自投入使用", "当事人{place}未经消防安全检查擅自投入使用、营业。",
              "《中华人民共和国消防法》第五十八条第一款第（四）项", ("fine", "suspension"), (30_000, 300_000),
              weight=1),
    # Housing and construction
    Violation("housing", "未取得施工许可证擅自施工", "当事人{project}未取得施工许可证擅自开工建设。",
              "《建设工程质量管理条例》第五十七条", ("fine",), (20_000, 200_000), weight=3),
    Violation("housing", "施工单位未按规定进行检验", "当事人在{project}施工中未对建筑材料进行检验。",
              "《建设工程质量管理条例》第六十五条", ("fine",), (100_000, 200_000), weight=2),
    Violation("housing", "违反建筑市场管理规定（降低资质）", "当事人在{project}中转包工程，情节严重。",
              "《建设工程质量管理条例》第六十二条第一款", ("fine", "qualification_downgrade"), (200_000, 500_000),
              weight=1),
    # Human resources
    Violation("human_resources", "拖欠劳动者工资",
              "当事人拖欠{count}名劳动者工资共计{value}元，经责令限期支付逾期未支付。",
              "《保障农民工工资支付条例》第五十五条；《劳动保障监察条例》第二十六条", ("fine",), (20_000, 100_000),
              weight=3),
    Violation("human_resources", "未依法缴纳社会保险费", "当事人未按时足额为{count}名职工缴纳社会保险费。",
              "《中华人民共和国社会保险法》第八十六条", ("fine",), (5_000, 60_000), weight=2),
    # Transport
    Violation("transport", "未取得道路运输经营许可擅自从事经营", "当事人未取得道路运输经营许可，擅自从事{service}。",
              "《中华人民共和国道路运输条例》第六十三条", ("fine", "confiscation"), (10_000, 100_000),
              (1_000, 20_000), weight=3),
    Violation("transport", "车辆未按规定进行检测", "当事人所属营运车辆{plate}未按规定进行综合性能检测。",
              "《中华人民共和国道路运输条例》第七十条", ("fine",), (5_000, 20_000), weight=2),
    # Health
    Violation("health", "公共场所卫生不合格", "当事人经营的{venue}经检测，{item}项目不符合卫生标准。",
              "《公共场所卫生管理条例实施细则》第三十六条", ("warning", "fine"), (1_000, 20_000), weight=3),
    Violation("health", "使用非卫生技术人员从事医疗卫生技术工作",
              "当事人使用未取得执业资格的人员从事医疗卫生技术工作。", "《医疗机构管理条例》第四十七条",
              ("fine",), (10_000, 100_000), weight=1),
)


_FILLERS: dict[str, tuple[str, ...]] = {
    "goods": ("散装糕点", "熟食卤味", "冷冻水饺", "鲜榨果汁", "预包装饼干", "乳制品", "腌制海产品", "速冻汤圆"),
    "item": ("菌落总数", "大肠菌群", "苯甲酸及其钠盐", "过氧化值", "铅（以Pb计）", "甲醛", "标签标识"),
    "claim": ("国家级产品", "全网销量第一", "治愈率99%", "最佳品质", "永不褪色"),
    "product": ("电线电缆", "儿童玩具", "电热水壶", "塑料管材", "服装", "电动自行车", "插座", "运动鞋"),
    "equipment": ("电梯", "叉车", "压力容器", "起重机械", "锅炉"),
    "brand": ("耐克", "阿迪达斯", "华为", "小米", "海天"),
    "period": ("2023年第三季度", "2024年1月", "2024年度", "2025年第一季度", "2022年度"),
    "outlet": ("1号排气筒", "锅炉废气排放口", "喷涂车间排气筒"),
    "pollutant": ("非甲烷总烃", "颗粒物", "二氧化硫", "化学需氧量", "氨氮", "总磷"),
    "project": ("新建厂房项目", "年产5万件模具项目", "综合楼改建工程", "物流仓库扩建工程", "住宅小区三期工程"),
    "waste": ("废矿物油", "废漆渣", "废活性炭", "废切削液"),
    "accident": ("机械伤害", "物体打击", "高处坠落", "起重伤害"),
    "place": ("生产车间", "仓库", "经营场所", "员工宿舍", "商场二层"),
    "service": ("道路旅客运输经营", "道路货物运输经营", "网约车经营"),
    "plate": ("浙B·3K271", "浙B·7M053", "浙B·D2208", "浙B·5Q816"),
    "venue": ("宾馆", "游泳场所", "美容美发店", "沐浴场所"),
}


def _fill(rng: random.Random, template: str, *, decided: date) -> str:
    values: dict[str, Any] = {k: rng.choice(v) for k, v in _FILLERS.items()}
    seen = decided - timedelta(days=rng.randint(20, 120))
    values["date"] = f"{seen.year}年{seen.month}月{seen.day}日"
    values["value"] = f"{rng.randint(3, 900) * 100:,}"
    values["count"] = rng.randint(2, 30)
    return template.format(**values)


@dataclass(frozen=True)
class LicenceKind:
    domain: str
    name: str  # 许可证书名称
    category: str  # catalog enum code: ordinary / franchise / recognition / approval / registration / other
    number_prefix: str
    years: int | None  # None: long-term (valid to 2099-12-31)
    scope: tuple[str, ...]
    for_persons: bool = False


LICENCES: tuple[LicenceKind, ...] = (
    LicenceKind("market_regulation", "食品经营许可证", "ordinary", "JY", 5,
                ("预包装食品销售（含冷藏冷冻食品）", "热食类食品制售", "糕点类食品制售", "自制饮品制售")),
    LicenceKind("market_regulation", "食品生产许可证", "ordinary", "SC", 5,
                ("糕点（烘烤类糕点）", "水产制品（干制水产品）", "饮料（果蔬汁类及其饮料）")),
    LicenceKind("market_regulation", "营业执照", "registration", "", None, ("设立登记", "变更登记（经营范围）")),
    LicenceKind("market_regulation", "特种设备使用登记证", "registration", "梯", None,
                ("乘客电梯", "叉车", "压力容器")),
    LicenceKind("market_regulation", "工业产品生产许可证", "ordinary", "XK", 5, ("电线电缆", "危险化学品包装物")),
    LicenceKind("ecology_environment", "排污许可证", "ordinary", "", 5, ("大气污染物、水污染物排放",)),
    LicenceKind("ecology_environment", "建设项目环境影响报告表批复", "approval", "甬环建", None,
                ("年产5万件模具项目", "物流仓库扩建工程")),
    LicenceKind("work_safety", "危险化学品经营许可证", "ordinary", "浙甬安经", 3, ("危险化学品（不带储存设施）",)),
    LicenceKind("work_safety", "安全生产许可证", "ordinary", "（浙）JZ安许证字", 3, ("建筑施工",)),
    LicenceKind("housing", "建筑工程施工许可证", "ordinary", "330200", None, ("住宅小区三期工程", "综合楼改建工程")),
    LicenceKind("housing", "建筑业企业资质证书", "recognition", "D", 5, ("建筑工程施工总承包三级",)),
    LicenceKind("human_resources", "人力资源服务许可证", "ordinary", "", 5, ("职业中介活动",)),
    LicenceKind("human_resources", "劳务派遣经营许可证", "ordinary", "", 3, ("劳务派遣",)),
    LicenceKind("transport", "道路运输经营许可证", "ordinary", "浙交运管许可甬字", 4,
                ("普通货运", "货物专用运输（集装箱）")),
    LicenceKind("health", "医疗机构执业许可证", "ordinary", "PDY", 5, ("门诊部", "诊所")),
    LicenceKind("health", "公共场所卫生许可证", "ordinary", "甬卫公证字", 4, ("住宿场所", "美容美发场所")),
    LicenceKind("fire", "公众聚集场所投入使用、营业前消防安全检查合格证", "ordinary", "甬消安检字", None,
                ("商场", "宾馆")),
    # Practising registrations of natural persons.
    LicenceKind("health", "医师执业证书", "recognition", "", None, ("内科专业", "外科专业", "口腔专业"), True),
    LicenceKind("health", "护士执业证书", "recognition", "", 5, ("护理",), True),
    LicenceKind("housing", "注册建造师注册证书", "recognition", "浙", 3, ("建筑工程", "市政公用工程"), True),
    LicenceKind("transport", "道路运输从业人员从业资格证", "recognition", "", 6, ("道路货物运输驾驶员",), True),
    LicenceKind("market_regulation", "特种设备安全管理和作业人员证", "recognition", "", 4, ("叉车司机", "电梯修理"),
                True),
)

# Serious dishonesty lists: domain -> (list name, reason, basis).
SERIOUS_LISTS: dict[str, tuple[str, str, str]] = {
    "market_regulation": ("市场监督管理严重违法失信名单", "因食品安全违法行为受到较重行政处罚，且违法行为性质恶劣",
                          "《市场监督管理严重违法失信名单管理办法》第九条"),
    "tax": ("重大税收违法失信主体名单", "偷税数额100万元以上且占应纳税额10%以上",
            "《重大税收违法失信主体信息公布管理办法》第六条"),
    "human_resources": ("拖欠农民工工资失信联合惩戒对象名单",
                        "克扣、无故拖欠农民工工资达到认定拒不支付劳动报酬罪数额标准",
                        "《保障农民工工资支付条例》第四十八条；《拖欠农民工工资失信联合惩戒对象名单管理暂行办法》第五条"),
    "work_safety": ("安全生产严重失信主体名单", "发生较大生产安全事故，负有责任",
                    "《安全生产严重失信主体名单管理办法》第八条"),
    "ecology_environment": ("环境违法企业黑名单", "通过暗管等逃避监管的方式违法排放污染物，受到行政处罚",
                            "《浙江省企业环境信用评价管理办法》"),
}


@dataclass(frozen=True)
class Honour:
    domain: str
    name: str
    level: str
    awarded_by: str
    for_persons: bool = False


HONOURS: tuple[Honour, ...] = (
    Honour("market_regulation", "浙江省守合同重信用企业", "省级", "浙江省市场监督管理局"),
    Honour("market_regulation", "宁波市知名商号", "市级", "宁波市市场监督管理局"),
    Honour("credit", "宁波市诚信示范企业", "市级", "宁波市发展和改革委员会"),
    Honour("human_resources", "宁波市劳动关系和谐企业", "市级", "宁波市人力资源和社会保障局"),
    Honour("credit", "宁波市道德模范", "市级", "中共宁波市委宣传部", True),
    Honour("health", "全国无偿献血奉献奖", "国家级", "国家卫生健康委员会", True),
    Honour("credit", "宁波市见义勇为先进个人", "市级", "宁波市人民政府", True),
    Honour("human_resources", "宁波市五一劳动奖章", "市级", "宁波市总工会", True),
)

# Commitment types (catalog enum codes) with their share of commitments.
COMMITMENT_TYPES: tuple[tuple[str, int], ...] = (
    ("certification_notice", 30), ("approval_substitute", 20), ("deficiency_tolerance", 15),
    ("voluntary_public", 20), ("repair", 8), ("industry_self_discipline", 7),
)
# Matters a commitment is made for, and the domain of the department that receives it.
COMMITMENT_MATTERS: tuple[tuple[str, str], ...] = (
    ("食品经营许可", "market_regulation"), ("企业开办登记", "market_regulation"),
    ("建设工程施工许可", "housing"), ("道路运输经营许可", "transport"), ("人力资源服务许可", "human_resources"),
    ("公共场所卫生许可", "health"), ("排污许可", "ecology_environment"), ("企业投资项目备案", "credit"),
    ("财政资金补助申请", "credit"), ("公众聚集场所投入使用、营业前消防安全检查", "fire"),
)

# ---------------------------------------------------------------------------------------------------
# The record stream
# ---------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RecordSlot:
    """One place records are generated into: a catalog item as the generators see it.

    ``key`` is opaque to the generators (the service uses the item's code); ``kind`` the item's record
    kind; ``subject_kinds`` whom it may be about; ``weight`` its share of the records; ``authority``
    fixes the provider when the item is bound to one source unit (else the generator picks the
    department that decides such a record for the subject's district).
    """

    key: str
    kind: str
    subject_kinds: tuple[str, ...]
    weight: float
    authority: Authority | None = None


@dataclass(frozen=True, slots=True)
class RecordFacts:
    """One generated record before it is bound to the catalog: what the source unit sends.

    ``payload`` keys are the field codes of the seeded catalog (catalog.seed); the service drops keys
    an item does not define.
    """

    slot: str
    sequence: int
    authority: Authority
    subject_kind: str  # "organization" | "person"
    subject_index: int
    subject_code: str  # the organization's USCC or the person's RIN (to find the subject's id)
    source_record_id: str
    payload: dict[str, Any] = field(default_factory=dict)


# Relative frequency of record kinds (a city's records are mostly licences and penalties).
KIND_WEIGHTS: dict[str, float] = {
    "licence": 48.0, "penalty": 24.0, "commitment": 12.0, "honour": 2.5, "tax_grade_a": 5.0,
    "judgment_debtor": 4.0, "voluntary_performance": 2.5, "serious_dishonesty": 1.0,
}
_VIOLATIONS_BY_DOMAIN: dict[str, tuple[Violation, ...]] = {}
for _v in VIOLATIONS:
    _VIOLATIONS_BY_DOMAIN[_v.domain] = (*_VIOLATIONS_BY_DOMAIN.get(_v.domain, ()), _v)
# Penalties by regulator: market regulation decides most.
_PENALTY_DOMAIN_WEIGHTS: dict[str, int] = {
    "market_regulation": 45, "tax": 15, "ecology_environment": 8, "work_safety": 7, "fire": 8, "housing": 5,
    "human_resources": 4, "transport": 5, "health": 3,
}
# Publicity policies exist from 2019-07-01 (发改办财金〔2019〕527号): negative records start there.
DECISIONS_FROM = date(2019, 7, 1)
# The day the default city is generated "as of": fixed, so that the same seed gives the same city on
# any day and a re-run matches what an earlier run wrote (dates never move with the calendar).
DEMO_AS_OF = date(2026, 11, 1)
# 行政处罚法 第五十一条: summary procedure for a warning, or a fine up to 200 yuan (persons) / 3,000 (others).
_SUMMARY_FINE_LIMIT = {"person": 200, "organization": 3_000}
# Penalty types of the serious class (catalog severity_map): never in a penalty planned as general.
_SERIOUS_PENALTY_TYPES = {"licence_revocation", "suspension", "closure", "practice_restriction",
                          "business_restriction"}


@dataclass(frozen=True)
class _Subject:
    kind: str
    index: int
    code: str
    name: str
    district: str
    earliest: date
    org: OrganizationSpec | None


def authority_for(domain: str, district_code: str) -> Authority:
    """Who decides for a subject of a district: the district's market regulation bureau, else the city's."""
    if domain == "market_regulation":
        found = next((a for a in DISTRICT_AUTHORITIES if a.region_code == district_code), None)
        if found is not None:
            return found
    return next((a for a in CITY_AUTHORITIES if a.domain == domain), CITY_AUTHORITIES[-1])


def all_authorities() -> tuple[Authority, ...]:
    return CITY_AUTHORITIES + DISTRICT_AUTHORITIES


class _Counter:
    """Document numbers run per issuer and year, as they do in a register."""

    def __init__(self) -> None:
        self.values: dict[tuple[str, int], int] = {}

    def next(self, key: str, year: int) -> int:
        value = self.values.get((key, year), 0) + 1
        self.values[(key, year)] = value
        return value


# Share of the city's records that are about persons (when it has persons and organizations).
PERSON_RECORD_SHARE = 0.1


@dataclass(frozen=True)
class Hint:
    """What a subject's plan fixes about one of its records: the day, or a general (fined) penalty."""

    when: date | None = None
    general: bool = False


@dataclass(frozen=True)
class _Planned:
    kind: str
    hint: Hint


# The showcase subjects ``gongxin demo up`` prints: a firm with a believable history (records of several
# kinds over the years, one red-list entry, a fined penalty that can be repaired and a recent one to object
# to), the person the demo login acts for, and one big organization whose profile needs deep paging.
# (kind, days before the city's day, general penalty).
DEMO_FIRM_PLAN: tuple[tuple[str, int, bool], ...] = (
    ("licence", 2600, False), ("licence", 2300, False), ("licence", 1900, False), ("licence", 1500, False),
    ("licence", 1100, False), ("licence", 700, False), ("licence", 400, False), ("licence", 120, False),
    ("penalty", 2200, True), ("penalty", 1400, True), ("penalty", 600, True), ("penalty", 190, True),
    ("penalty", 40, True),
    ("commitment", 2000, False), ("commitment", 1200, False), ("commitment", 500, False), ("commitment", 80, False),
    ("tax_grade_a", 365 * 3, False), ("tax_grade_a", 365 * 2, False), ("tax_grade_a", 365, False),
    ("voluntary_performance", 900, False), ("honour", 300, False),
)
DEMO_PERSON_PLAN: tuple[tuple[str, int, bool], ...] = (
    ("licence", 2400, False), ("licence", 700, False), ("commitment", 1500, False), ("commitment", 200, False),
    ("penalty", 250, True), ("voluntary_performance", 800, False),
)
BIG_ORGANIZATION_RECORDS = 500
# Smallest cities that get the showcase subjects: the demo firm and person, and the big organization.
SHOWCASE_FROM = 100
BIG_ORGANIZATION_FROM = 10_000
# The demo firm: an enterprise in business since before this day, among the first organizations.
_DEMO_FIRM_REGISTERED_BEFORE = date(2016, 1, 1)
SHOWCASE_SEARCH = 2_000


def _showcase_pick(seed: int, as_of: date, count: int, skip: int | None, listed: bool) -> int | None:
    fallback = None
    for index in range(min(count, SHOWCASE_SEARCH)):
        if index == skip:
            continue
        spec = organization_at(seed, index, as_of=as_of)
        if spec.org_kind != "enterprise" or spec.status != "active":
            continue
        fallback = index if fallback is None else fallback
        if spec.registration_date < _DEMO_FIRM_REGISTERED_BEFORE and (
                not listed or spec.name.endswith("股份有限公司")):
            return index
    return fallback


def demo_firm_index(seed: int, *, organizations: int, as_of: date) -> int | None:
    """The organization the demo login acts for: the first active enterprise in business since before 2016."""
    return _showcase_pick(seed, as_of, organizations, None, listed=False)


def big_organization_index(seed: int, *, organizations: int, as_of: date) -> int | None:
    """The big organization (a listed company with ``BIG_ORGANIZATION_RECORDS`` records, for deep paging)."""
    firm = demo_firm_index(seed, organizations=organizations, as_of=as_of)
    return _showcase_pick(seed, as_of, organizations, firm, listed=True)


DEMO_PERSON_INDEX = 0


@dataclass
class CityPlan:
    """How many records each subject gets, and the showcase subjects' own plans."""

    organization_counts: list[int]
    person_counts: list[int]
    lists: dict[tuple[str, int], tuple[distributions.PlannedEntry, ...]]
    fixed: dict[tuple[str, int], tuple[_Planned, ...]]
    demo_firm: int | None = None
    big_organization: int | None = None
    demo_person: int | None = None


def _available_kinds(slots: Sequence[RecordSlot], subject_kind: str) -> set[str]:
    return {s.kind for s in slots if not s.subject_kinds or subject_kind in s.subject_kinds}


def _category(subject: _Subject) -> str:
    if subject.org is None:
        return "person"
    return "individual_business" if subject.org.is_individual_business else "organization"


def _fixed_plan(plan: Sequence[tuple[str, int, bool]], subject: _Subject, as_of: date,
                available: set[str]) -> tuple[_Planned, ...]:
    first = max(DECISIONS_FROM, subject.earliest)
    return tuple(
        _Planned(kind, Hint(when=max(first, min(as_of, as_of - timedelta(days=days))), general=general))
        for kind, days, general in plan if kind in available)


def city_plan(
    *, seed: int, count: int, slots: Sequence[RecordSlot], organizations: int, persons: int, as_of: date
) -> CityPlan:
    """Spread ``count`` records over the city's subjects (``distributions``): list entries first, the
    showcase subjects' fixed plans, then everyday records, exactly ``count`` in all."""
    org_kinds = _available_kinds(slots, "organization") if organizations else set()
    person_kinds = _available_kinds(slots, "person") if persons else set()
    lists: dict[tuple[str, int], tuple[distributions.PlannedEntry, ...]] = {}
    fixed: dict[tuple[str, int], tuple[_Planned, ...]] = {}
    plan = CityPlan([0] * organizations, [0] * persons, lists, fixed)
    budget = count
    if count >= SHOWCASE_FROM:
        firm = demo_firm_index(seed, organizations=organizations, as_of=as_of) if org_kinds else None
        if firm is not None:
            fixed[("organization", firm)] = _fixed_plan(
                DEMO_FIRM_PLAN, _subject_at(seed, "organization", firm, persons, as_of), as_of, org_kinds)
            plan.demo_firm = firm
        if person_kinds and persons > DEMO_PERSON_INDEX:
            fixed[("person", DEMO_PERSON_INDEX)] = _fixed_plan(
                DEMO_PERSON_PLAN, _subject_at(seed, "person", DEMO_PERSON_INDEX, persons, as_of), as_of,
                person_kinds)
            plan.demo_person = DEMO_PERSON_INDEX
    if count >= BIG_ORGANIZATION_FROM and org_kinds:
        big = big_organization_index(seed, organizations=organizations, as_of=as_of)
        if big is not None:
            rng = _rng(seed, _TAG_PLAN, 0)
            mix = distributions.ITEM_MIX["organization"]
            fixed[("organization", big)] = tuple(
                _Planned(kind, Hint()) for kind in distributions.kinds_draw(
                    rng, BIG_ORGANIZATION_RECORDS, mix, available=sorted(org_kinds)))
            plan.big_organization = big
    budget -= sum(len(p) for p in fixed.values())
    # List entries: a black one comes after a penalty (for organizations), a red one alone.
    for kind, population, shares, available in (
            ("organization", organizations, distributions.ORGANIZATION_LISTS, org_kinds),
            ("person", persons, distributions.PERSON_LISTS, person_kinds)):
        if not available & {"judgment_debtor", "serious_dishonesty", "honour"}:
            continue
        for index in range(population):
            if (kind, index) in fixed:
                continue
            rng = _rng(seed, _TAG_PLAN, (index << 1) | (kind == "person"))
            first = max(DECISIONS_FROM, _subject_earliest(seed, kind, index, persons, as_of))
            entries = tuple(e for e in distributions.list_plan(rng, shares, first=first, as_of=as_of)
                            if e.kind in available)
            if entries and budget - len(entries) >= 0:
                lists[(kind, index)] = entries
                budget -= len(entries)
    # Everyday records: a lognormal number per subject, adjusted to the budget left.
    person_budget = 0
    if persons and person_kinds - {"judgment_debtor", "serious_dishonesty", "honour"}:
        person_budget = budget if not (organizations and org_kinds) else round(budget * PERSON_RECORD_SHARE)
    org_budget = budget - person_budget
    for counts, budget_of, make, kind in (
            (plan.organization_counts, org_budget, distributions.organization_counts, "organization"),
            (plan.person_counts, person_budget, distributions.person_counts, "person")):
        free = [i for i in range(len(counts)) if (kind, i) not in fixed]
        if not free or budget_of <= 0:
            continue
        shape = make(0)
        mean = min(budget_of / len(free), shape.cap / 2)
        distribution = make(mean)
        draws = [distribution.draw(_rng(seed, _TAG_COUNT, (i << 1) | (kind == "person"))) for i in free]
        fits = len(free) * shape.cap >= budget_of
        distributions.counts_to_total(draws, budget_of, _rng(seed, _TAG_COUNT, (1 << 43) | (kind == "person")),
                                      cap=shape.cap if fits else None)
        for index, drawn in zip(free, draws, strict=True):
            counts[index] = drawn
    return plan


def _subject_earliest(seed: int, kind: str, index: int, persons: int, as_of: date) -> date:
    if kind == "organization":
        return organization_at(seed, index, as_of=as_of, persons=persons).registration_date
    return date(person_at(seed, index).birth_date.year + 18, 1, 1)


def _subject_at(seed: int, kind: str, index: int, persons: int, as_of: date) -> _Subject:
    if kind == "organization":
        org = organization_at(seed, index, as_of=as_of, persons=persons)
        return _Subject(kind, index, org.uscc, org.name, org.district_code, org.registration_date, org)
    person = person_at(seed, index)
    adult = date(person.birth_date.year + 18, 1, 1)
    return _Subject(kind, index, person.rin, person.name, person.district_code, adult, None)


def _subject_records(
    rng: random.Random, subject: _Subject, plan: CityPlan, everyday: int, available: set[str], as_of: date
) -> list[_Planned]:
    """One subject's records in the order they are generated: fixed plan, or list entries and everyday ones."""
    key = (subject.kind, subject.index)
    if key in plan.fixed:
        return list(plan.fixed[key])
    planned: list[_Planned] = []
    first = max(DECISIONS_FROM, subject.earliest)
    entries = plan.lists.get(key, ())
    kinds = distributions.kinds_draw(rng, everyday, distributions.ITEM_MIX[_category(subject)],
                                     available=sorted(available))
    for entry in entries:
        if entry.is_black and "penalty" in kinds:  # the penalty that led to the listing comes before it
            kinds.remove("penalty")
            before = entry.start - timedelta(days=rng.randint(30, 200))
            planned.append(_Planned("penalty", Hint(when=max(first, before), general=True)))
        planned.append(_Planned(entry.kind, Hint(when=entry.start)))
    # Tax grades: one a year at most, in distinct years.
    last_year = as_of.year - 1 if as_of >= date(as_of.year, 4, 30) else as_of.year - 2
    years = list(range(min(last_year, max(2019, subject.earliest.year)), last_year + 1))
    taxes = rng.sample(years, min(len(years), kinds.count("tax_grade_a")))
    for kind in kinds:
        if kind == "tax_grade_a":
            if not taxes:
                kind = "licence" if "licence" in available else kind
                if kind == "tax_grade_a":
                    continue
            else:
                planned.append(_Planned(kind, Hint(when=date(taxes.pop(), 6, 30))))
                continue
        planned.append(_Planned(kind, Hint()))
    return planned


def records(
    *,
    seed: int,
    count: int,
    slots: Sequence[RecordSlot],
    organizations: int,
    persons: int,
    as_of: date,
) -> Iterator[RecordFacts]:
    """Stream ``count`` records over ``slots``, about organizations ``[0, organizations)`` and persons
    ``[0, persons)``, subject by subject (``city_plan``). Source record ids are ``DEMO<seed>-<sequence>``,
    so a re-run names the same records."""
    usable = [s for s in slots if s.kind in _GENERATORS and s.weight > 0]
    if not usable or count <= 0:
        return
    plan = city_plan(seed=seed, count=count, slots=usable, organizations=organizations, persons=persons,
                     as_of=as_of)
    by_kind: dict[tuple[str, str], tuple[list[RecordSlot], list[float]]] = {}
    for subject_kind in ("organization", "person"):
        for kind in _available_kinds(usable, subject_kind):
            chosen = [s for s in usable if s.kind == kind and (not s.subject_kinds or subject_kind in s.subject_kinds)]
            by_kind[(subject_kind, kind)] = (chosen, [s.weight for s in chosen])
    rng = _rng(seed, _TAG_RECORD, 0)
    counter = _Counter()
    sequence = 0
    for subject_kind, counts in (("organization", plan.organization_counts), ("person", plan.person_counts)):
        available = _available_kinds(usable, subject_kind)
        for index, everyday in enumerate(counts):
            key = (subject_kind, index)
            if not everyday and key not in plan.fixed and key not in plan.lists:
                continue
            subject = _subject_at(seed, subject_kind, index, persons, as_of)
            for planned in _subject_records(rng, subject, plan, everyday, available, as_of):
                if sequence >= count:
                    return
                candidates, weights = by_kind[(subject_kind, planned.kind)]
                slot = candidates[0] if len(candidates) == 1 else rng.choices(candidates, weights)[0]
                authority, payload = _GENERATORS[slot.kind](rng, slot, subject, as_of, counter, planned.hint)
                payload.update(_subject_payload(subject))
                payload.setdefault("authority_name", authority.name)
                payload.setdefault("authority_uscc", authority.uscc)
                payload.setdefault("data_source_unit", authority.name)
                payload.setdefault("data_source_uscc", authority.uscc)
                yield RecordFacts(
                    slot=slot.key, sequence=sequence, authority=authority, subject_kind=subject.kind,
                    subject_index=subject.index, subject_code=subject.code,
                    source_record_id=f"DEMO{seed}-{sequence:09d}", payload=payload,
                )
                sequence += 1


def _subject_payload(subject: _Subject) -> dict[str, Any]:
    # A person's identity number stays out of record payloads: the record points at the person subject,
    # whose RIN is kept sealed (subjects app).
    if subject.org is None:
        return {"subject_name": subject.name, "subject_category": "person"}
    org = subject.org
    return {
        "subject_name": org.name,
        "subject_category": "individual_business" if org.is_individual_business else "organization",
        "uscc": org.uscc,
        "legal_representative": org.legal_representative,
    }


def _decision_date(rng: random.Random, earliest: date, as_of: date) -> date:
    # Enforcement and data collection grew over the years: later dates a little more likely.
    first = max(DECISIONS_FROM, earliest)
    if first >= as_of:
        return as_of
    span = (as_of - first).days
    return first + timedelta(days=int(span * rng.random() ** 0.8))


def _money(value: int) -> str:
    return f"{value}.00"


def _rounded_amount(rng: random.Random, low: int, high: int) -> int:
    # Decisions favour round sums; a log scale puts most amounts near the bottom of the range.
    raw = math.exp(rng.uniform(math.log(low), math.log(high)))
    step = 100 if raw < 10_000 else 1_000 if raw < 100_000 else 10_000
    return min(high, max(low, int(round(raw / step) * step)))


def _domain_pick(rng: random.Random, slot: RecordSlot, choices: dict[str, int]) -> str:
    if slot.authority is not None:
        return slot.authority.domain
    domains = list(choices)
    return rng.choices(domains, [choices[d] for d in domains])[0]


# Share of market regulation decisions taken by the city bureau itself (major cases, food production).
CITY_MARKET_REGULATION_SHARE = 0.2


def _authority(rng: random.Random, slot: RecordSlot, domain: str, district: str) -> Authority:
    if slot.authority is not None:
        return slot.authority
    if domain == "market_regulation" and rng.random() < CITY_MARKET_REGULATION_SHARE:
        return CITY_AUTHORITIES[0]
    return authority_for(domain, district)


def _penalty(
    rng: random.Random, slot: RecordSlot, subject: _Subject, as_of: date, counter: _Counter, hint: Hint
) -> tuple[Authority, dict[str, Any]]:
    domain = _domain_pick(rng, slot, _PENALTY_DOMAIN_WEIGHTS)
    authority = _authority(rng, slot, domain, subject.district)
    candidates = _VIOLATIONS_BY_DOMAIN.get(domain) or _VIOLATIONS_BY_DOMAIN["market_regulation"]
    if hint.general:  # a fine, the general class: published, and repairable once its minimum has passed
        candidates = tuple(v for v in candidates if "fine" in v.penalty_types and not (
            set(v.penalty_types) & _SERIOUS_PENALTY_TYPES)) or candidates
    violation = rng.choices(candidates, [v.weight for v in candidates])[0]
    decided = hint.when or _decision_date(rng, subject.earliest, as_of)
    types = list(violation.penalty_types)
    fine = _rounded_amount(rng, *violation.fine) if violation.fine else 0
    confiscated = _rounded_amount(rng, *violation.confiscate) if violation.confiscate else 0
    if "warning" in types and "fine" in types and (hint.general or rng.random() < 0.5):
        types.remove("warning")
    elif "warning" in types and "fine" in types:  # a first offence: the warning alone
        types, fine = ["warning"], 0
    if "confiscation" in types and rng.random() < 0.3:  # nothing to confiscate
        types.remove("confiscation")
        confiscated = 0
    summary = (types == ["warning"] and rng.random() < 0.5) or (
        types == ["fine"] and fine <= _SUMMARY_FINE_LIMIT[subject.kind])
    amounts = {"fine": f"罚款人民币{fine:,}元", "confiscation": f"没收违法所得{confiscated:,}元"}
    revoked = next((t for t in types if t in {"licence_revocation", "licence_suspension"}), None)
    number = counter.next(authority.short + "罚", decided.year)
    payload: dict[str, Any] = {
        "decision_number": f"{authority.short}罚决字〔{decided.year}〕{number}号",
        "violation_type": violation.kind,
        "violation_facts": _fill(rng, violation.facts, decided=decided),
        "penalty_basis": violation.basis,
        "penalty_types": "；".join(PENALTY_TYPES[t] for t in types),
        "penalty_content": "；".join(amounts.get(t, PENALTY_TYPES[t]) for t in types),
        "fine_amount": _money(fine) if fine else None,
        "confiscation_amount": _money(confiscated) if confiscated else None,
        "licence_suspended": (f"食品经营许可证（JY{subject.district}{rng.randint(10**7, 10**8 - 1)}）"
                              if revoked else None),
        "decision_date": decided.isoformat(),
        # 处罚有效期: when the sanction's effects end (fines are paid within 15 days; revocations last).
        "penalty_valid_until": (decided + timedelta(days=365 * 3 if revoked else 15 if "fine" in types else 0)
                                ).isoformat(),
        "procedure": "summary" if summary else "general",
    }
    return authority, {k: v for k, v in payload.items() if v is not None}


def _licence(
    rng: random.Random, slot: RecordSlot, subject: _Subject, as_of: date, counter: _Counter, hint: Hint
) -> tuple[Authority, dict[str, Any]]:
    persons = subject.kind == "person"
    pool = [k for k in LICENCES if k.for_persons == persons
            and (slot.authority is None or k.domain == slot.authority.domain)] or [
        k for k in LICENCES if k.for_persons == persons]
    kind = rng.choice(pool)
    authority = _authority(rng, slot, kind.domain, subject.district)
    decided = hint.when or _decision_date(rng, subject.earliest, as_of)
    number = counter.next(authority.short + "许", decided.year)
    valid_to = date(2099, 12, 31) if kind.years is None else decided + timedelta(days=365 * kind.years - 1)
    status = "有效" if valid_to >= as_of else "已过期"
    return authority, {
        "licence_document_name": (f"{kind.name.removesuffix('证书').removesuffix('证')}准予"
                                  f"{'登记' if kind.category == 'registration' else '许可'}决定书"),
        "licence_decision_number": f"{authority.short}许准字〔{decided.year}〕{number}号",
        "licence_category": kind.category,
        "certificate_name": kind.name,
        "licence_number": f"{kind.number_prefix}{authority.region_code}{decided:%y}{number:06d}",
        "licence_content": rng.choice(kind.scope),
        "decision_date": decided.isoformat(),
        "valid_from": decided.isoformat(),
        "valid_to": valid_to.isoformat(),
        "current_status": status,
    }


def _case_number(district: str, year: int, counter: _Counter, kind: str) -> str:
    court = _COURT_CODES.get(district, "0212")
    return f"（{year}）浙{court}{kind}{counter.next(kind + court, year)}号"


def _district_court(district: str) -> str:
    d = DISTRICT_BY_CODE.get(district)
    return f"{place_prefix(d)}人民法院" if d else "宁波市鄞州区人民法院"


def _judgment_debtor(
    rng: random.Random, slot: RecordSlot, subject: _Subject, as_of: date, counter: _Counter, hint: Hint
) -> tuple[Authority, dict[str, Any]]:
    authority = _authority(rng, slot, "court", subject.district)
    listed = hint.when or _decision_date(rng, subject.earliest, as_of)
    filed = listed - timedelta(days=rng.randint(30, 200))
    judged = filed - timedelta(days=rng.randint(60, 400))
    court = "宁波市中级人民法院" if rng.random() < 0.15 else _district_court(subject.district)
    owed = _rounded_amount(rng, 5_000, 3_000_000 if subject.kind == "organization" else 500_000)
    return authority, {
        "case_number": _case_number(subject.district, filed.year, counter, "执"),
        "court": court,
        "basis_document_number": _case_number(subject.district, judged.year, counter, "民初"),
        "basis_unit": court,
        "obligation": f"被告应于判决生效之日起十日内支付原告货款及违约金共计人民币{owed:,}元",
        "performance_status": rng.choice(("全部未履行", "全部未履行", "部分未履行")),
        "dishonesty_circumstances": rng.choice((
            "有履行能力而拒不履行生效法律文书确定义务", "违反财产报告制度",
            "以虚假诉讼、虚假仲裁或者以隐匿、转移财产等方法规避执行", "违反限制消费令")),
        "filing_date": filed.isoformat(),
        "listing_date": listed.isoformat(),
    }


def _voluntary_performance(
    rng: random.Random, slot: RecordSlot, subject: _Subject, as_of: date, counter: _Counter, hint: Hint
) -> tuple[Authority, dict[str, Any]]:
    authority = _authority(rng, slot, "court", subject.district)
    performed = hint.when or _decision_date(rng, subject.earliest, as_of)
    amount = _rounded_amount(rng, 2_000, 2_000_000)
    judged = performed - timedelta(days=rng.randint(10, 60))
    return authority, {
        "case_number": _case_number(subject.district, judged.year, counter, "民初"),
        "court": _district_court(subject.district),
        "performance_content": f"判决生效后于履行期限内主动支付人民币{amount:,}元",
        "performance_amount": str(amount),
        "performance_date": performed.isoformat(),
    }


def _serious_dishonesty(
    rng: random.Random, slot: RecordSlot, subject: _Subject, as_of: date, counter: _Counter, hint: Hint
) -> tuple[Authority, dict[str, Any]]:
    domain = slot.authority.domain if slot.authority else rng.choice(tuple(SERIOUS_LISTS))
    name, reason, basis = SERIOUS_LISTS.get(domain) or SERIOUS_LISTS["market_regulation"]
    authority = _authority(rng, slot, domain, subject.district)
    listed = hint.when or _decision_date(rng, subject.earliest, as_of)
    number = counter.next(authority.short + "失信", listed.year)
    return authority, {
        "list_name": name,
        "decision_number": f"{authority.short}信认〔{listed.year}〕{number}号",
        "listing_reason": reason,
        "listing_basis": basis,
        "listing_date": listed.isoformat(),
        "planned_exit_date": (listed + timedelta(days=365 * 3)).isoformat(),
    }


def _honour(
    rng: random.Random, slot: RecordSlot, subject: _Subject, as_of: date, counter: _Counter, hint: Hint
) -> tuple[Authority, dict[str, Any]]:
    persons = subject.kind == "person"
    honour = rng.choice([h for h in HONOURS if h.for_persons == persons])
    authority = _authority(rng, slot, honour.domain, subject.district)
    awarded = hint.when or _decision_date(rng, subject.earliest, as_of)
    number = counter.next(authority.short + "荣", awarded.year)
    return authority, {
        "honour_name": honour.name,
        "honour_level": honour.level,
        "decision_number": f"{authority.short}〔{awarded.year}〕{number}号",
        "awarding_authority": honour.awarded_by,
        "award_date": awarded.isoformat(),
        "valid_until": (awarded + timedelta(days=365 * 3)).isoformat(),
    }


def _tax_grade_a(
    rng: random.Random, slot: RecordSlot, subject: _Subject, as_of: date, counter: _Counter, hint: Hint
) -> tuple[Authority, dict[str, Any]]:
    authority = _authority(rng, slot, "tax", subject.district)
    # Grades of a year are published in April of the next; none before the firm existed.
    last = as_of.year - 1 if as_of >= date(as_of.year, 4, 30) else as_of.year - 2
    first = min(last, max(2019, subject.earliest.year))
    year = hint.when.year if hint.when else rng.randint(first, last)
    return authority, {
        "evaluation_year": str(year),
        "grade": "A",
        "tax_authority": authority.name,
        "publish_date": date(year + 1, 4, rng.randint(10, 28)).isoformat(),
    }


def _commitment(
    rng: random.Random, slot: RecordSlot, subject: _Subject, as_of: date, counter: _Counter, hint: Hint
) -> tuple[Authority, dict[str, Any]]:
    matter, domain = rng.choice(COMMITMENT_MATTERS)
    authority = _authority(rng, slot, domain, subject.district)
    kind = rng.choices(COMMITMENT_TYPES, [w for _, w in COMMITMENT_TYPES])[0][0]
    committed = hint.when or _decision_date(rng, subject.earliest, as_of)
    due = committed + timedelta(days=rng.choice((30, 60, 90, 180)))
    state = "履约中" if due > as_of else ("已履约" if rng.random() < 0.96 else "未履约")
    return authority, {
        "commitment_number": f"CN{authority.region_code}{committed:%Y%m%d}{counter.next('承诺', committed.year):06d}",
        "commitment_type": kind,
        "commitment_matter": matter,
        "commitment_content": f"就{matter}事项承诺：所提供材料真实有效，符合相关条件；如有虚假，"
                              "愿意承担相应法律责任，接受失信惩戒。",
        "receiving_unit": authority.name,
        "commitment_date": committed.isoformat(),
        "fulfilment_deadline": due.isoformat(),
        "remarks": state,
    }


_GENERATORS = {
    "penalty": _penalty,
    "licence": _licence,
    "judgment_debtor": _judgment_debtor,
    "voluntary_performance": _voluntary_performance,
    "serious_dishonesty": _serious_dishonesty,
    "honour": _honour,
    "tax_grade_a": _tax_grade_a,
    "commitment": _commitment,
}


# ---------------------------------------------------------------------------------------------------
# Registration relations (the catalog item registration_relation): a believable relation graph
# ---------------------------------------------------------------------------------------------------

_TAG_RELATION = 7
# People on several boards: executives and shareholders are drawn from the first persons of the city more often.
SERIAL_DIRECTOR_SHARE = 0.02  # the first 2 % of persons sit on several boards
HOLDING_SHARE = 0.22  # enterprises held in part by another enterprise (a group), which chains them
BRANCH_SHARE = 0.04  # enterprises registered as a branch of another
CROSS_HOLDING_EVERY = 400  # about one enterprise in this many also holds a little of a firm that holds it: a cycle
CONTROLLER_SHARE = 0.3  # of the enterprises held by a group, those that registered an actual controller


def _relation_person(rng: random.Random, persons: int) -> int:
    pool = max(1, int(persons * SERIAL_DIRECTOR_SHARE))
    return rng.randrange(pool) if rng.random() < 0.35 else rng.randrange(persons)


def _relation_payload(org: OrganizationSpec, *, number: str, kind: str, start: date, end: date | None,
                      authority: Authority, person: PersonSpec | None = None, party: OrganizationSpec | None = None,
                      share: Decimal | None = None, position: str = "") -> dict[str, Any]:
    payload: dict[str, Any] = {
        "subject_name": org.name, "subject_category": "organization", "uscc": org.uscc, "relation_number": number,
        "relation_kind": kind, "start_date": start.isoformat(), "authority_name": authority.name,
    }
    if person is not None:
        payload.update(party_name=person.name, party_category="person", party_id_number=person.rin)
    elif party is not None:
        payload.update(party_name=party.name, party_category="organization", party_uscc=party.uscc)
    if share is not None:
        payload["share_ratio"] = f"{share:.2f}"
    if position:
        payload["position"] = position
    if end is not None:
        payload["end_date"] = end.isoformat()
    return payload


def relations(*, seed: int, organizations: int, persons: int, as_of: date) -> Iterator[RecordFacts]:
    """The registration relations of the city's enterprises, as records of the item ``registration_relation`` from
    the market regulation bureau: each enterprise's legal representative (a person subject where the city knows one;
    some changed, the former one's relation ended), executives drawn often from a pool of people who sit on several
    boards, shareholders with their shares (the legal representative, and for about a fifth a group enterprise of a
    lower index — so holdings chain several levels up), now and then a cross-holding that closes a cycle, branches,
    and declared actual controllers. Deterministic by ``seed`` (random access per enterprise)."""
    if persons <= 0 or organizations <= 1:
        return
    authority = CITY_AUTHORITIES[0]
    for index in range(organizations):
        org = organization_at(seed, index, as_of=as_of, persons=persons)
        if org.org_kind != "enterprise" or org.status != "active":
            continue
        rng = _rng(seed, _TAG_RELATION, index)
        start = org.registration_date
        made: list[dict[str, Any]] = []

        def add(kind: str, *, _org: OrganizationSpec = org, _made: list[dict[str, Any]] = made, **kwargs: Any) -> None:
            number = f"{_org.uscc}-{len(_made) + 1:03d}"
            _made.append(_relation_payload(_org, number=number, kind=kind, authority=authority, **kwargs))

        # The legal representative is a relation only where the city knows the person (a person subject).
        rep_index = org.legal_representative_index
        changed = rng.random() < 0.08 and (as_of - start).days > 400
        switch = start + timedelta(days=rng.randrange(200, max(201, (as_of - start).days - 100)))
        if rep_index is not None:
            add("legal_representative", person=person_at(seed, rep_index), start=switch if changed else start,
                end=None)
            if changed:  # a former legal representative, replaced some time ago
                add("legal_representative", person=person_at(seed, _relation_person(rng, persons)), start=start,
                    end=switch)
        for position in ("监事", "经理")[: rng.choice((0, 1, 1, 2))]:
            ended = start + timedelta(days=rng.randrange(100, 3000)) if rng.random() < 0.08 else None
            add("executive", person=person_at(seed, _relation_person(rng, persons)), start=start,
                end=ended if ended is not None and ended < as_of else None, position=position)
        held = Decimal(0)
        if index > 10 and rng.random() < HOLDING_SHARE:
            group = organization_at(seed, rng.randrange(max(1, index // 3)), as_of=as_of, persons=persons)
            if group.org_kind == "enterprise" and group.index != index:
                held = Decimal(rng.choice((30, 51, 60, 70, 100)))
                add("shareholder", party=group, share=held, start=start, end=None)
                if rng.random() < CONTROLLER_SHARE and group.legal_representative_index is not None:
                    add("actual_controller", person=person_at(seed, group.legal_representative_index), start=start,
                        end=None)
        if held < 100:
            owner = rep_index if rep_index is not None else _relation_person(rng, persons)
            add("shareholder", person=person_at(seed, owner), share=Decimal(100) - held, start=start, end=None)
        if index % CROSS_HOLDING_EVERY == CROSS_HOLDING_EVERY - 1 and index + 1 < organizations:
            # This enterprise holds 5 % of a firm holding it, or of the next one: now and then a cycle.
            other = organization_at(seed, index + 1, as_of=as_of, persons=persons)
            if other.org_kind == "enterprise":
                made.append(_relation_payload(other, number=f"{other.uscc}-X{index}", kind="shareholder",
                                              authority=authority, party=org, share=Decimal(5), start=as_of
                                              - timedelta(days=365), end=None))
        if index > 10 and rng.random() < BRANCH_SHARE:
            head = organization_at(seed, rng.randrange(index), as_of=as_of, persons=persons)
            if head.org_kind == "enterprise":
                made.append(_relation_payload(head, number=f"{head.uscc}-B{index}", kind="branch",
                                              authority=authority, party=org, start=start, end=None))
        for sequence, payload in enumerate(made):
            code = payload["uscc"]
            subject_index = index if code == org.uscc else -1
            yield RecordFacts(slot="registration_relation", sequence=sequence, authority=authority,
                              subject_kind="organization", subject_index=subject_index, subject_code=code,
                              source_record_id=f"REL-{payload['relation_number']}", payload=payload)
