"""Pages of the ingest app: a source unit's batches and upload form, one batch with its progress and
error report, and the data-quality page for the credit office (charts drawn server-side as SVG/CSS bars,
so intranets need no script library)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from gongxin.accounts.capabilities import is_official, writes_for_unit
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.catalog.models import SourceUnit
from gongxin.core.charts import bars
from gongxin.core.errors import GongxinError
from gongxin.ingest.api import error_report_response
from gongxin.ingest.choices import BatchStatus
from gongxin.ingest.failures import failure_explain
from gongxin.ingest.file_templates import (
    XLSX_CONTENT_TYPE,
    special_columns,
    template_columns,
    template_csv,
    template_item,
    template_items,
    template_xlsx,
)
from gongxin.ingest.forms import BatchUploadForm
from gongxin.ingest.issue_labels import issue_label
from gongxin.ingest.locking import INTERRUPTED_CODE, batch_interrupted_mark
from gongxin.ingest.selectors import LAG_BUCKETS, batches_visible, quality_by_unit_and_item
from gongxin.ingest.services import batch_get, batch_snapshot_cancel, batch_snapshot_confirm, batch_upload


@page_requires(is_official)
def batches(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    unit = None
    if viewer.department_id is not None and writes_for_unit(viewer, source_unit_id=viewer.department_id):
        unit = SourceUnit.objects.select_related("department").filter(pk=viewer.department_id).first()
    form = None
    if unit is not None:
        form = BatchUploadForm(request.POST or None, request.FILES or None, source_unit_id=unit.pk)
        if request.method == "POST" and form.is_valid():
            try:
                batch = batch_upload(source_unit=unit, item=form.cleaned_data["item"],
                                     upload=form.cleaned_data["file"], actor=viewer,
                                     snapshot=bool(form.cleaned_data.get("snapshot")))
            except GongxinError as exc:
                messages.error(request, _error_text(exc))
            else:
                messages.success(request, _("The file was received as batch %(id)s.") % {"id": batch.pk})
                return redirect("ingest:batch", batch_id=batch.pk)
    page = Paginator(batches_visible(viewer=viewer), 30).get_page(request.GET.get("page"))
    for listed in page.object_list:
        batch_interrupted_mark(batch=listed)  # a batch whose run died shows as failed (resumable), not running
    return render(request, "ingest/batches.html", {"page": page, "form": form, "unit": unit,
                                                   "template_items": template_items(viewer=viewer)})


@page_requires()
def batch(request: HttpRequest, batch_id: int) -> HttpResponse:
    found = batch_get(batch_id=batch_id, viewer=page_viewer(request))
    # Rejections first (they are what the source unit must fix), then flags; each in row order.
    issues = found.issues.order_by("level", "row_number", "pk")[:200]
    by_code: list[dict[str, Any]] = [dict(row) for row in found.issues.values("level", "code")
                                     .annotate(rows=Count("row_number", distinct=True))
                                     .order_by("level", "-rows", "code")]
    for row in by_code:
        row["label"] = issue_label(row["code"])  # what the code means; the code stays in the CSV and the API
    running = found.status in {BatchStatus.QUEUED, BatchStatus.RUNNING}
    failure = failure_explain(found) if found.status == BatchStatus.FAILED else None
    interrupted = failure is not None and failure.code == INTERRUPTED_CODE
    return render(request, "ingest/batch.html", {"batch": found, "issues": issues, "running": running,
                                                 "by_code": by_code, "failure": failure, "interrupted": interrupted,
                                                 "more_issues": sum(c["rows"] for c in by_code) > 200})


def _error_text(exc: GongxinError) -> str:
    """The refusal's message, with the missing columns named when that is the reason."""
    missing = exc.details.get("missing") if isinstance(exc.details, dict) else None
    if missing:
        return f"{exc.message} {'、'.join(str(label) for label in missing)}"
    return str(exc.message)


@page_requires()
def batch_errors(request: HttpRequest, batch_id: int) -> HttpResponseBase:
    return error_report_response(batch_get(batch_id=batch_id, viewer=page_viewer(request)))




@require_POST
@page_requires()
def batch_confirm(request: HttpRequest, batch_id: int) -> HttpResponse:
    """A snapshot's missing records are revoked (in the background) once its reader confirms the count."""
    try:
        batch_snapshot_confirm(batch_id=batch_id, actor=page_viewer(request))
    except GongxinError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Confirmed: the records the snapshot no longer holds are being revoked."))
    return redirect("ingest:batch", batch_id=batch_id)


@require_POST
@page_requires()
def batch_cancel(request: HttpRequest, batch_id: int) -> HttpResponse:
    try:
        batch_snapshot_cancel(batch_id=batch_id, actor=page_viewer(request))
    except GongxinError as exc:
        messages.error(request, str(exc.message))
    else:
        messages.success(request, _("Cancelled: no record was revoked; the snapshot's rows stay loaded."))
    return redirect("ingest:batch", batch_id=batch_id)


@page_requires(is_official)
def template_columns_page(request: HttpRequest, item_code: str) -> HttpResponse:
    """The columns of a catalog item's file: headers, field codes, how to write each value, the example."""
    item = template_item(viewer=page_viewer(request), code=item_code)
    return render(request, "ingest/template.html", {"item": item, "columns": template_columns(item),
                                                    "special_columns": special_columns()})


def _download(content: bytes, *, name: str, content_type: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=name)
    response["Cache-Control"] = "no-store"  # the example row carries today's dates
    return response


@page_requires(is_official)
def template_download(request: HttpRequest, item_code: str, extension: str) -> HttpResponse:
    """The item's file template, CSV or XLSX: the Chinese headers and one example row that passes validation."""
    item = template_item(viewer=page_viewer(request), code=item_code)
    name = _("%(item)s template") % {"item": item.name}
    if extension == "xlsx":
        return _download(b"".join(template_xlsx(item)), name=f"{name}.xlsx", content_type=XLSX_CONTENT_TYPE)
    return _download(template_csv(item), name=f"{name}.csv", content_type="text/csv; charset=utf-8")


@page_requires(is_official)
def quality(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    rows = []
    for q in quality_by_unit_and_item(viewer=viewer, item_code=request.GET.get("item") or None):
        rows.append({
            "q": q,
            "volume": bars(q.volume_series()),
            "reasons": bars([(issue_label(code), count) for code, count
                             in sorted(q.rejections_by_reason.items(), key=lambda kv: -kv[1])[:8]]),
            "lag": bars([(bucket, q.lag_buckets.get(bucket, 0)) for bucket in LAG_BUCKETS]),
            "completeness": [{"label": c["label"], "percent": round(100 * c["share"], 1)} for c in q.completeness()],
            "rejection_percent": round(100 * q.rejection_rate, 2),
            "late_percent": None if q.late_share is None else round(100 * q.late_share, 1),
        })
    return render(request, "ingest/quality.html", {"rows": rows})
