"""Graph is called as the bot's own app: its credentials come from the bot's settings (or,
for `python -m graph.provision`, from the same variables), and values that cannot give
them are refused naming the variable."""

from __future__ import annotations

import pytest

from bot.settings import AppType, Settings, SettingsError, graph_credentials
from graph.tokens import ClientSecret, ManagedIdentity
from graph.wiring import GraphSettingsError, credentials_from_environ


def test_a_client_secret_app_calls_graph_in_the_trusts_tenant() -> None:
    settings = Settings(
        app_id="app-1",
        app_password="s3cret",
        app_tenant_id="tenant-1",
        app_type=AppType.SINGLE_TENANT,
        authority_host="https://login.microsoftonline.us",
    )

    credentials = graph_credentials(settings)

    assert (credentials.client_id, credentials.tenant_id) == ("app-1", "tenant-1")
    assert credentials.credential == ClientSecret("s3cret")
    assert credentials.authority_host == "https://login.microsoftonline.us"
    assert "s3cret" not in repr(credentials)


def test_a_managed_identity_app_calls_graph_as_that_identity() -> None:
    settings = Settings(
        app_id="app-1", app_tenant_id="tenant-1", app_type=AppType.USER_ASSIGNED_MSI
    )

    assert graph_credentials(settings).credential == ManagedIdentity("app-1")


@pytest.mark.parametrize(
    ("settings", "variable"),
    [
        (Settings(), "MicrosoftAppId is not set"),
        (Settings(app_id="app-1", app_password="s3cret"), "MicrosoftAppTenantId is not set"),
        (Settings(app_id="app-1", app_tenant_id="t"), "MicrosoftAppPassword is empty"),
    ],
)
def test_settings_without_the_app_or_its_tenant_are_refused_by_name(
    settings: Settings, variable: str
) -> None:
    with pytest.raises(SettingsError, match=variable):
        graph_credentials(settings)


def test_the_command_line_tools_read_the_bots_variables() -> None:
    credentials = credentials_from_environ(
        {
            "MicrosoftAppId": " app-1 ",
            "MicrosoftAppTenantId": "tenant-1",
            "MicrosoftAppType": "UserAssignedMSI",
            "BOT_AUTHORITY_HOST": "",
        }
    )

    assert credentials.credential == ManagedIdentity("app-1")
    assert credentials.authority_host == "https://login.microsoftonline.com"
    with pytest.raises(GraphSettingsError, match="BOT_AUTHORITY_HOST must use https"):
        credentials_from_environ(
            {
                "MicrosoftAppId": "app-1",
                "MicrosoftAppPassword": "s3cret",
                "MicrosoftAppTenantId": "tenant-1",
                "BOT_AUTHORITY_HOST": "http://login.example",
            }
        )
