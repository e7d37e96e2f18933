"""Who issues a command: the activity id recorded with it fits every case store."""

from __future__ import annotations

from casework.actor import MAX_ACTIVITY_ID_CHARS, Actor


def test_an_activity_id_every_store_keeps_is_recorded_and_a_longer_one_is_left_out() -> None:
    longest = "f:" + "1" * (MAX_ACTIVITY_ID_CHARS - 2)

    assert Actor("a1", longest).activity_id == longest
    assert Actor("a1", longest + "1").activity_id is None
    assert Actor("a1", "1712345678901").activity_id == "1712345678901"
    assert Actor("a1").activity_id is None
    assert MAX_ACTIVITY_ID_CHARS == 255  # SharePoint's single line of text
