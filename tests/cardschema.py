"""Validate an Adaptive Card against the official 1.5 schema (JSON Schema Draft 6).

Used by every card test. Besides the schema, it checks what the schema cannot say but
Teams relies on: input ids unique within the card, every Action.Execute has a verb.
Top-level `msteams` is not in the 1.5 schema, and our cards do not use it.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import jsonschema
from jsonschema import Draft6Validator

from tests.contracts import load_contract

CARD_SCHEMA = "adaptive-card-1.5.schema.json"


@cache
def _validator() -> Draft6Validator:
    schema = load_contract(CARD_SCHEMA)
    Draft6Validator.check_schema(schema)
    return Draft6Validator(schema)


def card_problems(card: Mapping[str, Any]) -> list[str]:
    """Every problem found, as readable lines (empty for a valid card)."""
    problems = []
    for error in sorted(_validator().iter_errors(card), key=lambda e: list(e.absolute_path)):
        best = jsonschema.exceptions.best_match([error])
        while best.context:
            best = jsonschema.exceptions.best_match(best.context)
        where = "/".join(str(p) for p in best.absolute_path)
        problems.append(f"/{where}: {best.message[:200]}")
    if card.get("type") != "AdaptiveCard" or card.get("version") != "1.5":
        problems.append("/: not an AdaptiveCard of version 1.5")
    seen: set[str] = set()
    for element in walk(card):
        kind = element.get("type")
        if isinstance(kind, str) and kind.startswith("Input."):
            input_id = element.get("id")
            if input_id in seen:
                problems.append(f"input id {input_id!r} is used twice")
            seen.add(str(input_id))
        if kind == "Action.Execute" and not element.get("verb"):
            problems.append(f"Action.Execute {element.get('title')!r} has no verb")
    return problems


def assert_valid_card(card: Mapping[str, Any]) -> None:
    problems = card_problems(card)
    assert not problems, "card does not validate against Adaptive Card 1.5:\n  " + "\n  ".join(
        problems
    )


def walk(node: Any) -> Iterator[Mapping[str, Any]]:
    """Every element and action in a card, depth first (data payloads excluded)."""
    if isinstance(node, Mapping):
        yield node
        for key, value in node.items():
            if key in ("data", "choices"):
                continue
            yield from walk(value)
    elif isinstance(node, list):
        for item in node:
            yield from walk(item)
