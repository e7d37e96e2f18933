"""The one module that talks to the Bot Framework SDK (botbuilder 4.17.1).

botbuilder is used for what it does well: the turn context and the Bot Connector client
that posts replies. It does NOT authenticate requests (`bot/auth.py` has already done that
when `TeamsTurns.run` is called) and it does not acquire tokens on the event loop
(`bot/outbound.py` does, in a worker thread). Moving to the Microsoft 365 Agents SDK
means rewriting this module only.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from botbuilder.core import Bot, InvokeResponse, TurnContext
from botbuilder.core.serializer_helper import serializer_helper
from botbuilder.integration.aiohttp import CloudAdapter
from botbuilder.schema import (
    Activity,
    ActivityTypes,
    AdaptiveCardInvokeResponse,
    Attachment,
    CallerIdConstants,
)
from botframework.connector.auth import (
    AppCredentials,
    AuthenticateRequestResult,
    AuthenticationConstants,
    BotFrameworkAuthentication,
    BotFrameworkAuthenticationFactory,
    ClaimsIdentity,
    ConnectorFactory,
    MicrosoftAppCredentials,
    ServiceClientCredentialsFactory,
    UserTokenClient,
)
from msrest.serialization import Model

from bot.auth import VerifiedCaller
from bot.flows.failures import answer
from bot.outbound import OutboundTokens
from bot.routing import ADAPTIVE_CARD_CONTENT_TYPE, Inbound, Reply, Router

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class TurnResult:
    """What to answer on HTTP: a status and, for invokes, a JSON body."""

    status: int
    body: Any = None


class TeamsTurns:
    """Runs one authenticated activity through botbuilder and the router."""

    def __init__(self, app_id: str, outbound_tokens: OutboundTokens | None, router: Router):
        credentials = _PreparedTokenCredentialsFactory(app_id, outbound_tokens)
        self._authentication = _AlreadyAuthenticated(
            BotFrameworkAuthenticationFactory.create(credential_factory=credentials)
        )
        self._adapter = CloudAdapter(self._authentication)
        self._router = router
        self._app_id = app_id

    async def run(self, activity_json: Mapping[str, Any], caller: VerifiedCaller) -> TurnResult:
        activity = Activity().deserialize(dict(activity_json))
        inbound = Inbound.from_activity(activity_json)
        result = AuthenticateRequestResult()
        if caller.authenticated:
            identity = ClaimsIdentity(dict(caller.claims), True, "Bearer")
            result.caller_id = CallerIdConstants.public_azure_channel.value
        else:
            # Local development mode: the same anonymous identity botbuilder itself uses.
            identity = ClaimsIdentity({}, True, AuthenticationConstants.ANONYMOUS_AUTH_TYPE)
            result.caller_id = None
        result.claims_identity = identity
        result.audience = AuthenticationConstants.TO_CHANNEL_FROM_BOT_OAUTH_SCOPE
        result.connector_factory = self._authentication.create_connector_factory(identity)

        bot = _RoutedBot(self._router, inbound)
        invoke_response = await self._adapter.process_activity(result, activity, bot.on_turn)
        if invoke_response is None:
            return TurnResult(200)
        body = invoke_response.body
        if isinstance(body, Model):
            body = serializer_helper(body)
        return TurnResult(int(invoke_response.status), body)


class _RoutedBot(Bot):  # type: ignore[misc]
    def __init__(self, router: Router, inbound: Inbound) -> None:
        self._router = router
        self._inbound = inbound

    async def on_turn(self, context: TurnContext) -> None:
        reply: Reply = await answer(self._router, self._inbound)
        if reply.invoke is not None:
            # A typed body (not a dict): botbuilder serialises it exactly once.
            body = AdaptiveCardInvokeResponse(
                status_code=reply.invoke.status_code,
                type=reply.invoke.type,
                value=reply.invoke.value,
            )
            await context.send_activity(
                Activity(
                    type=ActivityTypes.invoke_response,
                    value=InvokeResponse(status=200, body=body),
                )
            )
        elif self._inbound.type == "invoke":
            await context.send_activity(
                Activity(type=ActivityTypes.invoke_response, value=InvokeResponse(status=501))
            )
        for message in reply.messages:
            outgoing = Activity(type=ActivityTypes.message)
            if message.text:
                outgoing.text = message.text
            if message.card is not None:
                outgoing.attachments = [
                    Attachment(content_type=ADAPTIVE_CARD_CONTENT_TYPE, content=dict(message.card))
                ]
            await context.send_activity(outgoing)


class _AlreadyAuthenticated(BotFrameworkAuthentication):  # type: ignore[misc]
    """botbuilder's authentication with inbound validation switched off.

    Inbound requests are authenticated in `bot/auth.py` before botbuilder sees them; if
    any code path asked botbuilder to validate again, that would be a bug, so it fails.
    """

    def __init__(self, inner: BotFrameworkAuthentication) -> None:
        self._inner = inner

    async def authenticate_request(self, activity: Activity, auth_header: str) -> Any:
        raise PermissionError("inbound requests are authenticated at the app's boundary")

    async def authenticate_streaming_request(self, auth_header: str, channel_id: str) -> Any:
        raise PermissionError("streaming connections are not supported")

    async def authenticate_channel_request(self, auth_header: str) -> Any:
        raise PermissionError("skill callbacks are not supported")

    def create_connector_factory(self, claims_identity: ClaimsIdentity) -> ConnectorFactory:
        return self._inner.create_connector_factory(claims_identity)

    async def create_user_token_client(self, claims_identity: ClaimsIdentity) -> UserTokenClient:
        return await self._inner.create_user_token_client(claims_identity)

    def get_originating_audience(self) -> str:
        result: str = self._inner.get_originating_audience()
        return result


class _PreparedTokenCredentials(AppCredentials):  # type: ignore[misc]
    """Credentials holding a token obtained beforehand, off the event loop.

    msrest calls `get_access_token` synchronously on the event loop; here it only returns
    the token already in hand.
    """

    def __init__(self, app_id: str, token: str, oauth_scope: str) -> None:
        super().__init__(app_id=app_id, oauth_scope=oauth_scope)
        self._token = token

    def get_access_token(self, force_refresh: bool = False) -> str:
        return self._token


class _PreparedTokenCredentialsFactory(ServiceClientCredentialsFactory):  # type: ignore[misc]
    def __init__(self, app_id: str, tokens: OutboundTokens | None) -> None:
        self._app_id = app_id
        self._tokens = tokens

    async def is_valid_app_id(self, app_id: str) -> bool:
        return bool(app_id) and app_id == self._app_id

    async def is_authentication_disabled(self) -> bool:
        return not self._app_id

    async def create_credentials(
        self, app_id: str, oauth_scope: str, login_endpoint: str, validate_authority: bool
    ) -> AppCredentials:
        if not self._app_id:
            return MicrosoftAppCredentials.empty()
        if app_id != self._app_id or self._tokens is None:
            raise PermissionError("no outbound credentials for this app id")
        token = await self._tokens.token()
        return _PreparedTokenCredentials(app_id, token, oauth_scope)
