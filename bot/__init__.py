"""Composition root: settings, app factory, HTTP server, CLI."""
