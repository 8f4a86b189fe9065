"""Notifications: one row per recipient per event, the bell, and email now or in a daily digest."""
