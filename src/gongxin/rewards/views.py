"""Pages of joint rewards and punishments under /rewards/.

Staff (credit office): the list of measures with their versions, a dry run of a draft trigger, the
registry of business systems and matters, recent checks and the statistics with CSS bar charts. A
check's page (the system, the subject or staff) with "issue a certificate". Public: a certificate's
page (``/rewards/certificates/<number>/``, with its QR code) and its verification, which the platform's
``/verify/<number>/`` shows for ``GXC-`` numbers. Thin: reads through rewards.selectors, writes through
rewards.services.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET

from gongxin.accounts.capabilities import decides_for_office, is_office
from gongxin.accounts.doors import page_requires, page_viewer
from gongxin.accounts.viewer import Viewer, viewer_for_user
from gongxin.core import clock, signing
from gongxin.core.documents import JSON_CONTENT_TYPE, qr_svg, verify_url_shown
from gongxin.core.errors import GongxinError, PermissionDenied
from gongxin.core.middleware import error_page
from gongxin.rewards import selectors
from gongxin.rewards.choices import Decision, MatterType, MeasureKind
from gongxin.rewards.facts import fact_names
from gongxin.rewards.forms import MatterForm, MeasureForm, SystemForm
from gongxin.rewards.ledger import certificate_ledger_check
from gongxin.rewards.services import (
    MeasureDraft,
    certificate_issue,
    matter_register,
    measure_dry_run,
    measure_save,
    system_register,
)


def _error(request: HttpRequest, exc: GongxinError) -> HttpResponse:
    return error_page(request, exc)


def _date(raw: str | None, default: date) -> date:
    try:
        return date.fromisoformat((raw or "").strip()) if raw else default
    except ValueError:
        return default


@page_requires(is_office)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The list of measures (措施清单): current versions, punishments first."""
    measures = sorted(selectors.measures_current(), key=lambda v: (v.kind != MeasureKind.PUNISHMENT, v.measure.code))
    rows = [{"v": v, "types": _type_labels(v.matter_types)} for v in measures]
    return render(request, "rewards/index.html", {"rows": rows, "facts": sorted(fact_names().items())})


def _type_labels(types: list[str]) -> list[str]:
    return [str(MatterType(t).label) if t in MatterType.values else t for t in types]


@page_requires(is_office)
@require_GET
def measure_detail(request: HttpRequest, code: str) -> HttpResponse:
    try:
        measure = selectors.measure_by_code(code)
    except GongxinError as exc:
        return _error(request, exc)
    versions = [{"v": v, "types": _type_labels(v.matter_types)} for v in selectors.measure_versions(measure)]
    return render(request, "rewards/measure.html", {"measure": measure, "versions": versions})


@page_requires(decides_for_office)
def dry_run(request: HttpRequest) -> HttpResponse:
    """Try a draft trigger: how many subjects it would hit now, and a sample."""
    viewer = page_viewer(request)
    context: dict[str, Any] = {"trigger": "", "result": None, "error": None, "facts": sorted(fact_names().items())}
    if request.method == "POST":
        context["trigger"] = request.POST.get("trigger", "").strip()
        try:
            context["result"] = measure_dry_run(trigger=context["trigger"], actor=viewer)
        except GongxinError as exc:
            context["error"] = exc
    return render(request, "rewards/dry_run.html", context)


@page_requires(is_office)
def registry(request: HttpRequest) -> HttpResponse:
    """Business systems and their matters, with the measures that apply to each matter; POST registers
    a system (``form=system``) or a matter (``form=matter``): the office reads, its deciders register."""
    viewer = page_viewer(request)
    if request.method == "POST" and not decides_for_office(viewer):
        raise PermissionDenied()
    system_form = SystemForm(request.POST if request.POST.get("form") == "system" else None, prefix="system")
    matter_form = MatterForm(request.POST if request.POST.get("form") == "matter" else None, prefix="matter")
    error = None
    if request.method == "POST":
        try:
            if system_form.is_bound and system_form.is_valid():
                data = system_form.cleaned_data
                system_register(code=data["code"], name=data["name"], department=data["department"],
                                client=data["client"], actor=viewer)
                return redirect("rewards:registry")
            if matter_form.is_bound and matter_form.is_valid():
                data = matter_form.cleaned_data
                matter_register(code=data["code"], name=data["name"], system=data["system"],
                                matter_type=data["matter_type"], actor=viewer)
                return redirect("rewards:registry")
        except GongxinError as exc:
            error = exc
    current = [v for v in selectors.measures_current() if v.is_active]
    matters = []
    for matter in selectors.matters_of().order_by("system__code", "code"):
        applying = [v for v in current if matter.code in v.matter_codes or matter.matter_type in v.matter_types]
        matters.append({"matter": matter, "measures": applying})
    return render(request, "rewards/registry.html", {
        "systems": selectors.systems_all().order_by("code"), "matters": matters, "system_form": system_form,
        "matter_form": matter_form, "error": error,
    })


@page_requires(decides_for_office)
def measure_edit(request: HttpRequest, code: str | None = None) -> HttpResponse:
    """A new measure, or a new version of one (prefilled with the current version). Validated on save:
    the trigger compiles and names only known facts; the legal basis is required."""
    viewer = page_viewer(request)
    try:
        current = selectors.measure_by_code(code).current_version if code else None
    except GongxinError as exc:
        return _error(request, exc)
    initial = {}
    if current is not None:
        initial = {"code": code, "name": current.name, "kind": current.kind, "measure_class": current.measure_class,
                   "trigger": current.trigger, "matter_types": current.matter_types,
                   "matter_codes": " ".join(current.matter_codes), "department": current.department,
                   "legal_basis": current.legal_basis, "content": current.content,
                   "effective_from": current.effective_from, "effective_to": current.effective_to,
                   "is_active": current.is_active}
    form = MeasureForm(request.POST or None, initial=initial)
    error = None
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        draft = MeasureDraft(
            name=data["name"], kind=data["kind"], measure_class=data["measure_class"], trigger=data["trigger"],
            legal_basis=data["legal_basis"], department=data["department"], effective_from=data["effective_from"],
            effective_to=data["effective_to"], matter_types=data["matter_types"], matter_codes=form.matter_code_list(),
            content=data["content"], is_active=data["is_active"],
        )
        try:
            version = measure_save(code=data["code"], draft=draft, actor=viewer, note=data["note"])
        except GongxinError as exc:
            error = exc
        else:
            return redirect("rewards:measure", code=version.measure.code)
    return render(request, "rewards/measure_edit.html", {"form": form, "code": code, "error": error,
                                                         "facts": sorted(fact_names().items())})


@page_requires(is_office)
@require_GET
def checks(request: HttpRequest) -> HttpResponse:
    viewer = page_viewer(request)
    try:
        rows = selectors.checks_recent(viewer=viewer, limit=100)
    except GongxinError as exc:
        return _error(request, exc)
    return render(request, "rewards/checks.html", {"checks": rows})


@page_requires()
def check_detail(request: HttpRequest, check_id: int) -> HttpResponse:
    """One check as answered; POST issues it as a signed certificate."""
    viewer = page_viewer(request)
    try:
        check = selectors.check_visible(check_id=check_id, viewer=viewer)
        if request.method == "POST":
            certificate = certificate_issue(check=check, actor=viewer)
            return redirect("rewards:certificate", number=certificate.number)
    except GongxinError as exc:
        return _error(request, exc)
    return render(request, "rewards/check.html", {"check": check, "certificates": check.certificates.all()})


@page_requires(is_office)
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """Measures hit and applied by measure, system, department and period, as CSS bar charts."""
    today = clock.today()
    date_from = _date(request.GET.get("from"), today.replace(day=1))
    date_to = _date(request.GET.get("to"), today)
    viewer = page_viewer(request)
    try:
        groups = {group: selectors.statistics(group=group, date_from=date_from, date_to=date_to, viewer=viewer)
                  for group in ("measure", "system", "department", "day")}
    except GongxinError as exc:
        return _error(request, exc)
    charts = []
    for group, result in groups.items():
        top = result.max_hits or 1
        charts.append({"group": group, "rows": [
            {"row": r, "punish_percent": round(100 * r.punishments / top),
             "reward_percent": round(100 * r.rewards / top)}
            for r in result.rows]})
    measure_stats = groups["measure"]
    decisions = [(d.label, measure_stats.decisions.get(d.value, 0)) for d in Decision]
    return render(request, "rewards/statistics.html", {
        "date_from": date_from, "date_to": date_to, "charts": charts, "checks": measure_stats.checks,
        "decisions": decisions, "by_measure": measure_stats.rows,
    })


# --- certificates (public: whoever holds the number) ----------------------------------------------

def _certificate_context(number: str, *, viewer: Viewer, page: bool = True) -> dict[str, Any]:
    """The certificate page (``page``: only for whom its content is, else "not found") or its verification
    page (anyone with the number; the content only for whom it is: a person's certificate names nobody)."""
    if page:
        certificate = selectors.certificate_for_viewer(number, viewer=viewer)
    else:
        certificate = selectors.certificate_by_number(number)
    show_content = selectors.certificate_viewer_entitled(certificate=certificate, viewer=viewer)
    url = verify_url_shown(certificate.number, signed=certificate.content.get("verification", {}).get("url", ""))
    return {"certificate": certificate, "content": certificate.content if show_content else {},
            "show_content": show_content, "verify_url": url, "qr_svg": qr_svg(url),
            "verification": selectors.certificate_verification(certificate),
            # What the tamper-evident log proves of the records its result rests on (rewards.ledger).
            "ledger": certificate_ledger_check(certificate.content, public_keys=list(signing.public_keys().values()))}


@require_GET
def certificate(request: HttpRequest, number: str) -> HttpResponse:
    try:
        context = _certificate_context(number, viewer=viewer_for_user(request.user))
    except GongxinError as exc:
        return _error(request, exc)
    response = render(request, "rewards/certificate.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response


@require_GET
def certificate_json(request: HttpRequest, number: str) -> HttpResponse:
    """The signed envelope, canonical bytes (``gongxin report verify FILE`` checks it offline)."""
    try:
        certificate = selectors.certificate_for_viewer(number, viewer=viewer_for_user(request.user))
    except GongxinError as exc:
        return _error(request, exc)
    body = signing.canonical_json(selectors.certificate_envelope(certificate))
    response = HttpResponse(body, content_type=JSON_CONTENT_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{certificate.number}.json"'
    return response


def certificate_verify(request: HttpRequest, number: str) -> HttpResponse:
    """The verification page of a check certificate (called by reports' /verify/<number>/ for GXC- numbers)."""
    try:
        context = _certificate_context(number, viewer=viewer_for_user(request.user), page=False)
    except GongxinError as exc:
        return _error(request, exc)
    response = render(request, "rewards/certificate_verify.html", context)
    response["X-Robots-Tag"] = "noindex"
    return response
