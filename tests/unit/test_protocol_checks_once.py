"""`casework.ports.is_atomic` and `outbox_in_store` answer what `isinstance` answers, for
every store and notifier there is, and work it out once per class."""

from __future__ import annotations

import pytest

from casework import ports
from casework.ports import AtomicCaseStore, OutboxInStore, is_atomic, outbox_in_store
from graph.sharepoint_store import SharePointCaseStore
from local.outbox import SqliteOutbox
from local.sqlite_store import SqliteCaseStore
from tests.fakes import InMemoryCaseStore, RecordingNotifier

CLASSES = [SqliteCaseStore, SharePointCaseStore, InMemoryCaseStore, SqliteOutbox, RecordingNotifier]


@pytest.mark.parametrize("cls", CLASSES, ids=lambda c: c.__name__)
def test_the_answer_is_isinstance_s(cls: type) -> None:
    thing: object = object.__new__(cls)  # the class decides: no instance needs opening
    assert is_atomic(thing) == isinstance(thing, AtomicCaseStore)
    assert outbox_in_store(thing) == isinstance(thing, OutboxInStore)


def test_the_sqlite_store_and_outbox_are_the_ones_that_share_a_transaction() -> None:
    assert is_atomic(object.__new__(SqliteCaseStore))
    assert not is_atomic(object.__new__(SharePointCaseStore))
    assert outbox_in_store(object.__new__(SqliteOutbox))
    assert not outbox_in_store(object.__new__(RecordingNotifier))


def test_each_class_is_worked_out_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ports, "_CLASS_IS", {})
    asked: list[type] = []
    real = issubclass

    def counted(cls: type, protocol: type) -> bool:
        asked.append(cls)
        return real(cls, protocol)

    monkeypatch.setattr(ports, "issubclass", counted, raising=False)
    store = object.__new__(SqliteCaseStore)
    for _ in range(5):
        assert is_atomic(store)
    assert asked == [SqliteCaseStore]
