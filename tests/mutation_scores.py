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
    "casework.pipeline.xǁCaseworkǁapply__mutmut_13": "`or` to `and`: a folded case has a view",
    "casework.pipeline.xǁCaseworkǁapply__mutmut_150": "a claim reaches only a new case",
    "casework.pipeline.x__as_stored__mutmut_21": "allow_nan: no event field is a float",
    "casework.pipeline.x__as_stored__mutmut_23": "allow_nan: no event field is a float",
    "casework.pipeline.x__as_stored__mutmut_25": "allow_nan: no event field is a float",
    "rules.steps.letters.x__letter_redated__mutmut_9": "else 2: an unknown letter is refused",
    "rules.steps.letters.x__letter_redated__mutmut_17": "draft_error kept: a dated draft has none",
    "rules.core.view.xǁCaseViewǁ_steps_in_effect__mutmut_6": "break: incidents are in order",
    "rules.steps.review.x__record_review_outcome__mutmut_44": "a case under review has a sanction",
    # Guards on histories the engine cannot produce (the stage check in `apply` or `decide`
    # refuses first, or every route into the stage sets what is checked): under the mutant the
    # guard gives another message or none, on a case that cannot exist.
    "rules.steps.chair.x__chair_decided__mutmut_2": "with the Chair: sanction and window both set",
    "rules.steps.chair.x__chair_decided__mutmut_5": "with the Chair: something is provisional",
    "rules.steps.chair.x__chair_decided__mutmut_55": "anchor already None while provisional",
    "rules.steps.risk_assessment.x__assess_risk__mutmut_42": "the notice cannot exist yet",
    "rules.steps.representations.x__record_representation__mutmut_2": "window implies its letter",
    "rules.steps.representations.x__close_representation_window__mutmut_2": "window: its letter",
    "rules.steps.representations.x__close_representation_window__mutmut_5": "stage refuses first",
    "rules.steps.informal_meeting.x__informal_meeting_held__mutmut_2": "held only if arranged",
    "rules.core.fold.x_set_incident__mutmut_4": "every caller has found the incident",
    "rules.core.fold.x_latest_incident_no__mutmut_2": "an open case has an incident",
    "rules.core.fold.x_latest_incident_no__mutmut_3": "an open case has an incident",
    "rules.core.decide.x__policy_review_after_incident__mutmut_7": "steps act on the latest",
    "rules.core.decide.x__policy_review_after_incident__mutmut_9": "steps act on the latest",
    "rules.core.decide.x__policy_review_after_incident__mutmut_13": "the incident always exists",
    "rules.timeline.x__confirmed_on__mutmut_2": "reached only with a sanction",
    "rules.timeline.x_review_due__mutmut_2": "provisional: no anchor; confirmed: an anchor",
    # Equivalent on every input.
    "rules.calendar.x__days_in_month__mutmut_3": "32 for December only feeds min(day, n)",
    "rules.calendar.xǁSchoolCalendarǁ_before_first_term_warning__mutmut_3": "empty range: all()",
    "rules.calendar.xǁSchoolCalendarǁ_before_first_term_warning__mutmut_5": "7 days hold a weekday",
    "rules.calendar.xǁSchoolCalendarǁ_before_first_term_warning__mutmut_8": "7 days hold a weekday",
    "rules.calendar.xǁSchoolCalendarǁschool_days_between__mutmut_13": "the last day is covered",
    "rules.calendar.xǁSchoolCalendarǁschool_days_left__mutmut_3": "on the last day both give 0",
    "rules.codec.x_decode__mutmut_1": "typing.cast does nothing at run time",
    "rules.codec.x_encode__mutmut_4": "the exact-type shortcut only saves time",
    "rules.codec.x_encode__mutmut_9": "the field-name cache only saves time",
    "rules.codec.x__decode__mutmut_1": "the decoder cache only saves time",
    "rules.codec.x__decode__mutmut_2": "the decoder cache only saves time",
    "rules.narrative.x__day__mutmut_2": "every value given is a date",
    "rules.narrative.x__day__mutmut_5": "every value given is a date",
    "rules.narrative.x_worded_kinds__mutmut_1": "the worded kinds are every event kind",
    "rules.timeline.x__no_earlier_than_printed__mutmut_3": "equal days: both give that day",
    "rules.calendar.xǁSchoolCalendarǁbank_holidays__mutmut_1": "the cache only saves time",
    "rules.calendar.xǁSchoolCalendarǁbank_holidays__mutmut_2": "the cache only saves time",
    "rules.calendar.xǁSchoolCalendarǁbank_holidays__mutmut_20": "the cache only saves time",
    "rules.calendar.xǁSchoolCalendarǁbank_holidays__mutmut_8": "GB's only category: public",
    "rules.calendar.xǁSchoolCalendarǁbank_holidays__mutmut_12": "GB's only category: public",
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
