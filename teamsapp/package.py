"""Fill the manifest template and zip it with the icons: the package uploaded to Teams.

The template (`infra/appPackage/manifest.json`) holds `${{NAME}}` placeholders, as the
Teams toolkits write them. They are replaced in the parsed JSON's string values, never in
the text, so that no value can change the manifest's structure; a placeholder left
unfilled, or one the template does not know, stops the build naming it.

Where each value comes from:

| placeholder | from |
|---|---|
| `BOT_ID` | `MicrosoftAppId`, the bot's app registration (as the bot reads it) |
| `TEAMS_APP_ID` | `TEAMS_APP_ID`; unset, the bot's app id (one id for both is allowed) |
| `BOT_DOMAIN` | `BOT_DOMAIN`: the host name of the messaging endpoint |
| `PRIVACY_URL`, `TERMS_URL` | `TEAMS_APP_PRIVACY_URL`, `TEAMS_APP_TERMS_URL` (https) |
| `DEVELOPER_NAME`, `WEBSITE_URL` | the configuration's `trust.name` and `trust.website` |
| `ACCENT_COLOR` | the configuration's `trust.branding.primary_colour` |
| `APP_VERSION` | the project's version in `pyproject.toml` |
"""

from __future__ import annotations

import json
import re
import tomllib
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from casework.config import TrustConfig

REPO_ROOT = Path(__file__).resolve().parent.parent
APP_PACKAGE = REPO_ROOT / "infra" / "appPackage"
TEMPLATE = APP_PACKAGE / "manifest.json"
ICON_FILES = ("color.png", "outline.png")
PACKAGE_NAME = "safe-premises.zip"

_PLACEHOLDER = re.compile(r"\$\{\{([A-Z0-9_]+)\}\}")
_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
_DOMAIN = re.compile(r"^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$")
# A fixed time for every file in the zip, so that the same inputs give the same bytes.
_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
# The manifest schema's limit for developer.name.
MAX_DEVELOPER_NAME = 32


class PackageError(ValueError):
    """The package cannot be built; the message names the setting or field and the fix."""


@dataclass(frozen=True)
class PackageSettings:
    bot_id: str
    teams_app_id: str
    bot_domain: str
    privacy_url: str
    terms_url: str

    @classmethod
    def from_environ(cls, environ: Mapping[str, str]) -> PackageSettings:
        """Read and check the package's settings (pure: pass `os.environ` or a dict)."""

        def get(name: str) -> str:
            return (environ.get(name) or "").strip()

        problems: list[str] = []
        bot_id = get("MicrosoftAppId")
        if not _GUID.match(bot_id):
            problems.append(
                "MicrosoftAppId must be the bot's app registration id (a GUID), "
                f"not {bot_id!r}: the package is for a registered bot"
            )
        teams_app_id = get("TEAMS_APP_ID") or bot_id
        if not _GUID.match(teams_app_id):
            problems.append(f"TEAMS_APP_ID must be a GUID, not {teams_app_id!r}")
        domain = get("BOT_DOMAIN").lower()
        if not _DOMAIN.match(domain):
            problems.append(
                "BOT_DOMAIN must be the host name of the messaging endpoint alone, e.g. "
                f"safe-premises.azurewebsites.net (no https://, path or port), not {domain!r}"
            )
        privacy = get("TEAMS_APP_PRIVACY_URL")
        terms = get("TEAMS_APP_TERMS_URL")
        for name, url in (("TEAMS_APP_PRIVACY_URL", privacy), ("TEAMS_APP_TERMS_URL", terms)):
            problem = _https_problem(url)
            if problem:
                problems.append(f"{name} {problem}")
        if problems:
            raise PackageError("; ".join(problems))
        return cls(bot_id, teams_app_id, domain, privacy, terms)


def _https_problem(url: str) -> str:
    """Why `url` is not an https address with a host ("" when it is)."""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname:
        return f"must be an https:// address, not {url!r}"
    return ""


def project_version() -> str:
    with (REPO_ROOT / "pyproject.toml").open("rb") as file:
        return str(tomllib.load(file)["project"]["version"])


def values(settings: PackageSettings, config: TrustConfig, version: str) -> dict[str, str]:
    """What each placeholder is filled with. Raises `PackageError` for a field the
    manifest cannot take, naming the field."""
    trust = config.trust
    problems: list[str] = []
    if len(trust.name) > MAX_DEVELOPER_NAME:
        problems.append(
            f"{config.source}: trust.name is {len(trust.name)} characters; Teams shows at "
            f"most {MAX_DEVELOPER_NAME} as the app's publisher: shorten it"
        )
    if trust.website is None:
        problems.append(
            f"{config.source}: trust.website is not set; the Teams app needs the trust's "
            "website: add it (an https:// address)"
        )
    if problems:
        raise PackageError("; ".join(problems))
    assert trust.website is not None
    return {
        "APP_VERSION": version,
        "TEAMS_APP_ID": settings.teams_app_id,
        "BOT_ID": settings.bot_id,
        "BOT_DOMAIN": settings.bot_domain,
        "PRIVACY_URL": settings.privacy_url,
        "TERMS_URL": settings.terms_url,
        "DEVELOPER_NAME": trust.name,
        "WEBSITE_URL": trust.website,
        "ACCENT_COLOR": trust.branding.primary_colour.upper(),
    }


def fill(template: Any, filled: Mapping[str, str]) -> Any:
    """`template` with every `${{NAME}}` in its string values replaced from `filled`.
    Raises `PackageError` naming a placeholder that has no value."""
    if isinstance(template, dict):
        return {key: fill(value, filled) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, filled) for value in template]
    if isinstance(template, str):

        def one(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in filled:
                raise PackageError(f"the manifest template names ${{{{{name}}}}}, unknown here")
            return filled[name]

        return _PLACEHOLDER.sub(one, template)
    return template


def manifest(settings: PackageSettings, config: TrustConfig, version: str) -> dict[str, Any]:
    """The filled manifest."""
    template = json.loads(TEMPLATE.read_text(encoding="utf-8"))
    result: dict[str, Any] = fill(template, values(settings, config, version))
    return result


def build(out_dir: Path, settings: PackageSettings, config: TrustConfig) -> Path:
    """Write `out_dir/safe-premises.zip` (manifest.json and the two icons at its root)
    and `out_dir/manifest.json` beside it, to read; return the zip's path."""
    document = manifest(settings, config, project_version())
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    out_dir.mkdir(parents=True, exist_ok=True)
    (out_dir / "manifest.json").write_text(text, encoding="utf-8")
    target = out_dir / PACKAGE_NAME
    partial = target.with_suffix(".zip.partial")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        entries = [("manifest.json", text.encode("utf-8"))]
        entries += [(name, (APP_PACKAGE / name).read_bytes()) for name in ICON_FILES]
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    partial.replace(target)
    return target
