"""Moderation: flags, the review queue, the audit log and moderator roles."""
