"""Block Kit rendering: pure functions from domain values to Slack payloads."""
