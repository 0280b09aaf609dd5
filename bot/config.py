"""Load the optional YAML rules file (LEADBOT_CONFIG) into a LeadbotConfig."""

from __future__ import annotations

import dataclasses
import difflib
import types
import typing
from pathlib import Path
from typing import Any

import yaml
from pydantic import TypeAdapter, ValidationError
from pydantic_core import ErrorDetails

from bot.settings import SettingError
from leads.checks import FieldError
from leads.config import LeadbotConfig

_ADAPTER = TypeAdapter(LeadbotConfig)


def load_config(path: Path | None) -> LeadbotConfig:
    """Parse and check the rules file; raise SettingError with the line and the reason."""
    if path is None:
        return LeadbotConfig()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as error:
        raise SettingError(
            f"setting LEADBOT_CONFIG: cannot read {path}: {error.strerror}"
        ) from None
    return parse_config(text, source=str(path))


def parse_config(text: str, *, source: str = "<config>") -> LeadbotConfig:
    """Parse YAML text into a LeadbotConfig, or raise SettingError naming the line."""
    try:
        root = yaml.compose(text, Loader=_RulesLoader)
        data = yaml.load(text, Loader=_RulesLoader)  # a SafeLoader: no arbitrary objects
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f" line {mark.line + 1}" if mark is not None else ""
        reason = getattr(error, "problem", None) or str(error)
        raise SettingError(f"{source}{line}: {reason}") from None
    if data is None:
        return LeadbotConfig()
    if not isinstance(data, dict):
        raise SettingError(f"{source} line 1: the top level must be a mapping of sections")
    unknown = _first_unknown_key(data, LeadbotConfig, ())
    if unknown is not None:
        path, suggestion = unknown
        hint = f" (did you mean {suggestion}?)" if suggestion else ""
        raise SettingError(f"{source}{_line_of(root, path)}: unknown setting {_dotted(path)}{hint}")
    try:
        return _ADAPTER.validate_python(data)
    except ValidationError as error:
        path, reason = _refusal(error.errors()[0])
        raise SettingError(f"{source}{_line_of(root, path)}: {_dotted(path)}: {reason}") from None


def _refusal(problem: ErrorDetails) -> tuple[tuple[str | int, ...], str]:
    """The path of the refused value and why, down to the field a FieldError names."""
    path = tuple(problem["loc"])
    cause = problem.get("ctx", {}).get("error")
    if isinstance(cause, FieldError):
        return (*path, cause.field), cause.reason
    return path, problem["msg"].removeprefix("Value error, ")


def _first_unknown_key(
    data: Any, cls: type, path: tuple[str | int, ...]
) -> tuple[tuple[str | int, ...], str] | None:
    if not isinstance(data, dict):
        return None
    hints = typing.get_type_hints(cls)
    names = [field.name for field in dataclasses.fields(cls)]
    for key, value in data.items():
        if key not in names:
            close = difflib.get_close_matches(str(key), names, n=1)
            return (*path, key), close[0] if close else ""
        found = _check_nested(value, hints[key], (*path, key))
        if found is not None:
            return found
    return None


def _check_nested(
    value: Any, hint: Any, path: tuple[str | int, ...]
) -> tuple[tuple[str | int, ...], str] | None:
    if dataclasses.is_dataclass(hint) and isinstance(hint, type):
        return _first_unknown_key(value, hint, path)
    args = typing.get_args(hint)
    if typing.get_origin(hint) is tuple and args and isinstance(value, list):
        for index, item in enumerate(value):
            found = _check_nested(item, args[0], (*path, index))
            if found is not None:
                return found
    if isinstance(hint, types.UnionType):
        for option in args:
            if dataclasses.is_dataclass(option):
                return _check_nested(value, option, path)
    return None


class _RulesLoader(yaml.SafeLoader):
    """YAML's safe loader, leaving dates as text: the settings' own checks read them and
    report a bad one (2026-13-01) with its line, where YAML would stop without one."""


_RulesLoader.yaml_implicit_resolvers = {
    first: [(tag, regex) for tag, regex in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_of(root: yaml.Node | None, path: tuple[str | int, ...]) -> str:
    node = root
    for step in path:
        child = _child(node, step)
        if child is None:
            break
        node = child
    return f" line {node.start_mark.line + 1}" if node is not None else ""


def _child(node: yaml.Node | None, step: str | int) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == str(step):
                return value if isinstance(value, yaml.Node) else None
    if isinstance(node, yaml.SequenceNode) and isinstance(step, int) and step < len(node.value):
        child = node.value[step]
        return child if isinstance(child, yaml.Node) else None
    return None


def _dotted(path: tuple[str | int, ...]) -> str:
    return ".".join(str(step) for step in path)
