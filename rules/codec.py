"""Frozen dataclasses to and from plain JSON-able values, driven by their type hints.

Dates and times become ISO strings, enums their values, tuples and frozensets lists. Decoding
is strict: a value of the wrong shape raises `HistoryError` rather than being guessed at,
because these records are the case's evidence.
"""

from __future__ import annotations

import dataclasses
import types
import typing
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from functools import cache, partial
from typing import Any, TypeVar

from rules.errors import HistoryError

JSON = dict[str, Any]
D = TypeVar("D")


def encode(value: object) -> Any:
    kind = type(value)
    if kind is str or kind is int or value is None:  # exactly: not a StrEnum or IntEnum
        return value
    names = _FIELD_NAMES.get(kind, ())
    if names == ():  # not seen before: a dataclass instance, or not (None)
        names = _FIELD_NAMES[kind] = (
            tuple(f.name for f in dataclasses.fields(value))
            if dataclasses.is_dataclass(value) and not isinstance(value, type)
            else None
        )
    if names is not None:
        return {name: encode(getattr(value, name)) for name in names}
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, date):  # datetime included
        return value.isoformat()
    if isinstance(value, tuple | list):
        return [encode(item) for item in value]
    if isinstance(value, frozenset | set):
        return sorted(encode(item) for item in value)
    if isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot encode {type(value).__name__}")


# Each dataclass's field names, and each type's decoder, worked out once (the codec runs for
# every event of every case loaded, and reading a class's fields and hints is slow).
_FIELD_NAMES: dict[type, tuple[str, ...] | None] = {}
_DECODERS: dict[Any, Callable[[Any, str], Any]] = {}


def decode(cls: type[D], data: Any) -> D:
    """An instance of the dataclass `cls` from `encode`'s output."""
    return typing.cast(D, _decode(cls, data, cls.__name__))


@cache
def _hints(cls: type) -> dict[str, Any]:
    return typing.get_type_hints(cls)


@cache
def _fields(cls: type) -> tuple[tuple[str, bool], ...]:
    """(name, required) of each field of the dataclass `cls`, in order."""
    return tuple(
        (
            field.name,
            field.default is dataclasses.MISSING and field.default_factory is dataclasses.MISSING,
        )
        for field in dataclasses.fields(cls)
    )


def _decode(tp: Any, raw: Any, where: str) -> Any:
    decoder = _DECODERS.get(tp)
    if decoder is None:
        decoder = _DECODERS[tp] = _decoder(tp)
    return decoder(raw, where)


def _decoder(tp: Any) -> Callable[[Any, str], Any]:
    """How to decode a value of type `tp` (a function of the raw value and where it is)."""
    origin = typing.get_origin(tp)
    if origin in (types.UnionType, typing.Union):
        options = typing.get_args(tp)
        optional = type(None) in options
        others = [option for option in options if option is not type(None)]

        def union(raw: Any, where: str) -> Any:
            if raw is None and optional:
                return None
            (inner,) = others
            return _decode(inner, raw, where)

        return union
    if origin is tuple:
        item = typing.get_args(tp)[0]
        return lambda raw, where: tuple(_decode(item, r, where) for r in _list(raw, where))
    if origin is frozenset:
        item = typing.get_args(tp)[0]
        return lambda raw, where: frozenset(_decode(item, r, where) for r in _list(raw, where))
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return partial(_dataclass, tp)
    if isinstance(tp, type) and issubclass(tp, Enum):
        return partial(_enum, tp)
    if tp is datetime:
        return lambda raw, where: datetime.fromisoformat(_str(raw, where))
    if tp is date:
        return lambda raw, where: date.fromisoformat(_str(raw, where))
    if tp is bool:
        return _bool
    if tp is int:
        return _int
    if tp is str:
        return _str
    return partial(_undecodable, tp)


def _dataclass(tp: type, raw: Any, where: str) -> Any:
    if not isinstance(raw, dict):
        raise HistoryError(f"{where}: expected an object, got {type(raw).__name__}")
    hints = _hints(tp)
    values: dict[str, Any] = {}
    for name, required in _fields(tp):
        if name in raw:
            values[name] = _decode(hints[name], raw[name], where)
        elif required:
            raise HistoryError(f"{where}: {name} is missing")
    return tp(**values)


def _enum(tp: type[Enum], raw: Any, where: str) -> Any:
    try:
        return tp(raw)
    except ValueError:
        raise HistoryError(f"{where}: {raw!r} is not a {tp.__name__}") from None


def _bool(raw: Any, where: str) -> bool:
    if not isinstance(raw, bool):
        raise HistoryError(f"{where}: expected true or false, got {raw!r}")
    return raw


def _int(raw: Any, where: str) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int):
        raise HistoryError(f"{where}: expected a whole number, got {raw!r}")
    return raw


def _undecodable(tp: Any, raw: Any, where: str) -> Any:
    raise HistoryError(f"{where}: cannot decode type {tp!r}")


def _list(raw: Any, where: str) -> list[Any]:
    if not isinstance(raw, list):
        raise HistoryError(f"{where}: expected a list, got {type(raw).__name__}")
    return raw


def _str(raw: Any, where: str) -> str:
    if not isinstance(raw, str):
        raise HistoryError(f"{where}: expected text, got {type(raw).__name__}")
    return raw
