"""Conversation references from incoming activities: where each person (and the clerks'
channel) can be sent a proactive prompt (docs/casework.md, "Delivery").

Every authenticated activity refreshes its conversation's reference, install events
(`installationUpdate`, `conversationUpdate`) included, because Teams may move a
conversation to another serviceUrl. Stored only when it is whole and sound:

- a personal chat is stored under "user:<the sender's Entra object id>";
- a team channel under "channel:<the channel id Teams sends in channelData>", with its
  display name when Teams sends one (a clerks' channel configured by name is found so);
- the serviceUrl must be https, or http on a loopback host (local mode and tests only);
- the tenant is the activity's, already checked against the trust's by authentication.

Group chats are not stored: nobody is prompted there.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from datetime import datetime
from ipaddress import ip_address
from typing import Any
from urllib.parse import urlsplit

from bot.auth import is_service_url
from casework.ports import ConversationReference

logger = logging.getLogger(__name__)

_MAX_ID = 512
_ID = re.compile(r"^[^\s\x00-\x1f\x7f]{1,512}$")


def may_post_to(service_url: str, *, allow_loopback_http: bool) -> bool:
    """A serviceUrl a proactive message may be posted to."""
    if not is_service_url(service_url):
        return False
    parts = urlsplit(service_url)
    if parts.scheme == "https":
        return True
    return allow_loopback_http and _is_loopback(parts.hostname or "")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ip_address(host).is_loopback
    except ValueError:
        return False


def _text(value: object) -> str | None:
    return value if isinstance(value, str) and _ID.match(value) else None


def reference_from(
    activity: Mapping[str, Any], at: datetime, *, allow_loopback_http: bool
) -> ConversationReference | None:
    """The reference `activity` gives, or None when it gives none worth storing."""
    service_url = activity.get("serviceUrl")
    if not isinstance(service_url, str) or not may_post_to(
        service_url, allow_loopback_http=allow_loopback_http
    ):
        return None
    conversation = activity.get("conversation")
    recipient = activity.get("recipient")
    sender = activity.get("from")
    channel_data = activity.get("channelData")
    if not isinstance(conversation, Mapping) or not isinstance(recipient, Mapping):
        return None
    conversation_id = _text(conversation.get("id"))
    bot_id = _text(recipient.get("id"))
    tenant_id = _text(conversation.get("tenantId"))
    if tenant_id is None and isinstance(channel_data, Mapping):
        tenant = channel_data.get("tenant")
        tenant_id = _text(tenant.get("id")) if isinstance(tenant, Mapping) else None
    channel_id = _text(activity.get("channelId")) or "msteams"
    if conversation_id is None or bot_id is None or tenant_id is None:
        return None
    kind = conversation.get("conversationType")
    address: str | None = None
    channel_name: str | None = None
    if kind == "personal" and isinstance(sender, Mapping):
        object_id = _text(sender.get("aadObjectId"))
        if object_id is not None:
            address = f"user:{object_id}"
    elif kind == "channel" and isinstance(channel_data, Mapping):
        channel = channel_data.get("channel")
        if isinstance(channel, Mapping):
            teams_channel = _text(channel.get("id"))
            if teams_channel is not None:
                address = f"channel:{teams_channel}"
                name = channel.get("name")
                if isinstance(name, str) and 0 < len(name) <= 256 and name.isprintable():
                    channel_name = name
    if address is None:
        return None
    if kind == "channel":
        # A message in a thread carries ";messageid=…": prompts start a new post instead.
        conversation_id = conversation_id.split(";", 1)[0]
    return ConversationReference(
        address=address,
        service_url=service_url,
        conversation_id=conversation_id,
        tenant_id=tenant_id,
        bot_id=bot_id,
        channel_id=channel_id,
        channel_name=channel_name,
        updated_at=at,
    )
