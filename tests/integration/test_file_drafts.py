"""Letter drafts as .eml files: parsed back with the standard library, part by part, as
Outlook or Thunderbird would read them."""

from __future__ import annotations

import asyncio
import threading
from dataclasses import replace
from datetime import UTC, date, datetime
from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from email.utils import parsedate_to_datetime
from pathlib import Path

import pytest

from casework.ports import Attachment, LetterDraft, Person, Recipient
from local.file_drafts import FileLetterDrafts
from tests.fakes import FixedClock

NOW = datetime(2026, 11, 24, 15, 45, tzinfo=UTC)
LOGO = b"\x89PNG\r\n\x1a\nnot-really-an-image"
DOCX = b"PK\x03\x04 a docx is a zip"
DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def draft(**changes: object) -> LetterDraft:
    base = LetterDraft(
        key="case-7/letter-4/seq-12",
        case_id="case-7",
        case_reference="OAK-2026-0007",
        letter="letter-4",
        signer=Person("a1000000-0000-4000-8000-000000000001", "Siân Ní Bhriain", "s@oak.example"),
        to=Recipient("Zoë O'Connor-Łukasz", "zoe@parent.example", ("1 Elm Road", "OV3 4CD")),
        cc=(
            Recipient("Graham Whitlock", "chair@oakvalley.example"),
            Recipient("Postal only"),
        ),
        subject="Provisional ban — Oakfield Primary Academy",
        html='<p><img src="cid:logo@safe-premises" alt="Oak Valley"></p><p>Dear Zoë,</p>'
        "<p>Please reply by 8 December 2026.</p>",
        text="Dear Zoë,\n\nPlease reply by 8 December 2026.\n",
        attachments=(
            Attachment("logo.png", "image/png", LOGO, content_id="logo@safe-premises"),
            Attachment("OAK-2026-0007 letter 4.docx", DOCX_TYPE, DOCX),
        ),
        reply_by=date(2026, 12, 8),
    )
    return replace(base, **changes)  # type: ignore[arg-type]


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    return tmp_path / "letters"


@pytest.fixture
def drafts(folder: Path) -> FileLetterDrafts:
    return FileLetterDrafts(folder, clock=FixedClock(NOW))


def parse(path: Path) -> EmailMessage:
    message = message_from_bytes(path.read_bytes(), policy=default)
    assert isinstance(message, EmailMessage)
    return message


def snapshot(folder: Path) -> dict[Path, bytes]:
    return {p: p.read_bytes() for p in folder.rglob("*") if p.is_file()}


def inside(folder: Path, path: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


async def test_the_draft_is_an_eml_under_the_case_reference(
    drafts: FileLetterDrafts, folder: Path
) -> None:
    relative = await drafts.create_draft(draft())

    assert relative.startswith("OAK-2026-0007/letter-4-")
    assert relative.endswith(".eml")
    assert (folder / relative).is_file()
    assert sorted(p.name for p in (folder / "OAK-2026-0007").iterdir()) == [
        Path(relative).name,
        Path(relative).with_suffix(".html").name,
    ]


async def test_headers_make_it_a_draft_from_the_signer(
    drafts: FileLetterDrafts, folder: Path
) -> None:
    message = parse(folder / await drafts.create_draft(draft()))

    assert message["X-Unsent"] == "1"
    assert message["X-Safe-Premises-Case"] == "OAK-2026-0007"
    assert message["X-Safe-Premises-Letter"] == "letter-4"
    (sender,) = message["From"].addresses
    assert (sender.display_name, sender.addr_spec) == ("Siân Ní Bhriain", "s@oak.example")
    (to,) = message["To"].addresses
    assert (to.display_name, to.addr_spec) == ("Zoë O'Connor-Łukasz", "zoe@parent.example")
    # A recipient without an email address cannot be copied in: the letter goes by post.
    assert [(a.display_name, a.addr_spec) for a in message["Cc"].addresses] == [
        ("Graham Whitlock", "chair@oakvalley.example")
    ]
    assert message["Subject"] == "Provisional ban — Oakfield Primary Academy"
    assert parsedate_to_datetime(message["Date"]) == NOW
    assert message["Message-ID"]


async def test_non_ascii_names_are_encoded_for_transport(
    drafts: FileLetterDrafts, folder: Path
) -> None:
    raw = (folder / await drafts.create_draft(draft())).read_bytes()

    headers = raw.split(b"\r\n\r\n", 1)[0]
    assert headers.isascii()
    assert b"=?utf-8?" in headers


async def test_reply_by_is_in_the_headers(drafts: FileLetterDrafts, folder: Path) -> None:
    message = parse(folder / await drafts.create_draft(draft()))

    assert message["X-Safe-Premises-Reply-By"] == "2026-12-08"
    reply_by = parsedate_to_datetime(message["Reply-By"])
    assert reply_by.date() == date(2026, 12, 8)
    assert (reply_by.hour, reply_by.minute) == (23, 59)
    assert "reply by 8 December 2026" in message.get_body(("plain",)).get_content()  # type: ignore[union-attr]


async def test_without_a_reply_by_date_there_is_no_reply_by_header(
    drafts: FileLetterDrafts, folder: Path
) -> None:
    message = parse(folder / await drafts.create_draft(draft(reply_by=None)))

    assert message["Reply-By"] is None
    assert message["X-Safe-Premises-Reply-By"] is None


async def test_every_part_is_where_a_mail_client_looks(
    drafts: FileLetterDrafts, folder: Path
) -> None:
    message = parse(folder / await drafts.create_draft(draft()))

    assert message.get_content_type() == "multipart/mixed"
    alternative, attachment = message.iter_parts()
    assert alternative.get_content_type() == "multipart/alternative"
    text, related = alternative.iter_parts()
    assert text.get_content_type() == "text/plain"
    # On disk lines end in CRLF, as RFC 5322 has them; the text is otherwise unchanged.
    assert text.get_content() == "Dear Zoë,\r\n\r\nPlease reply by 8 December 2026.\r\n"
    assert related.get_content_type() == "multipart/related"
    html, image = related.iter_parts()
    assert html.get_content_type() == "text/html"
    assert 'src="cid:logo@safe-premises"' in html.get_content()
    assert "Dear Zoë," in html.get_content()
    assert image.get_content_type() == "image/png"
    assert image["Content-ID"] == "<logo@safe-premises>"
    assert image.get_content_disposition() == "inline"
    assert image.get_content() == LOGO
    assert attachment.get_content_type() == DOCX_TYPE
    assert attachment.get_content_disposition() == "attachment"
    assert attachment.get_filename() == "OAK-2026-0007 letter 4.docx"
    assert attachment.get_content() == DOCX


async def test_a_letter_without_attachments_is_text_and_html_only(
    drafts: FileLetterDrafts, folder: Path
) -> None:
    message = parse(folder / await drafts.create_draft(draft(attachments=())))

    assert message.get_content_type() == "multipart/alternative"
    assert [p.get_content_type() for p in message.iter_parts()] == ["text/plain", "text/html"]


async def test_a_postal_letter_has_no_to_header(drafts: FileLetterDrafts, folder: Path) -> None:
    message = parse(
        folder / await drafts.create_draft(draft(to=Recipient("By Post", None, ("1 Elm Road",))))
    )

    assert message["To"] is None
    assert message["X-Unsent"] == "1"


async def test_the_html_copy_shows_inline_images_in_a_browser(
    drafts: FileLetterDrafts, folder: Path
) -> None:
    relative = await drafts.create_draft(draft())

    html = (folder / relative).with_suffix(".html").read_text(encoding="utf-8")

    assert "cid:" not in html
    assert 'src="data:image/png;base64,iVBORw0KGgpub3QtcmVhbGx5LWFuLWltYWdl"' in html
    assert "Dear Zoë," in html


async def test_a_second_call_returns_the_same_path_and_writes_nothing(
    folder: Path,
) -> None:
    first = await FileLetterDrafts(folder, clock=FixedClock(NOW)).create_draft(draft())
    before = snapshot(folder)

    later = FixedClock(datetime(2026, 12, 1, tzinfo=UTC))
    again = await FileLetterDrafts(folder, clock=later).create_draft(draft(subject="Other"))

    assert again == first
    assert snapshot(folder) == before


def test_concurrent_writers_in_threads_leave_one_draft_and_no_temporary_files(
    folder: Path,
) -> None:
    writers = 8
    barrier = threading.Barrier(writers)
    results: list[str] = []

    def write(n: int) -> None:
        store = FileLetterDrafts(folder, clock=FixedClock(NOW))
        barrier.wait()
        results.append(asyncio.run(store.create_draft(draft(subject=f"attempt {n}"))))

    threads = [threading.Thread(target=write, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(results) == writers
    assert len(set(results)) == 1
    files = sorted(p.name for p in folder.rglob("*") if p.is_file())
    assert len(files) == 2  # the .eml and its .html copy, nothing else
    subject = parse(folder / results[0])["Subject"]
    assert subject.startswith("attempt ")


async def test_unsafe_characters_never_leave_the_folder(
    drafts: FileLetterDrafts, folder: Path
) -> None:
    relative = await drafts.create_draft(draft(case_reference="../../etc", letter="a/b c"))

    assert inside(folder, folder / relative)
    assert relative.startswith("etc/a-b-c-")


async def test_a_reference_that_cannot_name_a_file_is_refused(drafts: FileLetterDrafts) -> None:
    with pytest.raises(ValueError, match="file name"):
        await drafts.create_draft(draft(case_reference="///"))
