"""Use cases: what happens when a lead is captured, edited, turns hot, is claimed or passed,
or gets an outcome. Each runs one transaction and decides which messages are owed."""
