"""Standard Webhooks 1.0 signatures: `whsec_` secrets and the three signing headers.

A message is signed with HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, keyed
with the base64-decoded part of the `whsec_…` secret, and sent as `v1,<base64 signature>`.
Standard library only: the receivers' own libraries (`standardwebhooks`) verify it.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from typing import Final

SECRET_PREFIX: Final = "whsec_"
# The specification asks for keys of 24 to 64 random bytes.
MIN_KEY_BYTES: Final = 24
MAX_KEY_BYTES: Final = 64
SECRET_SHAPE: Final = (
    f"must be {SECRET_PREFIX} followed by the base64 of {MIN_KEY_BYTES} to {MAX_KEY_BYTES}"
    " random bytes"
)


def secret_key(secret: str) -> bytes:
    """The HMAC key of a `whsec_…` secret; ValueError (never quoting it) when malformed."""
    if not secret.startswith(SECRET_PREFIX):
        raise ValueError(SECRET_SHAPE)
    encoded = secret.removeprefix(SECRET_PREFIX)
    try:
        key = base64.b64decode(encoded + "=" * (-len(encoded) % 4), validate=True)
    except (binascii.Error, ValueError):
        raise ValueError(f"{SECRET_SHAPE}; the part after {SECRET_PREFIX} is not base64") from None
    if not MIN_KEY_BYTES <= len(key) <= MAX_KEY_BYTES:
        raise ValueError(f"{SECRET_SHAPE}; it decodes to {len(key)} bytes")
    return key


def signature(key: bytes, message_id: str, timestamp: int, body: bytes) -> str:
    """`v1,` and the base64 HMAC-SHA256 of `{message_id}.{timestamp}.{body}`."""
    signed = f"{message_id}.{timestamp}.".encode() + body
    digest = hmac.new(key, signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode("ascii")


def signed_headers(secret: str, message_id: str, timestamp: int, body: bytes) -> dict[str, str]:
    """The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers for `body`."""
    return {
        "webhook-id": message_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": signature(secret_key(secret), message_id, timestamp, body),
    }


# A signed message older or newer than this is refused (replays of old captures).
TOLERANCE_SECONDS: Final = 5 * 60


def verify(
    key: bytes,
    message_id: str,
    timestamp: str,
    signatures: str,
    body: bytes,
    *,
    now: float,
    tolerance: float = TOLERANCE_SECONDS,
) -> bool:
    """Whether `signatures` (space-separated `v1,<base64>`) holds one valid signature of
    `body` by `key`, sent within `tolerance` seconds of `now` (Standard Webhooks 1.0)."""
    if not message_id or len(timestamp) > 12 or not timestamp.isascii() or not timestamp.isdigit():
        return False
    sent = int(timestamp)
    if abs(now - sent) > tolerance:
        return False
    expected = signature(key, message_id, sent, body).encode()
    return any(
        hmac.compare_digest(expected, offered.encode("utf-8", "replace"))
        for offered in signatures.split()
    )
