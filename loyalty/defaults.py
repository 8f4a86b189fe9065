"""Default earning rules and tier thresholds. The first migration writes them; code falls back to them
when a row is missing (e.g. a database flushed by tests), so a missing row never means zero points."""

# reason: (amount, daily cap)
EARNING_RULES = {
    "thread_started": (2, None),
    "reply_posted": (1, None),
    "first_reply_to_newcomer": (10, None),
    "like_received": (1, 20),
    "answer_accepted": (15, None),
    "kudos_received": (5, None),
    "event_attended": (20, None),
    "profile_completed": (5, None),
    "celebration": (10, None),
    "idea_done": (25, None),
    "newcomer_stayed": (10, None),
    "buddy_newcomer_tier_1": (15, None),
}

# Modelled on Discourse's trust levels. Tier 1 is the newcomer's first steps, all five (a first post among
# them; community.members.first_steps), and 3 days since joining: what the checklist on the home page says.
TIER_REQUIREMENTS = [
    {"tier": 1, "min_days_since_joining": 3, "min_posts": 1, "min_first_steps": 5},
    {"tier": 2, "min_days_since_joining": 15, "min_days_visited": 15, "min_posts_read": 100, "min_posts": 15,
     "min_threads_replied": 3, "min_likes_given": 1, "min_likes_received": 1},
    {"tier": 3, "min_days_since_joining": 50, "min_days_visited": 50, "min_posts_read": 500, "min_posts": 50,
     "min_threads_replied": 10, "min_likes_given": 30, "min_likes_received": 20, "min_accepted_answers": 1,
     "sanction_free_days": 100},
]
