"""The quick look before the full check of an activity's depth and text.

`_plainly_within_depth_and_text` may say True only where `_check_depth_and_text` finds
nothing; where it says False the full check runs and says what is wrong. So the refusals
and their words are the full check's, whatever the quick look does.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.activity_shape import (
    MAX_DEPTH,
    MalformedActivity,
    _check_depth_and_text,
    _plainly_within_depth_and_text,
)

# Text with the odd lone surrogate in it (JSON can carry one; UTF-8 cannot).
TEXT = st.text(alphabet=st.characters(codec=None, min_codepoint=0, max_codepoint=0xDFFF))
SCALARS = st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | TEXT


def nested(depth: int, inner: Any) -> Any:
    for _ in range(depth):
        inner = [inner]
    return inner


JSON = st.recursive(
    SCALARS,
    lambda children: st.lists(children, max_size=4) | st.dictionaries(TEXT, children, max_size=4),
    max_leaves=30,
) | st.builds(nested, st.integers(MAX_DEPTH - 3, MAX_DEPTH + 3), SCALARS)


def full_check_finds(value: Any) -> bool:
    try:
        _check_depth_and_text(value)
    except MalformedActivity:
        return True
    return False


@settings(max_examples=400)
@given(JSON)
def test_the_quick_look_passes_only_what_the_full_check_passes(value: Any) -> None:
    quick = _plainly_within_depth_and_text(value)
    assert quick == (not full_check_finds(value))


@pytest.mark.parametrize(
    "value",
    [
        {"text": "help", "from": {"id": "29:1", "name": "Ms Example"}},
        {"value": {"action": {"data": {"n": [1, 2, {"deep": None}]}}}},
        nested(MAX_DEPTH, "a"),
        {"emoji": "\U0001f600 and é"},
    ],
)
def test_ordinary_activities_pass_the_quick_look(value: Any) -> None:
    assert _plainly_within_depth_and_text(value)


@pytest.mark.parametrize(
    "value",
    [
        {"text": "\ud800"},
        {"\udfff": 1},
        nested(MAX_DEPTH + 1, "a"),
        nested(5_000, None),
    ],
)
def test_what_is_wrong_fails_the_quick_look(value: Any) -> None:
    assert not _plainly_within_depth_and_text(value)
    assert full_check_finds(value)
