"""How many Graph requests one case's lifecycle costs on the SharePoint store
(docs/graph.md, "Requests per lifecycle"): `python -m bench.graph_requests`.

The case goes through the casework's own entry point (`casework.bus`) on the Microsoft 365
configuration (`casework.bootstrap.microsoft365`) against the Graph stand-in, from the
report to the Chair's decision, each command with its effects and catch-up as the app runs
them, once without `$batch` and once with it. The stand-in counts every Graph request (a
`$batch` member counts as one, as SharePoint counts it) and every HTTP round trip; no
throttling, no conflicts, no retries.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from casework import bus
from casework.bootstrap import prepare
from casework.pipeline import Casework
from rules.behaviours import ChairOutcome
from rules.steps.ban import ImposeBan
from rules.steps.chair import DecideAsChair
from rules.steps.letters import RecordLetterSent
from rules.steps.representations import RecordRepresentation
from tests import case_paths
from tests.builders import POLICE, VIOLENCE, arrangements, at
from tests.casework_world import CHAIR, EXAMPLE_CONFIG, HEAD
from tests.fakes import FixedClock
from tests.harness.sharepoint import casework_on_sharepoint


@dataclass(frozen=True)
class Step:
    name: str
    requests: Counter[str]  # Graph requests by method, a `$batch`'s members counted, not it
    round_trips: int  # HTTP requests (a `$batch` is one)

    @property
    def reads(self) -> int:
        return self.requests["GET"]

    @property
    def writes(self) -> int:
        return sum(self.requests.values()) - self.reads


async def measure(*, batching: bool) -> list[Step]:
    clock = FixedClock(at(date(2026, 1, 12), 9))
    steps: list[Step] = []
    with tempfile.TemporaryDirectory() as folder:
        async with casework_on_sharepoint(
            prepare(EXAMPLE_CONFIG), Path(folder), clock, batching=batching
        ) as (cw, graph):

            async def step(name: str, run: Callable[[], Awaitable[object]]) -> None:
                before, trips_before = len(graph.requests), len(graph.round_trips)
                await run()
                counted: Counter[str] = Counter(
                    m for m, path in graph.requests[before:] if path != "/$batch"
                )
                steps.append(Step(name, counted, len(graph.round_trips) - trips_before))

            case_id = ""

            async def report_and_assess() -> None:
                nonlocal case_id
                case_id = await case_paths.reported(cw, clock)

            async def ban() -> None:
                await _ban(cw, clock, case_id)

            async def letter_and_representation() -> None:
                await _letter_and_representation(cw, clock, case_id)

            async def chair() -> None:
                clock.set(at(date(2026, 1, 21), 10))
                await bus.dispatch(
                    cw,
                    DecideAsChair("cmd-chair", ChairOutcome.CONFIRM, "A threat to staff"),
                    CHAIR,
                    case_id=case_id,
                )

            await step("report the incident and assess the risk", report_and_assess)
            await step("impose a provisional ban (letter 4 drafted)", ban)
            await step("letter 4 sent, representation received", letter_and_representation)
            await step("the Chair confirms (letter 3 drafted)", chair)
    return steps


async def _ban(cw: Casework, clock: FixedClock, case_id: str) -> None:
    clock.set(at(date(2026, 1, 12), 14))
    await bus.dispatch(
        cw,
        ImposeBan(
            command_id=f"cmd-ban-{case_id}",
            reason="A threat to wait for a member of staff after school",
            arrangements=arrangements(POLICE),
            extreme_violence_ground=VIOLENCE,
            until=None,
        ),
        HEAD,
        case_id=case_id,
    )


async def _letter_and_representation(cw: Casework, clock: FixedClock, case_id: str) -> None:
    clock.set(at(date(2026, 1, 13), 9))
    await bus.dispatch(
        cw,
        RecordLetterSent(
            command_id="cmd-sent-4",
            letter_id=f"cmd-ban-{case_id}:letter-4",
            sent_on=date(2026, 1, 13),
        ),
        HEAD,
        case_id=case_id,
    )
    clock.set(at(date(2026, 1, 20), 10))
    await bus.dispatch(
        cw,
        RecordRepresentation(
            command_id="cmd-representation",
            letter_dated=date(2026, 1, 19),
            received_on=date(2026, 1, 20),
            summary="Apologises and asks for the ban to be lifted",
            nothing_more_to_add=True,
        ),
        HEAD,
        case_id=case_id,
    )


def main() -> int:
    for batching in (False, True):
        steps = asyncio.run(measure(batching=batching))
        sys.stdout.write(f"{'with' if batching else 'without'} $batch:\n")
        for step in steps:
            sys.stdout.write(f"  {step.name}: {_figures(step)}\n")
        total = Step(
            "the lifecycle",
            sum((s.requests for s in steps), Counter()),
            sum(s.round_trips for s in steps),
        )
        sys.stdout.write(f"  {total.name}: {_figures(total)}\n")
    return 0


def _figures(step: Step) -> str:
    return (
        f"{step.reads + step.writes} requests ({step.reads} reads, {step.writes} writes) "
        f"in {step.round_trips} HTTP round trips"
    )


if __name__ == "__main__":
    raise SystemExit(main())
