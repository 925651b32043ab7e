"""URLs of the check benchmark's server: the platform's, plus ``/bench/bare?uscc=…`` and ``/bench/floor?uscc=…``.

The bare endpoint does what the issue compares the check API with: one indexed lookup (an organization by
its USCC) and a small JSON answer, through the same server, middleware and connection settings — so the
ratio of the two throughputs is what the check itself costs.

The floor endpoint does the least any check must do: look the subject and its facts row up by USCC and
write the check and its inquiry durably — the check path's own two prepared statements, without the API
key, the rules, the hits or their JSON. Its throughput bounds what the check API can reach here.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from checks import MATTER
from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path
from django.utils import timezone

from gongxin.access.services import inquiry_params
from gongxin.core.prepared import prepared_rows
from gongxin.rewards.models import Matter
from gongxin.rewards.services import _CHECK_COLUMNS, _check_insert_statement, _resolve_usccs_statement


def bare(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject_id FROM subjects_organization WHERE uscc = %s", [request.GET.get("uscc", "")])
        row = cursor.fetchone()
    return JsonResponse({"subject_id": row[0] if row else None})


@lru_cache(maxsize=1)
def _matter() -> tuple[int, int, int | None, int]:
    matter = Matter.objects.select_related("system").get(code=MATTER)
    return matter.pk, matter.system_id, matter.system.client_id, matter.system.department_id


def floor(request: HttpRequest) -> JsonResponse:
    matter_id, system_id, client_id, department_id = _matter()
    rows = prepared_rows(_resolve_usccs_statement(one=True), [request.GET.get("uscc", "")])
    if not rows:
        return JsonResponse({"code": "not_found"}, status=404)
    row = rows[0]
    now = timezone.now()
    check: dict[str, Any] = {
        "subject_id": row[1], "matter_id": matter_id, "system_id": system_id, "client_id": client_id,
        "actor_label": "bench", "decision": "pass", "hits": "[]", "warnings": "[]", "name_given": "",
        "facts_updated_at": row[7], "created_at": now,
    }
    inquiry: dict[str, Any] = {
        "subject_id": row[1], "viewer_label": "bench", "viewer_user_id": None, "viewer_client_id": client_id,
        "viewer_department_id": department_id, "purpose": "sharing", "reason": MATTER, "channel": "check",
        "consent_id": None, "records_shown": 0, "created_at": now,
    }
    params = [check[c] for c in _CHECK_COLUMNS] + inquiry_params(inquiry)
    check_id = prepared_rows(_check_insert_statement(0), params)[0][0]
    return JsonResponse({"check_id": check_id, "decision": "pass"})


urlpatterns = [
    path("bench/bare", bare),
    path("bench/floor", floor),
    path("", include("gongxin.urls")),
]
