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


def _area(path: str) -> str:
    return next(area for area in AREAS if path.startswith(area))


def _score(counts: Counter[str]) -> str:
    tested = counts["killed"] + counts["survived"]
    if not tested:
        return "     -"
    return f"{100 * counts['killed'] / tested:5.1f}%"


def main(root: Path) -> int:
    by_file: dict[str, Counter[str]] = {}
    for meta in sorted((root / "mutants").glob("**/*.py.meta")):
        path = str(meta.relative_to(root / "mutants"))[: -len(".meta")]
        codes = json.loads(meta.read_text("utf-8"))["exit_code_by_key"].values()
        counts: Counter[str] = Counter()
        for code in codes:
            if code in KILLED:
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
    print(f"{'file':<40} {'killed':>7} {'survived':>9} {'not run':>8} {'score':>7}")
    for path, counts in by_file.items():
        by_area.setdefault(_area(path), Counter()).update(counts)
        print(
            f"{path:<40} {counts['killed']:>7} {counts['survived']:>9}"
            f" {counts['not run']:>8} {_score(counts):>7}"
        )
    print()
    rules: Counter[str] = Counter()
    for area, counts in by_area.items():
        if area.startswith("rules"):
            rules.update(counts)
        print(
            f"{area + ' (area)':<40} {counts['killed']:>7} {counts['survived']:>9}"
            f" {counts['not run']:>8} {_score(counts):>7}"
        )
    print(
        f"{'rules/ (all)':<40} {rules['killed']:>7} {rules['survived']:>9}"
        f" {rules['not run']:>8} {_score(rules):>7}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(Path.cwd()))
