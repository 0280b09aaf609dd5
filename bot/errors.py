"""Errors that stop a command with one line naming the problem and the fix."""

from __future__ import annotations

EXIT_UNAVAILABLE = 1  # something around leadbot is not ready: a restart may help
EXIT_MISCONFIGURED = 2  # a setting must change first: a restart will not help


class StartupError(Exception):
    """A command cannot start or finish; the message is one line with the problem and the fix."""

    exit_code = EXIT_UNAVAILABLE
