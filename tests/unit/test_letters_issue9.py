"""Issue 9, "The letters": every letter true to the case. Each test drives a case through the
rules (`tests.unit.rules_builders.Case`), builds the letter the way the application does
(`casework.letters.letter_data`, from the case as it stood when the letter was called for),
and reads what the letter says. Named for the item or rule it checks."""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from pathlib import Path

import pytest

from casework.config import ConfigError, TrustConfig, load_trust_config
from casework.letter_parts import LetterInputs, trust_details
from casework.letters import letter_data
from casework.term_dates import load_term_dates
from local.config_directory import ConfigDirectory
from rules import behaviours as rb
from rules.case import fold
from rules.core.events import LetterRequired
from rules.prompts import Action, pending_effects, prompts_for
from rules.state import CaseState, Trigger
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.reporting import NewCase, ReportIncident
from rules.steps.warning import ClarifyExpectations
from templates import context as tc
from templates.examples import example_calendar, example_letters, example_term_dates
from templates.render import LetterRenderer
from tests.builders import POLICE, VIOLENCE, arrangements, at, incident, person, violent_incident
from tests.casework_world import example_config, example_templates
from tests.unit.rules_builders import Case, calendar, case_in, take

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer(example_templates())


def _data(case: Case, kind: rb.LetterKind, config: TrustConfig | None = None) -> tc.LetterData:
    """The letter `kind` (the latest of that kind) as the application builds it: from the
    case as it stood when the letter was called for, dated today."""
    config = config or example_config()
    letter = next(x for x in reversed(case.v.letters) if x.letter is kind)
    upto = next(
        i
        for i, (_, event) in enumerate(case.history)
        if isinstance(event, LetterRequired) and event.letter_id == letter.letter_id
    )
    then = fold(case.history[: upto + 1])
    assert then is not None
    return letter_data(
        LetterInputs(
            view=replace(then, person=case.v.person),
            letter=letter,
            letter_date=case.today,
            calendar=calendar(),
            school=config.school("oakfield"),
            trust=trust_details(config, None),
            config=config,
            directory=ConfigDirectory(config),
        )
    )


def _text(renderer: LetterRenderer, data: tc.LetterData) -> str:
    return " ".join(renderer.render(data).text.split())


def _second_incident(case: Case, violent: bool = False) -> None:
    case.advance(7)
    details = (violent_incident if violent else incident)(at(case.today, 8))
    case.run(ReportIncident(case.next_id(), details))
    case.assess()


def _opened(**person_changes: object) -> Case:
    case = Case()
    new = NewCase("case-1", "OAK-2026-0001", "oak", person(**person_changes))
    case.run(ReportIncident(case.next_id(), incident(at(case.today, 8)), new))
    case.assess()
    return case


# --- item 10 --------------------------------------------------------------------------------


def test_item_10_letters_2_and_4_cite_a_warning_that_was_sent() -> None:
    case = _opened().warn()
    case.send("letter-1")
    warned_on = case.today
    _second_incident(case)
    case.impose_conditions()
    letter2 = _data(case, rb.LetterKind.CONDITIONS)
    assert isinstance(letter2, tc.ConditionsLetter)
    assert letter2.previous_incident == tc.PreviousIncident(
        incident_date=date(2026, 1, 12), letter_date=warned_on
    )


def test_item_10_letters_2_and_4_do_not_cite_a_warning_never_sent() -> None:
    case = _opened().warn()  # letter 1 drafted, never sent
    _second_incident(case)
    case.impose_conditions()
    letter2 = _data(case, rb.LetterKind.CONDITIONS)
    assert isinstance(letter2, tc.ConditionsLetter)
    assert letter2.previous_incident is None

    case = _opened().warn()
    _second_incident(case, violent=True)
    case.run(ImposeBan(case.next_id(), "Assault", arrangements(POLICE), None, VIOLENCE))
    letter4 = _data(case, rb.LetterKind.BAN)
    assert isinstance(letter4, tc.BanLetter)
    assert letter4.previous_incident is None


def test_item_10_the_meeting_follow_up_is_not_cited_as_a_warning() -> None:
    case = _opened()
    take(case, Trigger.INFORMAL_MEETING_ARRANGED)
    case.today = case.v.informal_meetings[-1].meeting_at.date()
    take(case, Trigger.INFORMAL_MEETING_HELD)
    case.send("meeting-follow-up")
    _second_incident(case)
    case.impose_conditions()
    letter2 = _data(case, rb.LetterKind.CONDITIONS)
    assert isinstance(letter2, tc.ConditionsLetter)
    assert letter2.previous_incident is None


def test_item_10_an_unsent_warning_is_withdrawn_when_a_later_step_supersedes_it() -> None:
    case = _opened().warn()
    warning = case.v.letters[0]
    assert warning.letter is rb.LetterKind.WARNING
    assert not warning.done
    _second_incident(case, violent=True)
    case.run(ImposeBan(case.next_id(), "Assault", arrangements(POLICE), None, VIOLENCE))

    withdrawn = case.v.letter(warning.letter_id)
    assert withdrawn is not None
    reason = "Overtaken before it was sent by Letter 4: ban, pending review."
    assert withdrawn.withdrawn_reason == reason
    # The head is not asked to send the warning after the ban, nor is it drafted again.
    sends = [
        p.letter_id
        for p in prompts_for(case.v, case.today, calendar())
        if p.action is Action.SEND_LETTER
    ]
    assert warning.letter_id not in sends
    assert sends  # letter 4 and the trustees' notice still are
    assert warning.letter_id not in {x.letter_id for x in pending_effects(case.v).letters}


def test_item_10_a_sent_warning_is_not_withdrawn_by_a_later_step() -> None:
    case = _opened().warn()
    case.send("letter-1")
    _second_incident(case)
    case.impose_conditions()
    warning = case.v.letters[0]
    assert warning.sent_on is not None
    assert warning.withdrawn_reason is None


# --- item 11 --------------------------------------------------------------------------------


def test_item_11_letter_6_after_a_ban_replaced_by_conditions_says_what_happened(
    renderer: LetterRenderer,
) -> None:
    case = case_in(CaseState.BAN_UNDER_REVIEW)
    take(case, Trigger.REVIEW_REPLACED_BAN_WITH_CONDITIONS)
    replaced_on = case.v.reviews[-1].meeting_on
    case.advance(120)
    take(case, Trigger.REVIEW_SCHEDULED)
    letter6 = _data(case, rb.LetterKind.REVIEW_STATEMENT_REQUEST)
    assert isinstance(letter6, tc.StatementRequestLetter)
    assert letter6.sanction is rb.SanctionKind.CONDITIONS
    assert letter6.replaced_ban_on == replaced_on
    text = _text(renderer, letter6)
    assert "As a result of this incident, a ban was imposed." in text
    assert "lifted the ban and replaced it with conditions on your contact with the school" in text
    assert "conditions were imposed on you" not in text


def test_item_11_letter_6_on_a_ban_or_conditions_the_head_imposed_is_unchanged() -> None:
    for state in (CaseState.BAN_CONFIRMED, CaseState.CONDITIONS_CONFIRMED):
        case = case_in(state)
        take(case, Trigger.REVIEW_SCHEDULED)
        letter6 = _data(case, rb.LetterKind.REVIEW_STATEMENT_REQUEST)
        assert isinstance(letter6, tc.StatementRequestLetter)
        assert letter6.replaced_ban_on is None


# --- item 12 --------------------------------------------------------------------------------


def test_item_12_letters_2_and_4_say_how_and_where_to_write_to_the_chair(
    renderer: LetterRenderer,
) -> None:
    where = (
        "Please write to the Chair, Graham Whitlock, by email at g.whitlock@oakvalley.example"
        " or by post to the Chair of the Local Academy Committee, Oakfield Primary Academy,"
        " Chestnut Lane, Oakbridge, OV3 4CD."
    )
    case = _opened().impose_conditions()
    assert where in _text(renderer, _data(case, rb.LetterKind.CONDITIONS))
    case = case_in(CaseState.BAN_PROVISIONAL)
    assert where in _text(renderer, _data(case, rb.LetterKind.BAN))


# --- item 13 --------------------------------------------------------------------------------


def test_item_13_the_chairs_and_committees_reasons_are_given(renderer: LetterRenderer) -> None:
    confirmed = case_in(CaseState.CONDITIONS_CONFIRMED)
    letter3 = _text(renderer, _data(confirmed, rb.LetterKind.CONDITIONS_DECISION))
    assert "My reasons for this decision are as follows. Proportionate" in letter3
    banned = case_in(CaseState.BAN_CONFIRMED)
    letter5 = _text(renderer, _data(banned, rb.LetterKind.BAN_DECISION))
    assert "My reasons for this decision are as follows. Proportionate" in letter5
    take(banned, Trigger.REVIEW_SCHEDULED)
    take(banned, Trigger.REVIEW_MAINTAINED)
    letter7 = _text(renderer, _data(banned, rb.LetterKind.REVIEW_OUTCOME))
    assert (
        "The governors' reasons for this decision are as follows. "
        "Governors considered the statement"
    ) in letter7


def test_item_13_a_trust_can_leave_the_reasons_out(renderer: LetterRenderer) -> None:
    config = replace(example_config(), letters_give_reasons=False)
    case = case_in(CaseState.BAN_CONFIRMED)
    letter5 = _data(case, rb.LetterKind.BAN_DECISION, config)
    assert isinstance(letter5, tc.BanDecisionLetter)
    assert letter5.reasons is None
    assert "reasons" not in _text(renderer, letter5)


def test_item_13_give_reasons_is_read_from_the_configuration(tmp_path: Path) -> None:
    assert example_config().letters_give_reasons is True
    source = (REPO / "config" / "trust.yaml").read_text(encoding="utf-8")
    for value, expected in (("false", False), ("true", True)):
        path = _copy_config(
            tmp_path, source.replace("give_reasons: true", f"give_reasons: {value}")
        )
        assert load_trust_config(path).letters_give_reasons is expected
    path = _copy_config(tmp_path, source.replace("give_reasons: true", "give_reasons: perhaps"))
    with pytest.raises(ConfigError, match=r"letters\.give_reasons must be true or false"):
        load_trust_config(path)


def _copy_config(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "config"
    if not folder.exists():
        import shutil

        shutil.copytree(REPO / "config", folder)
    path = folder / "trust.yaml"
    path.write_text(text, encoding="utf-8")
    return path


# --- item 15 --------------------------------------------------------------------------------


def test_item_15_the_reporters_job_comes_from_the_staff_directory(
    renderer: LetterRenderer,
) -> None:
    case = _opened().impose_conditions()  # reported by "Priya Shah", office manager
    text = _text(renderer, _data(case, rb.LetterKind.CONDITIONS))
    assert "I have received a report from Priya Shah, the school's office manager, about" in text


def test_item_15_a_reporter_not_in_the_directory_is_named_without_a_job(
    renderer: LetterRenderer,
) -> None:
    case = Case()
    new = NewCase("case-1", "OAK-2026-0001", "oak", person())
    details = incident(at(case.today, 8), reporter_name="Mrs Grace Okafor")
    case.run(ReportIncident(case.next_id(), details, new))
    case.assess()
    case.impose_conditions()
    text = _text(renderer, _data(case, rb.LetterKind.CONDITIONS))
    assert "I have received a report from Mrs Grace Okafor about your conduct" in text


def test_item_15_letter_1_offers_a_meeting_only_when_one_is_offered(
    renderer: LetterRenderer,
) -> None:
    meet = "There is then an option for us to meet"
    offered = _opened().warn()
    assert meet in _text(renderer, _data(offered, rb.LetterKind.WARNING))
    not_offered = _opened()
    not_offered.run(ClarifyExpectations(not_offered.next_id(), meeting_offered=False))
    assert meet not in _text(renderer, _data(not_offered, rb.LetterKind.WARNING))


def test_item_15_the_second_contact_comes_from_the_configuration(tmp_path: Path) -> None:
    school = example_config().school("oakfield")
    assert school.second_contact is not None
    assert (school.second_contact.name, school.second_contact.job_title) == (
        "Daniel Hughes",
        "Deputy Headteacher",
    )
    assert example_config().school("riverside").second_contact is None
    source = (REPO / "config" / "trust.yaml").read_text(encoding="utf-8")
    unknown = source.replace(
        "second_contact: a1000000-0000-4000-8000-000000000002",
        "second_contact: a1000000-0000-4000-8000-000000000099",
    )
    not_there = r"schools\[0\]\.second_contact \S+ is not one of the school's people"
    with pytest.raises(ConfigError, match=not_there):
        load_trust_config(_copy_config(tmp_path, unknown))
    no_job = source.replace(
        "second_contact: a1000000-0000-4000-8000-000000000002",
        "second_contact: a1000000-0000-4000-8000-000000000004",
    )
    with pytest.raises(ConfigError, match=r"schools\[0\]\.second_contact \S+ has no job_title"):
        load_trust_config(_copy_config(tmp_path, no_job))


def test_item_15_the_models_punctuation_is_kept(renderer: LetterRenderer) -> None:
    letters = example_letters()
    for variant in (
        "letter-3-confirm-no-representation",
        "letter-7-ban-continues-no-representation",
    ):
        assert "received from you; and any evidence" in renderer.render(letters[variant]).text
    letter7 = renderer.render(letters["letter-7-conditions-continue-with-representation"]).text
    assert "accompanied by a member of the senior leadership team\n" in letter7


# --- item 16 --------------------------------------------------------------------------------


def test_item_16_the_example_calendar_is_the_example_schools() -> None:
    terms = load_term_dates(REPO / "config" / "terms" / "oakfield.yaml")
    assert example_term_dates() == terms


def test_item_16_no_preview_reply_by_date_falls_on_a_non_school_day() -> None:
    calendar = example_calendar()
    checked = 0
    for variant, data in example_letters().items():
        for name in ("reply_by", "statement_by"):
            due = getattr(data, name, None)
            if due is None:
                continue
            checked += 1
            assert calendar.is_school_day(due), (variant, name, due)
            letter_date = (
                data.ban_letter_date
                if isinstance(data, tc.BanNoticeToTrustees)
                else data.common.letter_date
            )
            assert calendar.is_school_day(letter_date), (variant, letter_date)
            assert due == calendar.school_days_after(letter_date, 10).due, (variant, name)
    assert checked >= 15


# --- rule 5: a ban for a defined period ------------------------------------------------------


def _defined_period_ban(until: date) -> Case:
    case = _opened()
    case.warn()
    case.send("letter-1")
    _second_incident(case, violent=True)
    case.run(ImposeBan(case.next_id(), "Continued", arrangements(POLICE), until, VIOLENCE))
    return case


def test_rule_5_letter_4_gives_the_end_of_a_ban_for_a_defined_period(
    renderer: LetterRenderer,
) -> None:
    case = _defined_period_ban(date(2026, 3, 27))
    text = _text(renderer, _data(case, rb.LetterKind.BAN))
    assert "impose a ban, pending review, on you attending or contacting the school until" in text
    assert "until Friday 27 March 2026." in text


def test_rule_5_letter_5_gives_the_end_and_no_six_months_when_the_end_comes_first(
    renderer: LetterRenderer,
) -> None:
    case = _defined_period_ban(date(2026, 3, 27))
    take(case, Trigger.REPRESENTATION_WINDOW_CLOSED)
    case.run(DecideAsChair(case.next_id(), rb.ChairOutcome.CONFIRM, "Proportionate"), actor="c")
    text = _text(renderer, _data(case, rb.LetterKind.BAN_DECISION))
    assert "until Friday 27 March 2026 should be confirmed" in text
    assert "The ban will end on Friday 27 March 2026." in text
    assert "six months" not in text


def test_rule_5_a_ban_lasting_past_the_review_is_still_reviewed_in_six_months(
    renderer: LetterRenderer,
) -> None:
    case = _defined_period_ban(case_end := date(2027, 3, 26))
    take(case, Trigger.REPRESENTATION_WINDOW_CLOSED)
    case.run(DecideAsChair(case.next_id(), rb.ChairOutcome.CONFIRM, "Proportionate"), actor="c")
    text = _text(renderer, _data(case, rb.LetterKind.BAN_DECISION))
    assert "until Friday 26 March 2027 should be confirmed" in text
    assert "This decision will be reviewed in six months' time" in text
    assert case_end > case.today + timedelta(days=183)


# --- rule 7: visitors are not parents ---------------------------------------------------------


def test_rule_7_letters_to_a_visitor_leave_out_the_child_paragraphs(
    renderer: LetterRenderer,
) -> None:
    case = _opened(relationship=rb.Relationship.VISITOR, pupils=())
    case.warn()
    case.send("letter-1")
    _second_incident(case, violent=True)
    case.run(ImposeBan(case.next_id(), "Continued", arrangements(POLICE), None, VIOLENCE))
    letter4 = _text(renderer, _data(case, rb.LetterKind.BAN))
    for child in ("your child", "brought to and collected", "meetings at school about"):
        assert child not in letter4
    take(case, Trigger.REPRESENTATION_WINDOW_CLOSED)
    case.run(DecideAsChair(case.next_id(), rb.ChairOutcome.CONFIRM, "Proportionate"), actor="c")
    letter5 = _text(renderer, _data(case, rb.LetterKind.BAN_DECISION))
    assert "your child" not in letter5
    take(case, Trigger.REVIEW_SCHEDULED)
    take(case, Trigger.REVIEW_MAINTAINED)
    letter7 = _text(renderer, _data(case, rb.LetterKind.REVIEW_OUTCOME))
    assert "your child" not in letter7
    assert "You must not attend any event in the school." in letter7


def test_rule_7_letters_to_a_parent_keep_the_child_paragraphs(renderer: LetterRenderer) -> None:
    case = case_in(CaseState.BAN_PROVISIONAL)
    letter4 = _text(renderer, _data(case, rb.LetterKind.BAN))
    assert "one meeting per year to discuss your child's progress" in letter4
    assert "The arrangements for your child being brought to and collected" in letter4


# --- "Also": the progress meeting is promised as the bot prompts it ------------------------


def test_also_letter_4_promises_the_meeting_at_the_next_academic_review_day_when_configured(
    renderer: LetterRenderer,
) -> None:
    config = example_config()
    assert config.school("oakfield").academic_review_days
    text = _text(renderer, _data(_defined_period_ban(date(2026, 3, 27)), rb.LetterKind.BAN))
    assert "at the time of the next Academic Review Day." in text


def test_also_letter_4_without_academic_review_days_promises_the_meeting_in_about_a_year(
    renderer: LetterRenderer,
) -> None:
    config = example_config()
    schools = tuple(
        replace(s, academic_review_days=()) if s.id == "oakfield" else s for s in config.schools
    )
    bare = replace(config, schools=schools)
    text = _text(renderer, _data(_defined_period_ban(date(2026, 3, 27)), rb.LetterKind.BAN, bare))
    assert "Academic Review Day" not in text
    assert (
        "I will contact you to arrange this about a year after the Chair of the Local Academy "
        "Committee's decision." in text
    )
