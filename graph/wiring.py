"""The Graph credentials of the bot's own app registration: the bot, its SharePoint store
and `python -m graph.provision` all call Graph as that app. Built from plain values, so
that `graph/` needs nothing from `bot/` (the bot passes its settings' values in)."""

from __future__ import annotations

from collections.abc import Mapping

from graph.certificates import CertificateFileError, load_certificate
from graph.tokens import (
    DEFAULT_AUTHORITY_HOST,
    AppCredentials,
    ClientCertificate,
    ClientSecret,
    ManagedIdentity,
)

BOTH_CREDENTIALS = (
    "MicrosoftAppPassword and MicrosoftAppCertificatePath are both set, but the app "
    "authenticates with one credential: remove MicrosoftAppPassword to use the certificate "
    "(preferred: see docs/security.md), or remove MicrosoftAppCertificatePath"
)

MANAGED_IDENTITY_AND_CERTIFICATE = (
    "MicrosoftAppCertificatePath is set but MicrosoftAppType is UserAssignedMSI, which "
    "authenticates as the managed identity and uses no certificate: remove "
    "MicrosoftAppCertificatePath, or set MicrosoftAppType to SingleTenant"
)


class GraphSettingsError(ValueError):
    """The values cannot give Graph credentials; the message names the variable."""


def app_credentials(
    *,
    app_id: str,
    app_password: str,
    tenant_id: str,
    managed_identity: bool,
    authority_host: str = DEFAULT_AUTHORITY_HOST,
    certificate: ClientCertificate | None = None,
) -> AppCredentials:
    """The app's credentials for Graph's app-only tokens. Graph needs the trust's own
    tenant (not the Bot Framework's multi-tenant authority), so the tenant must be set."""
    if not app_id:
        raise GraphSettingsError(
            "MicrosoftAppId is not set: Microsoft Graph is called as the bot's app, so it "
            "needs the app's credentials (MicrosoftAppId, MicrosoftAppPassword, "
            "MicrosoftAppTenantId)"
        )
    if not tenant_id:
        raise GraphSettingsError(
            "MicrosoftAppTenantId is not set: Microsoft Graph tokens are issued by the "
            "trust's own tenant"
        )
    if not authority_host.startswith("https://"):
        raise GraphSettingsError(f"BOT_AUTHORITY_HOST must use https, not {authority_host!r}")
    credential: ClientSecret | ClientCertificate | ManagedIdentity
    if managed_identity and certificate is not None:
        raise GraphSettingsError(MANAGED_IDENTITY_AND_CERTIFICATE)
    if managed_identity:
        credential = ManagedIdentity(app_id)
    elif certificate is not None:
        credential = certificate
    elif app_password:
        credential = ClientSecret(app_password)
    else:
        raise GraphSettingsError(
            "MicrosoftAppPassword is empty: the app needs its certificate "
            "(MicrosoftAppCertificatePath) or its client secret to call Microsoft Graph (or "
            "set MicrosoftAppType=UserAssignedMSI)"
        )
    return AppCredentials(app_id, tenant_id, credential, authority_host.rstrip("/"))


def credentials_from_environ(environ: Mapping[str, str]) -> AppCredentials:
    """`app_credentials` from the variables the bot reads (`MicrosoftAppId`,
    `MicrosoftAppPassword` or `MicrosoftAppCertificatePath`, `MicrosoftAppTenantId`,
    `MicrosoftAppType`, `BOT_AUTHORITY_HOST`), for the command-line tools in `graph/`."""

    def get(name: str, default: str = "") -> str:
        value = environ.get(name)
        return default if value is None or not value.strip() else value.strip()

    certificate = None
    certificate_path = get("MicrosoftAppCertificatePath")
    if certificate_path:
        if environ.get("MicrosoftAppPassword", ""):
            raise GraphSettingsError(BOTH_CREDENTIALS)
        try:
            certificate = load_certificate(certificate_path)
        except CertificateFileError as error:
            raise GraphSettingsError(str(error)) from None
    return app_credentials(
        app_id=get("MicrosoftAppId"),
        app_password=environ.get("MicrosoftAppPassword", ""),
        certificate=certificate,
        tenant_id=get("MicrosoftAppTenantId"),
        managed_identity=get("MicrosoftAppType").lower() == "userassignedmsi",
        authority_host=get("BOT_AUTHORITY_HOST", DEFAULT_AUTHORITY_HOST),
    )
