"""Settings come from an environment mapping, purely, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.settings import (
    DEFAULT_OPENID_METADATA_URL,
    AppType,
    DraftsKind,
    Settings,
    SettingsError,
    StoreKind,
)


def test_defaults_are_local_development_on_loopback() -> None:
    settings = Settings.from_environ({})

    assert settings == Settings(
        app_id="",
        app_password="",
        app_tenant_id="",
        app_type=AppType.MULTI_TENANT,
        openid_metadata_url=DEFAULT_OPENID_METADATA_URL,
        host="127.0.0.1",
        port=3978,
        config_path=Path("config/trust.yaml"),
        data_dir=Path("var"),
    )
    assert settings.local_development
    assert settings.listens_on_loopback


def test_reads_the_names_azure_bot_service_uses() -> None:
    settings = Settings.from_environ(
        {
            "MicrosoftAppId": "app-1",
            "MicrosoftAppPassword": "s3cret",
            "MicrosoftAppTenantId": "tenant-1",
            "MicrosoftAppType": "singletenant",
            "BOT_OPENID_METADATA_URL": "http://127.0.0.1:9/openid",
            "HOST": "0.0.0.0",
            "PORT": "8080",
            "SAFE_PREMISES_CONFIG": "/etc/trust.yaml",
            "SAFE_PREMISES_DATA": "/srv/data",
        }
    )

    assert settings.app_id == "app-1"
    assert settings.app_password == "s3cret"
    assert settings.app_tenant_id == "tenant-1"
    assert settings.app_type is AppType.SINGLE_TENANT
    assert settings.openid_metadata_url == "http://127.0.0.1:9/openid"
    assert (settings.host, settings.port) == ("0.0.0.0", 8080)
    assert settings.config_path == Path("/etc/trust.yaml")
    assert settings.data_dir == Path("/srv/data")
    assert not settings.local_development
    assert not settings.listens_on_loopback


def test_the_password_never_appears_in_repr() -> None:
    settings = Settings.from_environ({"MicrosoftAppId": "app-1", "MicrosoftAppPassword": "s3cret"})

    assert "s3cret" not in repr(settings)
    assert "s3cret" not in str(settings)


SITE = "https://trust.sharepoint.com/sites/cases"
GRAPH_APP = {
    "MicrosoftAppId": "app-1",
    "MicrosoftAppPassword": "s3cret",
    "MicrosoftAppType": "SingleTenant",
    "MicrosoftAppTenantId": "tenant-1",
}


@pytest.mark.parametrize(
    ("environ", "message"),
    [
        ({"PORT": "eighty"}, "PORT must be a number"),
        ({"PORT": "70000"}, "PORT must be a number"),
        ({"PORT": "-1"}, "PORT must be a number"),
        ({"MicrosoftAppType": "Sometimes"}, "MicrosoftAppType must be one of"),
        ({"MicrosoftAppId": "app-1"}, "MicrosoftAppPassword is empty"),
        ({"MicrosoftAppPassword": "s3cret"}, "MicrosoftAppId is empty"),
        (
            {
                "MicrosoftAppId": "a",
                "MicrosoftAppPassword": "p",
                "MicrosoftAppType": "SingleTenant",
            },
            "MicrosoftAppTenantId is required",
        ),
        ({"BOT_OPENID_METADATA_URL": "login.botframework.com"}, "must be an http(s) URL"),
        ({"SAFE_PREMISES_STORE": "postgres"}, "SAFE_PREMISES_STORE must be one of"),
        (
            {**GRAPH_APP, "SAFE_PREMISES_STORE": "sharepoint"},
            "SAFE_PREMISES_SHAREPOINT_SITE must be the SharePoint site's address",
        ),
        (
            {
                **GRAPH_APP,
                "SAFE_PREMISES_STORE": "sharepoint",
                "SAFE_PREMISES_SHAREPOINT_SITE": ("https://trust.sharepoint.com/"),
            },
            "SAFE_PREMISES_SHAREPOINT_SITE must be the SharePoint site's address",
        ),
        (
            {"SAFE_PREMISES_STORE": "sharepoint", "SAFE_PREMISES_SHAREPOINT_SITE": SITE},
            "set MicrosoftAppId and MicrosoftAppTenantId",
        ),
        ({"GRAPH_BASE_URL": "http://graph.example.org/v1.0"}, "GRAPH_BASE_URL must be an https"),
        ({"GRAPH_BASE_URL": "graph.microsoft.com"}, "GRAPH_BASE_URL must be an https"),
    ],
)
def test_bad_values_are_refused_naming_the_variable(environ: dict[str, str], message: str) -> None:
    with pytest.raises(SettingsError, match=message.replace("(", r"\(").replace(")", r"\)")):
        Settings.from_environ(environ)


@pytest.mark.parametrize(
    ("environ", "setting", "fix"),
    [
        ({"PORT": "eighty"}, "PORT", "a number from 0 to 65535"),
        ({"MicrosoftAppType": "Sometimes"}, "MicrosoftAppType", "one of MultiTenant"),
        ({"MicrosoftAppId": "app-1"}, "MicrosoftAppPassword", "client secret"),
        ({"MicrosoftAppPassword": "s3cret"}, "MicrosoftAppId", "set MicrosoftAppId to the app"),
        (
            {
                "MicrosoftAppId": "a",
                "MicrosoftAppPassword": "p",
                "MicrosoftAppType": "SingleTenant",
            },
            "MicrosoftAppTenantId",
            "set it to the app registration's Directory (tenant) ID",
        ),
        ({"BOT_OPENID_METADATA_URL": "ftp://x"}, "BOT_OPENID_METADATA_URL", "remove it"),
        ({"BOT_AUTHORITY_HOST": "http://x"}, "BOT_AUTHORITY_HOST", "remove it to use https://"),
        ({"SAFE_PREMISES_STORE": "cloud"}, "SAFE_PREMISES_STORE", "remove it for the embedded"),
        (
            {"SAFE_PREMISES_STORE": "sharepoint", "SAFE_PREMISES_SHAREPOINT_SITE": SITE},
            "SAFE_PREMISES_STORE",
            "set MicrosoftAppId and MicrosoftAppTenantId",
        ),
        (
            {**GRAPH_APP, "SAFE_PREMISES_STORE": "sharepoint"},
            "SAFE_PREMISES_SHAREPOINT_SITE",
            "https://contoso.sharepoint.com/sites/cases",
        ),
        ({"GRAPH_BASE_URL": "http://graph.example"}, "GRAPH_BASE_URL", "must be an https URL"),
    ],
)
def test_each_refusal_names_the_setting_and_what_to_set_it_to(
    environ: dict[str, str], setting: str, fix: str
) -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_environ(environ)
    message = str(refused.value)
    assert message.startswith(setting) or f" {setting} " in message
    assert fix in message
    assert "s3cret" not in message


def test_the_sharepoint_store_is_chosen_with_its_site_and_graphs_address() -> None:
    settings = Settings.from_environ(
        {
            **GRAPH_APP,
            "SAFE_PREMISES_STORE": "SharePoint",
            "SAFE_PREMISES_SHAREPOINT_SITE": SITE,
            "GRAPH_BASE_URL": "http://127.0.0.1:8443/v1.0/",
        }
    )

    assert settings.store is StoreKind.SHAREPOINT
    assert settings.sharepoint_site == SITE
    assert settings.graph_base_url == "http://127.0.0.1:8443/v1.0"
    assert "sharepoint" in repr(settings)
    assert Settings.from_environ({}).store is StoreKind.SQLITE
    assert Settings.from_environ({}).graph_base_url == "https://graph.microsoft.com/v1.0"


def test_a_managed_identity_needs_no_password() -> None:
    settings = Settings.from_environ(
        {"MicrosoftAppId": "app-1", "MicrosoftAppType": "UserAssignedMSI"}
    )

    assert settings.app_type is AppType.USER_ASSIGNED_MSI


def test_blank_values_mean_the_default() -> None:
    settings = Settings.from_environ({"HOST": "  ", "PORT": "", "MicrosoftAppId": " "})

    assert (settings.host, settings.port, settings.app_id) == ("127.0.0.1", 3978, "")


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("127.1.2.3", True),
        ("::1", True),
        ("[::1]", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("::", False),
        ("192.168.1.10", False),
        ("bot.example", False),
    ],
)
def test_loopback_hosts(host: str, loopback: bool) -> None:
    assert Settings(host=host).listens_on_loopback is loopback


def test_the_authority_host_follows_the_azure_convention() -> None:
    assert Settings.from_environ({}).authority_host == "https://login.microsoftonline.com"
    for given, expected in [
        ("https://login.microsoftonline.us", "https://login.microsoftonline.us"),
        ("https://login.microsoftonline.us/", "https://login.microsoftonline.us"),
        ("login.chinacloudapi.cn", "https://login.chinacloudapi.cn"),
        ("https://127.0.0.1:8443", "https://127.0.0.1:8443"),
    ]:
        assert Settings.from_environ({"BOT_AUTHORITY_HOST": given}).authority_host == expected


@pytest.mark.parametrize(
    "value",
    [
        "http://login.microsoftonline.com",
        "https://login.microsoftonline.com/my-tenant",
        "https://login.microsoftonline.com?x=1",
        "https://",
        "https://host:port",
    ],
)
def test_an_authority_host_msal_cannot_use_is_refused(value: str) -> None:
    with pytest.raises(SettingsError, match="BOT_AUTHORITY_HOST"):
        Settings.from_environ({"BOT_AUTHORITY_HOST": value})


def test_drafts_go_to_outlook_with_sharepoint_and_to_files_otherwise() -> None:
    sharepoint = {
        **GRAPH_APP,
        "SAFE_PREMISES_STORE": "sharepoint",
        "SAFE_PREMISES_SHAREPOINT_SITE": SITE,
    }
    assert Settings.from_environ({}).drafts is DraftsKind.FILES
    assert Settings.from_environ(sharepoint).drafts is DraftsKind.OUTLOOK
    files = {**sharepoint, "SAFE_PREMISES_DRAFTS": "files"}
    assert Settings.from_environ(files).drafts is DraftsKind.FILES
    explicit = {**sharepoint, "SAFE_PREMISES_DRAFTS": "Outlook"}
    assert Settings.from_environ(explicit).drafts is DraftsKind.OUTLOOK


def test_outlook_drafts_without_the_microsoft_365_configuration_are_refused_with_the_fix() -> None:
    with pytest.raises(SettingsError) as refused:
        Settings.from_environ({**GRAPH_APP, "SAFE_PREMISES_DRAFTS": "outlook"})
    message = str(refused.value)
    assert message.startswith("SAFE_PREMISES_DRAFTS=outlook needs")
    assert "set SAFE_PREMISES_STORE=sharepoint" in message
    assert "SAFE_PREMISES_DRAFTS=files" in message


def test_an_unknown_drafts_kind_is_refused_naming_the_setting_and_the_choices() -> None:
    with pytest.raises(SettingsError, match=r"SAFE_PREMISES_DRAFTS must be one of files, outlook"):
        Settings.from_environ({"SAFE_PREMISES_DRAFTS": "exchange"})
