"""URLs of the check benchmark's server: the platform's, plus ``/bench/bare?uscc=…``.

The bare endpoint does what the issue compares the check API with: one indexed lookup (an organization by
its USCC) and a small JSON answer, through the same server, middleware and connection settings — so the
ratio of the two throughputs is what the check itself costs.
"""

from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, JsonResponse
from django.urls import include, path


def bare(request: HttpRequest) -> JsonResponse:
    with connection.cursor() as cursor:
        cursor.execute("SELECT subject_id FROM subjects_organization WHERE uscc = %s", [request.GET.get("uscc", "")])
        row = cursor.fetchone()
    return JsonResponse({"subject_id": row[0] if row else None})


urlpatterns = [
    path("bench/bare", bare),
    path("", include("gongxin.urls")),
]
