"""Letter drafts in the signer's Outlook mailbox, through Microsoft Graph
(`casework.ports.LetterDrafts`, and `casework.ports.SentLetters` for the read-back).

A draft is made with `POST /users/{signer}/messages`: the HTML body, To (when the letter
goes by email) and Cc, and a single-value extended property carrying the draft's key (the
case and the letter). That tag is how a retry finds the draft instead of making a second:

- before creating, the signer's mailbox is searched for a message with the key
  (`$filter=singleValueExtendedProperties/Any(...)`); a draft found is completed, not
  made again;
- a create whose answer was lost (a timeout, a dropped connection, a 504) is looked for
  at once by its key; if it is not there yet, the call fails, and the next sweep looks
  again before creating anything;
- two instances drafting the same key at the same moment may both create one: each then
  looks again, and the one that did not make the oldest deletes its own, so one remains.

Attachments (the letter's `.docx` and the letterhead's inline images) go in the create
itself when they come to less than 3 MB, so that one request makes the whole draft.
Otherwise they follow it: each directly when smaller than 3 MB, a larger one through an
upload session, whose URL is called without the token, in byte ranges. A draft found on a
retry gets the attachments it is missing (by name), so a create interrupted between the
message and its attachments is finished, not doubled. (Two instances finishing the same
large draft at the very same moment could attach a file twice; the draft stays one.)

`create_draft` returns the message's `webLink` (Outlook on the web), which the letter
drafted card shows as "Open the draft". `sent_state` reads back from the mailbox whether
the message with the key has been sent, and when (`sentDateTime`).

Errors are `OutlookDraftError`: a message the case can record and the signer can read,
naming what failed and what to do, never an address, a name or a token.
"""

from __future__ import annotations

import asyncio
import base64
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp

from casework.ports import Attachment, LetterDraft, Person, Recipient, SentState, SentStatus
from graph.client import (
    GraphClient,
    GraphError,
    GraphForbidden,
    GraphNotFound,
    GraphOutcomeUnknown,
    GraphThrottled,
    RetryPolicy,
)

log = logging.getLogger(__name__)

# Our own property set (a GUID of this product's), so that no other app's property clashes.
PROPERTY_SET = "{6f1d3b2a-5c47-4e8b-9a0e-3d2c1b5a7f64}"
KEY_PROPERTY = f"String {PROPERTY_SET} Name SafePremisesDraftKey"
CASE_PROPERTY = f"String {PROPERTY_SET} Name SafePremisesCase"
# Graph takes an attachment in the message's own request below 3 MB; larger ones go
# through an upload session.
DIRECT_ATTACHMENT_LIMIT = 3 * 1024 * 1024
# Upload byte ranges: a multiple of 320 KiB, under the 4 MB a request may carry (and
# under the 1 MiB aiohttp sends without blocking the event loop).
UPLOAD_CHUNK = 3 * 320 * 1024
_SELECT = "id,webLink,isDraft,sentDateTime,createdDateTime"


class OutlookDraftError(Exception):
    """The draft could not be made or read. The message is fit for the case's record and
    for the signer: what failed, and what will happen or what to do."""


def _quoted(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def tag_filter(key: str) -> str:
    """The `$filter` that finds the messages tagged with `key`."""
    return (
        "singleValueExtendedProperties/Any(ep: ep/id eq "
        f"{_quoted(KEY_PROPERTY)} and ep/value eq {_quoted(key)})"
    )


def _recipient(recipient: Recipient) -> dict[str, Any]:
    return {"emailAddress": {"address": recipient.email, "name": recipient.name}}


def attached_with_the_message(draft: LetterDraft) -> bool:
    """Whether the attachments fit in the create itself (one request makes the draft whole;
    Graph takes attachments in a request below 3 MB). Otherwise they follow it."""
    size = len(draft.html.encode("utf-8")) + sum(len(a.data) for a in draft.attachments)
    return size < DIRECT_ATTACHMENT_LIMIT


def message_body(draft: LetterDraft) -> dict[str, Any]:
    """The JSON of `POST /users/{id}/messages` for the draft, with its attachments when
    they fit (`attached_with_the_message`)."""
    body: dict[str, Any] = {
        "subject": draft.subject,
        # The schema's bodyType enum is lower case ("html"), though Graph's examples say HTML.
        "body": {"contentType": "html", "content": draft.html},
        "toRecipients": [_recipient(draft.to)] if draft.to.email else [],
        "ccRecipients": [_recipient(r) for r in draft.cc if r.email],
        "singleValueExtendedProperties": [
            {"id": KEY_PROPERTY, "value": draft.key},
            {"id": CASE_PROPERTY, "value": draft.case_reference},
        ],
    }
    if draft.attachments and attached_with_the_message(draft):
        body["attachments"] = [_file_attachment(a) for a in draft.attachments]
    return body


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else None


class OutlookLetterDrafts:
    """`casework.ports.LetterDrafts` (and `SentLetters`) in the signers' mailboxes.

    `client` is the app's Graph client; `session` is the app's one HTTP session, used only
    for the upload sessions' pre-authenticated URLs (which must not get the token).
    """

    def __init__(
        self,
        client: GraphClient,
        session: aiohttp.ClientSession,
        *,
        upload_policy: RetryPolicy | None = None,
    ) -> None:
        self._client = client
        self._session = session
        self._upload_timeout = (upload_policy or RetryPolicy()).attempt_timeout_s
        # One create at a time per key in this process (the tag settles other processes).
        self._locks: dict[str, asyncio.Lock] = {}
        self._waiting: dict[str, int] = {}

    # --- the port --------------------------------------------------------------------

    async def create_draft(self, draft: LetterDraft) -> str:
        key = draft.key
        lock = self._locks.setdefault(key, asyncio.Lock())
        self._waiting[key] = self._waiting.get(key, 0) + 1
        try:
            async with lock:
                return await self._create(draft)
        except GraphError as error:
            raise _explained(error, "saved") from None
        finally:
            self._waiting[key] -= 1
            if not self._waiting[key]:
                del self._waiting[key], self._locks[key]

    async def sent_state(self, signer: Person, key: str) -> SentState:
        """Whether the message tagged `key` in `signer`'s mailbox has been sent, and when."""
        try:
            found = await self._tagged(signer, key)
        except GraphError as error:
            raise _explained(error, "read") from None
        if not found:
            return SentState(SentStatus.MISSING)
        sent = [m for m in found if m.get("isDraft") is False]
        if sent:
            times = [t for m in sent if (t := _when(m.get("sentDateTime"))) is not None]
            return SentState(SentStatus.SENT, min(times) if times else None)
        return SentState(SentStatus.DRAFT)

    # --- creating ----------------------------------------------------------------------

    async def _create(self, draft: LetterDraft) -> str:
        mailbox = _mailbox(draft.signer)
        found = await self._tagged(draft.signer, draft.key)
        if found:
            message = _oldest(found)
            log.info("case %s: draft %s found in the mailbox", draft.case_reference, draft.letter)
            complete = message.get("isDraft") is not False  # a sent letter is left alone
        else:
            message = await self._post(draft)
            # Attachments made with the message are there whole, or the message is not.
            complete = not attached_with_the_message(draft)
        if complete:
            await self._complete_attachments(mailbox, str(message["id"]), draft.attachments)
        log.info("case %s: draft %s is in the signer's mailbox", draft.case_reference, draft.letter)
        return _reference(message)

    async def _post(self, draft: LetterDraft) -> Mapping[str, Any]:
        mailbox = _mailbox(draft.signer)
        try:
            response = await self._client.request(
                "POST", f"/users/{mailbox}/messages", json_body=message_body(draft)
            )
        except GraphOutcomeUnknown:
            # The draft may have been made: look for it before anything else.
            found = await self._tagged(draft.signer, draft.key)
            if not found:
                raise
            log.info(
                "case %s: draft %s made though its answer was lost",
                draft.case_reference,
                draft.letter,
            )
            return _oldest(found)
        made = response.body if isinstance(response.body, Mapping) else {}
        if not made.get("id"):
            raise OutlookDraftError(
                "Outlook accepted the draft but did not say which message it is; it will be "
                "looked for by its tag next time."
            )
        # Another instance may have made one at the same moment: all keep the oldest.
        found = await self._tagged(draft.signer, draft.key)
        if not any(m.get("id") == made["id"] for m in found):
            found.append(made)
        keep = _oldest(found)
        if keep.get("id") != made["id"]:
            log.info(
                "case %s: draft %s made twice; ours removed", draft.case_reference, draft.letter
            )
            own = quote(str(made["id"]), safe="")
            await self._client.request("DELETE", f"/users/{mailbox}/messages/{own}")
        return keep

    async def _tagged(self, signer: Person, key: str) -> list[Mapping[str, Any]]:
        body = await self._client.get(
            f"/users/{_mailbox(signer)}/messages",
            params={"$filter": tag_filter(key), "$select": _SELECT, "$top": "10"},
        )
        values = body.get("value") if isinstance(body, Mapping) else None
        if not isinstance(values, list):
            raise OutlookDraftError(
                "Outlook's answer to the search for the draft was not readable."
            )
        return [m for m in values if isinstance(m, Mapping) and m.get("id")]

    async def _complete_attachments(
        self, mailbox: str, message_id: str, attachments: Sequence[Attachment]
    ) -> None:
        if not attachments:
            return
        path = f"/users/{mailbox}/messages/{quote(message_id, safe='')}/attachments"
        body = await self._client.get(path, params={"$select": "id,name,size"})
        present = {
            str(a.get("name"))
            for a in (body.get("value", []) if isinstance(body, Mapping) else [])
            if isinstance(a, Mapping)
        }
        for attachment in attachments:
            if attachment.filename in present:
                continue
            if len(attachment.data) < DIRECT_ATTACHMENT_LIMIT:
                await self._client.request("POST", path, json_body=_file_attachment(attachment))
            else:
                await self._upload(path, attachment)

    async def _upload(self, attachments_path: str, attachment: Attachment) -> None:
        item: dict[str, Any] = {
            "attachmentType": "file",
            "name": attachment.filename,
            "size": len(attachment.data),
            "contentType": attachment.content_type,
            "isInline": attachment.content_id is not None,
        }
        if attachment.content_id:
            item["contentId"] = attachment.content_id
        created = await self._client.request(
            "POST",
            f"{attachments_path}/microsoft.graph.createUploadSession",
            json_body={"AttachmentItem": item},
        )
        url = created.body.get("uploadUrl") if isinstance(created.body, Mapping) else None
        if not isinstance(url, str) or not self._trusted_upload_url(url):
            raise OutlookDraftError(
                "Outlook did not give a usable address to upload the letter's attachment to; "
                "it will be tried again."
            )
        data = attachment.data
        timeout = aiohttp.ClientTimeout(total=self._upload_timeout)
        for start in range(0, len(data), UPLOAD_CHUNK):
            chunk = data[start : start + UPLOAD_CHUNK]
            end = start + len(chunk) - 1
            headers = {
                "Content-Type": "application/octet-stream",
                "Content-Range": f"bytes {start}-{end}/{len(data)}",
            }
            try:
                # The URL is pre-authenticated: Graph refuses a request that adds the token.
                async with self._session.put(
                    url, data=chunk, headers=headers, timeout=timeout, allow_redirects=False
                ) as response:
                    await response.read()
                    status = response.status
            except (TimeoutError, aiohttp.ClientError):
                raise OutlookDraftError(
                    "The letter's attachment could not be uploaded to Outlook (no answer); "
                    "the draft will be completed next time."
                ) from None
            if status >= 300:
                raise OutlookDraftError(
                    f"Outlook refused part of the letter's attachment ({status}); the draft "
                    "will be completed next time."
                )

    def _trusted_upload_url(self, url: str) -> bool:
        """https, or the Graph address's own scheme and host (a stand-in on this machine)."""
        parsed = urlsplit(url)
        base = urlsplit(self._client.base_url)
        return parsed.scheme == "https" or (
            (parsed.scheme, parsed.netloc) == (base.scheme, base.netloc)
        )


def _mailbox(signer: Person) -> str:
    if not signer.object_id:
        raise OutlookDraftError("The letter's signer has no Entra object id in the configuration.")
    return quote(signer.object_id, safe="")


def _oldest(messages: Sequence[Mapping[str, Any]]) -> Mapping[str, Any]:
    """The message every instance would keep: the earliest made, then the smallest id."""
    return min(messages, key=lambda m: (str(m.get("createdDateTime") or ""), str(m["id"])))


def _reference(message: Mapping[str, Any]) -> str:
    link = message.get("webLink")
    if isinstance(link, str) and link.startswith("https://"):
        return link
    return f"outlook:{message['id']}"


def _file_attachment(attachment: Attachment) -> dict[str, Any]:
    body: dict[str, Any] = {
        "@odata.type": "#microsoft.graph.fileAttachment",
        "name": attachment.filename,
        "contentType": attachment.content_type,
        "contentBytes": base64.b64encode(attachment.data).decode("ascii"),
        "isInline": attachment.content_id is not None,
    }
    if attachment.content_id:
        body["contentId"] = attachment.content_id
    return body


def _explained(error: GraphError, doing: str) -> OutlookDraftError:
    """`error` as a message for the case and the signer (no address, no name)."""
    what = "saved in" if doing == "saved" else "read from"
    if isinstance(error, GraphForbidden):
        return OutlookDraftError(
            f"The draft could not be {what} the signer's Outlook mailbox: the app may not "
            "use that mailbox. The trust's administrator should give the app Mail.ReadWrite "
            "on the signers' mailboxes (docs/deploy.md, 'Limiting mailbox access to the "
            f"signers'). [{error}]"
        )
    if isinstance(error, GraphNotFound):
        return OutlookDraftError(
            f"The draft could not be {what} the signer's Outlook mailbox: no mailbox was "
            "found for the signer's Entra object id. Check the object id in the trust "
            f"configuration and that the signer has an Exchange Online mailbox. [{error}]"
        )
    if isinstance(error, GraphOutcomeUnknown):
        return OutlookDraftError(
            "Outlook did not answer in time, so it is not known yet whether the draft was "
            f"made; it will be looked for by its tag before it is made again. [{error}]"
        )
    if isinstance(error, GraphThrottled):
        return OutlookDraftError(
            f"Outlook is busy (throttled), so the draft could not be {what} the mailbox now; "
            f"it will be tried again. [{error}]"
        )
    return OutlookDraftError(
        f"Outlook could not be reached, so the draft could not be {what} the signer's "
        f"mailbox; it will be tried again. [{error}]"
    )
