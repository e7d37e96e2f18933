"""A loopback Entra ID for the bot's outbound tokens: what msal asks of an authority.

msal only speaks HTTPS to an authority (`msal.authority.canonicalize` refuses any other
scheme), so this serves HTTPS on 127.0.0.1 with a throwaway self-signed certificate,
written to `ca_file` for the test's msal HTTP client to trust (nothing else trusts it).
With instance discovery off (as `bot/outbound.py` builds msal), msal asks for:

- `GET /{tenant}/v2.0/.well-known/openid-configuration` (tenant discovery), needing
  `authorization_endpoint`, `token_endpoint` and `issuer`;
- `POST /{tenant}/oauth2/v2.0/token`, the OAuth2 client-credentials grant, form-encoded
  `grant_type`, `client_id`, `scope` and either `client_secret` or, for a certificate, a
  `client_assertion` (a JWT signed with the certificate's key), which it checks as Entra
  ID does (`LoopbackEntraId._assertion_refusal`) against the certificates in
  `certificates`, the ones "uploaded to the app registration".

It counts both, can stall the token endpoint (to test the bot's timeout and shutdown)
and issues one fixed access token, so the connector can expect it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import datetime
import ipaddress
import secrets
import ssl
import tempfile
import time
from functools import cache
from pathlib import Path
from typing import Any

import jwt
import requests
from aiohttp import web
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.harness.servers import serve

CLIENT_SECRET = "loopback-client-secret"  # the app password the loopback Entra ID accepts
BOT_CONNECTOR_SCOPE = "https://api.botframework.com/.default"
GRAPH_SCOPE = "https://graph.microsoft.com/.default"
CLIENT_ASSERTION_TYPE = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"


@cache
def _certificate() -> tuple[bytes, bytes]:
    """(certificate PEM, private key PEM) for 127.0.0.1 and localhost, once per process."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "loopback entra id")])
    # A fixed validity window around the certificate's use, not today's date: a hidden
    # clock would make the test depend on when it runs.
    not_before = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_before + datetime.timedelta(days=365 * 100))
        .add_extension(
            x509.SubjectAlternativeName(
                [x509.DNSName("localhost"), x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
            ),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return (
        cert.public_bytes(serialization.Encoding.PEM),
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ),
    )


class LoopbackEntraId:
    def __init__(self, *, client_secret: str = CLIENT_SECRET) -> None:
        self.client_secret = client_secret
        self.access_token = f"loopback-entra-token-{secrets.token_urlsafe(8)}"
        self.expires_in = 3599
        self.discovery_requests = 0
        self.token_requests = 0
        self.tenants: list[str] = []  # the tenant in each token request's path
        self.scopes: list[str] = []  # the scope of each token request
        # Certificates (PEM) whose keys may sign a client assertion instead of a secret.
        self.certificates: list[bytes] = []
        self.refusals: list[str] = []  # why each client assertion was refused
        self.assertion_headers: list[dict[str, Any]] = []  # each client assertion's header
        self._stall: asyncio.Event | None = None
        self._stalled = asyncio.Event()
        self._folder: tempfile.TemporaryDirectory[str] | None = None
        self._serving: Any = None
        self.authority_host = ""
        self.ca_file = ""

    async def __aenter__(self) -> LoopbackEntraId:
        cert_pem, key_pem = _certificate()
        self._folder = tempfile.TemporaryDirectory(prefix="loopback-entra-")
        folder = Path(self._folder.name)
        (folder / "cert.pem").write_bytes(cert_pem)
        (folder / "key.pem").write_bytes(key_pem)
        self.ca_file = str(folder / "cert.pem")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(folder / "cert.pem", folder / "key.pem")
        app = web.Application()
        app.router.add_get("/{tenant}/v2.0/.well-known/openid-configuration", self._discovery)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        self._serving = serve(app, ssl_context=context)
        self.authority_host = await self._serving.__aenter__()
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.release()
        await self._serving.__aexit__(None, None, None)
        if self._folder is not None:
            self._folder.cleanup()

    def http_client(self) -> requests.Session:
        """An HTTP client for msal that trusts this server's certificate and nothing else
        (and ignores REQUESTS_CA_BUNDLE, which requests would let override `verify`)."""
        session = requests.Session()
        session.trust_env = False
        session.verify = self.ca_file
        return session

    def stall(self) -> None:
        """Make the token endpoint hang until `release()` (or the end of the test)."""
        self._stall = asyncio.Event()

    async def wait_until_stalled(self) -> None:
        await self._stalled.wait()

    def release(self) -> None:
        if self._stall is not None:
            self._stall.set()
            self._stall = None

    async def _discovery(self, request: web.Request) -> web.Response:
        self.discovery_requests += 1
        base = f"{self.authority_host}/{request.match_info['tenant']}"
        return web.json_response(
            {
                "issuer": f"{base}/v2.0",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt"],
            }
        )

    async def _token(self, request: web.Request) -> web.Response:
        self.token_requests += 1
        self.tenants.append(request.match_info["tenant"])
        if self._stall is not None:
            self._stalled.set()
            await self._stall.wait()
        form = await request.post()
        self.scopes.append(str(form.get("scope")))
        if form.get("grant_type") != "client_credentials" or not form.get("client_id"):
            return _oauth_error(400, "unsupported_grant_type")
        if form.get("client_assertion_type") == CLIENT_ASSERTION_TYPE:
            with contextlib.suppress(jwt.InvalidTokenError):
                self.assertion_headers.append(
                    jwt.get_unverified_header(str(form.get("client_assertion")))
                )
            refusal = self._assertion_refusal(
                str(form.get("client_assertion")),
                str(form.get("client_id")),
                request.match_info["tenant"],
            )
            if refusal:
                self.refusals.append(refusal)
                return _oauth_error(401, "invalid_client")
        elif form.get("client_secret") != self.client_secret:
            return _oauth_error(401, "invalid_client")
        if form.get("scope") not in (BOT_CONNECTOR_SCOPE, GRAPH_SCOPE):
            return _oauth_error(400, "invalid_scope")
        return web.json_response(
            {
                "token_type": "Bearer",
                "expires_in": self.expires_in,
                "ext_expires_in": self.expires_in,
                "access_token": self.access_token,
            }
        )

    def _assertion_refusal(self, assertion: str, client_id: str, tenant: str) -> str:
        """Why Entra ID would refuse this client assertion ("" if it would not).

        As Entra ID checks it: a JWT signed (RS256 or PS256) by the key of a certificate
        the app registration holds, named by its thumbprint in the header (`x5t#S256`,
        SHA-256, or `x5t`, SHA-1); `aud` the token endpoint the request was sent to;
        `iss` and `sub` the client id; `exp` present and not passed; `nbf` and `iat`, when
        present, not in the future; a `jti`."""
        try:
            header = jwt.get_unverified_header(assertion)
        except jwt.InvalidTokenError:
            return "not a JWT"
        if header.get("alg") not in ("RS256", "PS256"):
            return f"alg {header.get('alg')!r} is not RS256 or PS256"
        certificate = self._registered(header)
        if certificate is None:
            return "no certificate of the app registration has the header's thumbprint"
        audience = f"{self.authority_host}/{tenant}/oauth2/v2.0/token"
        try:
            claims = jwt.decode(
                assertion,
                certificate.public_key(),  # type: ignore[arg-type]
                algorithms=[header["alg"]],
                audience=audience,
                issuer=client_id,
                options={"require": ["exp", "aud", "iss", "sub", "jti"]},
            )
        except jwt.InvalidSignatureError:
            return "the signature is not made by the certificate's key"
        except jwt.InvalidTokenError as error:
            return f"{type(error).__name__}: {error}"
        if claims["sub"] != client_id:
            return "sub is not the client id"
        return ""

    def _registered(self, header: dict[str, Any]) -> x509.Certificate | None:
        """The registered certificate the assertion's header names by thumbprint."""
        # base64url, with or without its padding (msal keeps it).
        sha256 = str(header.get("x5t#S256", "")).rstrip("=")
        sha1 = str(header.get("x5t", "")).rstrip("=")
        for pem in self.certificates:
            certificate = x509.load_pem_x509_certificate(pem)
            if sha256 and sha256 == _b64(certificate.fingerprint(hashes.SHA256())):
                return certificate
            if sha1 and sha1 == _b64(certificate.fingerprint(hashes.SHA1())):
                return certificate
        return None


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class LoopbackAppServiceIdentity:
    """Azure App Service's managed identity endpoint (`IDENTITY_ENDPOINT`, answered when
    the request carries `X-IDENTITY-HEADER`), as msal's ManagedIdentityClient asks it."""

    def __init__(self) -> None:
        self.identity_header = secrets.token_urlsafe(12)
        self.access_token = f"loopback-managed-identity-token-{secrets.token_urlsafe(8)}"
        self.requests: list[dict[str, str]] = []  # the query of each token request
        self._serving: Any = None
        self.endpoint = ""

    async def __aenter__(self) -> LoopbackAppServiceIdentity:
        app = web.Application()
        app.router.add_get("/msi/token", self._token)
        self._serving = serve(app)
        self.endpoint = f"{await self._serving.__aenter__()}/msi/token"
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._serving.__aexit__(None, None, None)

    async def _token(self, request: web.Request) -> web.Response:
        self.requests.append(dict(request.query))
        if request.headers.get("X-IDENTITY-HEADER") != self.identity_header:
            return web.json_response(
                {"statusCode": 401, "message": "no identity header"}, status=401
            )
        if request.query.get("api-version") != "2019-08-01":
            return web.json_response({"statusCode": 400, "message": "api-version"}, status=400)
        return web.json_response(
            {
                "access_token": self.access_token,
                "expires_on": str(int(time.time()) + 3599),
                "resource": request.query.get("resource", ""),
                "token_type": "Bearer",
            }
        )


def _oauth_error(status: int, error: str) -> web.Response:
    return web.json_response(
        {"error": error, "error_description": f"loopback Entra ID: {error}"}, status=status
    )
