"""The embedded default's directory: `casework.ports.Directory` answered from the trust
configuration file (who holds which role at which school, and their names and emails).

In Microsoft 365 mode, when the configuration names each school's groups, the directory
comes from Entra ID groups instead (`graph/entra_directory.py`).
"""

from __future__ import annotations

from collections.abc import Sequence

from casework.config import TrustConfig
from casework.ports import Person
from rules.roles import Role


class ConfigDirectory:
    """`casework.ports.Directory` from the trust configuration.

    Trust-level people (`trust.people`) hold the `trust` role at every school of the trust.
    Holders are listed in object-id order, as the shared fake does.
    """

    def __init__(self, config: TrustConfig) -> None:
        self._schools = config.school_ids
        self._people: dict[str, Person] = {}
        self._roles: dict[tuple[str, str], frozenset[Role]] = {}
        for school in config.schools:
            for member in school.people:
                self._people.setdefault(member.object_id, member.as_person())
                self._roles[(member.object_id, school.id)] = member.roles
        for trustee in config.trust.people:
            self._people.setdefault(trustee.object_id, trustee.as_person())
            for school_id in self._schools:
                key = (trustee.object_id, school_id)
                self._roles[key] = self._roles.get(key, frozenset()) | {Role.TRUST}

    def roles_of(self, object_id: str, school_id: str) -> frozenset[Role]:
        return self._roles.get((object_id.lower(), school_id), frozenset())

    def schools_of(self, object_id: str) -> Sequence[str]:
        oid = object_id.lower()
        return tuple(sorted(school for (who, school) in self._roles if who == oid))

    def holders(self, school_id: str, role: Role) -> Sequence[Person]:
        return tuple(
            self._people[oid]
            for (oid, school), roles in sorted(self._roles.items())
            if school == school_id and role in roles
        )

    def person(self, object_id: str) -> Person | None:
        return self._people.get(object_id.lower())
