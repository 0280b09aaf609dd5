"""Block Kit to HTML for the demo page: pure functions of blocks and a name lookup.

Interactive elements carry `data-action-id`, `data-block-id` (and a button's `data-value`),
which the page's script turns into the payloads Slack would send.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable, Mapping
from typing import Any

Names = Mapping[str, str]  # user or channel ID -> the name shown for it
_ANGLE = re.compile(r"<([^<>]*)>")
_CODE_BLOCK = re.compile(r"```(.+?)```", re.DOTALL)
_HELD = re.compile("\x00(\\d+)\x00")
_PRE = re.compile(r"(<pre>.*?</pre>)", re.DOTALL)
_CODE = re.compile(r"`([^`\n]+)`")
_BOLD = re.compile(r"(?<![\w*])\*(?=\S)([^*\n]+?)(?<=\S)\*(?![\w*])")
_ITALIC = re.compile(r"(?<![\w_])_(?=\S)([^_\n]+?)(?<=\S)_(?![\w_])")
_STRIKE = re.compile(r"(?<![\w~])~(?=\S)([^~\n]+?)(?<=\S)~(?![\w~])")
_SAFE_URL = re.compile(r"^(https?://|mailto:|tel:)", re.IGNORECASE)
_EMOJI_CODE = re.compile(r":([a-z0-9_+-]+):")
EMOJI = {
    "alarm_clock": "⏰",
    "rotating_light": "🚨",
    "hourglass": "⌛",
    "hourglass_flowing_sand": "⏳",
    "warning": "⚠️",
    "white_check_mark": "✅",
    "heavy_check_mark": "✔️",
    "x": "❌",
    "fire": "🔥",
    "tada": "🎉",
    "trophy": "🏆",
    "calendar": "📅",
    "date": "📅",
    "memo": "📝",
    "bar_chart": "📊",
    "chart_with_upwards_trend": "📈",
    "bell": "🔔",
    "wave": "👋",
    "handshake": "🤝",
    "email": "📧",
    "telephone_receiver": "📞",
    "pushpin": "📌",
    "link": "🔗",
    "mag": "🔍",
    "seedling": "🌱",
    "snowflake": "❄️",
    "sunny": "☀️",
    "star": "⭐",
    "repeat": "🔁",
}
_SPECIAL = {"here": "@here", "channel": "@channel", "everyone": "@everyone"}


def plain(text: Any) -> str:
    """A plain_text object (or a bare string) as escaped HTML."""
    if isinstance(text, dict):
        if text.get("type") == "mrkdwn":
            return mrkdwn(str(text.get("text", "")))
        text = text.get("text", "")
    return html.escape(str(text or ""))


def text_object(text: Any, names: Names | None = None) -> str:
    """A text object of either type as HTML."""
    if isinstance(text, dict) and text.get("type") == "mrkdwn":
        return mrkdwn(str(text.get("text", "")), names)
    return plain(text)


def mrkdwn(text: str, names: Names | None = None) -> str:
    """Slack mrkdwn (already `&amp;`/`&lt;`/`&gt;` escaped) as safe HTML."""
    names = names or {}
    controls: list[str] = []

    def hold(match: re.Match[str]) -> str:
        controls.append(_control(match.group(1), names))
        return f"\x00{len(controls) - 1}\x00"

    held = _ANGLE.sub(hold, text.replace("\x00", ""))
    formatted = _formatted(held)
    formatted = _HELD.sub(lambda m: controls[int(m.group(1))], formatted)
    pieces = _PRE.split(formatted)  # odd pieces are <pre> blocks: their lines stay
    return "".join(p if i % 2 else p.replace("\n", "<br>") for i, p in enumerate(pieces))


def _plain_text(text: Any) -> str:
    return str(text.get("text", "")) if isinstance(text, dict) else str(text or "")


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def _formatted(text: str) -> str:
    escaped = html.escape(_unescape(text), quote=False)
    escaped = _CODE_BLOCK.sub(lambda m: f"<pre>{m.group(1).strip(chr(10))}</pre>", escaped)
    escaped = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)
    escaped = _BOLD.sub(r"<b>\1</b>", escaped)
    escaped = _ITALIC.sub(r"<i>\1</i>", escaped)
    escaped = _STRIKE.sub(r"<s>\1</s>", escaped)
    return _EMOJI_CODE.sub(lambda m: EMOJI.get(m.group(1), m.group(0)), escaped)


def _control(inner: str, names: Names) -> str:
    """`<@U…>`, `<#C…>`, `<!here>`, `<!date^…|fallback>`, `<url|label>`."""
    target, _, label = inner.partition("|")
    if target.startswith("@"):
        name = names.get(target[1:], target[1:])
        return f'<span class="mention">@{html.escape(name)}</span>'
    if target.startswith("#"):
        name = label or names.get(target[1:], target[1:])
        return f'<span class="mention">#{html.escape(name)}</span>'
    if target.startswith("!date^"):
        return html.escape(_unescape(label) or target)
    if target.startswith("!subteam^"):
        return f'<span class="mention">@{html.escape(label or target[9:])}</span>'
    if target.startswith("!"):
        return f'<span class="mention">{html.escape(_SPECIAL.get(target[1:], target))}</span>'
    url = _unescape(target)
    shown = html.escape(_unescape(label or target))
    if not _SAFE_URL.match(url):
        return shown
    return f'<a href="{html.escape(url)}" target="_blank" rel="noopener">{shown}</a>'


def render_blocks(blocks: Any, names: Names | None = None) -> str:
    """A list of blocks as HTML; unknown or malformed blocks show as a placeholder."""
    if not isinstance(blocks, list):
        return ""
    return "".join(render_block(block, names or {}) for block in blocks)


def render_block(block: Any, names: Names) -> str:
    """One block as HTML."""
    if not isinstance(block, dict):
        return ""
    kind = str(block.get("type", ""))
    try:
        body = _BLOCKS.get(kind, _unknown)(block, names)
    except (TypeError, AttributeError, ValueError):  # a shape Slack would have refused
        body = _unknown(block, names)
    block_id = html.escape(str(block.get("block_id", "")))
    return f'<div class="bk-block bk-{html.escape(kind)}" data-block-id="{block_id}">{body}</div>'


def _section(block: dict[str, Any], names: Names) -> str:
    parts = []
    if block.get("text"):
        parts.append(f'<div class="bk-text">{text_object(block["text"], names)}</div>')
    fields = block.get("fields") or []
    if fields:
        cells = "".join(f'<div class="bk-field">{text_object(f, names)}</div>' for f in fields)
        parts.append(f'<div class="bk-fields">{cells}</div>')
    main = f'<div class="bk-main">{"".join(parts)}</div>'
    accessory = block.get("accessory")
    if isinstance(accessory, dict):
        side = render_element(accessory, str(block.get("block_id", "")), names)
        return f'{main}<div class="bk-accessory">{side}</div>'
    return main


def _context(block: dict[str, Any], names: Names) -> str:
    items = []
    for element in block.get("elements") or []:
        if isinstance(element, dict) and element.get("type") == "image":
            items.append(_image_tag(element, "bk-context-image"))
        else:
            items.append(f"<span>{text_object(element, names)}</span>")
    return "".join(items)


def _divider(block: dict[str, Any], names: Names) -> str:
    return "<hr>"


def _header(block: dict[str, Any], names: Names) -> str:
    return f"<h3>{plain(block.get('text'))}</h3>"


def _image(block: dict[str, Any], names: Names) -> str:
    title = f"<div class='bk-image-title'>{plain(block['title'])}</div>" if "title" in block else ""
    return title + _image_tag(block, "bk-image-full")


def _image_tag(element: dict[str, Any], css: str) -> str:
    url = str(element.get("image_url") or (element.get("slack_file") or {}).get("url") or "")
    alt = html.escape(str(element.get("alt_text", "")))
    src = html.escape(url) if _SAFE_URL.match(url) or url.startswith("/") else ""
    return f'<img class="{css}" src="{src}" alt="{alt}">'


def _actions(block: dict[str, Any], names: Names) -> str:
    block_id = str(block.get("block_id", ""))
    return "".join(render_element(e, block_id, names) for e in block.get("elements") or [])


def _input(block: dict[str, Any], names: Names) -> str:
    block_id = str(block.get("block_id", ""))
    optional = ' <span class="bk-optional">(optional)</span>' if block.get("optional") else ""
    label = f'<label class="bk-label">{plain(block.get("label"))}{optional}</label>'
    label_text = html.escape(_plain_text(block.get("label")))
    element = render_element(block.get("element") or {}, block_id, names, label=label_text)
    hint = f'<div class="bk-hint">{plain(block["hint"])}</div>' if block.get("hint") else ""
    error = f'<div class="bk-error" data-error-for="{html.escape(block_id)}"></div>'
    return label + element + error + hint


def _rich_text(block: dict[str, Any], names: Names) -> str:
    texts: list[str] = []
    _collect_text(block.get("elements"), texts)
    return html.escape("".join(texts)).replace("\n", "<br>")


def _collect_text(node: Any, into: list[str]) -> None:
    if isinstance(node, list):
        for item in node:
            _collect_text(item, into)
    elif isinstance(node, dict):
        if isinstance(node.get("text"), str):
            into.append(node["text"])
        _collect_text(node.get("elements"), into)


def _unknown(block: dict[str, Any], names: Names) -> str:
    return f'<span class="bk-unsupported">[{html.escape(str(block.get("type")))} block]</span>'


_BLOCKS: dict[str, Callable[[dict[str, Any], Names], str]] = {
    "section": _section,
    "context": _context,
    "divider": _divider,
    "header": _header,
    "image": _image,
    "actions": _actions,
    "input": _input,
    "rich_text": _rich_text,
}


def render_element(element: Any, block_id: str, names: Names, *, label: str = "") -> str:
    """An interactive element (button, select, input, checkboxes, ...) as HTML; `label`
    (escaped) names it for screen readers and for tests that find fields by label."""
    if not isinstance(element, dict):
        return ""
    kind = str(element.get("type", ""))
    if kind == "image":
        return _image_tag(element, "bk-accessory-image")
    attributes = _data_attributes(element, block_id)
    if label:
        attributes += f' aria-label="{label}"'

    renderer = _ELEMENTS.get(kind)
    try:
        if renderer is not None:
            return renderer(element, attributes, names)
    except (TypeError, AttributeError, ValueError):  # a shape Slack would have refused
        pass
    return f'<span class="bk-unsupported">[{html.escape(kind)}]</span>'


def _data_attributes(element: dict[str, Any], block_id: str) -> str:
    return (
        f' data-type="{html.escape(str(element.get("type", "")))}"'
        f' data-action-id="{html.escape(str(element.get("action_id", "")))}"'
        f' data-block-id="{html.escape(block_id)}"'
    )


def _button(element: dict[str, Any], attributes: str, names: Names) -> str:
    style = html.escape(str(element.get("style", "")))
    value = html.escape(str(element.get("value", "")))
    url = str(element.get("url", ""))
    link = f' data-url="{html.escape(url)}"' if _SAFE_URL.match(url) else ""
    text = plain(element.get("text"))
    return (
        f'<button type="button" class="bk-button {style}"{attributes}'
        f' data-value="{value}"{link}>{text}</button>'
    )


def _option_tag(option: dict[str, Any], selected: bool) -> str:
    chosen = " selected" if selected else ""
    value = html.escape(str(option.get("value", "")))
    return f'<option value="{value}"{chosen}>{plain(option.get("text"))}</option>'


def _static_select(element: dict[str, Any], attributes: str, names: Names) -> str:
    initial = (element.get("initial_option") or {}).get("value")
    placeholder = plain(element.get("placeholder")) or "Select an item"
    options = [f'<option value="">{placeholder}</option>']
    for option in element.get("options") or []:
        options.append(_option_tag(option, option.get("value") == initial))
    for group in element.get("option_groups") or []:
        inner = "".join(_option_tag(o, o.get("value") == initial) for o in group.get("options", []))
        options.append(f'<optgroup label="{plain(group.get("label"))}">{inner}</optgroup>')
    return f'<select class="bk-select"{attributes}>{"".join(options)}</select>'


def _text_input(element: dict[str, Any], attributes: str, names: Names) -> str:
    value = html.escape(str(element.get("initial_value", "") or ""))
    placeholder = plain(element.get("placeholder"))
    limit = element.get("max_length")
    maximum = f' maxlength="{int(limit)}"' if isinstance(limit, int) else ""
    if element.get("multiline"):
        return (
            f'<textarea class="bk-textbox"{attributes} placeholder="{placeholder}"'
            f"{maximum}>{value}</textarea>"
        )
    mode = {"email_text_input": "email", "number_input": "decimal", "url_text_input": "url"}
    inputmode = mode.get(str(element.get("type")), "text")
    return (
        f'<input type="text" class="bk-textbox" inputmode="{inputmode}"{attributes}'
        f' placeholder="{placeholder}" value="{value}"{maximum}>'
    )


def _choices(element: dict[str, Any], attributes: str, names: Names) -> str:
    kind = "radio" if element.get("type") == "radio_buttons" else "checkbox"
    initial = element.get("initial_options") or [element.get("initial_option") or {}]
    chosen = {str(option.get("value")) for option in initial if isinstance(option, dict)}
    boxes = []
    for option in element.get("options") or []:
        value = str(option.get("value", ""))
        checked = " checked" if value in chosen else ""
        description = (
            f'<span class="bk-hint">{plain(option["description"])}</span>'
            if option.get("description")
            else ""
        )
        boxes.append(
            f'<label class="bk-choice"><input type="{kind}" value="{html.escape(value)}"'
            f"{checked}> {text_object(option.get('text'), names)}{description}</label>"
        )
    return f'<div class="bk-choices"{attributes}>{"".join(boxes)}</div>'


def _datepicker(element: dict[str, Any], attributes: str, names: Names) -> str:
    value = html.escape(str(element.get("initial_date", "") or ""))
    return f'<input type="date" class="bk-textbox"{attributes} value="{value}">'


def _overflow(element: dict[str, Any], attributes: str, names: Names) -> str:
    return _static_select({**element, "placeholder": {"text": "…"}}, attributes, names)


_ELEMENTS: dict[str, Callable[[dict[str, Any], str, Names], str]] = {
    "button": _button,
    "static_select": _static_select,
    "overflow": _overflow,
    "plain_text_input": _text_input,
    "email_text_input": _text_input,
    "number_input": _text_input,
    "url_text_input": _text_input,
    "checkboxes": _choices,
    "radio_buttons": _choices,
    "datepicker": _datepicker,
}


def render_message(message: Mapping[str, Any], names: Names | None = None) -> str:
    """A message's body: its blocks, else its text, plus any shared files."""
    names = names or {}
    body = render_blocks(message.get("blocks"), names) if message.get("blocks") else ""
    if not body:
        body = f'<div class="bk-text">{mrkdwn(str(message.get("text") or ""), names)}</div>'
    for file in message.get("files") or []:
        name = html.escape(str(file.get("title") or file.get("name") or "file"))
        href = f"/files/{html.escape(str(file.get('id', '')))}"
        image = str(file.get("name", "")).lower().endswith((".png", ".jpg", ".jpeg", ".gif"))
        shown = f'<img class="bk-image-full" src="{href}" alt="{name}">' if image else ""
        body += f'<div class="bk-file"><a href="{href}" target="_blank">{name}</a>{shown}</div>'
    return body
