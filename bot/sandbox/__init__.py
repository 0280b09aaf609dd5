"""Offline stand-ins for Slack: a fake Web API server and signed request builders."""

from bot.sandbox.fake_slack import FakeSlack, SlackCall

__all__ = ["FakeSlack", "SlackCall"]
