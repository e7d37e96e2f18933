"""The letters: every example variant rendered, and each rendering checked against the others
and against the model letters' form text; escaping; the letter data's own checks; the
preview command."""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date, time
from html.parser import HTMLParser
from io import BytesIO
from pathlib import Path
from typing import ClassVar, TypeVar

import pytest
from docx import Document
from hypothesis import given, settings
from hypothesis import strategies as st

from rules.behaviours import ChairOutcome, HeadTitle, ReviewOutcome, SanctionKind, StandardCondition
from rules.details import Conditions
from templates import LetterError, LetterRenderer, LetterTemplates, RenderedLetter
from templates.__main__ import main
from templates.conditions import STANDARD_CONDITIONS
from templates.context import (
    REVIEW_OUTCOME_WORDINGS,
    Addressee,
    Branding,
    ConditionsDecisionLetter,
    ConditionsLetter,
    Incident,
    LetterData,
    Logo,
    MeetingFollowUpLetter,
    ReviewOutcomeLetter,
    WarningLetter,
)
from templates.examples import example_letters
from templates.formatting import clock_time, date_and_time, long_date
from templates.markup import MODEL_PLACEHOLDERS, placeholder_problems
from templates.render import TEMPLATE_NAMES

REPO = Path(__file__).resolve().parents[2]
EXAMPLES = example_letters()
T = TypeVar("T")


def example(variant: str, cls: type[T]) -> T:
    data = EXAMPLES[variant]
    assert isinstance(data, cls)
    return data


@pytest.fixture(scope="module")
def renderer() -> LetterRenderer:
    return LetterRenderer(LetterTemplates.load())


@pytest.fixture(scope="module")
def rendered(renderer: LetterRenderer) -> dict[str, RenderedLetter]:
    return {name: renderer.render(data) for name, data in EXAMPLES.items()}


# --- reading the outputs back, independently of the writers ---------------------------------

_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
_FORBIDDEN = {"script", "style", "link", "iframe", "object", "embed", "form", "base", "svg"}


class StrictHTML(HTMLParser):
    """Balanced tags, void elements used as void, nothing Outlook-hostile or external."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.errors: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _FORBIDDEN:
            self.errors.append(f"<{tag}> is not allowed")
        for name, value in attrs:
            if name.startswith("on") or name in {"class", "id", "href"}:
                self.errors.append(f"<{tag} {name}> is not allowed")
            if name == "src" and not (value or "").startswith("cid:"):
                self.errors.append(f"<{tag} src={value!r}> is not a cid: reference")
        if tag not in _VOID:
            self.stack.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag not in _VOID:
            self.errors.append(f"<{tag}/> self-closes a non-void element")
        self.handle_starttag(tag, attrs)
        if tag not in _VOID:
            self.stack.pop()

    def handle_endtag(self, tag: str) -> None:
        if tag in _VOID:
            self.errors.append(f"</{tag}> closes a void element")
        elif not self.stack or self.stack[-1] != tag:
            self.errors.append(f"</{tag}> does not match <{self.stack[-1] if self.stack else ''}>")
        else:
            self.stack.pop()


def html_errors(html: str) -> list[str]:
    checker = StrictHTML()
    checker.feed(html)
    checker.close()
    return checker.errors + [f"<{tag}> never closed" for tag in checker.stack]


class HTMLParagraphs(HTMLParser):
    """The text of every <p>, <li> and <h1>…<h6>, one string each, <br> as a newline."""

    BLOCKS: ClassVar[set[str]] = {"p", "li", "h1", "h2", "h3", "h4", "h5", "h6"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.paragraphs: list[str] = []
        self.current: list[str] | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self.BLOCKS:
            self.current = []
        elif tag == "br" and self.current is not None:
            self.current.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.BLOCKS and self.current is not None:
            self.paragraphs.append("".join(self.current))
            self.current = None

    def handle_data(self, data: str) -> None:
        if self.current is not None:
            self.current.append(data)


def html_paragraphs(html: str) -> list[str]:
    reader = HTMLParagraphs()
    reader.feed(html)
    reader.close()
    return [_squash(p) for p in reader.paragraphs if p.strip()]


def _squash(text: str) -> str:
    return "\n".join(re.sub(r"[ \t\r\f\v]+", " ", line).strip() for line in text.split("\n"))


def docx_paragraphs(data: bytes) -> list[str]:
    document = Document(BytesIO(data))
    section = document.sections[0]
    header = section.first_page_header
    texts = [p.text for p in header.paragraphs]
    for table in header.tables:
        for row in table.rows:
            for cell in row.cells:
                texts.extend(p.text for p in cell.paragraphs)
    texts.extend(p.text for p in document.paragraphs)
    texts.extend(p.text for p in section.first_page_footer.paragraphs)
    return [_squash(t) for t in texts if t.strip()]


def text_lines(text: str) -> list[str]:
    """Non-empty lines of the plain text, bullet marks and indents removed."""
    lines = [line.removeprefix("- ").strip() for line in text.split("\n")]
    return [line for line in lines if line]


def lines_of(paragraphs: list[str]) -> list[str]:
    return [line for paragraph in paragraphs for line in paragraph.split("\n")]


def head_title(data: LetterData) -> str:
    return str(data.common.school.head_title)


# The model letters' form text, listed here independently of the module's list.
FORM_TEXT = (
    "(enter date and time or details)",
    "[name of school]",
    "(date)",
    "(name of staff)",
    "(name)",
    "(delete as appropriate)",
    "(Other as are reasonable and proportionate)",
    "(Any other condition imposed)",
    "(Copy conditions from HT's letter)",
    "summary of incident",
    "factual summary",
    "*amend as appropriate*",
    "(email address)",
    "(school address)",
    "(and your letter)",
    "Headteacher/Principal",
    "parent/carer",
    "you/I",
    "conditions/ban",
    "staff/pupils",
    "(sent by",
    "letter dated,",
    "None",
    "Undefined",
    "{{",
    "{%",
)


def form_text_in(text: str, data: LetterData) -> list[str]:
    found = [f for f in FORM_TEXT if f.lower() in text.lower()]
    found += [p for p in MODEL_PLACEHOLDERS if p.lower() in text.lower()]
    found += [line for line in text.split("\n") if line.strip() in {"OR", "Dear", "/"}]
    found += re.findall(r"\b\w+/\w+\b", text)  # any slash alternative left in
    return found + placeholder_problems(text, head_title(data))


# --- every variant, every output -------------------------------------------------------------


def test_there_is_an_example_of_every_letter_and_variant() -> None:
    ids = {data.letter_id for data in EXAMPLES.values()}
    assert {f"{i}.j2" for i in ids} | {"layout.j2", "macros.j2"} == set(TEMPLATE_NAMES)
    decisions = {
        (d.letter_id, d.decision, d.representation_date is None)
        for d in EXAMPLES.values()
        if isinstance(d, ConditionsDecisionLetter)
    }
    assert len(decisions) == 4
    outcomes = {d.outcome for d in EXAMPLES.values() if isinstance(d, ReviewOutcomeLetter)}
    assert outcomes == set(REVIEW_OUTCOME_WORDINGS)
    titles = {head_title(d) for d in EXAMPLES.values()}
    assert titles == {"Headteacher", "Principal"}


@pytest.mark.parametrize("variant", list(EXAMPLES))
def test_no_model_form_text_or_unfilled_field_reaches_any_output(
    variant: str, rendered: dict[str, RenderedLetter]
) -> None:
    letter = rendered[variant]
    data = EXAMPLES[variant]
    outputs = {
        "subject": letter.subject,
        "html": "\n".join(html_paragraphs(letter.html)),
        "text": letter.text,
        "docx": "\n".join(docx_paragraphs(letter.docx)),
    }
    for name, text in outputs.items():
        assert form_text_in(text, data) == [], f"{variant} {name}"


@pytest.mark.parametrize("variant", list(EXAMPLES))
def test_html_is_well_formed_and_self_contained(
    variant: str, rendered: dict[str, RenderedLetter]
) -> None:
    letter = rendered[variant]
    assert html_errors(letter.html) == []
    assert "<style" not in letter.html
    assert "<script" not in letter.html.lower()
    assert "http:" not in letter.html
    assert "https:" not in letter.html
    assert re.findall(r'src="([^"]*)"', letter.html) == ["cid:trust-logo"]
    (image,) = letter.inline_images
    assert image.content_id == "trust-logo"
    assert image.content_type == "image/png"
    assert image.data.startswith(b"\x89PNG")


@pytest.mark.parametrize("variant", list(EXAMPLES))
def test_docx_and_text_say_what_the_html_says_paragraph_by_paragraph(
    variant: str, rendered: dict[str, RenderedLetter]
) -> None:
    letter = rendered[variant]
    from_html = html_paragraphs(letter.html)
    assert docx_paragraphs(letter.docx) == from_html
    assert text_lines(letter.text) == lines_of(from_html)
    assert len(from_html) > 15


def test_docx_has_the_logo_in_the_letterhead_and_the_company_footer(
    rendered: dict[str, RenderedLetter],
) -> None:
    document = Document(BytesIO(rendered["letter-1-warning"].docx))
    section = document.sections[0]
    images = [rel for rel in section.first_page_header.part.rels.values() if "image" in rel.reltype]
    assert len(images) == 1
    footer = " ".join(p.text for p in section.footer.paragraphs)
    assert "company number 01234567" in footer
    assert document.core_properties.title.startswith("Your conduct at Oakfield Primary Academy")


# --- what the letters say ---------------------------------------------------------------------


def test_the_letterhead_reference_addressee_and_footer(rendered: dict[str, RenderedLetter]) -> None:
    paragraphs = html_paragraphs(rendered["letter-2-with-previous-incident"].html)
    assert paragraphs[:2] == ["Oakfield Primary Academy", "Part of Oak Valley Learning Trust"]
    assert "Our ref: OAK-2026-0003" in paragraphs
    assert "Wednesday 18 March 2026" in paragraphs
    start = paragraphs.index("Private and confidential")
    assert paragraphs[start + 1 : start + 3] == ["Ms Jane Smith", "14 Elm Grove"]
    assert "Dear Ms Smith" in paragraphs
    assert paragraphs[-1] == (
        "Oak Valley Learning Trust Ltd is a company limited by guarantee registered in England"
        " and Wales, company number 01234567. Registered office: Oak Valley House, 12 Mill Road,"
        " Oakbridge, OB1 4QT."
    )
    assert rendered["letter-2-with-previous-incident"].subject == (
        "Conditions on your contact with Oakfield Primary Academy, pending review"
        " (Our ref: OAK-2026-0003)"
    )


def test_without_a_title_the_letter_uses_the_full_name(
    rendered: dict[str, RenderedLetter],
) -> None:
    assert "Dear Sam Hughes" in rendered["letter-4-extreme-violence-police"].text


@pytest.mark.parametrize(
    ("variant", "cc"),
    [
        ("letter-1-warning", "cc Chair of the Local Academy Committee"),
        ("letter-2-first-incident", "cc Chair of the Local Academy Committee"),
        ("letter-3-confirm-no-representation", "cc Headteacher"),
        ("letter-4-with-previous-incident", "cc Chair of the Local Academy Committee"),
        ("letter-5-overturn-with-representation", "cc Headteacher"),
        ("letter-6-conditions", "cc Headteacher"),
        ("letter-2-principal", "cc Chair of the Local Academy Committee"),
        ("letter-1-visitor-principal", "cc Chair of the Local Academy Committee"),
    ],
)
def test_item_15_cc_line_as_in_each_model(
    variant: str, cc: str, rendered: dict[str, RenderedLetter]
) -> None:
    assert html_paragraphs(rendered[variant].html)[-2] == cc


def test_item_15_letter_7_has_no_cc_line_as_its_model(
    rendered: dict[str, RenderedLetter],
) -> None:
    for variant, letter in rendered.items():
        if variant.startswith("letter-7-"):
            paragraphs = html_paragraphs(letter.html)
            assert paragraphs[-2] == "Clerk to the Local Academy Committee", variant
            assert not any(p.startswith("cc ") for p in paragraphs), variant


@pytest.mark.parametrize(
    ("variant", "signed"),
    [
        ("letter-1-warning", ["Mrs Rachel Morgan", "Headteacher"]),
        ("letter-1-visitor-principal", ["Mrs Rachel Morgan", "Principal"]),
        (
            "letter-3-overturn-with-representation",
            ["Mr David Okoro", "Chair of the Local Academy Committee"],
        ),
        (
            "letter-7-conditions-removed-no-representation",
            ["Ms Priya Shah", "Clerk to the Local Academy Committee"],
        ),
    ],
)
def test_signature(variant: str, signed: list[str], rendered: dict[str, RenderedLetter]) -> None:
    paragraphs = html_paragraphs(rendered[variant].html)
    at = paragraphs.index("Yours sincerely")
    assert paragraphs[at + 1 : at + 3] == signed


def test_reply_by_date_is_stated_with_the_policys_wording(
    rendered: dict[str, RenderedLetter],
) -> None:
    phrase = "within 10 school (working) days of the date of this letter, that is by {}."
    assert phrase.format("Thursday 26 February 2026") in rendered["letter-1-warning"].text
    # 10 school days from Wednesday 18 March 2026, across the Easter holiday
    assert phrase.format("Wednesday 15 April 2026") in rendered["letter-2-first-incident"].text
    assert (
        phrase.format("Wednesday 24 June 2026") in rendered["letter-4-extreme-violence-police"].text
    )
    assert "by Thursday 15 October 2026." in rendered["letter-6-conditions"].text


def test_the_previous_incident_paragraph_only_when_there_was_one(
    rendered: dict[str, RenderedLetter],
) -> None:
    recollect = (
        "You will recollect that I have already written to you on Thursday 5 February 2026 about"
        " a previous incident on Tuesday 3 February 2026 warning you"
    )
    assert recollect in rendered["letter-2-with-previous-incident"].text
    assert "You will recollect" not in rendered["letter-2-first-incident"].text
    # the warning (letter 1), not the conditions letter of 18 March (issue 9, item 10)
    assert "You will recall that I have already written to you on Thursday 5 February 2026" in (
        rendered["letter-4-with-previous-incident"].text
    )
    assert "already written" not in rendered["letter-4-extreme-violence-police"].text
    assert "has written to you previously" not in rendered["letter-5-confirm-first-letter"].text


def test_chosen_conditions_only_in_the_models_order(rendered: dict[str, RenderedLetter]) -> None:
    text = rendered["letter-2-first-incident"].text
    bullets = [line for line in text.split("\n") if line.startswith("- ")]
    assert bullets == [
        "- You must be accompanied to any meeting with a member of the school staff",
        "- You may not attend any events for parents except those where you will be accompanied"
        " by a member of the senior leadership team of the school",
    ]
    principal = rendered["letter-2-principal"].text
    assert "- You may contact either the Principal or the Vice Principal, Mr Ahmed" in principal
    everything = rendered["letter-2-with-previous-incident"].text
    assert "- You may contact either the Headteacher or Deputy Headteacher\n" in everything
    assert "- You may not film or record any member of staff or any pupil on the school site\n" in (
        everything
    )


def test_letter_7_lists_conditions_in_its_own_words(rendered: dict[str, RenderedLetter]) -> None:
    text = rendered["letter-7-conditions-continue-with-representation"].text
    assert (
        "- You may not contact by telephone or in writing any member of staff. You may contact"
        " either the Headteacher or Deputy Headteacher.\n"
    ) in text
    ban = rendered["letter-7-ban-continues-no-representation"].text
    assert "- You must not attend any event in the school except for an annual meeting" in ban
    assert "This meeting will be conducted by the Headteacher." in ban
    removed = rendered["letter-7-ban-removed-with-representation"].text
    assert "The ban has been removed." in removed
    assert "This decision will be reviewed" not in removed


def test_confirm_or_overturn_and_the_persons_letter(rendered: dict[str, RenderedLetter]) -> None:
    confirm = rendered["letter-3-confirm-with-representation"].text
    assert "I have received a letter from you dated Friday 27 March 2026, the contents" in confirm
    assert (
        "the Headteacher's report and your letter, I have determined that the decision" in confirm
    )
    assert "should be confirmed. The conditions are as follows:" in confirm
    overturn = rendered["letter-5-overturn-no-representation"].text
    assert "I have not received a written response from you." in overturn
    assert "the Headteacher's report, I have determined" in overturn
    assert "should be overturned" in overturn
    assert "confirmed" not in overturn


def test_a_ban_after_an_assault_says_it_was_reported_to_the_police(
    rendered: dict[str, RenderedLetter],
) -> None:
    assault = rendered["letter-4-extreme-violence-police"].text
    assert (
        "I must also inform you that this matter has been reported to the local police"
        " (police reference 43260014523)."
    ) in assault
    assert (
        "police involvement or an application to the court for an injunction may follow" in assault
    )
    assert "brought to and collected from school are as follows." in assault
    other = rendered["letter-4-with-previous-incident"].text
    assert "reported to the local police" not in other
    assert "collected from school" not in other


def test_the_house_style_for_dates_and_times() -> None:
    assert long_date(date(2026, 3, 16)) == "Monday 16 March 2026"
    assert [clock_time(t) for t in (time(15, 15), time(9), time(12), time(0), time(0, 5))] == [
        "3.15pm",
        "9am",
        "12 noon",
        "12 midnight",
        "12.05am",
    ]
    assert date_and_time(date(2026, 12, 4), time(18, 30)) == "Friday 4 December 2026 at 6.30pm"


def test_standard_condition_keys_are_the_shared_vocabulary() -> None:
    # The letters word the rules' own keys (there is no second set of keys to spell).
    assert set(STANDARD_CONDITIONS) == set(StandardCondition)


# --- escaping ------------------------------------------------------------------------------------

HOSTILE = (
    "He wrote <script>alert('x')</script> & <b>shouted</b>.\n"
    "Then {{ 7*7 }} and {% raw %}{{ config }}{% endraw %} and {# note #} and/or [sic] (date).\n"
    "\n"
    "Second paragraph."
)


def test_user_text_is_escaped_never_evaluated_and_keeps_its_paragraphs(
    renderer: LetterRenderer,
) -> None:
    base = example("letter-1-warning", WarningLetter)
    data = replace(
        base,
        incident=replace(base.incident, summary=HOSTILE, details="<i>by the {{ gate }}</i>"),
        common=replace(
            base.common,
            addressee=replace(base.common.addressee, surname="O'Brien & <Smith>"),
        ),
    )
    letter = renderer.render(data)
    assert "<script" not in letter.html
    assert "<b>shouted" not in letter.html
    assert "&lt;script&gt;alert(&#x27;x&#x27;)&lt;/script&gt;" in letter.html
    expected_lines = [
        "He wrote <script>alert('x')</script> & <b>shouted</b>.\nThen {{ 7*7 }} and"
        " {% raw %}{{ config }}{% endraw %} and {# note #} and/or [sic] (date).",
        "Second paragraph.",
    ]
    for paragraphs in (html_paragraphs(letter.html), docx_paragraphs(letter.docx)):
        assert all(p in paragraphs for p in expected_lines)
        assert "Dear Ms O'Brien & <Smith>" in paragraphs
        assert any("at 3.20pm, <i>by the {{ gate }}</i>." in p for p in paragraphs)
        assert not any("49" in p for p in paragraphs)
    assert "\n\n".join(expected_lines) in letter.text
    assert "Dear Ms O'Brien & <Smith>\n" in letter.text
    assert "<i>by the {{ gate }}</i>." in letter.text
    assert "49" not in letter.text
    assert html_errors(letter.html) == []


@settings(max_examples=25, deadline=None)
@given(summary=st.text(min_size=1, max_size=200).filter(lambda s: s.strip()))
def test_any_text_a_person_types_comes_out_as_typed(summary: str) -> None:
    base = example("letter-1-warning", WarningLetter)
    renderer = LetterRenderer(LetterTemplates.load())
    letter = renderer.render(replace(base, incident=replace(base.incident, summary=summary)))
    assert html_errors(letter.html) == []
    words = re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", " ", summary).split()
    flat = {
        "html": " ".join(html_paragraphs(letter.html)).split(),
        "text": letter.text.split(),
        "docx": " ".join(docx_paragraphs(letter.docx)).split(),
    }
    for name, found in flat.items():
        joined = " ".join(found)
        assert " ".join(words) in joined, name


# --- refusals ------------------------------------------------------------------------------------


def test_an_unknown_field_is_an_error_naming_the_field_the_letter_and_the_line() -> None:
    defaults = LetterTemplates.load()
    sources = dict(defaults.sources)
    sources["letter-1.j2"] = sources["letter-1.j2"].replace(
        "letter.reply_by", "letter.reply_before"
    )
    renderer = LetterRenderer(LetterTemplates(sources, frozenset({"letter-1.j2"})))
    with pytest.raises(LetterError) as caught:
        renderer.render(EXAMPLES["letter-1-warning"])
    message = str(caught.value)
    assert message.startswith("letter-1: ")
    assert "reply_before" in message
    assert re.search(r"letter-1\.j2 line \d+, macros\.j2 line \d+: ", message)


def test_a_field_with_no_value_is_never_printed_as_a_blank() -> None:
    defaults = LetterTemplates.load()
    sources = dict(defaults.sources)
    sources["letter-2.j2"] = sources["letter-2.j2"].replace(
        "{% if letter.previous_incident %}", "{{ letter.previous_incident }}{% if true %}"
    )
    renderer = LetterRenderer(LetterTemplates(sources, frozenset({"letter-2.j2"})))
    with pytest.raises(LetterError, match=r"letter-2: .*letter-2\.j2 line \d+: .*no value"):
        renderer.render(EXAMPLES["letter-2-first-incident"])


def test_form_text_left_in_a_template_stops_the_letter() -> None:
    defaults = LetterTemplates.load()
    sources = dict(defaults.sources)
    sources["letter-6.j2"] = sources["letter-6.j2"].replace(
        "As a result of this incident,", "As a result of this incident (date), conditions/ban:"
    )
    renderer = LetterRenderer(LetterTemplates(sources, frozenset({"letter-6.j2"})))
    with pytest.raises(LetterError) as caught:
        renderer.render(EXAMPLES["letter-6-ban"])
    assert "'(date)'" in str(caught.value)
    assert '"/" alternative' in str(caught.value)


def test_the_other_head_title_in_a_template_stops_the_letter() -> None:
    defaults = LetterTemplates.load()
    sources = dict(defaults.sources)
    sources["letter-1.j2"] = sources["letter-1.j2"].replace(
        "I must inform you", "As Headteacher I must inform you"
    )
    renderer = LetterRenderer(LetterTemplates(sources, frozenset({"letter-1.j2"})))
    renderer.render(EXAMPLES["letter-1-warning"])  # a Headteacher's school: fine
    with pytest.raises(LetterError, match="Principal"):
        renderer.render(EXAMPLES["letter-1-visitor-principal"])


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: Addressee(name="Jane Smith", title="Ms"), "surname"),
        (lambda: Addressee(name="  "), "name is empty"),
        (lambda: Branding(primary_colour="green", accent_colour="#FFFFFF"), "primary_colour"),
        (lambda: Logo(b"GIF89a", "image/png", "logo.png"), "not a image/png"),
        (lambda: Logo(b"<svg/>", "image/svg+xml", "logo.svg"), "not supported"),
        (
            lambda: replace(
                example("letter-2-first-incident", ConditionsLetter), conditions=Conditions()
            ),
            "at least one",
        ),
        (
            lambda: replace(example("letter-1-warning", WarningLetter), reply_by=date(2026, 2, 5)),
            "reply_by must be after",
        ),
        (
            lambda: replace(
                example("letter-3-overturn-no-representation", ConditionsDecisionLetter),
                decision=ChairOutcome.CONFIRM,
            ),
            "needs the conditions",
        ),
        (
            lambda: replace(
                example(
                    "letter-7-ban-replaced-by-conditions-with-representation",
                    ReviewOutcomeLetter,
                ),
                reviewed=SanctionKind.CONDITIONS,
            ),
            "cannot end in",
        ),
        (
            lambda: replace(
                example("letter-7-conditions-removed-no-representation", ReviewOutcomeLetter),
                decision=ReviewOutcome.MAINTAIN,
            ),
            "needs the conditions",
        ),
        (lambda: Incident(summary="x", effect=" ", on=date(2026, 1, 5)), "effect is empty"),
    ],
)
def test_letter_data_refuses_what_would_make_a_wrong_letter(make: object, message: str) -> None:
    with pytest.raises(LetterError, match=message):
        make()  # type: ignore[operator]


def test_head_title_vocabulary() -> None:
    assert [str(t) for t in HeadTitle] == ["Headteacher", "Principal"]


# --- preview -----------------------------------------------------------------------------------


def test_preview_writes_every_letter_in_three_formats(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["preview", "--out", str(tmp_path / "out")]) == 0
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    for suffix in (".html", ".txt", ".docx"):
        assert len([f for f in files if f.endswith(suffix)]) == len(EXAMPLES)
    assert "letter-5-confirm-with-representation.html" in files
    assert "oak-valley-logo.png" in files
    html = (tmp_path / "out" / "letter-1-warning.html").read_text(encoding="utf-8")
    assert 'src="oak-valley-logo.png"' in html
    printed = capsys.readouterr().out.strip().split("\n")
    assert printed == [
        f"Rendered {len(EXAMPLES)} letters ({3 * len(EXAMPLES)} files) from the default"
        f" templates into {tmp_path / 'out'}"
    ]


def test_preview_with_the_trust_configuration(tmp_path: Path) -> None:
    config = REPO / "config" / "trust.yaml"
    assert main(["preview", "--out", str(tmp_path), "--config", str(config)]) == 0
    text = (tmp_path / "letter-1-warning.txt").read_text(encoding="utf-8")
    first_lines = text.split("\n")[:3]
    assert first_lines[0] == "Oakfield Primary Academy"
    assert first_lines[2] != first_lines[0]
    assert "Registered office: Oak Valley House, 1 Acorn Way" in text


def test_preview_reports_a_bad_override_folder(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "letter-9.j2").write_text("x", encoding="utf-8")
    assert main(["preview", "--out", str(tmp_path / "out"), "--overrides", str(tmp_path)]) == 2
    assert "letter-9.j2: not a letter template name" in capsys.readouterr().err


@pytest.mark.parametrize("variant", [name for name in EXAMPLES if name.startswith("letter-4-")])
def test_item_14_letter_4_says_the_ban_is_decided_pending_review(
    variant: str, rendered: dict[str, RenderedLetter]
) -> None:
    text = rendered[variant].text
    assert "I have decided to impose a ban, pending review, on you" in text
    assert "recommending" not in text


def test_a_meeting_the_signer_held_alone_drafts_without_naming_anyone_else(
    renderer: LetterRenderer,
) -> None:
    # The drafting leaves the signer out of "besides you and me"; a meeting with nobody else
    # there is still a meeting to follow up, not a letter that cannot be drafted.
    alone = replace(example("meeting-follow-up", MeetingFollowUpLetter), attendees=())
    letter = renderer.render(alone)
    assert "besides you and me" not in letter.text
    assert "Your concerns about how the school told you" in letter.text
