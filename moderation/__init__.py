"""Moderation: built by its own issue; the app exists so the layout and migrations are stable."""
