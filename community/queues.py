"""The Celery queues and which tasks go to each: the one list that settings, `make run`, the tests and deploy/ read.

Each queue can have workers of its own, so a burst of one kind of work (a digest to 100,000 members) never holds
another back (points for the reply just posted). On one machine a single worker consumes them all.

    python -m community.queues    # prints "default,notifications,loyalty,standing" for `celery worker --queues`
"""

DEFAULT_QUEUE = "default"
QUEUES = (DEFAULT_QUEUE, "notifications", "loyalty", "standing")

# Task names are "<family>.<what>"; the first pattern that matches wins (dict order), anything else goes to DEFAULT_QUEUE
# (events, triage, moderation, health, buddies, members, community). Tier and badge checks are slower than awards: their own queue keeps
# them from holding awards back.
TASK_ROUTES = {
    "loyalty.refresh_due_standing": {"queue": "standing"},
    "loyalty.refresh_all_standing": {"queue": "standing"},
    "loyalty.*": {"queue": "loyalty"},
    "notifications.*": {"queue": "notifications"},
}

if __name__ == "__main__":
    print(",".join(QUEUES))
