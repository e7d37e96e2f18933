"""The certificate credential (issue 13 item 4, issue 12 item 1) on the production path:
msal signs a client assertion with the app registration's certificate, and the loopback
Entra ID checks it as Entra ID does (signature, thumbprint header, audience, issuer and
subject, expiry), so a token is had only with the certificate the app registration holds.
One token provider serves the Bot Connector and Graph."""

from __future__ import annotations

import base64
import ssl
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from pathlib import Path
from typing import Any

import aiohttp
import jwt
import pytest
import requests
from cryptography.hazmat.primitives import hashes

from bot.outbound import BOT_CONNECTOR_SCOPE, OutboundTokenError, msal_tokens
from bot.settings import Settings, graph_credentials
from graph.tokens import GRAPH_SCOPE, graph_tokens
from tests.harness.certificates import AppCertificate, app_certificate
from tests.harness.entra import CLIENT_ASSERTION_TYPE, LoopbackEntraId
from tests.harness.identities import APP_ID, TRUST_TENANT


@pytest.fixture
async def entra() -> AsyncIterator[LoopbackEntraId]:
    async with LoopbackEntraId() as server:
        yield server


@pytest.fixture
def entra_http(entra: LoopbackEntraId) -> Iterator[requests.Session]:
    with entra.http_client() as session:
        yield session


def certificate_settings(entra: LoopbackEntraId, path: Path) -> Settings:
    return Settings.from_environ(
        {
            "MicrosoftAppId": APP_ID,
            "MicrosoftAppTenantId": TRUST_TENANT,
            "MicrosoftAppType": "SingleTenant",
            "MicrosoftAppCertificatePath": str(path),
            "BOT_AUTHORITY_HOST": entra.authority_host,
        }
    )


async def test_the_bot_connector_token_comes_from_the_certificate_once_for_many_sends(
    entra: LoopbackEntraId, entra_http: requests.Session, tmp_path: Path
) -> None:
    made = app_certificate()
    entra.certificates.append(made.certificate_pem)  # uploaded to the app registration
    tokens = msal_tokens(
        certificate_settings(entra, made.pem_file(tmp_path)), http_client=entra_http
    )

    got = {await tokens.token() for _ in range(100)}

    assert got == {entra.access_token}
    assert entra.token_requests == 1
    assert entra.refusals == []
    assert entra.scopes == [BOT_CONNECTOR_SCOPE]
    assert entra.tenants == [TRUST_TENANT]
    (header,) = entra.assertion_headers
    # Named by its SHA-256 thumbprint and signed with PS256, as Entra ID prefers.
    assert header["alg"] == "PS256"
    assert header["x5t#S256"].rstrip("=") == _b64(made.certificate.fingerprint(hashes.SHA256()))


async def test_graph_tokens_come_from_the_same_certificate_settings(
    entra: LoopbackEntraId, entra_http: requests.Session, tmp_path: Path
) -> None:
    made = app_certificate()
    entra.certificates.append(made.certificate_pem)
    settings = certificate_settings(entra, made.p12_file(tmp_path))

    bot_connector = msal_tokens(settings, http_client=entra_http)
    graph = graph_tokens(graph_credentials(settings), http_client=entra_http)

    assert await bot_connector.token() == entra.access_token
    assert await graph.token() == entra.access_token
    assert sorted(entra.scopes) == sorted([BOT_CONNECTOR_SCOPE, GRAPH_SCOPE])
    assert entra.refusals == []


async def test_a_certificate_the_app_registration_does_not_hold_is_refused_clearly(
    entra: LoopbackEntraId, entra_http: requests.Session, tmp_path: Path
) -> None:
    entra.certificates.append(app_certificate("registered").certificate_pem)
    wrong = app_certificate("not registered")
    tokens = msal_tokens(
        certificate_settings(entra, wrong.pem_file(tmp_path)), http_client=entra_http
    )

    with pytest.raises(OutboundTokenError, match="invalid_client") as refused:
        await tokens.token()

    assert str(refused.value) == "no token for the Bot Connector: invalid_client"
    assert entra.refusals == ["no certificate of the app registration has the header's thumbprint"]
    assert "PRIVATE KEY" not in str(refused.value)


# --- the loopback Entra ID checks the assertion as Entra ID does -----------------------


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _assertion(
    signer: AppCertificate,
    named: AppCertificate,
    audience: str,
    *,
    claims: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    alg: str = "PS256",
) -> str:
    now = time.time()
    payload: dict[str, Any] = {
        "aud": audience,
        "iss": APP_ID,
        "sub": APP_ID,
        "exp": now + 600,
        "iat": now,
        "nbf": now,
        "jti": str(uuid.uuid4()),
    } | (claims or {})
    for name in drop:
        payload.pop(name)
    header = {"x5t#S256": _b64(named.certificate.fingerprint(hashes.SHA256()))}
    key: Any = "a shared secret, not a certificate" if alg == "HS256" else signer.key
    return jwt.encode(payload, key, algorithm=alg, headers=header)


Case = Callable[[AppCertificate, AppCertificate, str], str]

REFUSED: dict[str, Case] = {
    "a certificate the app registration does not hold": lambda app, other, aud: _assertion(
        other, other, aud
    ),
    "the registered thumbprint, signed by another key": lambda app, other, aud: _assertion(
        other, app, aud
    ),
    "another tenant's token endpoint as the audience": lambda app, other, aud: _assertion(
        app, app, aud.replace(TRUST_TENANT, "another-tenant")
    ),
    "an issuer that is not the client id": lambda app, other, aud: _assertion(
        app, app, aud, claims={"iss": "another-app"}
    ),
    "a subject that is not the client id": lambda app, other, aud: _assertion(
        app, app, aud, claims={"sub": "another-app"}
    ),
    "expired": lambda app, other, aud: _assertion(
        app, app, aud, claims={"exp": time.time() - 120, "iat": time.time() - 720}
    ),
    "no expiry": lambda app, other, aud: _assertion(app, app, aud, drop=("exp",)),
    "no jti": lambda app, other, aud: _assertion(app, app, aud, drop=("jti",)),
    "not valid yet": lambda app, other, aud: _assertion(
        app, app, aud, claims={"nbf": time.time() + 3600}
    ),
    "alg HS256": lambda app, other, aud: _assertion(app, app, aud, alg="HS256"),
}


async def _ask(entra: LoopbackEntraId, assertion: str) -> tuple[int, dict[str, Any]]:
    context = ssl.create_default_context(cafile=entra.ca_file)
    form = {
        "grant_type": "client_credentials",
        "client_id": APP_ID,
        "scope": GRAPH_SCOPE,
        "client_assertion_type": CLIENT_ASSERTION_TYPE,
        "client_assertion": assertion,
    }
    async with (
        aiohttp.ClientSession() as session,
        session.post(
            f"{entra.authority_host}/{TRUST_TENANT}/oauth2/v2.0/token", data=form, ssl=context
        ) as response,
    ):
        return response.status, await response.json()


async def test_a_well_made_assertion_is_accepted(entra: LoopbackEntraId) -> None:
    app = app_certificate()
    entra.certificates.append(app.certificate_pem)
    audience = f"{entra.authority_host}/{TRUST_TENANT}/oauth2/v2.0/token"

    status, body = await _ask(entra, _assertion(app, app, audience))

    assert (status, body["access_token"]) == (200, entra.access_token)
    assert entra.refusals == []


@pytest.mark.parametrize("case", sorted(REFUSED))
async def test_an_assertion_entra_id_would_refuse_is_refused(
    entra: LoopbackEntraId, case: str
) -> None:
    app, other = app_certificate(), app_certificate("other")
    entra.certificates.append(app.certificate_pem)
    audience = f"{entra.authority_host}/{TRUST_TENANT}/oauth2/v2.0/token"

    status, body = await _ask(entra, REFUSED[case](app, other, audience))

    assert (status, body["error"]) == (401, "invalid_client")
    assert "access_token" not in body
    assert len(entra.refusals) == 1
