"""Where the shared contract files are: `shared/contracts` beside the repository.

One place for the lookup; a missing file fails the test with a clear message (never a skip).
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
# `make mutation` runs the tests in mutmut's copy of the repository, `mutants/` inside it.
_CHECKOUT = REPO_ROOT.parent if REPO_ROOT.name == "mutants" else REPO_ROOT
CONTRACTS = _CHECKOUT.parent / "shared" / "contracts"


class ContractsMissing(AssertionError):
    pass


def contract_path(name: str) -> Path:
    path = CONTRACTS / name
    if not path.is_file():
        raise ContractsMissing(
            f"contract file {name!r} not found at {path}: the tests expect the shared "
            f"contracts folder at ../shared/contracts relative to the repository root"
        )
    return path


@cache
def load_contract(name: str) -> Any:
    return json.loads(contract_path(name).read_text(encoding="utf-8"))
