"""Letter previews for administrators.

    python -m templates preview --out var/letter-preview [--overrides DIR] [--config PATH]
                                [--school ID]

Renders every letter in every variant with the example data into DIR, as
`<variant>.html`, `<variant>.txt` and `<variant>.docx` (the logo beside the HTML files, so
a browser shows it), and prints one line saying what it did. With `--config`, the trust's
and a school's own details (name, address, registered office, logo, colours, the head's
title) replace the example ones, and the configuration's override folder is used unless
`--overrides` is given. Exits 2 with the reason when templates or configuration are wrong.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from templates.context import Branding, Logo, SchoolDetails, TrustDetails
from templates.errors import LetterError
from templates.examples import example_letters
from templates.render import LetterRenderer, LetterTemplates

_CONTENT_TYPES = {
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
}


def _from_config(
    path: Path, school_id: str | None
) -> tuple[TrustDetails, SchoolDetails, Path | None]:
    from casework.config import ConfigError, load_trust_config  # only this command needs it

    try:
        config = load_trust_config(path)
    except ConfigError as error:
        raise LetterError(str(error)) from error
    trust = config.trust
    logo_path = trust.branding.logo
    content_type = _CONTENT_TYPES.get(logo_path.suffix.lower())
    if content_type is None:
        raise LetterError(f"{logo_path}: the logo must be a .png, .jpg or .gif file")
    try:
        school = config.school(school_id) if school_id else config.schools[0]
    except KeyError:
        raise LetterError(
            f"{path}: no school {school_id!r} (schools: {', '.join(config.school_ids)})"
        ) from None

    details = TrustDetails(
        name=trust.name,
        registered_name=trust.registered_name,
        company_number=trust.company_number,
        registered_office=trust.registered_office,
        branding=Branding(
            primary_colour=trust.branding.primary_colour,
            accent_colour=trust.branding.accent_colour,
            logo=Logo(logo_path.read_bytes(), content_type, logo_path.name),
        ),
    )
    school_details = SchoolDetails(
        name=school.name,
        address=school.address,
        head_title=school.head_title,
        email=school.email,
        phone=school.phone,
    )
    return details, school_details, config.letters_override_folder


def preview(out: Path, overrides: Path | None, config: Path | None, school: str | None) -> str:
    trust = school_details = None
    if config is not None:
        trust, school_details, configured = _from_config(config, school)
        overrides = overrides or configured
    templates = LetterTemplates.load(overrides)
    renderer = LetterRenderer(templates)
    out.mkdir(parents=True, exist_ok=True)
    letters = example_letters(trust, school_details)
    files = 0
    for variant, data in letters.items():
        letter = renderer.render(data)
        html = letter.html
        for image in letter.inline_images:
            # Browsers do not resolve cid:; point the preview at a copy beside it.
            (out / image.filename).write_bytes(image.data)
            html = html.replace(f"cid:{image.content_id}", image.filename)
        (out / f"{variant}.html").write_text(html, encoding="utf-8")
        (out / f"{variant}.txt").write_text(letter.text, encoding="utf-8")
        (out / f"{variant}.docx").write_bytes(letter.docx)
        files += 3
    source = (
        f"the default templates with {len(templates.overridden)} override(s) from {overrides}"
        if templates.overridden
        else "the default templates"
    )
    return f"Rendered {len(letters)} letters ({files} files) from {source} into {out}"


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m templates", description=__doc__.split("\n")[0])
    commands = parser.add_subparsers(dest="command", required=True)
    command = commands.add_parser("preview", help="render every letter with example data")
    command.add_argument("--out", type=Path, required=True, help="folder to write the letters to")
    command.add_argument("--overrides", type=Path, help="a folder of the trust's own templates")
    command.add_argument("--config", type=Path, help="a trust configuration YAML file")
    command.add_argument("--school", help="the school id in --config (default: the first)")
    args = parser.parse_args(argv)
    try:
        print(preview(args.out, args.overrides, args.config, args.school))
    except LetterError as error:
        print(f"Cannot render the letters: {error}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
