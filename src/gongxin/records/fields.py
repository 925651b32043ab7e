"""Model fields of the record tables' compact storage (decision 047)."""

from __future__ import annotations

from typing import Any

from django.db import models


class Sha256Field(models.Field[Any, str]):
    """A SHA-256 digest stored as its 32 bytes (bytea / BLOB), read and written as its 64 hex characters: half
    the bytes of the hex text, and the same ``str`` for every caller."""

    def get_internal_type(self) -> str:
        return "BinaryField"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("editable", False)
        kwargs["max_length"] = 32
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs.pop("max_length", None)
        kwargs.pop("editable", None)
        return name, path, args, kwargs

    def get_prep_value(self, value: Any) -> Any:
        value = super().get_prep_value(value)
        return bytes.fromhex(value) if isinstance(value, str) else value

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> str | None:
        return None if value is None else bytes(value).hex()

    def to_python(self, value: Any) -> Any:
        if isinstance(value, (bytes, bytearray, memoryview)):
            return bytes(value).hex()
        return value

    def value_to_string(self, obj: Any) -> str:
        return str(self.value_from_object(obj) or "")
