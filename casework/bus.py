"""The one way in for what people ask: build a command, hand it to `dispatch`.

    outcome = await bus.dispatch(casework, ImposeBan(...), actor, case_id=case_id)
    outcome = await bus.report_incident(casework, actor, command_id=..., school_id=...,
                                        person=..., incident=...)

As in cosmicpython's message bus, the entry points (the bot's flows, the tests) build the
rules' own command and pass it on; there is no wrapper per use case. `dispatch` takes every
command a person may issue (the permission table says which: those with roles); the
sweeper's and the pipeline's own bookkeeping (drafts recorded, notifications sent,
reminders) go through `Casework.handle` as the system, never through here.

Reporting an incident on a new case is the one use case that does more than pass the
command on: it derives the case id from the command id (so a double-clicked submit lands on
the same case) and allocates the case reference: on a store with transactions
(`AtomicCaseStore`) it reads the next reference ahead and the append allocates it in the
same transaction as the case's first events, so a report is one durable write.
"""

from __future__ import annotations

import logging
import uuid

from casework.history import Folded, fold_stored
from casework.pipeline import MAX_APPEND_ATTEMPTS, Actor, Casework, CommandIdTaken, Outcome
from casework.ports import ReferenceClaim, ReferenceTaken, StoreUnavailable, is_atomic
from rules.commands import Command
from rules.details import IncidentDetails, PersonDetails
from rules.errors import NotPermitted
from rules.permissions import check_permitted, required_roles
from rules.steps.reporting import NewCase, ReportIncident

logger = logging.getLogger(__name__)

# Case ids are uuid5 of the reporting command's id in this namespace: the same submit, sent
# twice, names the same case.
CASE_NAMESPACE = uuid.UUID("6f1d3c2a-5b7e-4c9d-8a1f-2e3b4c5d6e7f")


def case_id_for(command_id: str) -> str:
    return str(uuid.uuid5(CASE_NAMESPACE, command_id))


def issued_by_people(command_type: type[Command]) -> bool:
    """Whether a person may ever issue this command (the sweeper's own steps: no)."""
    return bool(required_roles(command_type))


async def dispatch(
    cw: Casework,
    command: Command,
    actor: Actor,
    *,
    case_id: str,
    known: Folded | None = None,
    claim: ReferenceClaim | None = None,
    unseen: bool = False,
) -> Outcome:
    """Apply a person's `command` to the case `case_id` (see `Casework.handle`)."""
    if not issued_by_people(type(command)):
        raise NotPermitted("This is done automatically and cannot be asked for.")
    return await cw.handle(command, actor, case_id=case_id, known=known, claim=claim, unseen=unseen)


async def report_incident(
    cw: Casework,
    actor: Actor,
    *,
    command_id: str,
    school_id: str,
    person: PersonDetails,
    incident: IncidentDetails,
) -> Outcome:
    """Open a case for `person` at `school_id` with its first incident."""
    case_id = case_id_for(command_id)
    store = cw.ports.store
    claim: ReferenceClaim | None = None
    ahead = _reference_ahead(cw, school_id) if is_atomic(store) else None
    if ahead is not None and is_atomic(store):
        # The first look: the case (a repeat of this submit) or, if none, the reference to
        # claim, in one read.
        events, claim = await store.load_or_peek(case_id, *ahead, command_id)
        folded = fold_stored(tuple(events))
    else:
        folded = await cw.load_folded(case_id)
    try:
        if folded is not None:
            view = folded.view
            if view.opened_by != actor.object_id:
                raise CommandIdTaken()  # someone else's form: say nothing about their case
            # The same submit again: answered with the first result, from the case as loaded.
            new_case = NewCase(case_id, view.reference, view.school_id, view.person)
            command = ReportIncident(command_id, incident, new_case)
            return await dispatch(cw, command, actor, case_id=case_id, known=folded)
        school = cw.school(school_id)
        # Refuse before allocating: a reference is never reused, so none is spent on a refusal.
        ctx = cw.context(actor, school.id)
        probe = ReportIncident(command_id, incident)
        check_permitted(probe, ctx.roles, system=False)
        if not is_atomic(store):
            # Allocated once per command id: fifty presses of one card spend one reference.
            reference = await store.allocate_reference(
                school.reference_prefix, ctx.today.year, command_id
            )
            command = ReportIncident(
                command_id, incident, NewCase(case_id, reference, school.id, person)
            )
            return await dispatch(cw, command, actor, case_id=case_id)
        # Read ahead and allocated in the append's own transaction (one durable write per
        # report); another process taking the number first means reading the next.
        for _ in range(MAX_APPEND_ATTEMPTS):
            if claim is not None and (claim.school_prefix, claim.year) != (
                school.reference_prefix,
                ctx.today.year,
            ):
                store.release_reference(claim)  # read at the stroke of midnight on 31 December
                claim = None
            if claim is None:
                claim = await store.peek_reference(
                    school.reference_prefix, ctx.today.year, command_id
                )
            new_case = NewCase(case_id, claim.reference, school.id, person)
            command = ReportIncident(command_id, incident, new_case)
            try:
                # Loaded above and found empty: not loaded again (a case made meanwhile with
                # this command id makes the append fail, and the case is loaded then).
                return await dispatch(cw, command, actor, case_id=case_id, claim=claim, unseen=True)
            except ReferenceTaken:
                logger.info("report %s: reference %s taken meanwhile", command_id, claim.reference)
            finally:
                store.release_reference(claim)
                claim = None
        raise StoreUnavailable(
            "References were being taken too quickly. Nothing was saved; try again."
        )
    finally:
        if claim is not None and is_atomic(store):  # a claim is only ever read from one
            store.release_reference(claim)  # refused, or a repeat: the number is not used


def _reference_ahead(cw: Casework, school_id: str) -> tuple[str, int] | None:
    """(the school's reference prefix, this year in the UK), or None for a school not in the
    configuration (the report is refused after the look for a repeat, as before)."""
    try:
        school = cw.config.school(school_id)
    except KeyError:
        return None
    return school.reference_prefix, cw.today().year
