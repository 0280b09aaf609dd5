"""Block Kit checks as Slack makes them: slack_sdk's models, plus the limits they leave out."""

from __future__ import annotations

from typing import Any

from slack_sdk.errors import SlackObjectFormationError
from slack_sdk.models.blocks import Block
from slack_sdk.models.views import View

MESSAGE_BLOCKS = 50
VIEW_BLOCKS = 100
KNOWN_BLOCKS = frozenset(
    {
        "actions",
        "context",
        "divider",
        "file",
        "header",
        "image",
        "input",
        "rich_text",
        "section",
        "video",
        "markdown",
    }
)


def block_problems(blocks: Any, *, limit: int = MESSAGE_BLOCKS) -> list[str]:
    """Slack's `response_metadata.messages` for a message's blocks; empty when they are valid."""
    if not isinstance(blocks, list):
        return ["[ERROR] must provide an array [json-pointer:/blocks]"]
    if len(blocks) > limit:
        return [f"[ERROR] no more than {limit} items allowed [json-pointer:/blocks]"]
    problems: list[str] = []
    for index, block in enumerate(blocks):
        problem = _one_block_problem(block)
        if problem:
            problems.append(f"[ERROR] {problem} [json-pointer:/blocks/{index}]")
    return problems


def view_problems(view: dict[str, Any]) -> list[str]:
    """Slack's `response_metadata.messages` for a modal or Home view; empty when valid."""
    blocks = view.get("blocks")
    problems = block_problems(blocks, limit=VIEW_BLOCKS)
    if problems:
        return [problem.replace("json-pointer:/", "json-pointer:/view/") for problem in problems]
    if view.get("type") not in ("modal", "home"):
        return ["[ERROR] must be one of: modal, home [json-pointer:/view/type]"]
    try:
        View(**{key: value for key, value in view.items() if key in _VIEW_KEYS}).to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError) as error:
        return [f"[ERROR] {error} [json-pointer:/view]"]
    return []


_VIEW_KEYS = frozenset(
    {
        "type",
        "id",
        "callback_id",
        "external_id",
        "team_id",
        "bot_id",
        "app_id",
        "root_view_id",
        "previous_view_id",
        "title",
        "submit",
        "close",
        "blocks",
        "private_metadata",
        "state",
        "hash",
        "clear_on_close",
        "notify_on_close",
    }
)


def _one_block_problem(block: Any) -> str:
    if not isinstance(block, dict) or not isinstance(block.get("type"), str):
        return "missing required field: type"
    if block["type"] not in KNOWN_BLOCKS:
        return f"unsupported type: {block['type']}"
    try:
        parsed = Block.parse(block)
        if parsed is None:
            return f"unsupported type: {block['type']}"
        parsed.to_dict()
    except (SlackObjectFormationError, TypeError, ValueError, AttributeError, KeyError) as error:
        return str(error) or type(error).__name__
    return ""
