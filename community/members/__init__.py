"""Members: the custom user, their profile and settings."""
