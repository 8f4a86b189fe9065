"""Triage: the newcomer-priority reply queue community managers work."""
