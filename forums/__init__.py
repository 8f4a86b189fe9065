"""Forums: the conversation (categories, threads, posts, tags, likes, read state, search)."""
