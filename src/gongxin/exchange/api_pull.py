"""``GET /api/v1/exchange/packages``: pull by cursor, for a registered peer that signs its request (decision 068;
exchange.pulling). Registered on the exchange's router by ``apps.py``, beside the push endpoint of ``api.py``."""

from __future__ import annotations

from django.http import FileResponse, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase

from gongxin.core.schemas import ErrorOut
from gongxin.exchange.api import router
from gongxin.exchange.pulling import package_for_pull, request_peer

_PACKAGE = {"responses": {"200": {"description": "The next data package (a ZIP file: header, body, signature)",
                                  "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}}},
                          "204": {"description": "Caught up: no package after that sequence"}}}


@router.get("/packages", auth=None, response={401: ErrorOut, 404: ErrorOut, 409: ErrorOut},
            summary="Pull the next data package of an item after a sequence (signed by a registered peer)",
            openapi_extra=_PACKAGE)
def packages_pull_endpoint(request: HttpRequest, item: str, after: int = 0) -> HttpResponseBase:
    peer = request_peer(method="GET", path_with_query=request.get_full_path(), headers=request.headers)
    package = package_for_pull(peer=peer, item_code=item, after=max(0, after))
    if package is None:
        return HttpResponse(status=204)
    response = FileResponse(open(package.path, "rb"), content_type="application/zip")  # noqa: SIM115 (closed by Django)
    response["X-Exchange-Package"] = package.guid
    response["X-Exchange-Sequence"] = str(package.sequence)
    return response
