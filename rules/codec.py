"""Frozen dataclasses to and from plain JSON-able values, driven by their type hints.

Dates and times become ISO strings, enums their values, tuples and frozensets lists. Decoding
is strict: a value of the wrong shape raises `HistoryError` rather than being guessed at,
because these records are the case's evidence.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from datetime import date, datetime
from enum import Enum
from functools import cache
from typing import Any, TypeVar

from rules.errors import HistoryError

JSON = dict[str, Any]
D = TypeVar("D")


def encode(value: object) -> Any:
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: encode(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(encode(item) for item in value)
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


def decode(cls: type[D], data: Any) -> D:
    """An instance of the dataclass `cls` from `encode`'s output."""
    return typing.cast(D, _decode(cls, data, cls.__name__))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


def _decode(tp: Any, raw: Any, where: str) -> Any:
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(tp)
        if raw is None and type(None) in options:
            return None
        (inner,) = [option for option in options if option is not type(None)]
        return _decode(inner, raw, where)
    if origin is tuple:
        item = typing.get_args(tp)[0]
        return tuple(_decode(item, r, where) for r in _list(raw, where))
    if origin is frozenset:
        item = typing.get_args(tp)[0]
        return frozenset(_decode(item, r, where) for r in _list(raw, where))
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        if not isinstance(raw, dict):
            raise HistoryError(f"{where}: expected an object, got {type(raw).__name__}")
        hints = _hints(tp)
        values: dict[str, Any] = {}
        for field in dataclasses.fields(tp):
            if field.name in raw:
                values[field.name] = _decode(hints[field.name], raw[field.name], where)
            elif (
                field.default is dataclasses.MISSING
                and field.default_factory is dataclasses.MISSING
            ):
                raise HistoryError(f"{where}: {field.name} is missing")
        return tp(**values)
    if isinstance(tp, type) and issubclass(tp, Enum):
        try:
            return tp(raw)
        except ValueError:
            raise HistoryError(f"{where}: {raw!r} is not a {tp.__name__}") from None
    if tp is datetime:
        return datetime.fromisoformat(_str(raw, where))
    if tp is date:
        return date.fromisoformat(_str(raw, where))
    if tp is bool:
        if not isinstance(raw, bool):
            raise HistoryError(f"{where}: expected true or false, got {raw!r}")
        return raw
    if tp is int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise HistoryError(f"{where}: expected a whole number, got {raw!r}")
        return raw
    if tp is str:
        return _str(raw, where)
    raise HistoryError(f"{where}: cannot decode type {tp!r}")


def _list(raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise HistoryError(f"{where}: expected a list, got {type(raw).__name__}")
    return raw


def _str(raw: Any, where: str) -> str:
    if not isinstance(raw, str):
        raise HistoryError(f"{where}: expected text, got {type(raw).__name__}")
    return raw
