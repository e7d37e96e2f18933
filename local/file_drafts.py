"""The embedded default's letter drafts: `.eml` files in a folder (ports.LetterDrafts).

Each draft is an RFC 5322 message marked `X-Unsent: 1`, so that Outlook and Thunderbird open
it as a draft the signer can read, adjust and send, plus an `.html` copy to glance at in a
browser. Files are named `<case reference>/<letter>-<hash of the key>.eml`, so the same key
always lands on the same file: a second call finds it and writes nothing. A file is written
under a temporary name and then linked into place, which either creates it whole or finds it
already there; two concurrent calls can never leave two drafts or half of one.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import hashlib
import logging
import os
import re
import tempfile
from datetime import datetime, time
from email.headerregistry import Address
from email.message import EmailMessage
from email.policy import SMTP
from email.utils import format_datetime, make_msgid
from pathlib import Path
from zoneinfo import ZoneInfo

from casework.ports import Attachment, Clock, LetterDraft, Person, Recipient, SentState, SentStatus

log = logging.getLogger(__name__)

# Letters are dated and replies are due in UK time: "reply by 8 December" means the end of
# that day in the school's own clock.
UK = ZoneInfo("Europe/London")
_SAFE = re.compile(r"[^A-Za-z0-9._-]+")


class FileLetterDrafts:
    """`casework.ports.LetterDrafts` writing `.eml` drafts (and `.html` copies) under `folder`.

    `create_draft` returns the `.eml` path relative to `folder`, with `/` separators. `clock`
    dates the message; it is always given, so no adapter reads a clock of its own.
    """

    def __init__(self, folder: Path, *, clock: Clock) -> None:
        self.folder = folder
        self._clock = clock

    def path_for(self, draft: LetterDraft) -> str:
        """Where the draft for this key is (or will be), relative to the folder."""
        digest = hashlib.sha256(draft.key.encode("utf-8")).hexdigest()[:12]
        return f"{_safe(draft.case_reference)}/{_safe(draft.letter)}-{digest}.eml"

    async def create_draft(self, draft: LetterDraft) -> str:
        return await asyncio.to_thread(self._create, draft)

    async def sent_state(self, signer: Person, key: str) -> SentState:
        """`casework.ports.SentLetters`: a file cannot tell whether its letter was sent
        (the signer sends it from their own mail program), so the answer is unknown."""
        del signer, key
        return SentState(SentStatus.UNKNOWN)

    def _create(self, draft: LetterDraft) -> str:
        relative = self.path_for(draft)
        eml = self.folder / relative
        if eml.exists():
            return relative
        eml.parent.mkdir(parents=True, exist_ok=True)
        message = build_message(draft, self._clock.now())
        # The .html copy first: the .eml is the mark that the draft is complete.
        _write_once(eml.with_suffix(".html"), _viewable_html(draft).encode("utf-8"))
        if _write_once(eml, message.as_bytes(policy=SMTP)):
            log.info(
                "case %s: draft %s written to %s", draft.case_reference, draft.letter, relative
            )
        return relative


def build_message(draft: LetterDraft, now: datetime) -> EmailMessage:
    """The draft as an RFC 5322 message: text and HTML alternatives, inline images as related
    parts, other files as attachments."""
    message = EmailMessage()
    message["From"] = Address(display_name=draft.signer.name, addr_spec=draft.signer.email)
    if draft.to.email:
        message["To"] = _address(draft.to)
    cc = [_address(r) for r in draft.cc if r.email]
    if cc:
        message["Cc"] = cc
    message["Subject"] = draft.subject
    message["Date"] = format_datetime(now.astimezone(UK))
    message["Message-ID"] = make_msgid(domain="safe-premises.invalid")
    message["X-Unsent"] = "1"
    message["X-Safe-Premises-Case"] = draft.case_reference
    message["X-Safe-Premises-Letter"] = draft.letter
    if draft.reply_by is not None:
        end_of_day = datetime.combine(draft.reply_by, time(23, 59), tzinfo=UK)
        # Reply-By (RFC 2156) is what Outlook shows as "reply by"; ours carries the plain date.
        message["Reply-By"] = format_datetime(end_of_day)
        message["X-Safe-Premises-Reply-By"] = draft.reply_by.isoformat()

    message.set_content(draft.text)
    message.add_alternative(draft.html, subtype="html")
    html_part = message.get_body(preferencelist=("html",))
    if html_part is None:  # cannot happen: the alternative was added just above
        raise RuntimeError("the HTML part of the draft is missing")
    inline = [a for a in draft.attachments if a.content_id]
    for attachment in inline:
        maintype, subtype = _split(attachment)
        html_part.add_related(
            attachment.data,
            maintype=maintype,
            subtype=subtype,
            cid=f"<{attachment.content_id}>",
            filename=attachment.filename,
            disposition="inline",
        )
    for attachment in draft.attachments:
        if attachment.content_id:
            continue
        maintype, subtype = _split(attachment)
        message.add_attachment(
            attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
        )
    return message


def _address(recipient: Recipient) -> Address:
    return Address(display_name=recipient.name, addr_spec=recipient.email or "")


def _split(attachment: Attachment) -> tuple[str, str]:
    maintype, _, subtype = attachment.content_type.partition("/")
    if not maintype or not subtype:
        raise ValueError(
            f"attachment {attachment.filename!r} has no valid content type "
            f"({attachment.content_type!r})"
        )
    return maintype, subtype


def _viewable_html(draft: LetterDraft) -> str:
    """The HTML with inline images as data: URIs, since a browser cannot resolve cid: links."""
    html = draft.html
    for attachment in draft.attachments:
        if attachment.content_id:
            data = base64.b64encode(attachment.data).decode("ascii")
            html = html.replace(
                f"cid:{attachment.content_id}", f"data:{attachment.content_type};base64,{data}"
            )
    return html


def _safe(name: str) -> str:
    cleaned = _SAFE.sub("-", name).strip(".-")
    if not cleaned:
        raise ValueError(f"{name!r} cannot be used in a file name")
    return cleaned


def _write_once(path: Path, content: bytes) -> bool:
    """Create `path` with `content` unless it exists. True if this call created it."""
    fd, temporary = tempfile.mkstemp(prefix=".draft-", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as file:
            file.write(content)
            file.flush()
            os.fsync(file.fileno())
        try:
            # link() refuses to replace an existing file, unlike rename(): the first writer wins.
            os.link(temporary, path)
        except FileExistsError:
            return False
        return True
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
