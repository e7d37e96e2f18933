"""What the case steps record and refuse, checked word for word and field by field: the
statements and their disclosure, posts on social media, and the other case steps whose
mutated functions no test noticed (`make mutation`)."""

from __future__ import annotations

from datetime import timedelta

import pytest

from rules.behaviours import Behaviour, RiskLevel
from rules.case import apply
from rules.commands import Command
from rules.details import Statement
from rules.errors import (
    DetailMissing,
    DisclosureNotDecided,
    HistoryError,
    InvalidDetails,
    Refusal,
)
from rules.events import EventMeta
from rules.steps.disclosure import (
    DecideDisclosure,
    DisclosureDecided,
    RecordStatementReleased,
    StatementReleased,
)
from rules.steps.letters import RecordLetterDraftFailed
from rules.steps.reporting import AddStatement, StatementAdded, UpdatePersonDetails
from rules.steps.social_media import RecordPostReported, RecordRemovalRequested
from rules.wording import format_day
from tests.builders import at, incident, person

from .rules_builders import START, Case, statement


def _refusal(case: Case, command: Command) -> Refusal:
    before = list(case.history)
    with pytest.raises(Refusal) as caught:
        case.run(command)
    assert case.history == before  # a refusal changes nothing
    return caught.value


# --- statements and showing them to the person ------------------------------------------------


def _two_statements() -> Case:
    case = Case().open().assess()
    case.run(AddStatement(case.next_id(), 1, statement()))
    case.run(AddStatement(case.next_id(), 1, statement()))
    return case


def test_a_decision_on_a_statement_that_does_not_exist_says_how_many_there_are() -> None:
    case = _two_statements()
    refusal = _refusal(case, DecideDisclosure(case.next_id(), 1, 3, True, RiskLevel.LOW, "Low"))
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal) == "Incident 1 has 2 statement(s): there is no statement 3."


def test_a_decision_on_showing_a_statement_asks_for_the_reasons_with_the_risk_weighed() -> None:
    case = _two_statements()
    refusal = _refusal(case, DecideDisclosure(case.next_id(), 1, 1, True, RiskLevel.LOW, " "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == (
        "Please give the reasons, with the risk of retaliation to the witness weighed."
    )


def test_a_decision_is_kept_on_its_own_statement_with_its_reasons_and_who_made_it() -> None:
    case = _two_statements()
    case.run(DecideDisclosure(case.next_id(), 1, 1, False, RiskLevel.HIGH, " Fears reprisal "))
    first, second = case.v.incident(1).statements  # type: ignore[union-attr]
    assert first.disclosure is not None
    assert first.disclosure.release is False
    assert first.disclosure.retaliation_risk is RiskLevel.HIGH
    assert first.disclosure.reasons == "Fears reprisal"
    assert first.disclosure.decided_by == "actor-1"
    assert first.disclosure.decided_at == at(case.today, 12)
    assert second.disclosure is None


def test_the_second_statement_released_is_shown_and_the_first_is_left_alone() -> None:
    case = _two_statements()
    case.run(DecideDisclosure(case.next_id(), 1, 2, True, RiskLevel.LOW, "Low risk"))
    case.run(RecordStatementReleased(case.next_id(), 1, 2, case.today))
    first, second = case.v.incident(1).statements  # type: ignore[union-attr]
    assert first.disclosure is None
    assert first.released_on is None
    assert second.disclosure is not None
    assert second.released_on == case.today


def test_showing_a_statement_without_a_decision_names_the_statement_and_incident() -> None:
    case = _two_statements()
    refusal = _refusal(case, RecordStatementReleased(case.next_id(), 1, 1, case.today))
    assert isinstance(refusal, DisclosureNotDecided)
    assert str(refusal).startswith(
        "No disclosure decision is recorded for statement 1 of incident 1."
    )


def test_a_statement_shown_in_the_future_is_refused_naming_the_date() -> None:
    case = _two_statements()
    case.run(DecideDisclosure(case.next_id(), 1, 1, True, RiskLevel.LOW, "Low risk"))
    tomorrow = case.today + timedelta(days=1)
    refusal = _refusal(case, RecordStatementReleased(case.next_id(), 1, 1, tomorrow))
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal) == (
        f"The date it was shown cannot be in the future ({format_day(tomorrow)})."
    )


def test_a_statement_cannot_be_shown_before_the_decision_to_release_it() -> None:
    case = _two_statements()
    case.run(DecideDisclosure(case.next_id(), 1, 1, True, RiskLevel.LOW, "Low risk"))
    yesterday = case.today - timedelta(days=1)
    refusal = _refusal(case, RecordStatementReleased(case.next_id(), 1, 1, yesterday))
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal) == "A statement cannot be shown before the decision to release it."


@pytest.mark.parametrize("statement_no", [0, 3])
def test_a_history_deciding_on_a_statement_that_does_not_exist_is_broken(
    statement_no: int,
) -> None:
    case = _two_statements()
    meta = EventMeta(len(case.history) + 1, "actor-1", at(case.today, 12), "cmd-x")
    event = DisclosureDecided(1, statement_no, True, RiskLevel.LOW, "Low risk")
    with pytest.raises(HistoryError) as caught:
        apply(case.v, meta, event)
    assert str(caught.value) == f"case {case.v.case_id}: no statement 1.{statement_no}"


def test_a_history_showing_a_statement_of_an_incident_that_does_not_exist_is_broken() -> None:
    case = _two_statements()
    meta = EventMeta(len(case.history) + 1, "actor-1", at(case.today, 12), "cmd-x")
    with pytest.raises(HistoryError) as caught:
        apply(case.v, meta, StatementReleased(7, 1, case.today))
    assert str(caught.value) == f"case {case.v.case_id}: no statement 7.1"


# --- posts on social media --------------------------------------------------------------------


def _posted() -> Case:
    return Case().open(incident(at(START, 8), behaviours=(Behaviour.SOCIAL_MEDIA,)))


def test_a_post_cannot_be_reported_for_an_incident_not_on_social_media() -> None:
    case = Case().open()
    refusal = _refusal(case, RecordPostReported(case.next_id(), 1, case.today, "Facebook"))
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal) == (
        "Incident 1 does not record social media (neither among its behaviours nor as the way "
        "it reached the school): there is no post to report or remove."
    )


def test_a_post_reported_in_the_future_is_refused_naming_the_date() -> None:
    case = _posted()
    tomorrow = case.today + timedelta(days=1)
    refusal = _refusal(case, RecordPostReported(case.next_id(), 1, tomorrow, "Facebook"))
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal) == (
        f"The date it was reported cannot be in the future ({format_day(tomorrow)})."
    )


def test_a_post_report_asks_which_site_the_post_is_on() -> None:
    case = _posted()
    refusal = _refusal(case, RecordPostReported(case.next_id(), 1, case.today, "  "))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give the site the post is on."


def test_a_post_report_keeps_the_day_the_site_the_reference_and_who_recorded_it() -> None:
    case = _posted()
    reported_on = case.today - timedelta(days=2)
    case.run(RecordPostReported(case.next_id(), 1, reported_on, " Facebook ", " REF-9 "))
    [report] = case.v.incident(1).post_reports  # type: ignore[union-attr]
    assert report.reported_on == reported_on
    assert report.site == "Facebook"
    assert report.reference == "REF-9"
    assert report.recorded_by == "actor-1"


def test_a_removal_request_in_the_future_is_refused_naming_the_date() -> None:
    case = _posted()
    tomorrow = case.today + timedelta(days=1)
    refusal = _refusal(case, RecordRemovalRequested(case.next_id(), 1, tomorrow, "by email"))
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal) == (
        f"The date of the request cannot be in the future ({format_day(tomorrow)})."
    )


def test_a_removal_request_asks_how_the_person_was_asked() -> None:
    case = _posted()
    refusal = _refusal(case, RecordRemovalRequested(case.next_id(), 1, case.today, ""))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give how the person was asked (in letter 1, by email …)."


def test_a_removal_request_keeps_the_day_how_and_who_recorded_it() -> None:
    case = _posted()
    requested_on = case.today - timedelta(days=1)
    case.run(RecordRemovalRequested(case.next_id(), 1, requested_on, " in letter 1 "))
    [request] = case.v.incident(1).removal_requests  # type: ignore[union-attr]
    assert request.requested_on == requested_on
    assert request.how == "in letter 1"
    assert request.recorded_by == "actor-1"


# --- statements given about an incident -------------------------------------------------------


def _add(case: Case, given: Statement) -> Refusal:
    return _refusal(case, AddStatement(case.next_id(), 1, given))


def test_a_statement_asks_for_the_name_of_the_person_giving_it() -> None:
    case = Case().open()
    refusal = _add(case, Statement(" ", "I heard shouting.", case.today))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give the name of the person giving the statement."


def test_a_statement_with_no_words_asks_for_the_statement() -> None:
    case = Case().open()
    refusal = _add(case, Statement("Mr Caretaker", "  ", case.today))
    assert isinstance(refusal, DetailMissing)
    assert str(refusal) == "Please give the statement."


def test_a_statement_given_in_the_future_is_refused_naming_the_date() -> None:
    case = Case().open()
    tomorrow = case.today + timedelta(days=1)
    refusal = _add(case, Statement("Mr Caretaker", "I heard shouting.", tomorrow))
    assert isinstance(refusal, InvalidDetails)
    assert str(refusal) == (
        f"The date of the statement cannot be in the future ({format_day(tomorrow)})."
    )


def test_a_statement_keeps_who_added_it_and_when() -> None:
    case = Case().open()
    case.run(AddStatement(case.next_id(), 1, statement()))
    [added] = case.v.incident(1).statements  # type: ignore[union-attr]
    assert added.statement == statement()
    assert added.added_by == "actor-1"
    assert added.added_at == at(case.today, 12)


def test_a_history_adding_a_statement_to_an_incident_that_does_not_exist_is_broken() -> None:
    case = Case().open()
    meta = EventMeta(len(case.history) + 1, "actor-1", at(case.today, 12), "cmd-x")
    with pytest.raises(HistoryError) as caught:
        apply(case.v, meta, StatementAdded(4, statement()))
    assert str(caught.value) == f"case {case.v.case_id}: no incident 4"


# --- the person's details ---------------------------------------------------------------------


def test_new_details_for_the_person_let_a_letter_the_old_ones_could_not_make_be_tried_again() -> (
    None
):
    case = Case().open().assess().warn()
    letter_id = case.v.letters[-1].letter_id
    case.run(
        RecordLetterDraftFailed(case.next_id(), letter_id, "No address", permanent=True),
        system=True,
    )
    assert case.v.letter(letter_id).draft_blocked is True  # type: ignore[union-attr]
    new_person = person(email="new@example.org")
    case.run(UpdatePersonDetails(case.next_id(), new_person))
    assert case.v.person == new_person
    letter = case.v.letter(letter_id)
    assert letter is not None
    assert letter.draft_blocked is False
