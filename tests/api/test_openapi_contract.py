"""The OpenAPI document is a contract: one component per schema class, every documented (method, path)
reachable, and the error statuses of the rule table (core.openapi) on every operation."""

from __future__ import annotations

import re
import typing
from collections import defaultdict
from typing import Any

import pydantic
import pytest
from django.test import Client
from ninja import Schema

from gongxin.api import api
from gongxin.core.openapi import WRITE_METHODS


def _document() -> dict[str, Any]:
    return api.get_openapi_schema(path_prefix="/api/v1/")


def _models_in(annotation: Any, found: set[type[Schema]]) -> None:
    if isinstance(annotation, type) and issubclass(annotation, pydantic.BaseModel):
        if annotation in found:
            return
        if issubclass(annotation, Schema) and annotation.__module__.startswith("gongxin."):
            found.add(annotation)
        for field in annotation.model_fields.values():
            _models_in(field.annotation, found)
        return
    for argument in typing.get_args(annotation):
        _models_in(argument, found)


def _schema_classes() -> set[type[Schema]]:
    """Every platform Schema class an operation reads as its body or answers with (nested ones too)."""
    found: set[type[Schema]] = set()
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for operation in path_view.operations:
                for model in operation.models:
                    if model.__ninja_param_source__ in {"body", "form", "file"}:
                        _models_in(model, found)
                for model in operation.response_models.values():
                    if isinstance(model, type):
                        _models_in(model, found)
    return found


def test_each_schema_class_has_its_own_component() -> None:
    classes = _schema_classes()
    by_name: dict[str, list[str]] = defaultdict(list)
    for cls in classes:
        by_name[cls.__name__].append(f"{cls.__module__}.{cls.__qualname__}")
    shared = {name: sorted(where) for name, where in by_name.items() if len(where) > 1}
    assert not shared, f"schema classes sharing one component name (the last overwrites the others): {shared}"

    components = _document()["components"]["schemas"]
    for cls in classes:
        assert cls.__name__ in components, cls
        # the component is this class, not another one of the same name
        names = set(cls.model_fields)
        aliases = {field.alias or name for name, field in cls.model_fields.items()}
        assert set(components[cls.__name__].get("properties", {})) in (names, aliases), cls


def _sample_url(path: str) -> str:
    return re.sub(r"{[^}]+}", "1", path)


def test_every_documented_operation_is_reachable() -> None:
    """A request to each documented (method, path) reaches its operation: never 405 because an earlier
    URL pattern of another operation took the path (``/measures/{code}`` before ``/measures/dry-run``)."""
    client = Client()
    shadowed = []
    for path, path_item in _document()["paths"].items():
        for method in path_item:
            response = getattr(client, method)(_sample_url(path), content_type="application/json")
            if response.status_code == 405:
                shadowed.append(f"{method.upper()} {path}")
    assert not shadowed, shadowed


def test_error_statuses_follow_the_rule_table() -> None:
    document = _document()
    assert "ErrorOut" in document["components"]["schemas"]
    for path, path_item in document["paths"].items():
        for method, operation in path_item.items():
            statuses = {int(status) for status in operation["responses"]}
            where = f"{method.upper()} {path}"
            if operation.get("security"):
                assert {401, 403, 404, 429} <= statuses, where
            if operation.get("parameters") or "requestBody" in operation:
                assert {400, 404, 422, 429} <= statuses, where
            if method in WRITE_METHODS:
                assert 409 in statuses, where
            if "requestBody" in operation:
                assert 413 in statuses, where
            assert 503 in statuses, where
            for status, response in operation["responses"].items():
                if int(status) >= 400:
                    schema = response["content"]["application/json"]["schema"]
                    assert schema == {"$ref": "#/components/schemas/ErrorOut"}, (where, status)


@pytest.fixture(autouse=True)
def _database(db: None) -> None:
    """The reachability probe sends real (anonymous, empty) requests."""
