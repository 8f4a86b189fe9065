"""Rebuild every denormalised forum value (counters, first responses, answers) from the rows themselves (Misago's synchronize, in SQL)."""

from django.db import connection, transaction

_STATEMENTS = {
    "posts": """
        UPDATE forums_post p SET like_count = s.n
        FROM (
            SELECT p2.id, count(r.id) AS n FROM forums_post p2
            LEFT JOIN forums_reaction r ON r.post_id = p2.id GROUP BY p2.id
        ) s
        WHERE p.id = s.id AND p.like_count <> s.n
    """,
    # The first response follows forums.services._refresh_first_response: the earliest reply (by
    # number) not deleted, not hidden and not by the thread's author. An accepted answer that is
    # deleted or hidden is no answer (as post_delete and post_hide leave it).
    "threads": """
        WITH stats AS (
            SELECT t.id,
                   count(p.id) FILTER (WHERE NOT p.is_deleted AND p.number > 1) AS replies,
                   coalesce(sum(p.like_count) FILTER (WHERE NOT p.is_deleted), 0) AS likes,
                   max(p.number) AS last_number,
                   (array_agg(p.created_at ORDER BY p.number DESC) FILTER (WHERE NOT p.is_deleted))[1] AS last_at,
                   (array_agg(p.author_id ORDER BY p.number DESC) FILTER (WHERE NOT p.is_deleted))[1] AS last_author,
                   (array_agg(p.created_at ORDER BY p.number) FILTER (
                       WHERE p.number > 1 AND NOT p.is_deleted AND NOT p.is_hidden AND p.author_id <> t.author_id))[1] AS first_at,
                   (array_agg(p.author_id ORDER BY p.number) FILTER (
                       WHERE p.number > 1 AND NOT p.is_deleted AND NOT p.is_hidden AND p.author_id <> t.author_id))[1] AS first_author,
                   (array_agg(p.id) FILTER (
                       WHERE p.id = t.accepted_answer_id AND p.number > 1 AND NOT p.is_deleted AND NOT p.is_hidden))[1] AS answer
            FROM forums_thread t JOIN forums_post p ON p.thread_id = t.id
            GROUP BY t.id
        )
        UPDATE forums_thread t
        SET reply_count = s.replies, like_count = s.likes, last_post_number = s.last_number,
            last_posted_at = coalesce(s.last_at, t.created_at),
            last_poster_id = coalesce(s.last_author, t.author_id),
            first_response_at = s.first_at, first_responder_id = s.first_author, accepted_answer_id = s.answer
        FROM stats s
        WHERE t.id = s.id AND (t.reply_count, t.like_count, t.last_post_number, t.last_posted_at, t.last_poster_id,
                               t.first_response_at, t.first_responder_id, t.accepted_answer_id)
            IS DISTINCT FROM (s.replies, s.likes, s.last_number,
                              coalesce(s.last_at, t.created_at), coalesce(s.last_author, t.author_id),
                              s.first_at, s.first_author, s.answer)
    """,
    "categories": """
        WITH stats AS (
            SELECT c.id,
                   count(t.id) AS threads,
                   count(t.id) + coalesce(sum(t.reply_count), 0) AS posts,
                   max(t.last_posted_at) AS last_at,
                   (array_agg(t.id ORDER BY t.last_posted_at DESC, t.id DESC) FILTER (WHERE t.id IS NOT NULL))[1] AS last_thread
            FROM forums_category c
            LEFT JOIN forums_thread t ON t.category_id = c.id AND NOT t.is_deleted
            GROUP BY c.id
        )
        UPDATE forums_category c
        SET thread_count = s.threads, post_count = s.posts, last_posted_at = s.last_at, last_thread_id = s.last_thread
        FROM stats s
        WHERE c.id = s.id AND (c.thread_count, c.post_count, c.last_posted_at, c.last_thread_id)
            IS DISTINCT FROM (s.threads, s.posts, s.last_at, s.last_thread)
    """,
    "tags": """
        UPDATE forums_tag g SET thread_count = s.n
        FROM (
            SELECT g2.id, count(t.id) AS n FROM forums_tag g2
            LEFT JOIN forums_thread_tags tt ON tt.tag_id = g2.id
            LEFT JOIN forums_thread t ON t.id = tt.thread_id AND NOT t.is_deleted
            GROUP BY g2.id
        ) s
        WHERE g.id = s.id AND g.thread_count <> s.n
    """,
}


def synchronize_forums() -> dict[str, int]:
    """Returns how many rows of each kind were wrong and are now right."""
    changed = {}
    with transaction.atomic(), connection.cursor() as cursor:
        for name, statement in _STATEMENTS.items():  # order matters: posts feed threads feed categories
            cursor.execute(statement)
            changed[name] = cursor.rowcount
    return changed


# -- Ideas ------------------------------------------------------------------------------------------

_IDEA_VOTES = """
    UPDATE forums_idea i SET vote_count = s.n
    FROM (
        SELECT i2.thread_id, count(v.id) AS n FROM forums_idea i2
        LEFT JOIN forums_ideavote v ON v.idea_id = i2.thread_id GROUP BY i2.thread_id
    ) s
    WHERE i.thread_id = s.thread_id AND i.vote_count <> s.n
"""


def synchronize_ideas() -> int:
    """Each idea's vote count set to the number of its votes; returns how many were wrong and are now right."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_IDEA_VOTES)
        return cursor.rowcount
