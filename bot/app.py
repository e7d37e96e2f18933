"""The aiohttp application: /api/messages, /healthz, /readyz.

`create_app(settings, services)` builds it; nothing happens at import time. One
`aiohttp.ClientSession` lives as long as the app (created in `cleanup_ctx`) and carries
every outbound call the app makes itself (the signing-key fetches, the replies to the Bot
Connector). The application layer's adapters are opened in the same `cleanup_ctx`, on
that session, and closed after the sweeper has stopped (`BotServices.open_casework`).
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Callable
from datetime import UTC, datetime

import aiohttp
from aiohttp import web
from aiohttp.http_exceptions import HttpProcessingError

from bot.adapter import TeamsTurns
from bot.admission import Admission, Overloaded, RequestLimits
from bot.auth import (
    AuthFailure,
    InboundAuthenticator,
    InboundAuthPolicy,
    SigningKeys,
    parse_activity,
)
from bot.connector import ConnectorClients
from bot.deliver import (
    ChannelResolver,
    Deliverer,
    DeliveryPolicy,
    MemoryUnpostedReplies,
    casework_recorder,
)
from bot.flows import default_router
from bot.flows.prompt_steps import PromptSteps
from bot.outbound import msal_tokens
from bot.routing import InvokeReply, Router, loggable
from bot.services import BotServices
from bot.settings import Settings
from casework.pipeline import Casework
from casework.ports import DirectoryUnavailable, StoreUnavailable
from casework.sweeper import sweep
from casework.worker import EffectWorker

logger = logging.getLogger(__name__)

SETTINGS = web.AppKey("settings", Settings)
SERVICES = web.AppKey("services", BotServices)
CLIENT_SESSION = web.AppKey("client_session", aiohttp.ClientSession)
AUTHENTICATOR = web.AppKey("authenticator", InboundAuthenticator)
TURNS = web.AppKey("turns", TeamsTurns)
CONNECTORS = web.AppKey("connectors", ConnectorClients)
DELIVERER = web.AppKey("deliverer", Deliverer)
LIMITS = web.AppKey("limits", RequestLimits)
ADMISSION = web.AppKey("admission", Admission)

READINESS_TIMEOUT_S = 2.0
EFFECTS_GRACE_S = 5.0
OUTBOUND_TIMEOUT_S = 30.0
# The Bot Connector retries a 503; Retry-After says when the keys are worth asking for again.
RETRY_AFTER_S = "30"
MAX_ACTIVITY_BYTES = 256 * 1024
BUSY = (
    "Safe Premises is busy just now and nothing was recorded. Your card is as you left it: "
    "please press the button again in a moment."
)


class InsecureConfiguration(Exception):
    """The bot was asked to run in a way that would expose it without authentication."""


def create_app(
    settings: Settings,
    services: BotServices,
    *,
    router: Router | None = None,
    auth_policy: InboundAuthPolicy | None = None,
    monotonic: Callable[[], float] | None = None,
    outbound_timeout_s: float = OUTBOUND_TIMEOUT_S,
    limits: RequestLimits | None = None,
    delivery_policy: DeliveryPolicy | None = None,
    allow_loopback_http: bool = False,
) -> web.Application:
    """The app for `settings` and `services`.

    `router` defaults to every route the bot knows; `auth_policy` to the production
    timings; `monotonic` (the signing-key cache's clock) to `time.monotonic`;
    `outbound_timeout_s` bounds every outbound call (replies included); `limits` (work in
    flight, body timeout) to `RequestLimits()`; `delivery_policy` (the deliverer's timings)
    to `DeliveryPolicy()`; `allow_loopback_http` lets conversation references on an http
    loopback serviceUrl be stored with credentials set (tests; local mode always may).
    Raises `InsecureConfiguration` for local development mode on a non-loopback host.
    """
    refuse_insecure_listening(settings)
    policy = auth_policy or InboundAuthPolicy()
    app = web.Application(client_max_size=MAX_ACTIVITY_BYTES)
    app[SETTINGS] = settings
    app[SERVICES] = services
    app[LIMITS] = limits or RequestLimits()
    app[ADMISSION] = Admission(app[LIMITS])

    async def lifetime(app: web.Application) -> AsyncIterator[None]:
        # A bound for every outbound call; the key fetch has its own, shorter, timeout.
        timeout = aiohttp.ClientTimeout(
            total=outbound_timeout_s, connect=min(policy.key_fetch_timeout_s, outbound_timeout_s)
        )
        async with contextlib.AsyncExitStack() as stack:
            session = await stack.enter_async_context(aiohttp.ClientSession(timeout=timeout))
            app[CLIENT_SESSION] = session
            live = services
            if services.open_casework is not None:
                casework = await stack.enter_async_context(services.open_casework(session))
                live = dataclasses.replace(services, casework=casework, open_casework=None)
                app[SERVICES] = live
            keys = (
                None
                if settings.local_development
                else SigningKeys(
                    session,
                    settings.openid_metadata_url,
                    policy,
                    **({"monotonic": monotonic} if monotonic else {}),
                )
            )
            app[AUTHENTICATOR] = InboundAuthenticator(
                app_id=settings.app_id, tenant_id=live.tenant_id, keys=keys, policy=policy
            )
            # Local development mode sends no token (the Playground expects none).
            tokens = None
            if not settings.local_development:
                tokens = live.outbound_tokens or msal_tokens(settings)
            # Clients are built on the first send to each serviceUrl and reused.
            connectors = app[CONNECTORS] = ConnectorClients(session, tokens)
            deliverer = app[DELIVERER] = _deliverer(connectors, live, delivery_policy)
            ports = live.casework.ports if live.casework is not None else None
            app[TURNS] = TeamsTurns(
                router if router is not None else default_router(live),
                connectors,
                deliverer,
                conversations=None if ports is None else ports.conversations,
                clock=None if ports is None else ports.clock,
                allow_loopback_http=settings.local_development or allow_loopback_http,
            )
            if settings.local_development:
                logger.warning(
                    "LOCAL DEVELOPMENT MODE: MicrosoftAppId is empty, so requests to "
                    "/api/messages are NOT authenticated. Listening on loopback only (%s). "
                    "Activities must still come from tenant %s.",
                    settings.host,
                    live.tenant_id,
                )
            background: list[asyncio.Task[None]] = [asyncio.create_task(deliverer.run())]
            worker = None
            if live.casework is not None:
                background.append(asyncio.create_task(_warn_of_term_dates(live.casework)))
                # Effects (drafts, prompts) run after the user has been answered.
                worker = EffectWorker(live.casework)
                live.casework.later = worker.submit
                app[ADMISSION].effects_waiting = lambda: worker.waiting
                background.append(asyncio.create_task(worker.run()))
            if live.casework is not None and live.sweep_every_s is not None:
                background.append(
                    asyncio.create_task(sweep_forever(live.casework, live.sweep_every_s))
                )
            try:
                yield
            finally:
                if worker is not None:
                    # A short grace for effects already queued; what is left, the sweeper
                    # does after the next start (it is derived from the events).
                    with contextlib.suppress(TimeoutError):
                        await asyncio.wait_for(worker.drain(), EFFECTS_GRACE_S)
                    assert live.casework is not None
                    live.casework.later = None
                    app[ADMISSION].effects_waiting = lambda: 0
                for task in background:
                    task.cancel()
                for task in background:
                    with contextlib.suppress(asyncio.CancelledError):
                        await task

    app.cleanup_ctx.append(lifetime)
    app.router.add_post("/api/messages", messages)
    app.router.add_get("/healthz", healthz)
    app.router.add_get("/readyz", readyz)
    return app


def _deliverer(
    connectors: ConnectorClients, services: BotServices, policy: DeliveryPolicy | None
) -> Deliverer:
    """The deliverer on the application layer's stores; without one (routes that record
    nothing), only replies, kept in memory."""
    casework = services.casework
    replies = None if casework is None else casework.ports.unposted_replies
    if casework is None or replies is None:
        clock = casework.ports.clock if casework is not None else _UtcClock()
        return Deliverer(connectors, clock, MemoryUnpostedReplies(), policy=policy)
    ports = casework.ports
    config = casework.config

    def clerks_channel(school_id: str) -> tuple[str | None, str] | None:
        channel = config.school(school_id).clerks_channel
        return None if channel is None else (channel.channel_id, channel.name)

    return Deliverer(
        connectors,
        ports.clock,
        replies,
        queue=ports.deliveries,
        conversations=ports.conversations,
        channels=ChannelResolver(clerks_channel),
        record=casework_recorder(casework),
        policy=policy,
        step_cards=PromptSteps(casework, services.command_ids).card,
    )


class _UtcClock:
    def now(self) -> datetime:
        return datetime.now(UTC)


# The term dates are checked this long after the start, not before it listens (below).
TERM_DATES_CHECK_AFTER_S = 1.0


async def _warn_of_term_dates(casework: Casework) -> None:
    """Log each school whose term dates are running out, just after the start: counting the
    school days left loads the bank-holiday data (about a tenth of a second), which the
    first answer does not need. `/readyz` carries the same warnings whenever asked."""
    await asyncio.sleep(TERM_DATES_CHECK_AFTER_S)
    for warning in casework.term_dates_warnings():
        logger.warning("term dates running out: %s", warning)


async def sweep_forever(casework: Casework, every_s: float) -> None:
    """Run the sweeper at start (to catch up after a crash or an outage) and then every
    `every_s` seconds. Several instances may run it: each step is applied once.

    A failed round is logged and the next round tries again; what it could not do stays
    visible on the case (a failed draft is an event), so nothing is lost by waiting.
    """
    while True:
        try:
            report = await sweep(casework, casework.today())
        except Exception:
            logger.exception("sweep failed; trying again in %s s", every_s)
        else:
            if report.applied or report.failures or report.unavailable:
                logger.info(
                    "sweep: %d cases, %d steps applied, %d effects still undone, %d unavailable",
                    len(report.cases),
                    len(report.applied),
                    len(report.failures),
                    len(report.unavailable),
                )
        await asyncio.sleep(every_s)


def refuse_insecure_listening(settings: Settings) -> None:
    """Raise `InsecureConfiguration` for local development mode on a non-loopback host."""
    if settings.local_development and not settings.listens_on_loopback:
        raise InsecureConfiguration(
            f"MicrosoftAppId is empty, so requests would not be authenticated; without "
            f"credentials the bot only listens on a loopback address (127.0.0.1, ::1 or "
            f"localhost), not on {settings.host!r}. Set MicrosoftAppId and "
            f"MicrosoftAppPassword, or HOST=127.0.0.1."
        )


async def healthz(request: web.Request) -> web.Response:
    """Alive: answers at once and does no I/O."""
    return web.json_response({"status": "alive"})


async def readyz(request: web.Request) -> web.Response:
    """Ready: the configuration is loaded and the store answers. Still ready, with
    `warnings`, when a school's configured term dates are running out or the directory
    from Entra ID could not be refreshed (not ready once it is past its expiry)."""
    services = request.app[SERVICES]
    try:
        reasons = list(await asyncio.wait_for(_not_ready(services), READINESS_TIMEOUT_S))
    except TimeoutError:
        reasons = ["the readiness check did not answer in time"]
    except Exception as error:
        logger.warning("readiness check failed: %s", type(error).__name__)
        reasons = [f"the readiness check failed ({type(error).__name__})"]
    if reasons:
        return web.json_response({"status": "not ready", "reasons": reasons}, status=503)
    casework = services.casework
    warnings = list(casework.term_dates_warnings()) if casework is not None else []
    if casework is not None and casework.adapter_warnings is not None:
        warnings += casework.adapter_warnings()
    if warnings:
        # Ready, but the trust's administrator must act before letters have to wait.
        return web.json_response({"status": "ready", "warnings": warnings})
    return web.json_response({"status": "ready"})


async def _not_ready(services: BotServices) -> list[str]:
    reasons = list(await services.readiness())
    if services.casework is not None:
        try:
            await services.casework.check()
        except DirectoryUnavailable as error:
            reasons.append(str(error))
        except StoreUnavailable as error:
            reasons.append(f"the case store does not answer ({type(error).__name__})")
    return reasons


async def messages(request: web.Request) -> web.Response:
    """An activity from the Bot Connector: read it (within the body timeout), take a slot
    (or answer 503 at once), authenticate, then run the turn.

    Every refusal is one log line, without a traceback, naming the request only by its
    sanitised activity id (`loggable`): nothing read from the request is logged raw.
    """
    limits = request.app[LIMITS]
    try:
        async with asyncio.timeout(limits.body_timeout_s):
            body = await request.read()
    except TimeoutError:
        logger.warning(
            "refused a request to /api/messages with 408: the body did not arrive in %s s",
            limits.body_timeout_s,
        )
        return web.json_response({"error": "the request took too long to arrive"}, status=408)
    except web.HTTPRequestEntityTooLarge:
        logger.warning(
            "refused a request to /api/messages with 413: the body is over %d bytes",
            MAX_ACTIVITY_BYTES,
        )
        return web.json_response({"error": "the request is too large"}, status=413)
    except (ConnectionError, HttpProcessingError) as error:
        # The client went away (or broke its framing) mid-body: nobody is left to answer.
        logger.info(
            "a client left before its request to /api/messages arrived (%s)",
            type(error).__name__,
        )
        return web.Response(status=400)
    admission = request.app[ADMISSION]
    try:
        async with admission.admit():
            return await _process(request, body)
    except Overloaded:
        logger.warning(
            "refused a request to /api/messages with 503: %d activities in flight or waiting",
            admission.admitted,
        )
        return _busy(limits, {"error": "too many requests at once; retry later"})


def _busy(limits: RequestLimits, body: dict[str, object]) -> web.Response:
    """503 with Retry-After: the Bot Connector retries, and nothing was recorded."""
    return web.json_response(body, status=503, headers={"Retry-After": str(limits.retry_after_s)})


def _busy_invoke() -> dict[str, object]:
    """An invoke's answer while busy, as every refused invoke is answered (an error
    response, which keeps the card and what was typed in it, with its message in words)."""
    return InvokeReply.error(503, "ServiceUnavailable", BUSY).as_json()


async def _process(request: web.Request, body: bytes) -> web.Response:
    try:
        activity = parse_activity(body)
    except ValueError as error:
        # The message names the check that failed, never the body's content.
        logger.warning("refused a request to /api/messages with 400: %s", error)
        return web.json_response({"error": str(error)}, status=400)
    activity_id = loggable(activity.get("id"))
    try:
        caller = await request.app[AUTHENTICATOR].authenticate(
            request.headers.get("Authorization"), activity
        )
    except AuthFailure as failure:
        # The reason names the failed check, never the token or the activity's content.
        logger.warning(
            "refused activity %s with %s: %s", activity_id, failure.status, failure.reason
        )
        headers = {"Retry-After": RETRY_AFTER_S} if failure.status == 503 else None
        return web.json_response(
            {"error": _public_reason(failure.status)}, status=failure.status, headers=headers
        )
    turns = request.app[TURNS]
    admission = request.app[ADMISSION]
    if admission.effects_behind() and turns.records(activity):
        # The letters and prompts already owed come first: this command waits its turn.
        logger.warning(
            "refused activity %s with 503: %d cases waiting for their effects",
            activity_id,
            admission.effects_waiting(),
        )
        if activity.get("type") == "invoke":
            return _busy(request.app[LIMITS], _busy_invoke())
        return _busy(request.app[LIMITS], {"error": "too much work waiting; retry later"})
    try:
        result = await turns.run(activity, caller)
    except Exception:
        logger.exception("activity %s could not be processed", activity_id)
        return web.json_response({"error": "the activity could not be processed"}, status=500)
    if result.status >= 400:
        # botbuilder answers 501 to an invoke no route answers (not an adaptiveCard/action).
        logger.info(
            "activity %s: %s %s is not handled; answered %s",
            activity_id,
            loggable(activity.get("type")),
            loggable(activity.get("name")),
            result.status,
        )
    if result.body is None:
        return web.Response(status=result.status)
    return web.json_response(result.body, status=result.status)


def _public_reason(status: int) -> str:
    # The caller learns the category only; the precise reason is in the log.
    return {
        401: "unauthorized",
        403: "this bot serves one organisation only",
        503: "temporarily unable to authenticate requests; retry later",
    }.get(status, "refused")
