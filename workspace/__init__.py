"""The local Slack workspace: a fake Web API server and signed request builders (tests,
benchmarks and `leadbot demo`)."""

from workspace.fake_slack import FakeSlack, SlackCall

__all__ = ["FakeSlack", "SlackCall"]
