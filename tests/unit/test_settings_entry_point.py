"""`python -m bot` refuses bad configuration with a clear message and status 2."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.__main__ import main, tenant_mismatch
from bot.settings import Settings
from casework.bootstrap import prepare
from tests.casework_world import EXAMPLE_CONFIG


def test_a_port_that_is_not_a_number(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status = main({"PORT": "eighty", "SAFE_PREMISES_DATA": str(tmp_path / "var")})

    assert status == 2
    err = capsys.readouterr().err
    assert "cannot start: PORT must be a number" in err
    assert "Traceback" not in err


def test_no_credentials_on_a_public_interface(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main({"HOST": "0.0.0.0", "SAFE_PREMISES_DATA": str(tmp_path / "var")})

    assert status == 2
    assert "refusing to start" in capsys.readouterr().err
    assert not (tmp_path / "var").exists(), "nothing is created before the refusal"


def test_a_missing_trust_configuration(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    status = main(
        {
            "SAFE_PREMISES_CONFIG": str(tmp_path / "nowhere.yaml"),
            "SAFE_PREMISES_DATA": str(tmp_path / "var"),
        }
    )

    assert status == 2
    err = capsys.readouterr().err
    assert "cannot start" in err
    assert "nowhere.yaml" in err


def test_an_app_registered_in_another_tenant_than_the_trust_is_refused(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    configured = prepare(EXAMPLE_CONFIG).config.tenant_id
    registered = "0d0d0d0d-1111-4222-8333-444455556666"

    status = main(
        {
            "MicrosoftAppId": "00000000-0000-4000-8000-00000000b07a",
            "MicrosoftAppPassword": "a-secret",
            "MicrosoftAppTenantId": registered,
            "SAFE_PREMISES_CONFIG": str(EXAMPLE_CONFIG),
            "SAFE_PREMISES_DATA": str(tmp_path / "var"),
        }
    )

    assert status == 2
    lines = capsys.readouterr().err.strip().splitlines()
    assert len(lines) == 1
    assert "cannot start" in lines[0]
    assert registered in lines[0]
    assert configured in lines[0]
    assert "a-secret" not in lines[0]
    assert not (tmp_path / "var").exists(), "nothing is created before the refusal"


def test_the_same_tenant_in_either_spelling_is_one_tenant() -> None:
    configured = prepare(EXAMPLE_CONFIG).config.tenant_id
    same = Settings(app_id="app", app_password="x", app_tenant_id=f" {configured.upper()} ")

    assert tenant_mismatch(same, configured) == ""
    assert tenant_mismatch(Settings(), configured) == ""  # no tenant set: nothing to differ


def test_a_missing_trust_configuration_names_the_setting_and_the_fix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main(
        {
            "SAFE_PREMISES_CONFIG": str(tmp_path / "nowhere.yaml"),
            "SAFE_PREMISES_DATA": str(tmp_path / "var"),
        }
    )

    assert status == 2
    err = capsys.readouterr().err
    assert "SAFE_PREMISES_CONFIG is" in err
    assert "set it to the trust configuration's path" in err


def test_a_data_folder_that_cannot_be_made_names_the_setting_and_the_fix(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")

    status = main({"SAFE_PREMISES_DATA": str(blocker / "var"), "PORT": "0"})

    assert status == 2
    err = capsys.readouterr().err
    assert "cannot start:" in err
    assert "SAFE_PREMISES_DATA is" in err
    assert "a folder the bot can create and write to" in err


def test_a_tenant_mismatch_says_which_setting_to_change() -> None:
    message = tenant_mismatch(
        Settings(
            app_id="a", app_password="p", app_tenant_id="0d0d0d0d-1111-4222-8333-444455556666"
        ),
        "5f3c9a2e-8d41-4b6a-9c0e-2a7d1e4b6f10",
    )
    assert "set MicrosoftAppTenantId to the trust's tenant id" in message


def test_the_sharepoint_store_without_its_site_is_refused_at_start_saying_what_to_set(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main(
        {
            "SAFE_PREMISES_STORE": "sharepoint",
            "MicrosoftAppId": "00000000-0000-4000-8000-00000000b07a",
            "MicrosoftAppPassword": "a-secret",
            "MicrosoftAppTenantId": "0d0d0d0d-1111-4222-8333-444455556666",
            "SAFE_PREMISES_DATA": str(tmp_path / "var"),
        }
    )

    assert status == 2
    err = capsys.readouterr().err
    assert "cannot start: SAFE_PREMISES_SHAREPOINT_SITE must be the SharePoint site's" in err
    assert "https://contoso.sharepoint.com/sites/cases" in err
    assert "a-secret" not in err
    assert not (tmp_path / "var").exists()


def test_groups_in_the_configuration_without_microsoft_365_are_refused_at_start(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    status = main(
        {
            "SAFE_PREMISES_CONFIG": str(EXAMPLE_CONFIG.with_name("trust.microsoft365.yaml")),
            "SAFE_PREMISES_DATA": str(tmp_path / "var"),
        }
    )

    assert status == 2
    err = capsys.readouterr().err
    assert "cannot start: the trust configuration names Entra ID groups" in err
    assert "SAFE_PREMISES_STORE=sharepoint" in err
