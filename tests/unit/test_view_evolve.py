"""`rules.core.view.evolve` makes exactly the view `dataclasses.replace` makes.

It copies the view's fields instead of running `__init__` again, which is the same only
while `CaseView` has no `__post_init__`, sets every field in `__init__` and keeps nothing
else in its `__dict__`: the first test fails if that stops being true.
"""

from __future__ import annotations

import dataclasses
from typing import Any

import pytest

from rules.core import fold as fold_module
from rules.core.fold import fold
from rules.core.view import CaseView, evolve
from tests.unit.rules_builders import Case


def rich_view() -> tuple[Case, CaseView]:
    case = Case().open().assess()
    case.warn()
    return case, case.v


def test_the_view_is_one_evolve_can_copy() -> None:
    assert not hasattr(CaseView, "__post_init__")
    assert not hasattr(CaseView, "__slots__")
    assert all(f.init for f in dataclasses.fields(CaseView))
    _, view = rich_view()
    assert set(view.__dict__) == {f.name for f in dataclasses.fields(CaseView)}


def test_evolve_equals_replace_for_every_field() -> None:
    _, view = rich_view()
    other = Case().open().v
    for f in dataclasses.fields(CaseView):
        value: Any = getattr(other, f.name)
        evolved = evolve(view, **{f.name: value})
        assert evolved == dataclasses.replace(view, **{f.name: value}), f.name
        assert getattr(evolved, f.name) is value
        assert type(evolved) is CaseView
    assert view == rich_view()[1]  # the original is left as it was


def test_evolve_of_several_fields_at_once_and_of_none() -> None:
    _, view = rich_view()
    changes: dict[str, Any] = {
        "last_seq": 99,
        "command_ids": frozenset({"x"}),
        "reference": "OAK-2026-0042",
    }
    assert evolve(view, **changes) == dataclasses.replace(view, **changes)
    same = evolve(view)
    assert same == view
    assert same is not view
    assert hash(evolve(view, last_seq=7)) == hash(dataclasses.replace(view, last_seq=7))


def test_an_unknown_field_is_refused_as_replace_refuses_it() -> None:
    _, view = rich_view()
    with pytest.raises(TypeError, match="no field 'not_a_field'"):
        evolve(view, not_a_field=1)
    with pytest.raises(TypeError):
        dataclasses.replace(view, not_a_field=1)  # type: ignore[call-arg]


def test_a_whole_fold_is_the_same_with_replace(monkeypatch: pytest.MonkeyPatch) -> None:
    case, _ = rich_view()
    with_evolve = fold(case.history)
    monkeypatch.setattr(fold_module, "evolve", dataclasses.replace)
    with_replace = fold(case.history)
    assert with_evolve == with_replace
    assert with_evolve is not None
    assert with_evolve.notifications
