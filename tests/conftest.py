"""Fixtures shared by every tier: the loopback identity provider and Bot Connector.

Any test that uses the connector fails if the bot sent it a body that breaks the Bot
Connector's schema or an Adaptive Card that breaks the 1.5 schema.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest

from rules import codec
from tests.harness import LoopbackConnector, LoopbackIdentityProvider
from tests.harness.identities import OUTBOUND_TOKEN


@pytest.fixture(autouse=True)
def _codec_worked_out_afresh() -> None:
    """Each test works out the codec's field lists and decoders afresh (`rules.codec` keeps
    them once worked out): so no test depends on what an earlier one decoded, and under
    mutation testing a decoder cached before the mutant was switched on cannot hide it."""
    codec._DECODERS.clear()
    codec._FIELD_NAMES.clear()
    codec._hints.cache_clear()
    codec._fields.cache_clear()


@pytest.fixture
async def idp() -> AsyncIterator[LoopbackIdentityProvider]:
    async with LoopbackIdentityProvider() as provider:
        yield provider


@pytest.fixture
async def connector() -> AsyncIterator[LoopbackConnector]:
    """A connector expecting the bot's outbound token (authenticated mode)."""
    async with LoopbackConnector(expected_authorization=f"Bearer {OUTBOUND_TOKEN}") as loopback:
        yield loopback
        assert not loopback.violations, "the bot sent invalid bodies:\n" + "\n".join(
            loopback.violations
        )
