"""A sample batch for the demo: a messy penalty file like those departments really send — GBK, full-width
digits, mixed date formats, money in 万元, a bad check character, an impossible date, an exact duplicate —
written to ``<data dir>/demo/处罚信息-示例.csv`` (operators can upload it again from /ingest/) and ingested
once as the market regulation bureau's batch, so the batch, error report and quality pages have content."""

from __future__ import annotations

import csv
import io
from datetime import timedelta
from pathlib import Path

from django.conf import settings

from gongxin.accounts.choices import Role
from gongxin.accounts.viewer import Viewer
from gongxin.catalog.models import SourceUnit
from gongxin.catalog.selectors import item_by_code
from gongxin.core import clock
from gongxin.ingest.models import Batch
from gongxin.ingest.services import batch_ingest_file
from gongxin.subjects.models import Organization

HEADERS = [
    "行政相对人名称", "行政相对人类别", "统一社会信用代码", "法定代表人", "行政处罚决定书文号", "违法行为类型",
    "违法事实", "处罚依据", "处罚类别", "处罚内容", "罚款金额(万元)", "处罚决定日期", "处罚有效期", "处罚机关",
    "处罚机关统一社会信用代码", "数据来源单位", "数据来源单位统一社会信用代码",
]
_FULL_WIDTH = str.maketrans("0123456789", "０１２３４５６７８９")
VIOLATIONS = [("销售不合格产品", "罚款", "《中华人民共和国产品质量法》第四十九条"),
              ("未按规定公示年度报告", "警告", "《企业信息公示暂行条例》第十八条"),
              ("虚假宣传", "罚款；没收违法所得", "《中华人民共和国反不正当竞争法》第二十条"),
              ("食品经营许可超范围经营", "罚款", "《中华人民共和国食品安全法》第一百二十二条")]


def sample_rows(*, unit: SourceUnit, count: int = 240) -> list[list[str]]:
    organizations = list(Organization.objects.select_related("subject").order_by("subject_id")
                         .values_list("uscc", "subject__name", "legal_representative")[:count])
    today = clock.today()
    authority_uscc = unit.department.uscc or ""
    rows: list[list[str]] = []
    for n, (uscc, name, representative) in enumerate(organizations):
        violation, kinds, basis = VIOLATIONS[n % len(VIOLATIONS)]
        decided = today - timedelta(days=1 + n % 10)  # mostly within the 7 working days
        date_text = [decided.isoformat(), f"{decided.year}/{decided.month}/{decided.day}",
                     f"{decided.year}年{decided.month}月{decided.day}日"][n % 3]
        code = uscc.translate(_FULL_WIDTH) if n % 7 == 0 else uscc
        fine = f"{(n % 40 + 1) / 10:g}"
        rows.append([name, "法人及非法人组织", code, representative or "", f"甬市监罚〔{today.year}〕{9000 + n}号",
                     violation, f"当事人{violation}，经查属实。", basis, kinds, f"{kinds}，罚款{fine}万元",
                     fine, date_text, (decided + timedelta(days=365)).isoformat(), unit.department.name,
                     authority_uscc, unit.department.name, authority_uscc])
    if len(rows) > 12:
        rows[3][2] = rows[3][2][:17] + ("0" if rows[3][2][17] != "0" else "1")  # wrong check character
        rows[5][11] = f"{today.year}-02-30"  # no such day
        rows[8][10] = "-2"  # a negative fine
        rows[11][6] = ""  # the facts are missing
        rows.append(list(rows[1]))  # an exact duplicate
    return rows


def sample_file_write(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADERS)
    writer.writerows(rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(buffer.getvalue().encode("gbk"))
    return path


def demo_batch_ensure(*, unit: SourceUnit) -> Batch | None:
    """Write the sample file and ingest it once (nothing when a batch of the unit exists or no organization)."""
    if Batch.objects.filter(source_unit=unit).exists():
        return None
    rows = sample_rows(unit=unit)
    if not rows:
        return None
    path = sample_file_write(Path(settings.DATA_DIR) / "demo" / "处罚信息-示例.csv", rows)
    item = item_by_code("penalty")
    actor = Viewer(label=f"demo:{unit.department.code}", role=Role.ADMIN)
    return batch_ingest_file(path=path, source_unit=unit, item=item, actor=actor)
