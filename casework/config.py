"""The trust configuration: who the trust is, its schools, and who holds which role where.

Read once at start from a YAML file (`config/trust.yaml` in the example) by
`load_trust_config`. Every problem in the file is collected and reported together in one
`ConfigError`, each naming the file and the field, so that an administrator can fix the file
in one pass; a bad file stops the start rather than letting a case go to the wrong person.
`local.config_directory.ConfigDirectory` answers the `Directory` port from it. The fields
are documented in docs/configuration.md.

Longer than our usual 400 lines, on purpose: it is one reader for one file, each field's
check beside the field, collecting every problem with its path in one pass. Split, the
checks would sit apart from the schema they check.
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import yaml

from casework.ports import Person
from casework.term_dates import load_term_dates
from rules.behaviours import HeadTitle as HeadTitle  # re-exported: School.head_title is one
from rules.calendar import Region, TermDates
from rules.errors import CalendarError
from rules.roles import Role


class ConfigError(Exception):
    """The trust configuration cannot be used. `problems` lists every one found, each
    starting with the file name and the field path."""

    def __init__(self, source: Path | str, problems: Sequence[str]) -> None:
        self.source = str(source)
        self.problems = tuple(f"{self.source}: {problem}" for problem in problems)
        count = len(self.problems)
        heading = "1 problem" if count == 1 else f"{count} problems"
        super().__init__(
            f"{self.source}: the trust configuration has {heading}:\n  "
            + "\n  ".join(self.problems)
        )


@dataclass(frozen=True)
class Branding:
    logo: Path  # resolved against the configuration file's folder
    primary_colour: str  # "#RRGGBB"
    accent_colour: str  # "#RRGGBB"


@dataclass(frozen=True)
class TrustPerson:
    """Trust-level governance (role `trust`): informed of bans, export and retention."""

    object_id: str
    name: str
    email: str
    title: str  # e.g. "Chair of Trustees", "Data Protection Officer"

    def as_person(self) -> Person:
        return Person(object_id=self.object_id, name=self.name, email=self.email)


DEFAULT_TERM_DATES_WARNING_SCHOOL_DAYS = 60
# The school roles whose Entra ID group must be named when a school names groups (the
# policy needs a head, a chair and a clerk; staff report incidents). senior may be absent.
GROUP_ROLES_REQUIRED = frozenset({Role.HEAD, Role.CHAIR, Role.CLERK, Role.STAFF})


@dataclass(frozen=True)
class Trust:
    name: str
    registered_name: str
    company_number: str
    registered_office: tuple[str, ...]
    website: str | None
    policy_last_reviewed: date  # the policy is reviewed every two years
    branding: Branding
    people: tuple[TrustPerson, ...]
    # `/readyz` and the start-up log warn when a school's configured terms hold fewer
    # school days than this from today (issue 9, rule 6).
    term_dates_warning_school_days: int = DEFAULT_TERM_DATES_WARNING_SCHOOL_DAYS


@dataclass(frozen=True)
class Channel:
    """A Teams channel. Ids are optional in the embedded default, which has no tenant."""

    name: str
    team_id: str | None = None
    channel_id: str | None = None


@dataclass(frozen=True)
class SchoolPerson:
    object_id: str
    name: str
    email: str
    roles: frozenset[Role]
    # Their job, as letters print it after "the school's": "office manager", "Deputy
    # Headteacher". Letters 2 and 4 name a reporter found here by name with their job.
    job_title: str | None = None

    def as_person(self) -> Person:
        return Person(object_id=self.object_id, name=self.name, email=self.email)


@dataclass(frozen=True)
class School:
    id: str
    reference_prefix: str
    name: str
    # The postal address below the school's name (letters print the name above it), the
    # postcode last. A first line that only repeats the name is left out when loading.
    address: tuple[str, ...]
    email: str
    phone: str
    region: Region
    term_dates_file: Path | None  # None: deadlines count working days, with a warning
    term_dates: TermDates | None  # read from term_dates_file
    head_title: HeadTitle
    clerks_channel: Channel | None
    people: tuple[SchoolPerson, ...]
    # The days on which the annual meeting about a banned parent's child's progress is held
    # (model letter 4: "at the time of the next Academic Review Day"), in order. None
    # configured: the meeting is prompted 12 months after the Chair's confirmation.
    academic_review_days: tuple[date, ...] = ()
    # Who, besides the head, a parent under conditions may contact (letters 2, 3 and 7):
    # one of `people`, with a job title. None: "the Deputy Headteacher", by role.
    second_contact: SchoolPerson | None = None
    # Microsoft 365: the Entra ID security group (object id) whose members hold each role
    # here, read by `graph.entra_directory`. Empty: the roles are the `people`'s own.
    groups: tuple[tuple[Role, str], ...] = ()

    def group_of(self, role: Role) -> str | None:
        return next((group for held, group in self.groups if held is role), None)

    def person_named(self, name: str) -> SchoolPerson | None:
        """The member of staff with exactly this name (case and spacing aside), if one."""
        wanted = " ".join(name.split()).casefold()
        found = [p for p in self.people if " ".join(p.name.split()).casefold() == wanted]
        return found[0] if len(found) == 1 else None


@dataclass(frozen=True)
class TrustConfig:
    source: Path  # the file it was read from
    tenant_id: str  # Entra tenant: activities from any other tenant are refused
    trust: Trust
    schools: tuple[School, ...]
    letters_override_folder: Path | None
    # Letters 3, 5 and 7 give the Chair's and the committee's reasons (`letters.give_reasons`).
    letters_give_reasons: bool = True

    def school(self, school_id: str) -> School:
        for school in self.schools:
            if school.id == school_id:
                return school
        raise KeyError(school_id)

    @property
    def school_ids(self) -> tuple[str, ...]:
        return tuple(school.id for school in self.schools)

    @property
    def uses_groups(self) -> bool:
        """The schools' roles come from Entra ID groups (Microsoft 365 mode only)."""
        return any(school.groups for school in self.schools)


# --- loading ------------------------------------------------------------------------------

_GUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$")
_EMAIL = re.compile(
    r"^[^@\s<>\"(),;:]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+$"
)
_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")
_COMPANY_NUMBER = re.compile(r"^[0-9]{8}$")
_SCHOOL_ID = re.compile(r"^[a-z0-9][a-z0-9-]{0,39}$")
_PREFIX = re.compile(r"^[A-Z]{2,6}$")
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$", re.IGNORECASE)
_PHONE = re.compile(r"^\+?[0-9][0-9 ()-]{5,}$")
_TERM_SUFFIXES = (".yaml", ".yml", ".ics")


def load_trust_config(path: Path) -> TrustConfig:
    """Read and validate the trust configuration at `path`.

    Raises `ConfigError` listing every problem found. Relative paths in the file (logo, term
    dates, letter overrides) are resolved against the file's folder. Each school's term-dates
    file is read and checked here too, so a bad term file stops the start.
    """
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(path, [f"cannot be read ({error.strerror or error})"]) from error
    try:
        document = yaml.load(text, Loader=_StrictLoader)  # a SafeLoader: no Python objects
    except yaml.YAMLError as error:
        raise ConfigError(path, [f"is not valid YAML: {error}"]) from error
    reader = _Reader(path.parent)
    config = reader.trust_config(document, path)
    if reader.problems or config is None:
        raise ConfigError(path, reader.problems or ["is empty"])
    return config


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader that refuses a key given twice in one mapping (PyYAML keeps the last one
    silently, which would drop, say, a whole list of people)."""


def _construct_mapping(loader: yaml.SafeLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: dict[Any, yaml.Node] = {}
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"the key {key!r} is given twice",
                key_node.start_mark,
            )
        seen[key] = key_node
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _construct_mapping)


class _Reader:
    """Walks the parsed YAML, building the dataclasses and collecting every problem."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self.problems: list[str] = []
        self._people: dict[str, tuple[str, str, str]] = {}  # object id -> (name, email, where)

    def problem(self, where: str, message: str) -> None:
        self.problems.append(f"{where} {message}")

    # --- the document ---------------------------------------------------------------------

    def trust_config(self, document: object, path: Path) -> TrustConfig | None:
        if document is None:
            return None
        top = self.mapping(document, "the file", {"tenant_id", "trust", "letters", "schools"})
        if top is None:
            return None
        tenant_id = self.guid(top, "tenant_id", "tenant_id")
        trust = self.trust(top.get("trust"), "trust")
        override, give_reasons = self.letters(top.get("letters"), "letters")
        schools = self.schools(top.get("schools"), "schools")
        if tenant_id is None or trust is None or schools is None:
            return None
        return TrustConfig(
            source=path,
            tenant_id=tenant_id,
            trust=trust,
            schools=schools,
            letters_override_folder=override,
            letters_give_reasons=give_reasons,
        )

    def trust(self, value: object, where: str) -> Trust | None:
        fields = {
            "name",
            "registered_name",
            "company_number",
            "registered_office",
            "website",
            "policy_last_reviewed",
            "branding",
            "people",
            "term_dates_warning_school_days",
        }
        data = self.mapping(value, where, fields)
        if data is None:
            return None
        warning_days = self.warning_days(data, where)
        name = self.text(data, "name", where)
        registered_name = self.text(data, "registered_name", where)
        company_number = self.company_number(data, where)
        office = self.lines(data, "registered_office", where)
        website = self.website(data, where)
        reviewed = self.day(data, "policy_last_reviewed", where)
        branding = self.branding(data.get("branding"), f"{where}.branding")
        people = self.trust_people(data.get("people"), f"{where}.people")
        if (
            name is None
            or registered_name is None
            or company_number is None
            or office is None
            or reviewed is None
            or branding is None
            or people is None
            or warning_days is None
        ):
            return None
        return Trust(
            name=name,
            registered_name=registered_name,
            company_number=company_number,
            registered_office=office,
            website=website,
            policy_last_reviewed=reviewed,
            branding=branding,
            people=people,
            term_dates_warning_school_days=warning_days,
        )

    def warning_days(self, data: Mapping[str, Any], where: str) -> int | None:
        key = "term_dates_warning_school_days"
        value = data.get(key, DEFAULT_TERM_DATES_WARNING_SCHOOL_DAYS)
        if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 400:
            self.problem(
                f"{where}.{key}",
                f"must be a whole number of school days from 1 to 400, not {_shown(value)}",
            )
            return None
        return value

    def review_days(self, value: object, where: str) -> tuple[date, ...] | None:
        """`academic_review_days`: a list of dates, in order, none twice (may be absent)."""
        if value is None:
            return ()
        if not isinstance(value, list):
            self.problem(where, f"must be a list of dates like 2026-10-15, not {_shown(value)}")
            return None
        days: list[date] = []
        for n, item in enumerate(value):
            day = item if isinstance(item, date) and not isinstance(item, datetime) else None
            if isinstance(item, str):
                with contextlib.suppress(ValueError):
                    day = date.fromisoformat(item)
            if day is None:
                self.problem(f"{where}[{n}]", f"must be a date like 2026-10-15, not {_shown(item)}")
                return None
            if days and day <= days[-1]:
                self.problem(
                    f"{where}[{n}]", f"must come after {days[-1].isoformat()}: list them in order"
                )
                return None
            days.append(day)
        return tuple(days)

    def branding(self, value: object, where: str) -> Branding | None:
        data = self.mapping(value, where, {"logo", "primary_colour", "accent_colour"})
        if data is None:
            return None
        logo = self.file(data, "logo", where, suffixes=(".png", ".jpg", ".jpeg"))
        primary = self.colour(data, "primary_colour", where)
        accent = self.colour(data, "accent_colour", where)
        if logo is None or primary is None or accent is None:
            return None
        return Branding(logo=logo, primary_colour=primary, accent_colour=accent)

    def trust_people(self, value: object, where: str) -> tuple[TrustPerson, ...] | None:
        items = self.sequence(value, where, non_empty=True)
        if items is None:
            return None
        people: list[TrustPerson] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            at = f"{where}[{i}]"
            data = self.mapping(item, at, {"object_id", "name", "email", "title"})
            if data is None:
                continue
            identity = self.identity(data, at)
            title = self.text(data, "title", at)
            if identity is None or title is None:
                continue
            object_id, name, email = identity
            if object_id in seen:
                self.problem(f"{at}.object_id", f"{object_id} is listed twice in {where}")
                continue
            seen.add(object_id)
            people.append(TrustPerson(object_id=object_id, name=name, email=email, title=title))
        return tuple(people)

    def letters(self, value: object, where: str) -> tuple[Path | None, bool]:
        if value is None:
            return None, True
        data = self.mapping(value, where, {"override_folder", "give_reasons"})
        if data is None:
            return None, True
        give_reasons = data.get("give_reasons", True)
        if type(give_reasons) is not bool:
            self.problem(f"{where}.give_reasons", "must be true or false")
            give_reasons = True
        if data.get("override_folder") is None:
            return None, give_reasons
        return self.folder_path(data, "override_folder", where), give_reasons

    def schools(self, value: object, where: str) -> tuple[School, ...] | None:
        items = self.sequence(value, where, non_empty=True)
        if items is None:
            return None
        schools: list[School] = []
        ids: dict[str, int] = {}
        prefixes: dict[str, int] = {}
        for i, item in enumerate(items):
            at = f"{where}[{i}]"
            school = self.school(item, at)
            if school is None:
                continue
            if school.id in ids:
                self.problem(
                    f"{at}.id", f"'{school.id}' is already used by {where}[{ids[school.id]}]"
                )
            ids.setdefault(school.id, i)
            if school.reference_prefix in prefixes:
                self.problem(
                    f"{at}.reference_prefix",
                    f"'{school.reference_prefix}' is already used by "
                    f"{where}[{prefixes[school.reference_prefix]}]",
                )
            prefixes.setdefault(school.reference_prefix, i)
            schools.append(school)
        with_groups = [n for n, school in enumerate(schools) if school.groups]
        if with_groups and len(with_groups) != len(schools):
            without = [n for n, school in enumerate(schools) if not school.groups]
            self.problem(
                f"{where}[{without[0]}]",
                f"names no groups, but {where}[{with_groups[0]}] does: with Entra ID groups "
                "every school's roles come from its groups, so give each school its groups, "
                "or none",
            )
        return tuple(schools)

    def school(self, value: object, where: str) -> School | None:
        fields = {
            "id",
            "reference_prefix",
            "name",
            "address",
            "email",
            "phone",
            "region",
            "term_dates",
            "head_title",
            "clerks_channel",
            "people",
            "academic_review_days",
            "second_contact",
            "groups",
        }
        data = self.mapping(value, where, fields)
        if data is None:
            return None
        school_id = self.matching(
            data, "id", where, _SCHOOL_ID, "a short lower-case name such as 'oakfield'"
        )
        prefix = self.matching(
            data, "reference_prefix", where, _PREFIX, "2 to 6 capital letters such as 'OAK'"
        )
        name = self.text(data, "name", where)
        address = self.lines(data, "address", where)
        if address is not None and not _POSTCODE.match(address[-1]):
            self.problem(f"{where}.address", f"must end with the postcode, not '{address[-1]}'")
        email = self.email(data, "email", where)
        phone = self.matching(data, "phone", where, _PHONE, "a telephone number")
        region = self.region(data, where)
        term_file = term_dates = None
        if data.get("term_dates") is not None:
            term_file = self.file(data, "term_dates", where, suffixes=_TERM_SUFFIXES)
            if term_file is not None and region is not None:
                term_dates = self.term_dates(term_file, region, f"{where}.term_dates")
        head_title = self.head_title(data, where)
        channel = self.channel(data.get("clerks_channel"), f"{where}.clerks_channel")
        groups = self.groups(data.get("groups"), f"{where}.groups")
        named_groups = data.get("groups") is not None
        people: tuple[SchoolPerson, ...] | None = ()
        if not named_groups or data.get("people") is not None:
            people = self.school_people(
                data.get("people"), f"{where}.people", with_groups=named_groups
            )
        review_days = self.review_days(
            data.get("academic_review_days"), f"{where}.academic_review_days"
        )
        if (
            review_days is None
            or school_id is None
            or prefix is None
            or name is None
            or address is None
            or email is None
            or phone is None
            or region is None
            or head_title is None
            or people is None
            or groups is None
        ):
            return None
        if address and len(address) > 1 and address[0].strip().lower() == name.strip().lower():
            address = address[1:]
        second_contact = self.second_contact(data, people, where)
        return School(
            id=school_id,
            reference_prefix=prefix,
            name=name,
            address=address,
            email=email,
            phone=phone,
            region=region,
            term_dates_file=term_file,
            term_dates=term_dates,
            head_title=head_title,
            clerks_channel=channel,
            people=people,
            academic_review_days=review_days,
            second_contact=second_contact,
            groups=groups,
        )

    def groups(self, value: object, where: str) -> tuple[tuple[Role, str], ...] | None:
        """`groups`: the Entra ID security group (object id) of each school role (may be
        absent). head, chair, clerk and staff are required; senior may be left out. One
        group serves one role here: the head's group doubling as the chair's would let the
        head review their own decisions."""
        if value is None:
            return ()
        if isinstance(value, dict) and Role.TRUST.value in value:
            self.problem(
                f"{where}.trust",
                "is not a school role: the trust's people (role 'trust') stay listed under "
                "trust.people, with their titles",
            )
            return None
        school_roles = [r.value for r in Role if r is not Role.TRUST]
        data = self.mapping(value, where, set(school_roles))
        if data is None:
            return None
        found: list[tuple[Role, str]] = []
        used: dict[str, str] = {}
        for role in (Role.HEAD, Role.SENIOR, Role.CHAIR, Role.CLERK, Role.STAFF):
            if data.get(role.value) is None:
                if role in GROUP_ROLES_REQUIRED:
                    self.problem(
                        f"{where}.{role.value}",
                        f"is missing: name the Entra ID security group whose members are the "
                        f"school's {role.label} (its Object ID, from the Entra admin centre: "
                        "Groups, the group, Overview)",
                    )
                continue
            group = self.guid(data, role.value, where)
            if group is None:
                continue
            if group in used:
                self.problem(
                    f"{where}.{role.value}",
                    f"{group} is already the group for {used[group]}: each role needs its own "
                    "group",
                )
                continue
            used[group] = role.value
            found.append((role, group))
        if len(found) != len(data):
            return None
        return tuple(found)

    def second_contact(
        self, data: Mapping[str, Any], people: Sequence[SchoolPerson], where: str
    ) -> SchoolPerson | None:
        if data.get("second_contact") is None:
            return None
        object_id = self.guid(data, "second_contact", where)
        if object_id is None:
            return None
        found = next((p for p in people if p.object_id == object_id), None)
        if found is None:
            self.problem(
                f"{where}.second_contact", f"{object_id} is not one of the school's people"
            )
        elif found.job_title is None:
            self.problem(
                f"{where}.second_contact",
                f"{object_id} has no job_title: letters name the second contact by their job",
            )
        elif Role.HEAD in found.roles:
            self.problem(f"{where}.second_contact", "must be someone other than the head")
        else:
            return found
        return None

    def school_people(
        self, value: object, where: str, *, with_groups: bool = False
    ) -> tuple[SchoolPerson, ...] | None:
        """The school's people. With `groups`, the list may be left out, and gives people
        only for their job titles (letters print them): their roles are their groups'."""
        items = self.sequence(value, where, non_empty=True)
        if items is None:
            return None
        people: list[SchoolPerson] = []
        seen: set[str] = set()
        for i, item in enumerate(items):
            at = f"{where}[{i}]"
            data = self.mapping(item, at, {"object_id", "name", "email", "roles", "job_title"})
            if data is None:
                continue
            identity = self.identity(data, at)
            if with_groups and data.get("roles") is not None:
                self.problem(
                    f"{at}.roles",
                    "must not be given: this school's roles come from its groups (add the "
                    "person to the group instead, or remove the school's groups)",
                )
                continue
            roles = frozenset() if with_groups else self.roles(data, at)
            if identity is None or roles is None:
                continue
            object_id, name, email = identity
            if object_id in seen:
                self.problem(
                    f"{at}.object_id",
                    f"{object_id} is listed twice at this school: give one entry all their roles",
                )
                continue
            seen.add(object_id)
            if Role.HEAD in roles and Role.CHAIR in roles:
                # The Chair reviews the head's decisions: nobody reviews their own.
                self.problem(
                    f"{at}.roles",
                    f"{object_id} cannot be both head and chair at one school: "
                    "nobody may review their own decision",
                )
            job_title = None
            if data.get("job_title") is not None:
                job_title = self.text(data, "job_title", at)
            people.append(
                SchoolPerson(
                    object_id=object_id, name=name, email=email, roles=roles, job_title=job_title
                )
            )
        if with_groups:
            return tuple(people)  # `python -m bot check` counts the groups' members
        counts = {role: sum(role in p.roles for p in people) for role in Role}
        if counts[Role.HEAD] != 1:
            self.problem(where, f"must have exactly one head, not {counts[Role.HEAD]}")
        if counts[Role.CHAIR] < 1:
            self.problem(where, "must have at least one chair (of the Local Academy Committee)")
        if counts[Role.CLERK] < 1:
            self.problem(where, "must have at least one clerk (to the Local Academy Committee)")
        return tuple(people)

    def roles(self, data: Mapping[str, Any], where: str) -> frozenset[Role] | None:
        items = self.sequence(data.get("roles"), f"{where}.roles", non_empty=True)
        if items is None:
            return None
        school_roles = [r.value for r in Role if r is not Role.TRUST]
        roles: set[Role] = set()
        for i, item in enumerate(items):
            at = f"{where}.roles[{i}]"
            if item == Role.TRUST.value:
                self.problem(
                    at, "'trust' is a trust-level role: list the person under trust.people"
                )
            elif isinstance(item, str) and item in school_roles:
                roles.add(Role(item))
            else:
                self.problem(at, f"must be one of {_choices(school_roles)}, not {_shown(item)}")
        return frozenset(roles) if roles else None

    def channel(self, value: object, where: str) -> Channel | None:
        if value is None:
            return None
        data = self.mapping(value, where, {"name", "team_id", "channel_id"})
        if data is None:
            return None
        name = self.text(data, "name", where)
        team_id = self.guid(data, "team_id", where) if data.get("team_id") is not None else None
        channel_id = None
        if data.get("channel_id") is not None:
            channel_id = self.text(data, "channel_id", where)
            if channel_id is not None and not channel_id.startswith("19:"):
                self.problem(
                    f"{where}.channel_id",
                    f"must be a Teams channel id starting '19:', not '{channel_id}'",
                )
                channel_id = None
        if (data.get("team_id") is None) != (data.get("channel_id") is None):
            self.problem(where, "needs both team_id and channel_id, or neither")
        if name is None:
            return None
        return Channel(name=name, team_id=team_id, channel_id=channel_id)

    def identity(self, data: Mapping[str, Any], where: str) -> tuple[str, str, str] | None:
        """Object id, name and email, the same wherever the same person appears."""
        object_id = self.guid(data, "object_id", where)
        name = self.text(data, "name", where)
        email = self.email(data, "email", where)
        if object_id is None or name is None or email is None:
            return None
        earlier = self._people.get(object_id)
        if earlier is None:
            self._people[object_id] = (name, email, where)
        elif earlier[:2] != (name, email):
            self.problem(
                where,
                f"gives {object_id} a different name or email from {earlier[2]}:"
                " one person must be written the same way everywhere",
            )
        return object_id, name, email

    def term_dates(self, path: Path, region: Region, where: str) -> TermDates | None:
        try:
            return load_term_dates(path, region=region)
        except CalendarError as error:
            self.problem(where, f"cannot be used: {error.message}")
            return None

    # --- single fields --------------------------------------------------------------------

    def mapping(self, value: object, where: str, fields: set[str]) -> Mapping[str, Any] | None:
        if not isinstance(value, dict):
            self.problem(where, f"must be a mapping of fields, not {_shown(value)}")
            return None
        for key in value:
            if key not in fields:
                self.problem(
                    f"{where}.{key}" if where != "the file" else str(key),
                    f"is not a known field (expected {_choices(sorted(fields))})",
                )
        return value

    def sequence(self, value: object, where: str, *, non_empty: bool) -> list[Any] | None:
        if not isinstance(value, list):
            self.problem(where, f"must be a list, not {_shown(value)}")
            return None
        if non_empty and not value:
            self.problem(where, "must not be empty")
            return None
        return value

    def text(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        value = data.get(key)
        if not isinstance(value, str) or not value.strip():
            self.problem(f"{where}.{key}", f"must be some text, not {_shown(value)}")
            return None
        return value.strip()

    def matching(
        self, data: Mapping[str, Any], key: str, where: str, pattern: re.Pattern[str], what: str
    ) -> str | None:
        value = self.text(data, key, where)
        if value is not None and not pattern.match(value):
            self.problem(f"{where}.{key}", f"must be {what}, not '{value}'")
            return None
        return value

    def guid(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        value = data.get(key)
        text = value.strip().lower() if isinstance(value, str) else None
        if text is None or not _GUID.match(text):
            self.problem(
                f"{where}.{key}" if where != key else key,
                "must be an Entra ID object id like 'a1000000-0000-4000-8000-000000000001',"
                f" not {_shown(value)}",
            )
            return None
        return text

    def email(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        return self.matching(data, key, where, _EMAIL, "an email address")

    def colour(self, data: Mapping[str, Any], key: str, where: str) -> str | None:
        value = data.get(key)
        if not isinstance(value, str) or not _COLOUR.match(value):
            hint = (
                " (put it in quotes: YAML reads an unquoted # as a comment)"
                if value is None
                else ""
            )
            self.problem(
                f"{where}.{key}", f'must be a colour like "#1F4E79", not {_shown(value)}{hint}'
            )
            return None
        return value.upper()

    def company_number(self, data: Mapping[str, Any], where: str) -> str | None:
        value = data.get("company_number")
        if isinstance(value, int):
            self.problem(
                f"{where}.company_number",
                f'must be written in quotes ("{value:08d}"), or YAML drops its leading zeros',
            )
            return None
        return self.matching(
            data, "company_number", where, _COMPANY_NUMBER, "8 digits, as on Companies House"
        )

    def website(self, data: Mapping[str, Any], where: str) -> str | None:
        if data.get("website") is None:
            return None
        value = self.text(data, "website", where)
        if value is not None and not re.match(r"^https://[^\s/]+\.[^\s]+$", value):
            self.problem(f"{where}.website", f"must be an https:// address, not '{value}'")
            return None
        return value

    def lines(self, data: Mapping[str, Any], key: str, where: str) -> tuple[str, ...] | None:
        items = self.sequence(data.get(key), f"{where}.{key}", non_empty=True)
        if items is None:
            return None
        bad = [i for i, line in enumerate(items) if not isinstance(line, str) or not line.strip()]
        for i in bad:
            self.problem(f"{where}.{key}[{i}]", f"must be a line of text, not {_shown(items[i])}")
        return None if bad else tuple(line.strip() for line in items)

    def day(self, data: Mapping[str, Any], key: str, where: str) -> date | None:
        value = data.get(key)
        if isinstance(value, date) and not isinstance(value, datetime):
            return value
        if isinstance(value, str):
            try:
                return date.fromisoformat(value)
            except ValueError:
                pass
        self.problem(f"{where}.{key}", f"must be a date like 2024-01-30, not {_shown(value)}")
        return None

    def region(self, data: Mapping[str, Any], where: str) -> Region | None:
        value = data.get("region")
        try:
            return Region(str(value))
        except ValueError:
            self.problem(
                f"{where}.region",
                f"must be one of {_choices([r.value for r in Region])}, not {_shown(value)}",
            )
            return None

    def head_title(self, data: Mapping[str, Any], where: str) -> HeadTitle | None:
        value = data.get("head_title")
        try:
            return HeadTitle(str(value))
        except ValueError:
            self.problem(
                f"{where}.head_title",
                f"must be 'Headteacher' or 'Principal', not {_shown(value)}",
            )
            return None

    def file(
        self, data: Mapping[str, Any], key: str, where: str, *, suffixes: tuple[str, ...]
    ) -> Path | None:
        value = self.text(data, key, where)
        if value is None:
            return None
        path = self.folder / value
        if path.suffix.lower() not in suffixes:
            self.problem(
                f"{where}.{key}", f"must be a {_choices(list(suffixes))} file, not '{value}'"
            )
            return None
        if not path.is_file():
            self.problem(
                f"{where}.{key}", f"names '{value}', which does not exist next to the file"
            )
            return None
        return path

    def folder_path(self, data: Mapping[str, Any], key: str, where: str) -> Path | None:
        value = self.text(data, key, where)
        if value is None:
            return None
        path = self.folder / value
        if not path.is_dir():
            self.problem(
                f"{where}.{key}", f"names '{value}', which is not a folder next to the file"
            )
            return None
        return path


def _shown(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, str):
        return f"'{value}'"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    return repr(value)


def _choices(options: Iterable[str]) -> str:
    quoted = [f"'{option}'" for option in options]
    return ", ".join(quoted[:-1]) + f" or {quoted[-1]}" if len(quoted) > 1 else quoted[0]
