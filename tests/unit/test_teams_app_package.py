"""The Teams app package (issue 13): the manifest filled from the settings and the trust
configuration validates against the Teams manifest schema, lists the bot's commands, and
the zip `make package` builds holds it and two icons of the sizes and kinds Teams asks for."""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import zipfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from bot.flows import default_router
from bot.flows.onboarding import help_view
from bot.routing import Inbound, Router
from bot.services import BotServices
from cards.common import Choice
from casework.actor import Actor
from teamsapp import icons
from teamsapp.__main__ import main
from teamsapp.package import (
    APP_PACKAGE,
    TEMPLATE,
    PackageError,
    PackageSettings,
    build,
    fill,
    manifest,
)
from tests.casework_world import CHAIR, CLERK, HEAD, SENIOR, STAFF, example_config, fake_world
from tests.contracts import load_contract
from tests.pngcheck import read_png

REPO_ROOT = Path(__file__).resolve().parents[2]
BOT_ID = "3d7a1c52-4b8e-4f0a-9c61-2e5b7d9f0a14"
TEAMS_APP_ID = "8c2e6f10-5a3d-4b7e-8f92-1d4c6a8b0e37"
ENVIRON = {
    "MicrosoftAppId": BOT_ID,
    "TEAMS_APP_ID": TEAMS_APP_ID,
    "BOT_DOMAIN": "safe-premises.azurewebsites.net",
    "TEAMS_APP_PRIVACY_URL": "https://oakvalley.example/privacy",
    "TEAMS_APP_TERMS_URL": "https://oakvalley.example/terms",
}


def validator() -> jsonschema.Validator:
    schema = load_contract("teams-manifest-v1.30.schema.json")
    # The schema declares draft-04 but uses `const` (a draft-06 keyword, which draft-04
    # ignores): checked with draft 6 so that `manifestVersion: "1.30"` is enforced.
    return jsonschema.Draft6Validator(schema)


def schema_problems(document: dict[str, Any]) -> list[str]:
    return [
        f"/{'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator().iter_errors(document)
    ]


def filled() -> dict[str, Any]:
    return manifest(PackageSettings.from_environ(ENVIRON), example_config(), "1.2.3")


def test_the_filled_manifest_validates_against_the_teams_manifest_schema() -> None:
    document = filled()
    assert schema_problems(document) == []
    assert document["manifestVersion"] == "1.30"


def test_the_schema_check_refuses_a_wrong_manifest_version() -> None:
    # Guards the draft-6 choice above: under draft-04 this would pass.
    document = filled() | {"manifestVersion": "1.99"}
    assert schema_problems(document)


def test_the_manifest_carries_the_ids_domain_links_and_colour_it_was_given() -> None:
    document = filled()
    config = example_config()
    assert document["id"] == TEAMS_APP_ID
    assert document["version"] == "1.2.3"
    assert document["bots"][0]["botId"] == BOT_ID
    assert document["validDomains"] == ["safe-premises.azurewebsites.net"]
    assert document["developer"] == {
        "name": config.trust.name,
        "websiteUrl": config.trust.website,
        "privacyUrl": "https://oakvalley.example/privacy",
        "termsOfUseUrl": "https://oakvalley.example/terms",
    }
    assert document["accentColor"] == config.trust.branding.primary_colour.upper()
    assert "${{" not in json.dumps(document)


def test_the_teams_app_id_is_the_bot_id_when_not_set() -> None:
    settings = PackageSettings.from_environ({**ENVIRON, "TEAMS_APP_ID": ""})
    assert settings.teams_app_id == BOT_ID


def test_the_bot_is_offered_in_personal_team_and_group_chat_scopes() -> None:
    bot = filled()["bots"][0]
    assert sorted(bot["scopes"]) == ["groupChat", "personal", "team"]
    listed = {scope for commands in bot["commandLists"] for scope in commands["scopes"]}
    assert listed == {"personal", "team", "groupChat"}


NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
# Everyone in the example configuration who holds a role at Oakfield: between them, every role.
ROLE_HOLDERS = (HEAD, SENIOR, STAFF, CHAIR, CLERK)


def wired_services() -> BotServices:
    config = example_config()
    return BotServices(
        tenant_id=config.tenant_id,
        trust_name=config.trust.name,
        schools=tuple(Choice(s.id, s.name) for s in config.schools),
        casework=fake_world(NOW).casework,
    )


def typed(text: str, actor: Actor | None = None) -> Inbound:
    return Inbound("1", "message", text=text, user_aad_object_id=actor.object_id if actor else "")


def answered_by(router: Router, text: str) -> str:
    """The name of the route that answers `text` typed in a chat with the bot."""
    route = router.select(typed(text))
    assert route is not None, text
    return route.name


def help_commands(services: BotServices) -> set[str]:
    """What the help card tells anyone holding a role to type, across every role."""
    said = set()
    for actor in ROLE_HOLDERS:
        personal = help_view(services, typed("help", actor)).personal
        assert personal is not None
        assert not personal.unknown
        said |= {command.word for command in personal.commands}
    return said


def test_the_personal_command_list_is_exactly_the_commands_the_help_card_offers() -> None:
    # Teams sends a command's title as the message: each title must reach the route that
    # answers what help tells people to type, and every such route must be listed once.
    services = wired_services()
    router = default_router(services)
    unrecognised = answered_by(router, "no such command")
    personal = next(c for c in filled()["bots"][0]["commandLists"] if "personal" in c["scopes"])
    listed = [answered_by(router, command["title"]) for command in personal["commands"]]
    offered = {answered_by(router, word) for word in help_commands(services)}
    assert unrecognised not in listed
    assert sorted(listed) == sorted(offered)
    assert all(command["description"] for command in personal["commands"])


def test_the_command_check_sees_a_command_missing_from_the_manifest() -> None:
    # Guards the test above: the help card offers `deadlines`, answered by its own route.
    services = wired_services()
    router = default_router(services)
    assert "deadlines" in help_commands(services)
    assert answered_by(router, "deadlines") not in {
        answered_by(router, word) for word in ("report", "cases", "case", "help")
    }


def test_channel_and_group_chat_commands_are_commands_the_router_answers() -> None:
    services = wired_services()
    router = default_router(services)
    unrecognised = answered_by(router, "no such command")
    shared = next(c for c in filled()["bots"][0]["commandLists"] if "team" in c["scopes"])
    offered = {answered_by(router, word) for word in help_commands(services)}
    for command in shared["commands"]:
        assert answered_by(router, command["title"]) in offered - {unrecognised}


def test_descriptions_are_given_and_within_the_limits() -> None:
    description = filled()["description"]
    assert 0 < len(description["short"]) <= 80
    assert len(description["short"]) < len(description["full"]) <= 4000


@pytest.mark.parametrize(
    ("change", "named"),
    [
        ({"MicrosoftAppId": ""}, "MicrosoftAppId"),
        ({"TEAMS_APP_ID": "not-a-guid"}, "TEAMS_APP_ID"),
        ({"BOT_DOMAIN": "https://safe-premises.azurewebsites.net"}, "BOT_DOMAIN"),
        ({"BOT_DOMAIN": "safe-premises.azurewebsites.net/api/messages"}, "BOT_DOMAIN"),
        ({"BOT_DOMAIN": ""}, "BOT_DOMAIN"),
        ({"TEAMS_APP_PRIVACY_URL": "http://oakvalley.example/privacy"}, "TEAMS_APP_PRIVACY_URL"),
        ({"TEAMS_APP_TERMS_URL": ""}, "TEAMS_APP_TERMS_URL"),
    ],
)
def test_a_bad_package_setting_is_refused_naming_it(change: dict[str, str], named: str) -> None:
    with pytest.raises(PackageError, match=named):
        PackageSettings.from_environ({**ENVIRON, **change})


def test_a_value_cannot_change_the_manifest_structure() -> None:
    # Filled into parsed values, so quotes and braces in a value stay inside the string.
    template = {"name": {"short": "${{X}}"}}
    assert fill(template, {"X": '", "id": "evil'}) == {"name": {"short": '", "id": "evil'}}


def test_a_placeholder_without_a_value_stops_the_build_naming_it() -> None:
    with pytest.raises(PackageError, match=r"\$\{\{NOPE\}\}"):
        fill({"a": ["${{NOPE}}"]}, {})


def test_a_trust_without_a_website_is_refused_naming_the_field() -> None:
    config = example_config()
    trust = dataclasses.replace(config.trust, website=None)
    settings = PackageSettings.from_environ(ENVIRON)
    with pytest.raises(PackageError, match=r"trust\.website"):
        manifest(settings, dataclasses.replace(config, trust=trust), "1")


def test_the_template_is_the_one_in_the_app_package_folder() -> None:
    assert TEMPLATE.parent == APP_PACKAGE == REPO_ROOT / "infra" / "appPackage"


# --- icons ------------------------------------------------------------------------------


def test_the_committed_icons_are_what_the_icon_script_draws() -> None:
    assert (APP_PACKAGE / "color.png").read_bytes() == icons.color_icon()
    assert (APP_PACKAGE / "outline.png").read_bytes() == icons.outline_icon()


def check_colour_icon(data: bytes) -> None:
    png = read_png(data)
    assert (png.width, png.height) == (192, 192)
    assert {pixel[3] for row in png.pixels for pixel in row} == {255}  # a solid square


def check_outline_icon(data: bytes) -> None:
    png = read_png(data)
    assert (png.width, png.height) == (32, 32)
    pixels = [pixel for row in png.pixels for pixel in row]
    # White on transparent: every pixel that shows at all is white.
    assert all(pixel[:3] == (255, 255, 255) for pixel in pixels if pixel[3] > 0)
    assert any(pixel[3] == 0 for pixel in pixels)
    assert any(pixel[3] == 255 for pixel in pixels)


def test_the_colour_icon_is_a_192_pixel_opaque_png() -> None:
    check_colour_icon((APP_PACKAGE / "color.png").read_bytes())


def test_the_outline_icon_is_a_32_pixel_white_on_transparent_png() -> None:
    check_outline_icon((APP_PACKAGE / "outline.png").read_bytes())


# --- the zip ------------------------------------------------------------------------------


def check_package(zip_path: Path) -> dict[str, Any]:
    with zipfile.ZipFile(zip_path) as archive:
        assert sorted(archive.namelist()) == ["color.png", "manifest.json", "outline.png"]
        document: dict[str, Any] = json.loads(archive.read("manifest.json"))
        assert schema_problems(document) == []
        check_colour_icon(archive.read(document["icons"]["color"]))
        check_outline_icon(archive.read(document["icons"]["outline"]))
    return document


def test_build_writes_a_zip_whose_manifest_validates_and_whose_icons_are_right(
    tmp_path: Path,
) -> None:
    zip_path = build(tmp_path, PackageSettings.from_environ(ENVIRON), example_config())
    document = check_package(zip_path)
    assert document["bots"][0]["botId"] == BOT_ID
    # The same inputs give the same bytes (fixed times in the zip).
    again = build(tmp_path / "again", PackageSettings.from_environ(ENVIRON), example_config())
    assert again.read_bytes() == zip_path.read_bytes()


def test_the_command_line_refuses_a_bad_setting_with_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    environ = {**ENVIRON, "BOT_DOMAIN": "https://x.example"}
    assert main(["package", "--out", str(tmp_path)], environ) == 2
    error = capsys.readouterr().err
    assert "BOT_DOMAIN" in error
    assert len(error.strip().splitlines()) == 1
    assert not list(tmp_path.iterdir())


def test_make_package_builds_the_zip(tmp_path: Path) -> None:
    out = tmp_path / "package"
    result = subprocess.run(
        [
            "make",
            "--no-print-directory",
            # Treat the runtime install as done: this test checks the recipe, not pip.
            "-o",
            ".venv/.runtime",
            "package",
            f"PACKAGE_DIR={out}",
        ],
        cwd=REPO_ROOT,
        env={"PATH": "/usr/bin:/bin", **ENVIRON},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    check_package(out / "safe-premises.zip")


def test_the_deploy_guide_lists_the_commands_the_manifest_offers() -> None:
    guide = (REPO_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8").replace("\n", " ")
    said = re.search(r"commands in a personal chat \(([^)]*)\)", guide)
    assert said
    lists = filled()["bots"][0]["commandLists"]
    personal = next(c for c in lists if "personal" in c["scopes"])
    shared = next(c for c in lists if "team" in c["scopes"])
    assert re.findall(r"`([^`]+)`", said.group(1)) == [c["title"] for c in personal["commands"]]
    assert [c["title"] for c in shared["commands"]] == ["help"]
