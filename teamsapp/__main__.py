"""`python -m teamsapp package --out DIR`: build the Teams app package into DIR.
`python -m teamsapp icons`: draw the two icons again into `infra/appPackage/`.

Reads the process environment (and an optional `.env`, which never overrides variables
already set), as `python -m bot` does. A problem ends with one line naming the setting or
the field, and exit status 2.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

from casework.config import ConfigError, load_trust_config
from teamsapp import icons
from teamsapp.package import APP_PACKAGE, PackageError, PackageSettings, build


def main(argv: Sequence[str] | None = None, environ: Mapping[str, str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m teamsapp")
    commands = parser.add_subparsers(dest="command", required=True)
    package = commands.add_parser("package", help="build the Teams app package (a .zip)")
    package.add_argument("--out", type=Path, default=Path("build/appPackage"))
    commands.add_parser("icons", help="draw the icons again into infra/appPackage/")
    arguments = parser.parse_args(argv)

    if arguments.command == "icons":
        (APP_PACKAGE / "color.png").write_bytes(icons.color_icon())
        (APP_PACKAGE / "outline.png").write_bytes(icons.outline_icon())
        print(f"wrote {APP_PACKAGE / 'color.png'} and {APP_PACKAGE / 'outline.png'}")
        return 0

    if environ is None:
        from dotenv import load_dotenv

        load_dotenv(override=False)
        environ = os.environ
    try:
        settings = PackageSettings.from_environ(environ)
        config_path = Path(
            (environ.get("SAFE_PREMISES_CONFIG") or "").strip() or "config/trust.yaml"
        )
        config = load_trust_config(config_path)
        zip_path = build(arguments.out, settings, config)
    except (PackageError, ConfigError) as error:
        print(f"teamsapp: cannot build the package: {error}", file=sys.stderr)
        return 2
    print(f"wrote {zip_path}: upload it in the Teams admin centre (Manage apps, Upload)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
