"""The bot's settings, read from an environment mapping by a pure function.

Only `bot/__main__.py` reads the real environment; everything else receives a `Settings`.
The Microsoft app names (`MicrosoftAppId`, …) are the ones Azure Bot Service and the
Teams toolkits write, so a deployed bot needs no renaming.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from urllib.parse import urlsplit

DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
# Where the bot's outbound tokens come from (Entra ID, public cloud). Azure names such a
# value an "authority host": scheme and host only, the tenant is added per request.
DEFAULT_AUTHORITY_HOST = "https://login.microsoftonline.com"


class SettingsError(ValueError):
    """A setting has a value the bot cannot start with. The message names the variable."""


class Storage(StrEnum):
    """Where the case records and letter drafts are kept (`SAFE_PREMISES_STORAGE`)."""

    EMBEDDED = "embedded"  # SQLite and .eml files in the data folder
    MICROSOFT_365 = "microsoft365"  # SharePoint lists and Outlook drafts (not wired yet)


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
    storage: Storage = Storage.EMBEDDED
    sharepoint_site_id: str = ""  # Microsoft 365 storage: the Graph id of the trust's site

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
            f"data_dir={str(self.data_dir)!r}, storage={self.storage.value!r}, "
            f"sharepoint_site_id={self.sharepoint_site_id!r})"
        )

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> Settings:
        """Build settings from `environ` (pure: the caller passes `os.environ` or a dict).

        Raises `SettingsError` naming the variable when a value cannot be used.
        """

        def get(name: str, default: str) -> str:
            value = environ.get(name)
            return default if value is None or value.strip() == "" else value.strip()

        app_id = get("MicrosoftAppId", "")
        app_password = environ.get("MicrosoftAppPassword", "")
        app_tenant_id = get("MicrosoftAppTenantId", "")
        app_type_text = get("MicrosoftAppType", AppType.MULTI_TENANT.value)
        app_type = _parse_app_type(app_type_text)

        if app_id:
            if app_type is not AppType.USER_ASSIGNED_MSI and not app_password:
                raise SettingsError(
                    "MicrosoftAppPassword is empty but MicrosoftAppId is set: the bot needs "
                    "the app's client secret to reply (or set MicrosoftAppType=UserAssignedMSI)"
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

        storage = _parse_storage(get("SAFE_PREMISES_STORAGE", Storage.EMBEDDED.value))
        site_id = get("SHAREPOINT_SITE_ID", "")
        if storage is Storage.MICROSOFT_365:
            if not app_id:
                raise SettingsError(
                    "SAFE_PREMISES_STORAGE is microsoft365 but MicrosoftAppId is empty: "
                    "Microsoft 365 storage needs the app registration; set MicrosoftAppId"
                )
            if not site_id:
                raise SettingsError(
                    "SHAREPOINT_SITE_ID is required when SAFE_PREMISES_STORAGE is "
                    "microsoft365: set it to the site's Graph id (hostname,site-guid,web-guid)"
                )
        elif site_id:
            raise SettingsError(
                "SHAREPOINT_SITE_ID is set but SAFE_PREMISES_STORAGE is not microsoft365: "
                "set SAFE_PREMISES_STORAGE=microsoft365, or remove SHAREPOINT_SITE_ID"
            )

        return cls(
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
            storage=storage,
            sharepoint_site_id=site_id,
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


def _parse_storage(text: str) -> Storage:
    for storage in Storage:
        if storage.value == text.lower():
            return storage
    choices = ", ".join(s.value for s in Storage)
    raise SettingsError(f"SAFE_PREMISES_STORAGE must be one of {choices}, not {text!r}")


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
