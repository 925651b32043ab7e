"""The credit brain's pages (decision 073): the staff dashboards under /monitoring/dashboards/ with CSV downloads,
the public series' CSV downloads (the home page's section), and the relation graph of a subject.

Thin: the dashboards read the maintained statistics (monitoring.dashboards, no counting per view); the graph reads
``subjects.associations`` through ``relation_graph`` after the office check, and logs the query of the subject.
"""

from __future__ import annotations

import csv

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from gongxin.access.choices import Channel
from gongxin.access.services import inquiry_record
from gongxin.accounts.capabilities import decides_for_office, is_office
from gongxin.accounts.viewer import Viewer
from gongxin.monitoring.dashboards import PUBLIC_KEYS, SERIES_BY_KEY, dashboard_read, series_csv_rows
from gongxin.monitoring.errors import MonitoringSubjectNotFound
from gongxin.monitoring.graph import relation_graph
from gongxin.monitoring.selectors import reader_check
from gongxin.monitoring.views import staff_page
from gongxin.records.choices import Purpose
from gongxin.subjects.models import Subject


@staff_page
def dashboards(request: HttpRequest, viewer: Viewer) -> HttpResponse:
    return render(request, "monitoring/dashboards.html", {
        "dashboard": dashboard_read(public=False), "section": "dashboards",
    })


def _csv(rows: list[list[str]], name: str) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs read the Chinese names as UTF-8
    csv.writer(response).writerows(rows)
    return response


@staff_page
def dashboard_csv(request: HttpRequest, viewer: Viewer, series: str) -> HttpResponse:
    if series not in SERIES_BY_KEY:
        raise Http404()
    return _csv(series_csv_rows(key=series, public=False), f"gongxin-{series}")


def public_csv(request: HttpRequest, series: str) -> HttpResponse:
    """A public series of the home page's section as CSV (anyone; aggregates only)."""
    if series not in PUBLIC_KEYS:
        raise Http404()
    return _csv(series_csv_rows(key=series, public=True), f"gongxin-{series}")


@staff_page
def subject_relations(request: HttpRequest, viewer: Viewer, subject_id: int) -> HttpResponse:
    """The relation graph of a subject (organization or person) with its table. The credit office (staff, auditors,
    administrators) sees persons by name, as the disclosure policy reveals personal data for the staff and audit
    purposes and as the association pages show them (monitoring.associations); anyone else is refused."""
    reader_check(viewer)
    subject = Subject.objects.filter(pk=subject_id).first()
    persons_shown = is_office(viewer)
    if subject is None or (subject.is_person and not persons_shown):
        raise MonitoringSubjectNotFound()
    try:
        depth = min(max(int(request.GET.get("depth", 2)), 1), 2)
    except ValueError:
        depth = 2
    graph = relation_graph(subject=subject, depth=depth, persons_shown=persons_shown)
    purpose = Purpose.STAFF if decides_for_office(viewer) else Purpose.AUDIT
    inquiry_record(subject_id=subject.pk, viewer=viewer, purpose=purpose, channel=Channel.PORTAL,
                   reason="monitoring: relation graph", records_shown=0)
    return render(request, "monitoring/relations.html", {
        "subject": subject, "graph": graph, "depth": depth, "section": "alerts",
    })
