"""Sweeps: APScheduler wiring, outbox delivery, rescoring and cleanup."""
