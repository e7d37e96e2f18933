"""Print the mutation score of each file and area from the last `mutmut run` (`make mutation`).

The score is killed (or timed out) / tested, as mutmut's own summary counts it; a mutant no test
reaches counts as a survivor, because nothing would catch it. Run from the repository root.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

# mutmut's exit codes: 1 and 3 a failing test (killed); 0 survived; 5 and 33 no test reached it;
# 24, 36, 152, 255 and -24 a timeout (counted as killed); 34 skipped; None not yet run.
KILLED = {1, 3, 24, 36, 152, 255, -24, 37}
SURVIVED = {0, 5, 33}
AREAS = ("rules/core", "rules/steps", "rules", "casework/pipeline.py")

# Functions that run only while the modules are imported (they build the step registries and
# the transition table). mutmut switches a mutant on in a process forked after the import, so
# their surviving mutants never ran: they are counted apart ("unreachable"), not as
# survivors. docs/testing.md explains each; what they build is checked whole by the rule tests.
UNREACHABLE = (
    "rules.core.decide.x_decides__",
    "rules.core.decide.x_decides_opening__",
    "rules.core.fold.x_folds__",
    "rules.core.fold.x_folds_opening__",
    "rules.state.x__stay__",
)

# Surviving mutants that change nothing observable, by name (docs/testing.md says why).
EQUIVALENT = {
    "rules.prompts.x_prompts_for__mutmut_12": "today None for an undated prompt",
    "rules.prompts.x_prompts_for__mutmut_30": "today None for an undated prompt",
    "rules.prompts.x_prompts_for__mutmut_49": "today None for an undated prompt",
    "rules.prompts.x_prompts_for__mutmut_65": "today None for an undated prompt",
    "rules.prompts.x_prompts_for__mutmut_84": "today None for an undated prompt",
    "rules.prompts.x_prompts_for__mutmut_162": "today None for an undated prompt",
    "rules.errors.xǁNotPermittedǁ__init____mutmut_1": "`what` default: every caller gives one",
    "rules.prompts.x_letter_reply_by__mutmut_16": "`>` to `>=`: on equal days both give that day",
    "casework.pipeline.xǁCaseworkǁapply__mutmut_10": "`or` to `and`: a folded case has a view",
    "casework.pipeline.xǁCaseworkǁapply__mutmut_77": "failure '' for None: both read as false",
    "casework.pipeline.xǁCaseworkǁapply__mutmut_133": "a claim reaches only a new case",
    "casework.pipeline.x__as_stored__mutmut_21": "allow_nan: no event field is a float",
    "casework.pipeline.x__as_stored__mutmut_23": "allow_nan: no event field is a float",
    "casework.pipeline.x__as_stored__mutmut_25": "allow_nan: no event field is a float",
    "rules.steps.letters.x__letter_redated__mutmut_9": "else 2: an unknown letter is refused",
    "rules.steps.letters.x__letter_redated__mutmut_17": "draft_error kept: a dated draft has none",
}


def _area(path: str) -> str:
    return next(area for area in AREAS if path.startswith(area))


def _score(counts: Counter[str]) -> str:
    tested = counts["killed"] + counts["survived"]
    if not tested:
        return "     -"
    return f"{100 * counts['killed'] / tested:5.1f}%"


def _row(label: str, counts: Counter[str]) -> None:
    print(
        f"{label:<40} {counts['killed']:>7} {counts['survived']:>9} {counts['equivalent']:>7}"
        f" {counts['unreachable']:>9} {counts['not run']:>8}  {_score(counts)}"
    )


def main(root: Path) -> int:
    by_file: dict[str, Counter[str]] = {}
    for meta in sorted((root / "mutants").glob("**/*.py.meta")):
        path = str(meta.relative_to(root / "mutants"))[: -len(".meta")]
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"]
        counts: Counter[str] = Counter()
        for name, code in codes.items():
            if name.startswith(UNREACHABLE) and code in SURVIVED:
                counts["unreachable"] += 1
            elif name in EQUIVALENT and code in SURVIVED:
                counts["equivalent"] += 1
            elif code in KILLED:
                counts["killed"] += 1
            elif code in SURVIVED:
                counts["survived"] += 1
            else:
                counts["not run"] += 1
        if sum(counts.values()):
            by_file[path] = counts
    if not by_file:
        print("No mutation results: run `make mutation` first.")
        return 1
    by_area: dict[str, Counter[str]] = {}
    heading = ("killed", 7), ("survived", 9), ("equiv.", 7), ("unreach.", 9), ("not run", 8)
    print(" " * 40 + "".join(f" {h:>{w}}" for h, w in heading) + "  score")
    for path, counts in by_file.items():
        by_area.setdefault(_area(path), Counter()).update(counts)
        _row(path, counts)
    print()
    rules: Counter[str] = Counter()
    for area, counts in by_area.items():
        if area.startswith("rules"):
            rules.update(counts)
        _row(area + " (area)", counts)
    _row("rules/ (all)", rules)
    print("\nscore: killed / (killed + survived); equivalent and unreachable are counted apart.")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
