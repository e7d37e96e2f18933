"""The Graph credentials of the bot's own app registration, from the bot's settings: the
bot, its SharePoint store and `python -m graph.provision` all call Graph as that app."""

from __future__ import annotations

from bot.settings import AppType, Settings, SettingsError
from graph.tokens import AppCredentials, ClientSecret, ManagedIdentity


class GraphSettingsError(SettingsError):
    """The settings cannot give Graph credentials; the message names the variable."""


def graph_credentials(settings: Settings) -> AppCredentials:
    """The app's credentials for Graph's app-only tokens. Graph needs the trust's own
    tenant (not the Bot Framework's multi-tenant authority), so `MicrosoftAppTenantId`
    must be set."""
    if not settings.app_id:
        raise GraphSettingsError(
            "MicrosoftAppId is not set: Microsoft Graph is called as the bot's app, so it "
            "needs the app's credentials (MicrosoftAppId, MicrosoftAppPassword, "
            "MicrosoftAppTenantId)"
        )
    if not settings.app_tenant_id:
        raise GraphSettingsError(
            "MicrosoftAppTenantId is not set: Microsoft Graph tokens are issued by the "
            "trust's own tenant"
        )
    if settings.app_type is AppType.USER_ASSIGNED_MSI:
        credential: ClientSecret | ManagedIdentity = ManagedIdentity(settings.app_id)
    else:
        credential = ClientSecret(settings.app_password)
    return AppCredentials(
        settings.app_id, settings.app_tenant_id, credential, settings.authority_host
    )
