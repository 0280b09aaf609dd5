"""POST webhook rows of the outbox to their endpoints, signed as Standard Webhooks 1.0 says."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from aiohttp import ClientError, ClientSession, ClientTimeout

from leads.config import Webhook
from leads.signing import signed_headers

TIMEOUT_SECONDS: Final = 10.0  # a receiver that takes longer has failed this attempt
USER_AGENT: Final = "leadbot-webhooks"


class WebhookPoster:
    """Sends signed events over one shared aiohttp session; secrets come from the rules."""

    def __init__(
        self, endpoints: Sequence[Webhook], *, timeout_seconds: float = TIMEOUT_SECONDS
    ) -> None:
        self._secrets = {endpoint.url: endpoint.secret for endpoint in endpoints}
        self._timeout = ClientTimeout(total=timeout_seconds)
        self._session: ClientSession | None = None
        self._closed = False

    def configured(self, payload: Mapping[str, Any]) -> bool:
        """Whether the row's endpoint is still in the rules (else it is dropped)."""
        url = payload.get("url")
        return isinstance(url, str) and url in self._secrets and _well_formed(payload)

    async def post(self, payload: Mapping[str, Any], *, now: datetime) -> str | None:
        """POST the stored event, signed at `now`; None on a 2xx, else what went wrong."""
        if self._closed:
            return "closing"
        url, body = str(payload["url"]), str(payload["body"]).encode()
        headers = {
            "content-type": "application/json",
            "user-agent": USER_AGENT,
            **signed_headers(self._secrets[url], str(payload["webhook_id"]), _unix(now), body),
        }
        try:
            async with self._open().post(
                url, data=body, headers=headers, allow_redirects=False
            ) as response:
                status = response.status
        except (TimeoutError, ClientError, OSError) as error:
            return f"transport: {type(error).__name__}"
        return None if 200 <= status < 300 else f"http_{status}"

    async def close(self) -> None:
        """Close the session, cutting short any POST still waiting for its receiver."""
        self._closed = True
        if self._session is not None:
            await self._session.close()
            self._session = None

    def _open(self) -> ClientSession:
        if self._session is None:
            self._session = ClientSession(timeout=self._timeout)
        return self._session


def _well_formed(payload: Mapping[str, Any]) -> bool:
    return isinstance(payload.get("webhook_id"), str) and isinstance(payload.get("body"), str)


def _unix(moment: datetime) -> int:
    return int(moment.timestamp())
