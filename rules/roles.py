"""The people in the policy and what they are called (see ARCHITECTURE.md, "People")."""

from enum import StrEnum


class Role(StrEnum):
    STAFF = "staff"  # any member of the school: reports incidents, adds statements
    SENIOR = "senior"  # the headteacher's nominated senior staff: may carry out a risk assessment
    HEAD = "head"  # Headteacher/Principal
    CHAIR = "chair"  # chair of the school's Local Academy Committee
    CLERK = "clerk"  # clerk to the Local Academy Committee
    TRUST = "trust"  # trust-level governance: chair of trustees, data protection officer

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Role.STAFF: "member of staff",
    Role.SENIOR: "nominated senior member of staff",
    Role.HEAD: "Headteacher/Principal",
    Role.CHAIR: "Chair of the Local Academy Committee",
    Role.CLERK: "Clerk to the Local Academy Committee",
    Role.TRUST: "trust governance (chair of trustees or data protection officer)",
}
