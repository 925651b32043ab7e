"""The JSON API under /api/v1: one NinjaAPI, routers from each app, one error shape.

Every error leaves as ``{"code": "<stable code>", "message": "<in the request's language>"}``
(plus ``details`` where useful) — application errors, validation errors, unknown routes and
unexpected failures alike, so clients can branch on ``code`` and never see an HTML page.
"""

from __future__ import annotations

import logging

from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError

from gongxin import __version__
from gongxin.core.errors import GongxinError, retry_after_apply
from gongxin.core.openapi import ContractAPI

logger = logging.getLogger(__name__)

api = ContractAPI(
    title="Gongxin API",
    version=f"v1 ({__version__})",
    description="Public credit information platform. Errors: {code, message, details}.",
    urls_namespace="api",
    docs_url="/docs",
)


@api.exception_handler(GongxinError)
def _gongxin_error(request: HttpRequest, exc: GongxinError) -> HttpResponse:
    return retry_after_apply(api.create_response(request, exc.as_dict(), status=exc.status), exc)


@api.exception_handler(NinjaValidationError)
def _validation_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    details = [
        {"location": [str(p) for p in err.get("loc", [])], "message": err.get("msg", "")}
        for err in exc.errors
    ]
    body = {"code": "validation_failed", "message": _("The input is not valid."), "details": details}
    return api.create_response(request, body, status=422)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    body = {"code": "not_authenticated", "message": _("Authentication is required.")}
    return api.create_response(request, body, status=401)


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return api.create_response(request, {"code": "not_found", "message": _("Not found.")}, status=404)


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"code": "http_error", "message": str(exc)}, status=exc.status_code)


@api.exception_handler(Exception)
def _unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    from gongxin.core.busy import busy_response, database_busy

    if database_busy(exc):  # another writer held the lock too long: come back shortly (503), not a 500
        return busy_response(request)
    logger.exception("Unhandled API error")
    body = {"code": "internal_error", "message": _("An unexpected error occurred; it has been logged.")}
    return api.create_response(request, body, status=500)


@api.get("/health", tags=["platform"], summary="Liveness and version")
def health(request: HttpRequest) -> dict[str, str]:
    return {"status": "ok", "version": __version__}


def _register_routers() -> None:
    from gongxin.access.api import inquiries_router
    from gongxin.access.api import router as consents_router
    from gongxin.accounts.api import router as agents_router
    from gongxin.benefits.api import router as benefits_router
    from gongxin.catalog.api import router as catalog_router
    from gongxin.commitments.api import router as commitments_router
    from gongxin.exchange.api import router as exchange_router
    from gongxin.ingest.api import router as ingest_router
    from gongxin.ledger.api import router as ledger_router
    from gongxin.lending.api import router as lending_router
    from gongxin.monitoring.api import router as monitoring_router
    from gongxin.monitoring.api_associations import router as associations_router
    from gongxin.notices.api import router as notices_router
    from gongxin.objections.api import router as objections_router
    from gongxin.portal.api import router as listings_router
    from gongxin.records.api import router as records_router
    from gongxin.repairs.api import router as repairs_router
    from gongxin.reports.api import router as reports_router
    from gongxin.rewards.api import checks_router
    from gongxin.rewards.api import router as rewards_router
    from gongxin.scoring.api import router as scoring_router
    from gongxin.sharing.api import router as sharing_router
    from gongxin.subjects.api import router as subjects_router

    # The most-called endpoint first: Django tries URL patterns in order.
    api.add_router("/checks", checks_router)
    api.add_router("/catalog", catalog_router)
    api.add_router("/subjects", subjects_router)
    api.add_router("/records", records_router)
    api.add_router("/consents", consents_router)
    api.add_router("/inquiries", inquiries_router)
    api.add_router("/reports", reports_router)
    api.add_router("/listings", listings_router)
    api.add_router("/ingest", ingest_router)
    api.add_router("/notices", notices_router)
    api.add_router("/objections", objections_router)
    api.add_router("/repairs", repairs_router)
    api.add_router("/rewards", rewards_router)
    api.add_router("/sharing", sharing_router)
    api.add_router("/scoring", scoring_router)
    api.add_router("/monitoring", monitoring_router)
    api.add_router("/associations", associations_router)
    api.add_router("/commitments", commitments_router)
    api.add_router("/benefits", benefits_router)
    api.add_router("/lending", lending_router)
    api.add_router("/agents", agents_router)
    api.add_router("/ledger", ledger_router)
    api.add_router("/exchange", exchange_router)


_register_routers()
