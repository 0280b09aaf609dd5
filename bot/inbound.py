"""Slack's HTTP requests, checked and parsed once, here: the signature on the raw bytes,
then the body by its content type, into the dict Bolt routes on.

slack-bolt's own parser (`slack_bolt.request.internals.parse_body`) guesses the kind of body
from its text: a form body in which the substring "payload" appears anywhere (in a lead's
text, a user name, a channel name or a team domain) is read as an interactivity payload,
finds no `payload` field and becomes `{}`, so the command is never handled; a form body
that starts with "{" is read as JSON. Nothing here looks at the words in a body.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final
from urllib.parse import parse_qsl

from slack_bolt.context.async_context import AsyncBoltContext
from slack_bolt.request.async_internals import build_async_context
from slack_bolt.request.async_request import AsyncBoltRequest
from slack_bolt.request.internals import (
    build_normalized_headers,
    extract_content_type,
    parse_query,
)

MAX_CLOCK_SKEW: Final = 60 * 5  # seconds, as Slack's own verifier allows
FORM: Final = "application/x-www-form-urlencoded"
JSON: Final = "application/json"
MAX_FORM_FIELDS: Final = 100  # a slash command has about 15
MAX_DEPTH: Final = 64  # Slack's deepest payloads (rich text in a modal) nest about 20 deep
_TIMESTAMP: Final = re.compile(r"[0-9]{1,12}")
_SIGNATURE: Final = re.compile(r"v0=[0-9a-f]{64}")
Headers = Mapping[str, Sequence[str]]


class UnreadableBodyError(ValueError):
    """A signed body that is not a form or JSON object Slack would send."""


def signed_by_slack(secret: str, raw: bytes, headers: Headers, *, now: float) -> bool:
    """Slack's check on the exact bytes received: one timestamp (ASCII digits, within five
    minutes of `now`) and one `v0=` signature, compared in constant time."""
    timestamp, signature = (
        _only(headers, "x-slack-request-timestamp"),
        _only(headers, "x-slack-signature"),
    )
    if not secret or timestamp is None or signature is None:
        return False
    if not _TIMESTAMP.fullmatch(timestamp) or not _SIGNATURE.fullmatch(signature):
        return False
    if abs(now - int(timestamp)) > MAX_CLOCK_SKEW:
        return False
    base = b"v0:" + timestamp.encode() + b":" + raw
    expected = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
    return hmac.compare_digest(expected, signature)


def _only(headers: Headers, name: str) -> str | None:
    """The header's value when it was sent exactly once; None when missing or repeated."""
    values = headers.get(name, ())
    return values[0] if len(values) == 1 else None


def parse_body(raw: bytes, content_type: str) -> dict[str, Any]:
    """The body as Slack documents it for its content type; UnreadableBodyError otherwise.

    A form is a slash command (or Slack's ssl_check) unless it carries a `payload` field,
    which is an interactivity payload: a JSON object. JSON is an Events API envelope.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as error:
        raise UnreadableBodyError("the body is not UTF-8") from error
    if content_type == FORM:
        body = _form(text)
    elif content_type == JSON:
        body = _json_object(text)
    else:
        raise UnreadableBodyError(f"unexpected content type {content_type!r}")
    if _too_deep(body):
        raise UnreadableBodyError("the body nests too deeply")
    return body


def _form(text: str) -> dict[str, Any]:
    try:
        fields = parse_qsl(text, keep_blank_values=True, max_num_fields=MAX_FORM_FIELDS)
    except ValueError as error:
        raise UnreadableBodyError("too many form fields") from error
    names = [name for name, _ in fields]
    if len(set(names)) != len(names):
        raise UnreadableBodyError("a form field appears twice")
    form = dict(fields)
    if "payload" in form:
        return _json_object(form["payload"])
    return dict(form)


def _json_object(text: str) -> dict[str, Any]:
    try:
        value = json.loads(text)
    except (ValueError, RecursionError) as error:
        raise UnreadableBodyError("the body is not JSON") from error
    if not isinstance(value, dict):
        raise UnreadableBodyError("the JSON body is not an object")
    return value


def _too_deep(body: dict[str, Any]) -> bool:
    """Whether containers nest deeper than MAX_DEPTH (checked without recursion)."""
    level: list[Any] = [body]
    for _ in range(MAX_DEPTH):
        level = [
            child
            for node in level
            for child in (node.values() if isinstance(node, dict) else node)
            if isinstance(child, dict | list)
        ]
        if not level:
            return False
    return True


@dataclass(frozen=True)
class Inbound:
    """A verified, parsed request, ready for Bolt."""

    raw_text: str
    body: dict[str, Any]
    headers: dict[str, list[str]]
    query: str


class ParsedBoltRequest(AsyncBoltRequest):
    """An HTTP request whose body is already parsed: Bolt routes on `body` and never parses
    the raw text again (not even for the copy a lazy listener gets)."""

    def __init__(self, inbound: Inbound) -> None:
        # Sets what Bolt's __init__ sets, without first parsing an empty body and building a
        # context for it.
        self.raw_body = inbound.raw_text
        self.body = inbound.body
        self.query = parse_query(inbound.query)
        self.headers = build_normalized_headers(dict(inbound.headers))
        self.content_type = extract_content_type(self.headers)
        self.context = build_async_context(AsyncBoltContext({}), inbound.body)
        self.lazy_only = bool(self.headers.get("x-slack-bolt-lazy-only", [False])[0])
        self.lazy_function_name = self.headers.get("x-slack-bolt-lazy-function-name", [None])[0]
        self.mode = "http"

    def to_copyable(self) -> AsyncBoltRequest:
        """A copy with the same parsed body."""
        copy = AsyncBoltRequest(
            body=self.body,
            query=self.query,
            headers=self.headers,
            context=self.context.to_copyable(),
            mode="socket_mode",  # the only mode in which Bolt takes a parsed body
        )
        copy.mode = "http"
        copy.raw_body = self.raw_body
        return copy
