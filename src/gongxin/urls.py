from django.contrib import admin
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import include, path
from django.utils.translation import gettext as _

from gongxin.api import api

urlpatterns = [
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
    path("accounts/", include("gongxin.accounts.urls")),
    path("identity/", include("gongxin.identity.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("me/", include("gongxin.access.urls")),
    path("ingest/", include("gongxin.ingest.urls")),
    path("notices/", include("gongxin.notices.urls")),
    path("objections/", include("gongxin.objections.urls")),
    path("repairs/", include("gongxin.repairs.urls")),
    path("rewards/", include("gongxin.rewards.urls")),
    path("sharing/", include("gongxin.sharing.urls")),
    path("scoring/", include("gongxin.scoring.urls")),
    path("monitoring/", include("gongxin.monitoring.urls")),
    path("associations/", include("gongxin.monitoring.urls_associations")),
    path("commitments/", include("gongxin.commitments.urls")),
    path("benefits/", include("gongxin.benefits.urls")),
    path("lending/", include("gongxin.lending.urls")),
    path("ledger/", include("gongxin.ledger.urls")),
    path("exchange/", include("gongxin.exchange.urls")),
    path("demo/", include("gongxin.demo.urls")),  # the demo's guide: 404 unless the platform runs as the demo
    path(".well-known/gongxin-ledger/", include("gongxin.ledger.urls_wellknown")),
    path(".well-known/", include("gongxin.reports.urls_wellknown")),
    path("", include("gongxin.reports.urls")),
    path("", include("gongxin.portal.urls")),
]


def _json_or_page(request: HttpRequest, status: int, code: str, message: str) -> HttpResponse:
    if request.path.startswith("/api/"):
        return JsonResponse({"code": code, "message": message}, status=status)
    from django.shortcuts import render

    return render(request, "portal/error.html", {"status": status, "message": message}, status=status)


def handler404(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json_or_page(request, 404, "not_found", _("Not found."))


def handler500(request: HttpRequest) -> HttpResponse:
    import sys

    from gongxin.core.busy import busy_response, database_busy

    if database_busy(sys.exc_info()[1]):  # e.g. the session's write after a login, outside any view
        return busy_response(request)
    return _json_or_page(request, 500, "internal_error", _("An unexpected error occurred; it has been logged."))


def handler403(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json_or_page(request, 403, "permission_denied", _("You are not allowed to do this."))


def handler400(request: HttpRequest, exception: Exception) -> HttpResponse:
    return _json_or_page(request, 400, "bad_request", _("The request could not be processed."))
