"""The bot's settings, read from an environment mapping (and the certificate file it names).

Only the entry points (`bot/__main__.py`, `graph/provision.py`) read the real environment;
everything else receives a `Settings`.
The Microsoft app names (`MicrosoftAppId`, …) are the ones Azure Bot Service and the
Teams toolkits write, so a deployed bot needs no renaming.
"""

from __future__ import annotations

import datetime
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

from graph.certificates import CERTIFICATE_SETTING, CertificateFileError, load_certificate
from graph.client import GRAPH_BASE_URL as DEFAULT_GRAPH_BASE_URL
from graph.tokens import AppCredentials, ClientCertificate
from graph.wiring import (
    BOTH_CREDENTIALS,
    MANAGED_IDENTITY_AND_CERTIFICATE,
    GraphSettingsError,
    app_credentials,
)

DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
# Where the bot's outbound tokens come from (Entra ID, public cloud). Azure names such a
# value an "authority host": scheme and host only, the tenant is added per request.
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"


class SettingsError(ValueError):
    """A setting has a value the bot cannot start with. The message names the variable."""


class StoreKind(StrEnum):
    """Where the cases are kept (`SAFE_PREMISES_STORE`)."""

    SQLITE = "sqlite"  # the embedded default: one SQLite file under SAFE_PREMISES_DATA
    SHAREPOINT = "sharepoint"  # SharePoint lists through Microsoft Graph (docs/graph.md)


class DraftsKind(StrEnum):
    """Where letter drafts are made (`SAFE_PREMISES_DRAFTS`)."""

    FILES = "files"  # `.eml` files in the letters folder of SAFE_PREMISES_DATA
    OUTLOOK = "outlook"  # drafts in each signer's Outlook mailbox, through Microsoft Graph


class AppType(StrEnum):
    """How the bot's Entra app registration authenticates (Azure's `MicrosoftAppType`)."""

    MULTI_TENANT = "MultiTenant"
    SINGLE_TENANT = "SingleTenant"
    USER_ASSIGNED_MSI = "UserAssignedMSI"


@dataclass(frozen=True)
class Settings:
    app_id: str = ""
    app_password: str = ""
    app_tenant_id: str = ""
    app_type: AppType = AppType.MULTI_TENANT
    openid_metadata_url: str = DEFAULT_OPENID_METADATA_URL
    authority_host: str = DEFAULT_AUTHORITY_HOST
    host: str = "127.0.0.1"
    port: int = 3978
    config_path: Path = Path("config/trust.yaml")
    data_dir: Path = Path("var")
    store: StoreKind = StoreKind.SQLITE
    drafts: DraftsKind = DraftsKind.FILES
    sharepoint_site: str = ""  # https://<tenant>.sharepoint.com/sites/<site>
    graph_base_url: str = DEFAULT_GRAPH_BASE_URL
    # The app registration's certificate, read (and checked) from MicrosoftAppCertificatePath.
    app_certificate: ClientCertificate | None = None
    app_certificate_path: str = ""

    @property
    def local_development(self) -> bool:
        """No app id: no token checks (for Microsoft 365 Agents Playground), loopback only."""
        return not self.app_id

    @property
    def listens_on_loopback(self) -> bool:
        return is_loopback_host(self.host)

    def __repr__(self) -> str:
        # Never let the password reach a log line or a traceback.
        hidden = "***" if self.app_password else ""
        return (
            f"Settings(app_id={self.app_id!r}, app_password={hidden!r}, "
            f"app_tenant_id={self.app_tenant_id!r}, app_type={self.app_type.value!r}, "
            f"openid_metadata_url={self.openid_metadata_url!r}, "
            f"authority_host={self.authority_host!r}, host={self.host!r}, "
            f"port={self.port!r}, config_path={str(self.config_path)!r}, "
            f"data_dir={str(self.data_dir)!r}, store={self.store.value!r}, "
            f"drafts={self.drafts.value!r}, "
            f"sharepoint_site={self.sharepoint_site!r}, graph_base_url={self.graph_base_url!r}, "
            f"app_certificate_path={self.app_certificate_path!r})"
        )

    @classmethod
    def from_environ(
        cls, environ: Mapping[str, str], *, now: datetime.datetime | None = None
    ) -> Settings:
        """Build settings from `environ` (the caller passes `os.environ` or a dict). The one
        file it reads is the certificate `MicrosoftAppCertificatePath` names, so that a
        certificate the bot cannot use stops the start rather than its first reply.

        Raises `SettingsError` naming the variable when a value cannot be used. `now` is
        when the certificate must be valid (default: the wall clock's now).
        """

        def get(name: str, default: str) -> str:
            value = environ.get(name)
            return default if value is None or value.strip() == "" else value.strip()

        app_id = get("MicrosoftAppId", "")
        app_password = environ.get("MicrosoftAppPassword", "")
        app_tenant_id = get("MicrosoftAppTenantId", "")
        app_type_text = get("MicrosoftAppType", AppType.MULTI_TENANT.value)
        app_type = _parse_app_type(app_type_text)

        certificate_path = get("MicrosoftAppCertificatePath", "")
        if certificate_path and not app_id:
            raise SettingsError(
                f"{CERTIFICATE_SETTING} is set but MicrosoftAppId is empty: set "
                "MicrosoftAppId to the app registration's Application (client) ID, or remove "
                f"{CERTIFICATE_SETTING} to run in local development mode"
            )
        if certificate_path and app_password:
            raise SettingsError(BOTH_CREDENTIALS)
        if certificate_path and app_type is AppType.USER_ASSIGNED_MSI:
            raise SettingsError(MANAGED_IDENTITY_AND_CERTIFICATE)
        if app_id:
            if app_type is not AppType.USER_ASSIGNED_MSI and not (app_password or certificate_path):
                raise SettingsError(
                    "MicrosoftAppPassword is empty and MicrosoftAppCertificatePath is not "
                    "set, but MicrosoftAppId is set: the bot needs the app's certificate "
                    "(preferred) or its client secret to reply (or set "
                    "MicrosoftAppType=UserAssignedMSI)"
                )
            if app_type is AppType.SINGLE_TENANT and not app_tenant_id:
                raise SettingsError(
                    "MicrosoftAppTenantId is required when MicrosoftAppType is SingleTenant: "
                    "set it to the app registration's Directory (tenant) ID"
                )
        elif app_password:
            raise SettingsError(
                "MicrosoftAppPassword is set but MicrosoftAppId is empty: set MicrosoftAppId "
                "to the app registration's Application (client) ID, or remove "
                "MicrosoftAppPassword to run in local development mode"
            )

        metadata_url = get("BOT_OPENID_METADATA_URL", DEFAULT_OPENID_METADATA_URL)
        if not metadata_url.startswith(("https://", "http://")):
            raise SettingsError(
                f"BOT_OPENID_METADATA_URL must be an http(s) URL, not {metadata_url!r}: "
                "remove it to use the Bot Framework's"
            )

        authority_host = _parse_authority_host(get("BOT_AUTHORITY_HOST", DEFAULT_AUTHORITY_HOST))
        host = get("HOST", "127.0.0.1")
        port = _parse_port(get("PORT", "3978"))

        store = _parse_store(get("SAFE_PREMISES_STORE", StoreKind.SQLITE.value))
        sharepoint_site = get("SAFE_PREMISES_SHAREPOINT_SITE", "")
        graph_base_url = _parse_graph_base_url(get("GRAPH_BASE_URL", DEFAULT_GRAPH_BASE_URL))
        if store is StoreKind.SHAREPOINT:
            _check_sharepoint_site(sharepoint_site)
            if not app_id or not app_tenant_id:
                raise SettingsError(
                    "SAFE_PREMISES_STORE=sharepoint calls Microsoft Graph as the bot's app: "
                    "set MicrosoftAppId and MicrosoftAppTenantId (and the app's certificate or "
                    "secret)"
                )

        certificate = None
        if certificate_path:
            try:
                certificate = load_certificate(certificate_path, now=now)
            except CertificateFileError as error:
                raise SettingsError(str(error)) from None

        # Outlook drafts go with the Microsoft 365 configuration, files with the embedded one.
        default_drafts = DraftsKind.OUTLOOK if store is StoreKind.SHAREPOINT else DraftsKind.FILES
        drafts = _parse_drafts(get("SAFE_PREMISES_DRAFTS", default_drafts.value))
        if drafts is DraftsKind.OUTLOOK and store is not StoreKind.SHAREPOINT:
            raise SettingsError(
                "SAFE_PREMISES_DRAFTS=outlook needs the Microsoft 365 configuration: set "
                "SAFE_PREMISES_STORE=sharepoint (and SAFE_PREMISES_SHAREPOINT_SITE), or set "
                "SAFE_PREMISES_DRAFTS=files to write the drafts as .eml files"
            )

        return cls(
            app_certificate=certificate,
            app_certificate_path=certificate_path,
            app_id=app_id,
            app_password=app_password,
            app_tenant_id=app_tenant_id,
            app_type=app_type,
            openid_metadata_url=metadata_url,
            authority_host=authority_host,
            host=host,
            port=port,
            config_path=Path(get("SAFE_PREMISES_CONFIG", "config/trust.yaml")),
            data_dir=Path(get("SAFE_PREMISES_DATA", "var")),
            store=store,
            drafts=drafts,
            sharepoint_site=sharepoint_site,
            graph_base_url=graph_base_url,
        )


def is_loopback_host(host: str) -> bool:
    """True for names and addresses that only this machine can reach."""
    if host.lower() == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


_PORT_MESSAGE = "PORT must be a number from 0 to 65535 (0 picks a free port), not %r"


def _parse_port(text: str) -> int:
    try:
        port = int(text)
    except ValueError:
        raise SettingsError(_PORT_MESSAGE % (text,)) from None
    if not 0 <= port <= 65535:
        raise SettingsError(_PORT_MESSAGE % (text,))
    return port


def _parse_app_type(text: str) -> AppType:
    for app_type in AppType:
        if app_type.value.lower() == text.lower():
            return app_type
    choices = ", ".join(t.value for t in AppType)
    raise SettingsError(f"MicrosoftAppType must be one of {choices}, not {text!r}")


def _parse_authority_host(text: str) -> str:
    """`https://host[:port]`, as Azure's authority hosts are written (a bare host gets
    `https://`, as the Azure SDKs do). msal only speaks HTTPS to an authority."""
    value = text if "://" in text else f"https://{text}"
    parsed = urlsplit(value)
    problem = ""
    if parsed.scheme != "https":
        problem = "must use https (msal refuses any other scheme)"
    elif not parsed.hostname:
        problem = "names no host"
    elif parsed.path.strip("/") or parsed.query or parsed.fragment or parsed.username:
        problem = "must be a scheme and host only (the tenant is added by the bot)"
    else:
        try:
            parsed.port  # noqa: B018 - raises ValueError for a port that is not a number
        except ValueError:
            problem = "has a port that is not a number"
    if problem:
        raise SettingsError(
            f"BOT_AUTHORITY_HOST {problem}, not {text!r}: remove it to use {DEFAULT_AUTHORITY_HOST}"
        )
    return f"https://{parsed.netloc}"


def _parse_store(text: str) -> StoreKind:
    for kind in StoreKind:
        if kind.value == text.lower():
            return kind
    choices = ", ".join(k.value for k in StoreKind)
    raise SettingsError(
        f"SAFE_PREMISES_STORE must be one of {choices}, not {text!r}: remove it for the "
        "embedded default (sqlite)"
    )


def _parse_drafts(text: str) -> DraftsKind:
    for kind in DraftsKind:
        if kind.value == text.lower():
            return kind
    choices = ", ".join(k.value for k in DraftsKind)
    raise SettingsError(
        f"SAFE_PREMISES_DRAFTS must be one of {choices}, not {text!r}: remove it for the "
        "default (outlook with SAFE_PREMISES_STORE=sharepoint, otherwise files)"
    )


def _check_sharepoint_site(text: str) -> None:
    parsed = urlsplit(text)
    if parsed.scheme != "https" or not parsed.hostname or not parsed.path.startswith("/sites/"):
        raise SettingsError(
            "SAFE_PREMISES_SHAREPOINT_SITE must be the SharePoint site's address, such as "
            f"https://contoso.sharepoint.com/sites/cases, not {text!r}"
        )


def _parse_graph_base_url(text: str) -> str:
    """Graph's address: https, or http on a loopback host only (a stand-in on this machine:
    the token must never cross a network in the clear)."""
    parsed = urlsplit(text)
    loopback_http = parsed.scheme == "http" and is_loopback_host(parsed.hostname or "")
    if not parsed.hostname or not (parsed.scheme == "https" or loopback_http):
        raise SettingsError(
            "GRAPH_BASE_URL must be an https URL (or http on this machine, for a stand-in), "
            f"not {text!r}"
        )
    return text.rstrip("/")


def graph_credentials(settings: Settings) -> AppCredentials:
    """The bot's app as Microsoft Graph's caller (the SharePoint store). Raises
    `SettingsError` naming the variable when the settings cannot give it."""
    try:
        return app_credentials(
            app_id=settings.app_id,
            app_password=settings.app_password,
            tenant_id=settings.app_tenant_id,
            managed_identity=settings.app_type is AppType.USER_ASSIGNED_MSI,
            authority_host=settings.authority_host,
            certificate=settings.app_certificate,
        )
    except GraphSettingsError as error:
        raise SettingsError(str(error)) from error
