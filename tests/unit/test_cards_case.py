"""The card builders of the Case card, the listings, reception's list, personal help, the
outcome of a step and the Chair's decision: each validates against Adaptive Card 1.5 and
says what it must (and, for reception and staff, nothing more)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cards import actions, case, chair_decision, deadlines, help, my_cases, reception
from cards.actions import Button, open_step, refresh, step_data
from tests.cardschema import assert_valid_card, walk


def text_of(card: Mapping[str, Any]) -> str:
    return "\n".join(str(e.get("text")) for e in walk(card) if e.get("type") == "TextBlock")


def test_the_case_card_shows_status_next_steps_letters_timeline_and_buttons() -> None:
    view = case.CaseCardView(
        reference="OAK-2026-0001",
        school_name="Oakfield Primary Academy",
        person_name="Jordan Example",
        status="Ban: with the Chair to confirm or overturn",
        next_steps=(
            case.NextStep(
                "Confirm or overturn the decision.",
                "Graham Whitlock (Chair of the Local Academy Committee)",
                "Tuesday 3 February 2026",
                overdue=True,
            ),
        ),
        letters=(case.LetterLine("Letter 4: ban, pending review", "Sent on Tuesday 13 January"),),
        timeline=(case.TimelineLine("Mon 12 Jan 2026, 09:00", "Priya Shah", "Incident 1."),),
        buttons=(open_step("Confirm or overturn", "chair.decide", "case-1", 7),),
        notice="That card was out of date.",
        refresh=refresh("case-1", ["oid-chair"]),
    )
    built = case.build(view)

    assert_valid_card(built)
    text = text_of(built)
    for expected in (
        "That card was out of date.",
        "Case OAK-2026-0001",
        "Status: **Ban: with the Chair to confirm or overturn**",
        "OVERDUE: was due Tuesday 3 February 2026",
        "Graham Whitlock",
        "Letter 4: ban, pending review",
        "Sent on Tuesday 13 January",
        "Priya Shah",
    ):
        assert expected in text
    assert text.index("That card was out of date.") < text.index("Case OAK-2026-0001")
    (button,) = built["actions"]
    assert button["verb"] == "step.open"
    assert button["data"] == {"caseId": "case-1", "version": 7, "step": "chair.decide"}
    assert built["refresh"]["userIds"] == ["8:orgid:oid-chair"]
    # Phone width: no tables, no column sets.
    assert not [e for e in walk(built) if e.get("type") in ("Table", "ColumnSet")]


def test_a_long_timeline_shows_the_latest_events_and_says_how_many_are_left_out() -> None:
    lines = tuple(case.TimelineLine(f"day {n}", "Someone", f"Event {n}.") for n in range(50))
    built = case.build(case.CaseCardView("R", "School", "Name", "Open", timeline=lines))

    assert_valid_card(built)
    text = text_of(built)
    assert "10 earlier events are not shown here" in text
    assert "Event 49." in text
    assert "Event 9." not in text
    assert "refresh" not in built


def test_the_card_staff_see_of_their_report_says_its_stage_and_nothing_more() -> None:
    built = case.build_status(
        case.ReportStatusView("OAK-2026-0001", "Oakfield Primary Academy", "Ban confirmed", (1,))
    )

    assert_valid_card(built)
    assert "Ban confirmed" in text_of(built)
    assert "actions" not in built


def test_my_cases_lists_each_group_and_a_button_per_case() -> None:
    built = my_cases.build(
        my_cases.MyCasesView(
            (
                my_cases.CaseGroup(
                    "Oakfield Primary Academy, as Headteacher/Principal",
                    (
                        my_cases.CaseLine(
                            "OAK-2026-0001",
                            "New",
                            "Jordan Example",
                            "Assess",
                            "Friday 16 January 2026",
                        ),
                        my_cases.CaseLine("OAK-2026-0002", "Open, no sanction"),
                    ),
                    more=True,
                ),
            )
        )
    )

    assert_valid_card(built)
    text = text_of(built)
    assert "Next: Assess (by Friday 16 January 2026)" in text
    assert "There are more cases than this card shows." in text
    assert [a["data"] for a in built["actions"]] == [
        {"reference": "OAK-2026-0001"},
        {"reference": "OAK-2026-0002"},
    ]
    assert all(a["verb"] == "case.open" for a in built["actions"])
    assert "You have no open cases." in text_of(my_cases.build(my_cases.MyCasesView(())))


def test_deadlines_put_overdue_first_then_due_then_undated_and_the_unreachable() -> None:
    built = deadlines.build(
        deadlines.DeadlinesView(
            overdue=(deadlines.DeadlineLine("Send letter 4", "Head", "OAK-1", "Mon", True),),
            due=(deadlines.DeadlineLine("Decide", "Chair", "OAK-2", "Tue"),),
            undated=(deadlines.DeadlineLine("Assess", "Head", "OAK-3"),),
            unreachable=("Graham Whitlock, Chair at Oakfield",),
        )
    )

    assert_valid_card(built)
    text = text_of(built)
    assert text.index("Overdue") < text.index("Coming up") < text.index("No date set")
    assert "Was due Mon" in text
    assert "Cannot be reached in Teams" in text
    assert "Nothing is waiting for you." in text_of(deadlines.build(deadlines.DeadlinesView()))


def test_reception_list_says_what_each_must_not_do_and_what_to_do() -> None:
    built = reception.build(
        reception.ReceptionView(
            (
                reception.ReceptionSchool(
                    "Oakfield Primary Academy",
                    "Headteacher",
                    (
                        reception.ReceptionLine(
                            "Jordan Example", True, ("Must not come in.",), "Friday 17 July 2026"
                        ),
                        reception.ReceptionLine("Alex Sample", False, ("Accompanied",)),
                    ),
                ),
                reception.ReceptionSchool("Riverside Academy", "Principal", ()),
            )
        )
    )

    assert_valid_card(built)
    text = text_of(built)
    assert "Banned from the premises until Friday 17 July 2026" in text
    assert "Under conditions" in text
    assert "call the Headteacher at once" in text
    assert "call the police (999)" in text
    assert "Nobody is banned or under conditions at this school." in text


def test_personal_help_lists_only_what_it_is_given() -> None:
    built = help.build(
        help.HelpView(
            personal=help.PersonalHelp(
                (help.Command("report", "report an incident.", "Report an incident"),),
                ("As Chair: decide.",),
            )
        )
    )
    unknown = help.build(help.HelpView(personal=help.PersonalHelp(unknown=True)))

    assert_valid_card(built)
    assert_valid_card(unknown)
    assert "**report**: report an incident." in text_of(built)
    assert "As Chair: decide." in text_of(built)
    assert "Clerk" not in text_of(built)
    assert [a["data"] for a in built["actions"]] == [{"command": "report"}]
    assert "does not know you" in text_of(unknown)


def test_the_outcome_card_says_what_was_done_and_only_opens_the_case() -> None:
    built = actions.outcome(
        actions.OutcomeView(
            "Decision recorded", "The Chair's decision recorded", "OAK-2026-0001", "Ban confirmed"
        )
    )
    again = actions.outcome(
        actions.OutcomeView("Decision recorded", "Done", "OAK-2026-0001", "X", repeated=True)
    )

    assert_valid_card(built)
    assert_valid_card(again)
    assert "The Chair's decision recorded." in text_of(built)
    assert [a["verb"] for a in built["actions"]] == ["case.open"]
    assert "already recorded" in text_of(again)


def test_the_chair_decision_card_shows_the_facts_and_carries_its_ids() -> None:
    data = step_data("case-1", 9, "cmd-1")
    view = chair_decision.ChairDecisionView(
        reference="OAK-2026-0001",
        person_name="Jordan Example",
        incidents=("Incident 1, Monday 12 January 2026, the gate: Shouted",),
        sanction="ban",
        imposed="Imposed by Rachel Okafor on Monday 12 January 2026.",
        terms=("Not to come onto the school's premises",),
        head_reason="A threat",
        representations=(),
        no_representation="No representation was received: the time to reply ended on X.",
        due="Tuesday 3 February 2026",
        data=data,
        values={"reason": "typed"},
        problems=("Choose whether you confirm or overturn it.",),
        at_fields={"outcome": "Choose whether you confirm or overturn it."},
    )
    built = chair_decision.build(view)

    assert_valid_card(built)
    text = text_of(built)
    assert "Confirm or overturn the ban" in text
    assert "Incident 1, Monday 12 January 2026, the gate: Shouted" in text
    assert "the time to reply ended on X" in text
    assert "**Tuesday 3 February 2026**" in text
    assert text.index("has not been recorded yet") < text.index("Their reasons")
    (submit,) = built["actions"]
    assert submit["verb"] == chair_decision.VERB
    assert submit["data"] == {"caseId": "case-1", "version": 9, "commandId": "cmd-1"}
    reason = next(e for e in built["body"] if e.get("id") == "reason")
    assert reason["value"] == "typed"
    assert reason["maxLength"] == 2000


def test_a_button_keeps_its_verb_data_and_style() -> None:
    element = Button("Go", "x.y", {"a": 1}, "destructive").element()

    assert element == {
        "type": "Action.Execute",
        "title": "Go",
        "verb": "x.y",
        "data": {"a": 1},
        "style": "destructive",
    }


def test_the_risk_assessment_card_asks_the_seven_questions_with_earlier_incidents_filled() -> None:
    from cards import risk_assessment
    from cards.common import Choice

    built = risk_assessment.build(
        risk_assessment.RiskAssessmentView(
            reference="OAK-2026-0001",
            person_name="Jordan Example",
            incident="Incident 2, Monday 12 January 2026, the main gate",
            summary="Shouted",
            previous="Incident 1, Friday 9 January 2026: Shouted",
            levels=(Choice("low", "Low"), Choice("high", "High")),
            data=step_data("case-1", 3, "cmd-1"),
            problems=("Say what evidence there is.",),
            at_fields={"evidence": "Say what evidence there is."},
        )
    )

    assert_valid_card(built)
    labels = [e.get("label") or e.get("title") for e in walk(built) if "id" in e]
    assert [label.split(".")[0] for label in labels if label and label[0].isdigit()] == [
        "1",
        "2",
        "3",
        "4",
        "5",
        "6",
        "7",
    ]
    previous = next(e for e in built["body"] if e.get("id") == "previousIncidents")
    assert previous["value"] == "Incident 1, Friday 9 January 2026: Shouted"
    evidence_at = next(i for i, e in enumerate(built["body"]) if e.get("id") == "evidence")
    assert built["body"][evidence_at + 1]["text"] == "Say what evidence there is."
    assert built["actions"][0]["data"]["commandId"] == "cmd-1"


def test_the_choose_response_card_asks_each_response_only_its_own_fields() -> None:
    from cards import choose_response
    from cards.common import Choice

    built = choose_response.build(
        choose_response.ChooseResponseView(
            reference="OAK-2026-0001",
            person_name="Jordan Example",
            incident="Incident 1: assessed risk high.",
            standard_conditions=(Choice("accompanied-to-meetings", "Accompanied"),),
            data=step_data("case-1", 4, "cmd-2"),
            earliest_until="2026-01-13",
        )
    )

    assert_valid_card(built)
    shown = {a["title"]: a["card"] for a in built["actions"]}
    assert list(shown) == ["No further action", "Warning letter", "Conditions", "Ban"]

    def ids(sub: dict[str, Any]) -> set[str]:
        return {e["id"] for e in walk(sub) if "id" in e}

    assert ids(shown["No further action"]) == {"nfaReason"}
    assert ids(shown["Warning letter"]) == {"meetingOffered"}
    assert ids(shown["Conditions"]) == {"standardConditions", "otherConditions", "conditionsReason"}
    assert ids(shown["Ban"]) == {
        "banReason",
        "banMeetings",
        "banDropOff",
        "banPolice",
        "banViolence",
        "banUntil",
    }
    submit = shown["Ban"]["actions"][0]
    assert submit["data"] == {
        "caseId": "case-1",
        "version": 4,
        "commandId": "cmd-2",
        "response": "ban",
    }


def test_the_letter_sent_card_lists_the_letters_to_send_and_asks_the_date() -> None:
    from cards import letter_sent
    from cards.common import Choice

    built = letter_sent.build(
        letter_sent.LetterSentView(
            "OAK-2026-0001",
            (Choice("cmd:letter-2", "Letter 2 (draft ready)"),),
            "2026-01-13",
            step_data("case-1", 5, "cmd-3"),
        )
    )

    assert_valid_card(built)
    date_input = next(e for e in walk(built) if e.get("id") == "sentOn")
    assert date_input["max"] == "2026-01-13"
    assert built["actions"][0]["verb"] == "letter.sent"


def test_the_representation_card_asks_its_dates_summary_and_whether_it_is_final() -> None:
    from cards import representation

    built = representation.build(
        representation.RepresentationView(
            "OAK-2026-0001",
            "Letter 4: ban, pending review, sent on Tuesday 13 January 2026",
            "Tuesday 27 January 2026",
            "2026-01-15",
            step_data("case-1", 6, "cmd-4"),
        )
    )

    assert_valid_card(built)
    assert "Their time to reply ends on Tuesday 27 January 2026." in text_of(built)
    ids = [e["id"] for e in walk(built) if "id" in e]
    assert ids == ["letterDated", "receivedOn", "summary", "nothingMoreToAdd"]
    assert built["actions"][0]["verb"] == representation.VERB


def test_the_close_and_complaints_cards_ask_only_the_reason() -> None:
    from cards import closing, complaints
    from cards.step_form import StepView

    for module in (closing, complaints):
        built = module.build(StepView("OAK-2026-0001", (), step_data("case-1", 2, "cmd-5")))
        assert_valid_card(built)
        assert [e["id"] for e in walk(built) if "id" in e] == ["reason"]
        assert built["actions"][0]["verb"] == module.VERB


def test_the_breach_and_removal_cards_ask_when_and_what() -> None:
    from cards import breach, removal
    from cards.common import Choice

    breach_card = breach.build(
        breach.BreachView("OAK-1", "the ban", "2026-01-14", step_data("c", 1, "cmd"))
    )
    removal_card = removal.build(
        removal.RemovalView(
            "OAK-1",
            (Choice("police-officer", "A police officer"),),
            "2026-01-14",
            step_data("c", 1, "cmd"),
        )
    )

    assert_valid_card(breach_card)
    assert_valid_card(removal_card)
    assert [e["id"] for e in walk(breach_card) if "id" in e] == [
        "breachDate",
        "breachTime",
        "breachSummary",
    ]
    assert [e["id"] for e in walk(removal_card) if "id" in e] == [
        "removalDate",
        "removalTime",
        "removedBy",
        "removerName",
        "removalNotes",
    ]


def test_the_review_cards_ask_the_date_the_statement_and_the_decision() -> None:
    from cards import review
    from cards.common import Choice

    view = review.ReviewView(
        "OAK-1",
        ("The review is due by Monday 27 July 2026.",),
        "2026-07-01",
        step_data("c", 1, "cmd"),
        outcomes=(Choice("maintain", "Maintain"),),
        standard_conditions=(Choice("accompanied-to-meetings", "Accompanied"),),
    )
    built = {
        "date": review.build_date(view),
        "statement": review.build_statement(view),
        "outcome": review.build_outcome(view),
    }

    for card in built.values():
        assert_valid_card(card)
        assert "The review is due by Monday 27 July 2026." in text_of(card)
    meeting = next(e for e in walk(built["date"]) if e.get("id") == "meetingOn")
    assert meeting["min"] == "2026-07-01"
    assert [e["id"] for e in walk(built["statement"]) if "id" in e] == [
        "statementDated",
        "statementReceived",
        "statementSummary",
    ]
    assert [e["id"] for e in walk(built["outcome"]) if "id" in e] == [
        "reviewOutcome",
        "reviewReason",
        "reviewStandard",
        "reviewOther",
        "reviewUntil",
    ]
