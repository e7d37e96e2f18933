"""Microsoft's own validator on the built package's manifest (issue 13).

`atk validate --manifest-file` (Microsoft 365 Agents Toolkit CLI, pinned in
`infra/appPackage/package.json`, installed by `make validator-deps`) checks a manifest
against the schema it ships and its validation rules without signing in or reaching the
network. (`--package-file` would send the zip to the Teams Developer Portal, which needs a
Microsoft 365 sign-in, so it is not used.) A missing CLI fails the test: `make e2e`
installs it.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import zipfile
from pathlib import Path

from teamsapp.package import APP_PACKAGE, PackageSettings, build
from tests.casework_world import example_config
from tests.unit.test_teams_app_package import ENVIRON

ONE_BACKEND = "Microsoft's validator checks the app package; no cases"

ATK = APP_PACKAGE / "node_modules" / ".bin" / "atk"


def atk_validate(manifest: Path) -> subprocess.CompletedProcess[str]:
    assert ATK.exists(), f"{ATK} is missing: run `make validator-deps` (make e2e does)"
    return subprocess.run(
        [
            str(ATK),
            "validate",
            "--manifest-file",
            str(manifest),
            "-f",
            str(manifest.parent),
            "--telemetry",
            "false",
            "--interactive",
            "false",
        ],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin", "HOME": str(manifest.parent)},
    )


def unpacked(tmp_path: Path) -> Path:
    zip_path = build(tmp_path / "out", PackageSettings.from_environ(ENVIRON), example_config())
    folder = tmp_path / "appPackage"
    with zipfile.ZipFile(zip_path) as archive:
        archive.extractall(folder)
    return folder / "manifest.json"


def test_microsofts_validator_passes_the_built_manifest(tmp_path: Path) -> None:
    result = atk_validate(unpacked(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All passed" in result.stdout


def test_microsofts_validator_fails_a_broken_manifest(tmp_path: Path) -> None:
    # So that the test above cannot pass on a validator that checks nothing.
    manifest = unpacked(tmp_path)
    document = json.loads(manifest.read_text(encoding="utf-8"))
    document["bots"][0]["botId"] = "not-a-guid"
    manifest.write_text(json.dumps(document), encoding="utf-8")
    result = atk_validate(manifest)
    assert result.returncode != 0
    assert "/bots/0/botId" in result.stdout + result.stderr


def test_the_validator_is_pinned_exactly() -> None:
    package = json.loads((APP_PACKAGE / "package.json").read_text(encoding="utf-8"))
    version = package["devDependencies"]["@microsoft/m365agentstoolkit-cli"]
    assert version[0].isdigit(), f"pin an exact version, not {version!r}"
    assert shutil.which("node"), "Node.js is needed for the validator"
