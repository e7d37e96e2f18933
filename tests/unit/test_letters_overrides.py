"""A trust's own templates: used when sound, refused at load (naming the file and the
problem) when broken, incomplete, misnamed or leaving form text in the letters."""

from __future__ import annotations

from pathlib import Path

import pytest

from templates import LetterRenderer, LetterTemplateError, LetterTemplates
from templates.examples import example_letters

DEFAULTS = LetterTemplates.load()


def override(folder: Path, name: str, source: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(source, encoding="utf-8")
    return folder


def default(name: str) -> str:
    return DEFAULTS.sources[name]


def test_a_sound_override_replaces_the_default_by_name(tmp_path: Path) -> None:
    source = default("letter-1.j2").replace(
        "There is then an option for us to meet", "We can then meet, if you wish,"
    )
    folder = override(tmp_path / "letters", "letter-1.j2", source)
    (folder / "README.md").write_text("notes for the trust", encoding="utf-8")
    (folder / ".letter-1.j2.swp").write_bytes(b"\x00editor")
    templates = LetterTemplates.load(folder)
    assert templates.overridden == frozenset({"letter-1.j2"})
    letters = example_letters()
    text = LetterRenderer(templates).render(letters["letter-1-warning"]).text
    assert "We can then meet, if you wish, to discuss the situation" in text
    other = LetterRenderer(templates).render(letters["letter-2-first-incident"]).text
    assert other == LetterRenderer(DEFAULTS).render(letters["letter-2-first-incident"]).text


def test_an_override_of_the_layout_changes_every_letter(tmp_path: Path) -> None:
    source = default("layout.j2").replace(
        "<p>Part of {{ trust.name }}</p>", "<p>A school of {{ trust.name }}</p>"
    )
    templates = LetterTemplates.load(override(tmp_path, "layout.j2", source))
    renderer = LetterRenderer(templates)
    for data in example_letters().values():
        assert "A school of Oak Valley Learning Trust" in renderer.render(data).text


@pytest.mark.parametrize(
    ("name", "change", "expected"),
    [
        (
            "letter-2.j2",
            ("{% endif %}", "{% endfi %}"),
            r"letter-2\.j2: line \d+: .*endfi",
        ),
        (
            "letter-1.j2",
            ("{% block cc %}{{ m.cc_chair() }}{% endblock %}", ""),
            r"letter-1\.j2: it has no block 'cc'",
        ),
        (
            "letter-2.j2",
            ("<p>{{ m.write_to_chair(letter.chair, school) }}</p>", ""),
            r"letter-2\.j2: it does not use letter\.chair, which the default letter includes",
        ),
        (
            "letter-4.j2",
            ("{{ m.within_ten_school_days(letter.reply_by) }}", "soon"),
            r"letter-4\.j2: it does not use letter\.reply_by, which the default letter includes",
        ),
        (
            "layout.j2",
            ("company number {{ trust.company_number }}", "company number 00000000"),
            r"layout\.j2: it does not use trust\.company_number",
        ),
        (
            "macros.j2",
            ("{% macro cc_chair() -%}", "{% macro cc_chairs() -%}"),
            r"macros\.j2: it has no macro 'cc_chair'",
        ),
    ],
)
def test_a_broken_or_incomplete_override_stops_the_load(
    tmp_path: Path, name: str, change: tuple[str, str], expected: str
) -> None:
    old, new = change
    assert old in default(name)
    folder = override(tmp_path, name, default(name).replace(old, new))
    with pytest.raises(LetterTemplateError, match=expected):
        LetterTemplates.load(folder)


def test_an_override_using_an_unknown_field_fails_with_the_example_and_field(
    tmp_path: Path,
) -> None:
    source = default("letter-3.j2").replace(
        "{{ letter.behaviour_towards }}", "{{ letter.behaviour_towards }} ({{ letter.victim }})"
    )
    with pytest.raises(LetterTemplateError) as caught:
        LetterTemplates.load(override(tmp_path, "letter-3.j2", source))
    message = str(caught.value)
    assert "letter-3-confirm-with-representation" in message
    assert "'victim'" in message
    assert "letter-3.j2 line" in message


def test_an_override_leaving_model_form_text_fails(tmp_path: Path) -> None:
    source = default("letter-5.j2").replace(
        "the contents of which", "the contents of which (*amend as appropriate*)"
    )
    source = source.replace(
        "{{ m.representation(letter.representation_date) }}",
        "I have not received a written response from you/I have received a letter from you"
        " dated, the contents of which I have considered carefully (*amend as appropriate*).",
    )
    with pytest.raises(
        LetterTemplateError, match=r"letter-5.*model form text.*amend as appropriate"
    ):
        LetterTemplates.load(override(tmp_path, "letter-5.j2", source))


def test_an_override_cannot_reach_python_internals(tmp_path: Path) -> None:
    source = default("letter-6.j2").replace(
        "{% block body %}", "{% block body %}<p>{{ letter.__class__.__mro__ }}</p>"
    )
    with pytest.raises(LetterTemplateError, match="letter-6"):
        LetterTemplates.load(override(tmp_path, "letter-6.j2", source))


def test_an_override_with_markup_outside_letter_markup_fails(tmp_path: Path) -> None:
    source = default("letter-1.j2").replace(
        "{% block body %}", '{% block body %}<p><a href="https://example.com">site</a></p>'
    )
    with pytest.raises(LetterTemplateError, match="attributes on <a>"):
        LetterTemplates.load(override(tmp_path, "letter-1.j2", source))


def test_an_unknown_file_name_is_refused_as_a_likely_typo(tmp_path: Path) -> None:
    folder = override(tmp_path, "leter-1.j2", default("letter-1.j2"))
    with pytest.raises(LetterTemplateError, match=r"leter-1\.j2: not a letter template name"):
        LetterTemplates.load(folder)


def test_a_missing_override_folder_is_refused(tmp_path: Path) -> None:
    with pytest.raises(LetterTemplateError, match="does not exist"):
        LetterTemplates.load(tmp_path / "nowhere")


def test_an_override_listing_conditions_the_way_it_did_before_is_refused(tmp_path: Path) -> None:
    # docs/letters.md, "What changed for overrides": refused at load, never used.
    source = default("letter-2.j2").replace(
        "m.conditions_imposed(letter.condition_lines)",
        "m.conditions_imposed(letter.conditions, head_title)",
    )
    with pytest.raises(LetterTemplateError, match=r"letter-2\.j2: it does not use letter\."):
        LetterTemplates.load(override(tmp_path, "letter-2.j2", source))
