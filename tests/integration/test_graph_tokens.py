"""Graph tokens from msal against the loopback Entra ID: one request for many calls,
renewed before expiry, a bounded wait, backing off after a failure, and no secret or
token in any error; certificates and App Service managed identity too."""

from __future__ import annotations

import asyncio
import datetime
import time
from collections.abc import AsyncIterator, Iterator

import aiohttp
import pytest
import requests
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from graph.client import GraphClient, decorated_user_agent
from graph.tokens import (
    GRAPH_SCOPE,
    AppCredentials,
    ClientCertificate,
    ClientSecret,
    GraphTokenError,
    GraphTokensUnavailable,
    ManagedIdentity,
    TokenPolicy,
    graph_tokens,
)
from tests.harness.entra import CLIENT_SECRET, LoopbackAppServiceIdentity, LoopbackEntraId
from tests.harness.graph import GraphStandIn
from tests.harness.identities import APP_ID, TRUST_TENANT


class Monotonic:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def entra() -> AsyncIterator[LoopbackEntraId]:
    async with LoopbackEntraId() as loopback:
        yield loopback


@pytest.fixture
def entra_http(entra: LoopbackEntraId) -> Iterator[requests.Session]:
    with entra.http_client() as session:
        yield session


def credentials(entra: LoopbackEntraId, secret: str = CLIENT_SECRET) -> AppCredentials:
    return AppCredentials(
        client_id=APP_ID,
        tenant_id=TRUST_TENANT,
        credential=ClientSecret(secret),
        authority_host=entra.authority_host,
    )


async def test_many_calls_share_one_token_request(
    entra: LoopbackEntraId, entra_http: requests.Session
) -> None:
    tokens = graph_tokens(credentials(entra), http_client=entra_http)

    together = await asyncio.gather(*(tokens.token() for _ in range(20)))
    one_by_one = [await tokens.token() for _ in range(10)]

    assert set(together) | set(one_by_one) == {entra.access_token}
    assert entra.token_requests == 1
    assert entra.scopes == [GRAPH_SCOPE]
    assert entra.tenants == [TRUST_TENANT]


async def test_the_token_is_renewed_before_it_expires(
    entra: LoopbackEntraId, entra_http: requests.Session
) -> None:
    clock = Monotonic()
    # Under five minutes: msal's own cache treats it as expired, so a renewal goes out.
    entra.expires_in = 299
    tokens = graph_tokens(
        credentials(entra),
        http_client=entra_http,
        policy=TokenPolicy(renew_before_s=60.0),
        monotonic=clock,
    )
    first = await tokens.token()
    clock.now += 238  # one second before renewal is due
    assert await tokens.token() == first
    assert entra.token_requests == 1

    entra.access_token = "loopback-entra-token-renewed"
    clock.now += 2  # renewal due, 59 s before expiry
    assert await tokens.token() == "loopback-entra-token-renewed"
    assert entra.token_requests == 2


async def test_a_stalled_token_endpoint_gives_a_typed_error_quickly(
    entra: LoopbackEntraId, entra_http: requests.Session
) -> None:
    entra.stall()  # discovery answers; the token endpoint hangs
    tokens = graph_tokens(
        credentials(entra), http_client=entra_http, policy=TokenPolicy(timeout_s=0.3)
    )

    started = time.perf_counter()
    with pytest.raises(GraphTokenError, match=r"no answer within 0\.3 s"):
        await tokens.token()
    assert time.perf_counter() - started < 2.0
    await entra.wait_until_stalled()
    entra.release()


async def test_after_a_refusal_it_backs_off_and_no_secret_is_in_the_error(
    entra: LoopbackEntraId, entra_http: requests.Session
) -> None:
    wrong = "a-wrong-secret-that-must-not-be-echoed"
    tokens = graph_tokens(credentials(entra, wrong), http_client=entra_http)

    with pytest.raises(GraphTokenError) as refused:
        await tokens.token()
    with pytest.raises(GraphTokensUnavailable) as meanwhile:
        await tokens.token()

    assert "invalid_client" in str(refused.value)
    assert entra.token_requests == 1  # the second call did not ask again
    for error in (refused.value, meanwhile.value):
        assert wrong not in str(error)
        assert CLIENT_SECRET not in str(error)
        assert entra.access_token not in str(error)
    assert wrong not in repr(credentials(entra, wrong))


def _certificate() -> tuple[bytes, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "safe premises test app")])
    start = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * 100))
        .sign(key, hashes.SHA256())
    )
    key_pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    return key_pem, certificate.public_bytes(serialization.Encoding.PEM)


async def test_a_certificate_signs_the_client_assertion(
    entra: LoopbackEntraId, entra_http: requests.Session
) -> None:
    key_pem, certificate_pem = _certificate()
    entra.certificates.append(certificate_pem)
    tokens = graph_tokens(
        AppCredentials(
            client_id=APP_ID,
            tenant_id=TRUST_TENANT,
            credential=ClientCertificate(key_pem, certificate_pem),
            authority_host=entra.authority_host,
        ),
        http_client=entra_http,
    )

    assert await tokens.token() == entra.access_token
    assert "PRIVATE KEY" not in repr(ClientCertificate(key_pem, certificate_pem))


async def test_a_certificate_entra_does_not_know_is_refused(
    entra: LoopbackEntraId, entra_http: requests.Session
) -> None:
    key_pem, certificate_pem = _certificate()
    tokens = graph_tokens(
        AppCredentials(
            APP_ID, TRUST_TENANT, ClientCertificate(key_pem, certificate_pem), entra.authority_host
        ),
        http_client=entra_http,
    )
    with pytest.raises(GraphTokenError, match="invalid_client"):
        await tokens.token()


async def test_managed_identity_on_app_service_asks_the_identity_endpoint(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    async with LoopbackAppServiceIdentity() as identity:
        monkeypatch.setenv("IDENTITY_ENDPOINT", identity.endpoint)
        monkeypatch.setenv("IDENTITY_HEADER", identity.identity_header)
        session = requests.Session()
        session.trust_env = False
        tokens = graph_tokens(
            AppCredentials(APP_ID, TRUST_TENANT, ManagedIdentity(client_id=APP_ID)),
            http_client=session,
        )
        assert [await tokens.token() for _ in range(3)] == [identity.access_token] * 3
        session.close()

    assert len(identity.requests) == 1
    assert identity.requests[0]["resource"] == "https://graph.microsoft.com"
    assert identity.requests[0]["client_id"] == APP_ID


async def test_graph_calls_share_one_token_from_the_loopback_entra_id(
    entra: LoopbackEntraId, entra_http: requests.Session
) -> None:
    tokens = graph_tokens(credentials(entra), http_client=entra_http)
    async with (
        GraphStandIn(access_token=entra.access_token) as graph,
        aiohttp.ClientSession() as http,
    ):
        graph.add_user("u1", "Pat Head", "head@example.org")
        client = GraphClient(
            http,
            tokens,
            user_agent=decorated_user_agent("ExampleTrust", "SafePremises", "0.1.0"),
            base_url=graph.base_url,
        )
        answers = await asyncio.gather(*(client.get("/users/u1") for _ in range(10)))
        assert graph.violations == []

    assert {a["id"] for a in answers} == {"u1"}
    assert entra.token_requests == 1
