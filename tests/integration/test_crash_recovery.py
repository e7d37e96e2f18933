"""A power cut between any two steps of a report and of a decision loses nothing and does
nothing twice (docs/casework.md, "Derived records").

`tests/integration/crash_worker.py` runs the script in a real child process and kills it
with SIGKILL before each of its steps in turn (every store call and every draft written is
a step), then starts again. Straight after the restart, before any retry has arrived, every
case with events is listed with its deadlines and every letter and prompt its events call
for is made; after Teams' retries (every command sent again) the records are exactly those
of a run that was never killed: each command once, each draft and each queued prompt once.
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]


def owed_and_done(state: dict[str, Any]) -> tuple[Counter[str], Counter[str]]:
    """(effects the events call for, effects the events record as done), by kind."""
    kinds = Counter[str]()
    for key, count in state["events"]:
        kinds[key.rsplit(" ", 1)[1]] += count
    owed = Counter(letters=kinds["letter-required"], prompts=kinds["notification-required"])
    done = Counter(letters=kinds["letter-drafted"], prompts=kinds["notification-queued"])
    return owed, done


def test_a_kill_between_any_two_steps_is_caught_up_exactly_once(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "tests.integration.crash_worker", str(tmp_path), "matrix"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=900,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    runs = [json.loads(line) for line in result.stdout.splitlines()]
    never_killed = runs[0]["state"]
    killed = runs[1:]
    # Every step of the script, each a kill point (36 since a new report reads its case and
    # its reference in one call; 37 when each prompt was first queued in its command's own
    # transaction; 41 before that).
    assert len(killed) >= 36

    for run in killed:
        k, restart = run["k"], run["after_restart"]
        assert run["restarted"] == 0, k
        assert run["recovered"] == 0, k
        # Straight after the restart: what was recorded is listed, caught up and done.
        if restart["last_seq"]:
            assert [c[3] for c in restart["cases"]] == [restart["last_seq"]], k
        assert (restart["checkpoint"] or 0) <= restart["log_position"], k
        owed, done = owed_and_done(restart)
        assert done == owed, k
        assert len(restart["drafts"]) == owed["letters"], k
        assert len(restart["outbox"]) == owed["prompts"], k
        # After the retries: exactly the records of a run that was never killed.
        state = run["state"]
        for part in ("events", "cases", "deadlines", "outbox", "drafts", "references"):
            assert state[part] == never_killed[part], (k, part)
        assert (state["checkpoint"] or 0) <= state["log_position"], k
