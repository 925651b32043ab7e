"""Schemas the whole API shares: the one error shape every failure leaves in.

``ErrorOut`` is what ``gongxin.api`` writes for application errors, validation errors, unknown routes
and unexpected failures alike; the OpenAPI document names it once (core.openapi documents it on every
operation for the statuses that operation can answer).
"""

from __future__ import annotations

from typing import Any

from ninja import Field, Schema


class ErrorOut(Schema):
    code: str = Field(..., description="A stable code clients branch on (record.not_found, validation_failed ...)")
    message: str = Field(..., description="A message in the request's language")
    details: Any = Field(None, description="Where useful: what failed (e.g. the invalid fields of a 422)")
