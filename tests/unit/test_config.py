"""The trust configuration: the example loads, and each mistake an administrator can make
is reported with the file and the field, all of them at once."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml

from casework.config import ConfigError, HeadTitle, TrustConfig, load_trust_config
from casework.ports import Person
from local.config_directory import ConfigDirectory
from rules.calendar import Region
from rules.roles import Role

EXAMPLE = Path(__file__).resolve().parents[2] / "config"

OAK_HEAD = "a1000000-0000-4000-8000-000000000001"
OAK_SENIOR = "a1000000-0000-4000-8000-000000000002"
OAK_STAFF = "a1000000-0000-4000-8000-000000000003"
OAK_CHAIR = "a1000000-0000-4000-8000-000000000004"
CLERK = "a1000000-0000-4000-8000-000000000005"
RIV_PRINCIPAL = "a1000000-0000-4000-8000-000000000011"
RIV_STAFF = "a1000000-0000-4000-8000-000000000012"
RIV_CHAIR = "a1000000-0000-4000-8000-000000000014"
CHAIR_OF_TRUSTEES = "a1000000-0000-4000-8000-000000000021"
DPO = "a1000000-0000-4000-8000-000000000022"


@pytest.fixture(scope="module")
def example() -> TrustConfig:
    return load_trust_config(EXAMPLE / "trust.yaml")


def example_document() -> dict[str, Any]:
    document = yaml.safe_load((EXAMPLE / "trust.yaml").read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def copy_of_example(folder: Path) -> Path:
    """The example's folder copied, so that a test may change or break any file in it."""
    target = folder / "config"
    shutil.copytree(EXAMPLE, target)
    return target / "trust.yaml"


def write(folder: Path, document: object) -> Path:
    path = copy_of_example(folder)
    path.write_text(yaml.safe_dump(document, allow_unicode=True, sort_keys=False), "utf-8")
    return path


def problems_of(path: Path) -> tuple[str, ...]:
    with pytest.raises(ConfigError) as raised:
        load_trust_config(path)
    return tuple(p.removeprefix(f"{path}: ") for p in raised.value.problems)


# --- the example --------------------------------------------------------------------------


def test_the_example_trust_loads(example: TrustConfig) -> None:
    assert example.tenant_id == "5f3c9a2e-8d41-4b6a-9c0e-2a7d1e4b6f10"
    assert example.trust.name == "Oak Valley Learning Trust"
    assert example.trust.registered_name == "Oak Valley Learning Trust Ltd"
    assert example.trust.company_number == "01234567"
    assert example.trust.policy_last_reviewed == date(2024, 1, 30)
    assert example.trust.branding.logo == EXAMPLE / "branding" / "logo.png"
    assert example.trust.branding.primary_colour == "#1F4E79"
    assert example.letters_override_folder == EXAMPLE / "letters"
    assert example.school_ids == ("oakfield", "riverside")


def test_the_example_logo_is_a_png() -> None:
    assert (EXAMPLE / "branding" / "logo.png").read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_the_example_schools(example: TrustConfig) -> None:
    oakfield, riverside = example.schools

    assert (oakfield.reference_prefix, oakfield.region, oakfield.head_title) == (
        "OAK",
        Region.ENGLAND,
        HeadTitle.HEADTEACHER,
    )
    assert (riverside.reference_prefix, riverside.region, riverside.head_title) == (
        "RIV",
        Region.WALES,
        HeadTitle.PRINCIPAL,
    )
    assert oakfield.name == "Oakfield Primary Academy"
    assert riverside.name == "Riverside Academy"
    assert oakfield.term_dates_file == EXAMPLE / "terms" / "oakfield.yaml"
    assert riverside.term_dates_file == EXAMPLE / "terms" / "riverside.ics"
    assert example.school("riverside") is riverside
    with pytest.raises(KeyError):
        example.school("nowhere")


def test_the_example_term_dates_are_read(example: TrustConfig) -> None:
    oakfield, riverside = example.schools

    assert oakfield.term_dates is not None
    assert riverside.term_dates is not None
    assert oakfield.term_dates.terms[0].start == date(2025, 9, 1)
    assert oakfield.term_dates.terms[-1].end == date(2027, 7, 21)
    assert date(2026, 11, 27) in oakfield.term_dates.closures  # an INSET day
    assert riverside.term_dates.region is Region.WALES
    assert riverside.term_dates.terms[0].start == date(2026, 9, 1)
    assert riverside.term_dates.terms[-1].end == date(2027, 7, 20)
    assert date(2026, 11, 20) in riverside.term_dates.closures


def test_the_example_people_hold_the_roles_the_playground_relies_on(
    example: TrustConfig,
) -> None:
    directory = ConfigDirectory(example)

    def ids(school: str, role: Role) -> list[str]:
        return [p.object_id for p in directory.holders(school, role)]

    assert ids("oakfield", Role.HEAD) == [OAK_HEAD]
    assert ids("oakfield", Role.SENIOR) == [OAK_SENIOR]
    assert ids("oakfield", Role.STAFF) == [OAK_STAFF]
    assert ids("oakfield", Role.CHAIR) == [OAK_CHAIR]
    assert ids("oakfield", Role.CLERK) == [CLERK]
    assert ids("riverside", Role.HEAD) == [RIV_PRINCIPAL]
    assert ids("riverside", Role.STAFF) == [RIV_STAFF]
    assert ids("riverside", Role.CHAIR) == [RIV_CHAIR]
    assert ids("riverside", Role.CLERK) == [CLERK]
    assert ids("oakfield", Role.TRUST) == ids("riverside", Role.TRUST) == [CHAIR_OF_TRUSTEES, DPO]
    assert list(directory.schools_of(CLERK)) == ["oakfield", "riverside"]
    assert list(directory.schools_of(OAK_HEAD)) == ["oakfield"]


def test_the_example_uses_only_reserved_email_domains(example: TrustConfig) -> None:
    emails = [example.school(s).email for s in example.school_ids]
    emails += [p.email for s in example.schools for p in s.people]
    emails += [p.email for p in example.trust.people]

    assert all(e.endswith(".example") or e.endswith("example.org") for e in emails)


def test_directory_lookups_ignore_the_case_of_object_ids(example: TrustConfig) -> None:
    directory = ConfigDirectory(example)

    assert directory.roles_of(OAK_HEAD.upper(), "oakfield") == {Role.HEAD}
    person = directory.person(CHAIR_OF_TRUSTEES.upper())
    assert person == Person(CHAIR_OF_TRUSTEES, "Margaret Ellison", "m.ellison@oakvalley.example")


# --- mistakes -----------------------------------------------------------------------------


def test_the_message_names_the_file_the_field_and_the_value(tmp_path: Path) -> None:
    document = example_document()
    document["schools"][1]["head_title"] = "Head"
    path = write(tmp_path, document)

    with pytest.raises(ConfigError) as raised:
        load_trust_config(path)

    assert raised.value.problems == (
        f"{path}: schools[1].head_title must be 'Headteacher' or 'Principal', not 'Head'",
    )
    assert str(raised.value).startswith(f"{path}: the trust configuration has 1 problem:")


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    document = example_document()
    document["tenant_id"] = "not-a-guid"
    document["trust"]["branding"]["accent_colour"] = "gold"
    document["schools"][0]["people"][0]["roles"] = ["staff"]  # Oakfield loses its head
    document["schools"][1]["region"] = "cornwall"

    problems = problems_of(write(tmp_path, document))

    assert len(problems) == 4
    assert problems[0].startswith("tenant_id must be an Entra ID object id")
    assert "trust.branding.accent_colour must be a colour like \"#1F4E79\", not 'gold'" in problems
    assert "schools[0].people must have exactly one head, not 0" in problems
    assert (
        "schools[1].region must be one of 'england', 'wales', 'scotland' or "
        "'northern-ireland', not 'cornwall'" in problems
    )


Mutation = Callable[[dict[str, Any]], None]


def set_at(*path_and_value: Any) -> Mutation:
    *path, value = path_and_value

    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return mutate


def delete_at(*path: Any) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        target: Any = document
        for key in path[:-1]:
            target = target[key]
        del target[path[-1]]

    return mutate


def second_school_reuses(field: str) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document["schools"][1][field] = document["schools"][0][field]

    return mutate


def add_person(school: int, person: dict[str, Any]) -> Mutation:
    def mutate(document: dict[str, Any]) -> None:
        document["schools"][school]["people"].append(person)

    return mutate


NEW_ID = "a1000000-0000-4000-8000-0000000000aa"

MISTAKES: list[tuple[str, Mutation, str]] = [
    (
        "object id",
        set_at("schools", 0, "people", 2, "object_id", "a1000000-0000"),
        "schools[0].people[2].object_id must be an Entra ID object id like "
        "'a1000000-0000-4000-8000-000000000001', not 'a1000000-0000'",
    ),
    (
        "email",
        set_at("schools", 0, "people", 2, "email", "priya at oakfield"),
        "schools[0].people[2].email must be an email address, not 'priya at oakfield'",
    ),
    (
        "school email",
        set_at("schools", 1, "email", "office@"),
        "schools[1].email must be an email address, not 'office@'",
    ),
    (
        "duplicate school id",
        second_school_reuses("id"),
        "schools[1].id 'oakfield' is already used by schools[0]",
    ),
    (
        "duplicate prefix",
        second_school_reuses("reference_prefix"),
        "schools[1].reference_prefix 'OAK' is already used by schools[0]",
    ),
    (
        "prefix shape",
        set_at("schools", 0, "reference_prefix", "oak1"),
        "schools[0].reference_prefix must be 2 to 6 capital letters such as 'OAK', not 'oak1'",
    ),
    (
        "two heads",
        add_person(
            0, {"object_id": NEW_ID, "name": "A N Other", "email": "a@x.example", "roles": ["head"]}
        ),
        "schools[0].people must have exactly one head, not 2",
    ),
    (
        "nobody reviews their own decision: head and chair",
        set_at("schools", 0, "people", 0, "roles", ["head", "chair"]),
        "schools[0].people[0].roles a1000000-0000-4000-8000-000000000001 cannot be both head "
        "and chair at one school: nobody may review their own decision",
    ),
    (
        "no chair",
        set_at("schools", 1, "people", 2, "roles", ["staff"]),
        "schools[1].people must have at least one chair (of the Local Academy Committee)",
    ),
    (
        "no clerk",
        set_at("schools", 1, "people", 3, "roles", ["staff"]),
        "schools[1].people must have at least one clerk (to the Local Academy Committee)",
    ),
    (
        "unknown role",
        set_at("schools", 0, "people", 2, "roles", ["teacher"]),
        "schools[0].people[2].roles[0] must be one of 'staff', 'senior', 'head', 'chair' or "
        "'clerk', not 'teacher'",
    ),
    (
        "trust role at a school",
        set_at("schools", 0, "people", 2, "roles", ["staff", "trust"]),
        "schools[0].people[2].roles[1] 'trust' is a trust-level role: list the person under "
        "trust.people",
    ),
    (
        "one person listed twice at a school",
        add_person(
            0,
            {
                "object_id": CLERK,
                "name": "Siân Ní Bhriain",
                "email": "clerk@oakvalley.example",
                "roles": ["staff"],
            },
        ),
        f"schools[0].people[5].object_id {CLERK} is listed twice at this school: give one "
        "entry all their roles",
    ),
    (
        "one person written two ways",
        set_at("schools", 1, "people", 3, "email", "clerk2@oakvalley.example"),
        f"schools[1].people[3] gives {CLERK} a different name or email from "
        "schools[0].people[4]: one person must be written the same way everywhere",
    ),
    (
        "colour",
        set_at("trust", "branding", "primary_colour", "#1F4E7"),
        "trust.branding.primary_colour must be a colour like \"#1F4E79\", not '#1F4E7'",
    ),
    (
        "missing logo",
        set_at("trust", "branding", "logo", "branding/missing.png"),
        "trust.branding.logo names 'branding/missing.png', which does not exist next to the file",
    ),
    (
        "logo type",
        set_at("trust", "branding", "logo", "terms/oakfield.yaml"),
        "trust.branding.logo must be a '.png', '.jpg' or '.jpeg' file, not 'terms/oakfield.yaml'",
    ),
    (
        "missing term dates",
        set_at("schools", 0, "term_dates", "terms/2025.yaml"),
        "schools[0].term_dates names 'terms/2025.yaml', which does not exist next to the file",
    ),
    (
        "term dates type",
        set_at("schools", 0, "term_dates", "branding/logo.png"),
        "schools[0].term_dates must be a '.yaml', '.yml' or '.ics' file, not 'branding/logo.png'",
    ),
    (
        "term dates for another region",
        set_at("schools", 0, "region", "wales"),
        "schools[0].term_dates cannot be used: oakfield.yaml: the file is for england, but the "
        "school is in wales.",
    ),
    (
        "missing override folder",
        set_at("letters", "override_folder", "our-letters/"),
        "letters.override_folder names 'our-letters/', which is not a folder next to the file",
    ),
    (
        "company number",
        set_at("trust", "company_number", "1234567"),
        "trust.company_number must be 8 digits, as on Companies House, not '1234567'",
    ),
    (
        "company number without quotes",
        set_at("trust", "company_number", 1234567),
        'trust.company_number must be written in quotes ("01234567"), or YAML drops its '
        "leading zeros",
    ),
    (
        "website",
        set_at("trust", "website", "oakvalley.example"),
        "trust.website must be an https:// address, not 'oakvalley.example'",
    ),
    (
        "policy review date",
        set_at("trust", "policy_last_reviewed", "January 2024"),
        "trust.policy_last_reviewed must be a date like 2024-01-30, not 'January 2024'",
    ),
    (
        "postcode",
        set_at("schools", 0, "address", ["Chestnut Lane", "Oakbridge"]),
        "schools[0].address must end with the postcode, not 'Oakbridge'",
    ),
    (
        "no trust people",
        set_at("trust", "people", []),
        "trust.people must not be empty",
    ),
    (
        "no schools",
        set_at("schools", []),
        "schools must not be empty",
    ),
    (
        "misspelt field",
        set_at("schools", 0, "head_tittle", "Headteacher"),
        "schools[0].head_tittle is not a known field (expected 'academic_review_days', "
        "'address', 'clerks_channel', "
        "'email', 'groups', 'head_title', 'id', 'name', 'people', 'phone', 'reference_prefix', "
        "'region', 'second_contact' or 'term_dates')",
    ),
    (
        "missing field",
        delete_at("trust", "registered_name"),
        "trust.registered_name must be some text, not nothing",
    ),
    (
        "channel ids",
        set_at("schools", 0, "clerks_channel", {"name": "LAC", "team_id": NEW_ID}),
        "schools[0].clerks_channel needs both team_id and channel_id, or neither",
    ),
    (
        "channel id shape",
        set_at(
            "schools", 0, "clerks_channel", {"name": "LAC", "team_id": NEW_ID, "channel_id": "abc"}
        ),
        "schools[0].clerks_channel.channel_id must be a Teams channel id starting '19:', not 'abc'",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(mutate, expected, id=name) for name, mutate, expected in MISTAKES],
)
def test_each_mistake_is_named(tmp_path: Path, mutate: Mutation, expected: str) -> None:
    document = example_document()
    mutate(document)

    assert problems_of(write(tmp_path, document)) == (expected,)


def test_an_unquoted_colour_gets_a_hint(tmp_path: Path) -> None:
    path = copy_of_example(tmp_path)
    text = path.read_text(encoding="utf-8").replace('"#C9A227"', "#C9A227")
    path.write_text(text, encoding="utf-8")

    assert problems_of(path) == (
        'trust.branding.accent_colour must be a colour like "#1F4E79", not nothing (put it in '
        "quotes: YAML reads an unquoted # as a comment)",
    )


def test_a_key_given_twice_is_refused(tmp_path: Path) -> None:
    path = copy_of_example(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "    head_title: Principal\n", "    head_title: Principal\n    head_title: Head\n"
        ),
        "utf-8",
    )

    (problem,) = problems_of(path)

    assert problem.startswith("is not valid YAML")
    assert "'head_title' is given twice" in problem


def test_a_broken_term_file_stops_the_start(tmp_path: Path) -> None:
    path = copy_of_example(tmp_path)
    (path.parent / "terms" / "riverside.ics").write_text(
        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n", encoding="utf-8"
    )

    (problem,) = problems_of(path)

    assert problem.startswith("schools[1].term_dates cannot be used: riverside.ics: no term dates")


def test_term_dates_are_optional(tmp_path: Path) -> None:
    document = example_document()
    del document["schools"][1]["term_dates"]

    config = load_trust_config(write(tmp_path, document))

    assert config.school("riverside").term_dates is None
    assert config.school("riverside").term_dates_file is None


def test_optional_fields_may_be_left_out(tmp_path: Path) -> None:
    document = example_document()
    del document["letters"]
    del document["trust"]["website"]
    del document["schools"][0]["clerks_channel"]

    config = load_trust_config(write(tmp_path, document))

    assert config.letters_override_folder is None
    assert config.trust.website is None
    assert config.school("oakfield").clerks_channel is None


def test_object_ids_are_kept_in_lower_case(tmp_path: Path) -> None:
    document = example_document()
    document["schools"][0]["people"][0]["object_id"] = OAK_HEAD.upper()
    document["tenant_id"] = document["tenant_id"].upper()

    config = load_trust_config(write(tmp_path, document))

    assert config.school("oakfield").people[0].object_id == OAK_HEAD
    assert config.tenant_id == "5f3c9a2e-8d41-4b6a-9c0e-2a7d1e4b6f10"


def test_a_missing_file_is_a_config_error(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path / "trust.yaml")

    assert problem.startswith("cannot be read")


def test_a_file_that_is_not_yaml_is_a_config_error(tmp_path: Path) -> None:
    path = tmp_path / "trust.yaml"
    path.write_text("schools: [oakfield\n", encoding="utf-8")

    (problem,) = problems_of(path)

    assert problem.startswith("is not valid YAML")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("", "is empty"),
        ("- a list\n", "the file must be a mapping of fields, not a list"),
    ],
)
def test_an_empty_or_odd_file_is_a_config_error(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "trust.yaml"
    path.write_text(text, encoding="utf-8")

    assert problems_of(path) == (expected,)


@pytest.mark.parametrize("first_line", ["Oakfield Primary Academy", "oakfield primary academy "])
def test_an_address_line_repeating_the_schools_name_is_left_out(
    tmp_path: Path, first_line: str
) -> None:
    # Letters print the school's name above its address; printing it twice looks careless.
    document = example_document()
    document["schools"][0]["address"] = [first_line, "Chestnut Lane", "Oakbridge", "OV3 4CD"]

    school = load_trust_config(write(tmp_path, document)).school("oakfield")

    assert school.address == ("Chestnut Lane", "Oakbridge", "OV3 4CD")


def test_an_address_without_the_schools_name_is_kept_whole(tmp_path: Path) -> None:
    document = example_document()
    document["schools"][0]["address"] = ["Chestnut Lane", "Oakbridge", "OV3 4CD"]

    school = load_trust_config(write(tmp_path, document)).school("oakfield")

    assert school.address == ("Chestnut Lane", "Oakbridge", "OV3 4CD")


# --- Entra ID groups (Microsoft 365 mode) -------------------------------------------------

GROUPS_EXAMPLE = EXAMPLE / "trust.microsoft365.yaml"
OAK_HEAD_GROUP = "6a000000-0000-4000-8000-000000000101"


def groups_document() -> dict[str, Any]:
    document = yaml.safe_load(GROUPS_EXAMPLE.read_text(encoding="utf-8"))
    assert isinstance(document, dict)
    return document


def test_the_microsoft_365_example_names_a_group_for_each_role() -> None:
    config = load_trust_config(GROUPS_EXAMPLE)

    assert config.uses_groups
    oakfield, riverside = config.schools
    assert oakfield.group_of(Role.HEAD) == OAK_HEAD_GROUP
    assert riverside.group_of(Role.SENIOR) is None  # senior may be left out
    assert oakfield.group_of(Role.CLERK) == riverside.group_of(Role.CLERK)
    # Its people give job titles only; the roles are the groups'.
    assert oakfield.second_contact is not None
    assert oakfield.second_contact.job_title == "Deputy Headteacher"
    assert all(person.roles == frozenset() for person in oakfield.people)
    assert riverside.people == ()
    assert not load_trust_config(EXAMPLE / "trust.yaml").uses_groups


def _groups_of(document: dict[str, Any], school: int) -> dict[str, Any]:
    groups = document["schools"][school]["groups"]
    assert isinstance(groups, dict)
    return groups


GROUP_MISTAKES: list[tuple[str, Mutation, str]] = [
    (
        "a required role without a group",
        lambda d: _groups_of(d, 1).pop("clerk"),
        "schools[1].groups.clerk is missing: name the Entra ID security group whose members "
        "are the school's Clerk to the Local Academy Committee (its Object ID, from the Entra "
        "admin centre: Groups, the group, Overview)",
    ),
    (
        "a group that is not an object id",
        lambda d: _groups_of(d, 0).update(head="Oakfield heads"),
        "schools[0].groups.head must be an Entra ID object id like "
        "'a1000000-0000-4000-8000-000000000001', not 'Oakfield heads'",
    ),
    (
        "one group for two roles at a school",
        lambda d: _groups_of(d, 0).update(chair=OAK_HEAD_GROUP),
        f"schools[0].groups.chair {OAK_HEAD_GROUP} is already the group for head: each role "
        "needs its own group",
    ),
    (
        "a group for the trust role",
        lambda d: _groups_of(d, 0).update(trust=NEW_ID),
        "schools[0].groups.trust is not a school role: the trust's people (role 'trust') stay "
        "listed under trust.people, with their titles",
    ),
    (
        "an unknown role",
        lambda d: _groups_of(d, 0).update(deputy=NEW_ID),
        "schools[0].groups.deputy is not a known field (expected 'chair', 'clerk', 'head', "
        "'senior' or 'staff')",
    ),
    (
        "roles given beside groups",
        lambda d: d["schools"][0]["people"][1].update(roles=["staff"]),
        "schools[0].people[1].roles must not be given: this school's roles come from its "
        "groups (add the person to the group instead, or remove the school's groups)",
    ),
    (
        "one school with groups and one without",
        lambda d: d["schools"][1].update(
            groups=None, people=example_document()["schools"][1]["people"]
        ),
        "schools[1] names no groups, but schools[0] does: with Entra ID groups every school's "
        "roles come from its groups, so give each school its groups, or none",
    ),
]


@pytest.mark.parametrize(
    ("mutate", "expected"),
    [pytest.param(mutate, expected, id=name) for name, mutate, expected in GROUP_MISTAKES],
)
def test_each_groups_mistake_is_named(tmp_path: Path, mutate: Mutation, expected: str) -> None:
    document = groups_document()
    mutate(document)

    assert problems_of(write(tmp_path, document)) == (expected,)


def test_a_school_without_groups_still_needs_its_people(tmp_path: Path) -> None:
    document = groups_document()
    for school in document["schools"]:
        del school["groups"]

    problems = problems_of(write(tmp_path, document))

    assert "schools[1].people must be a list, not nothing" in problems
