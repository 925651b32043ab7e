"""The OpenAPI document as a contract: every status an operation can answer is documented.

Endpoints declare their success responses (``response=...``); the error statuses follow from what an
operation is, by one rule table applied to the generated document (decision 036), never by hand per
endpoint:

- an operation behind the API's authentication (``security`` in the document): 401 (no or a wrong key),
  403 (not entitled, CSRF), 404 (the caller's own subject or unit it looks up), 429 (the client's or
  the caller's rate limit);
- an operation that takes input (path, query or body): 400 (a NUL character, refused at the door),
  404 (it looks up what the input names: an id, a code, a subject), 422 (validation), 429 (limits per
  caller and address on look-ups);
- an operation that writes (POST, PUT, PATCH, DELETE): 409 (the state changed or does not allow it);
- an operation with a request body: 413 (the body is over the API's limit, ``GONGXIN_API_BODY_MAX_BYTES``);
- every operation: 503 (the database stayed busy past its wait, ``core.busy``).

Every one of them answers the one error shape (``core.schemas.ErrorOut``). A status an endpoint declares
itself keeps its own description and schema. The runtime is untouched: Ninja picks an operation's default
status from its declared responses, so the rules are applied to the document only.
"""

from __future__ import annotations

from http.client import responses as reasons
from typing import Any

from ninja import NinjaAPI
from ninja.openapi.schema import REF_TEMPLATE, OpenAPISchema
from ninja.schema import NinjaGenerateJsonSchema

from gongxin.core.schemas import ErrorOut

WRITE_METHODS = frozenset({"post", "put", "patch", "delete"})
HTTP_METHODS = frozenset({"get", "head", "options", "trace"}) | WRITE_METHODS


def error_statuses(*, method: str, operation: dict[str, Any]) -> set[int]:
    """The error statuses the rule table gives one operation of the document (see the module's doc)."""
    statuses: set[int] = {503}  # every operation: the database busy past its wait (core.busy)
    takes_input = bool(operation.get("parameters")) or "requestBody" in operation
    if operation.get("security"):
        statuses |= {401, 403, 404, 429}
    if takes_input:
        statuses |= {400, 404, 422, 429}
    if method in WRITE_METHODS:
        statuses.add(409)
    if "requestBody" in operation:
        statuses.add(413)
    return statuses


def openapi_document_errors(*, document: dict[str, Any]) -> dict[str, Any]:
    """Add the rule table's error responses to every operation of ``document`` (in place; returned)."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    name = ErrorOut.__name__
    if name not in components:
        definition = ErrorOut.model_json_schema(ref_template=REF_TEMPLATE, schema_generator=NinjaGenerateJsonSchema)
        components.update(definition.pop("$defs", {}))
        components[name] = definition
    content = {"application/json": {"schema": {"$ref": REF_TEMPLATE.format(model=name)}}}
    for path_item in document.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in HTTP_METHODS:
                continue
            declared = operation.setdefault("responses", {})
            for status in error_statuses(method=method, operation=operation):
                if status not in declared and str(status) not in declared:
                    declared[status] = {"description": reasons.get(status, "Error"), "content": content}
            operation["responses"] = dict(sorted(declared.items(), key=lambda item: int(item[0])))
    return document


class ContractAPI(NinjaAPI):
    """The platform's NinjaAPI: its OpenAPI document documents every error status (see the module's doc)."""

    def get_openapi_schema(self, *, path_prefix: str | None = None,
                           path_params: dict[str, Any] | None = None) -> OpenAPISchema:
        document = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        openapi_document_errors(document=document)
        return document
