"""Read queries for the search page: which visible posts match, ranked, with safe highlighted snippets."""

from dataclasses import dataclass

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db.models import F, Q

from forums.markup import SNIPPET_START, SNIPPET_STOP, render_snippet
from forums.models import SEARCH_CONFIG, Post, Thread


@dataclass
class SearchHit:
    post: Post
    snippet: str
    rank: float


SEARCH_CANDIDATES = 1_000


def search_posts(query_text: str, *, limit: int = 30) -> list[SearchHit]:
    """Posts whose text or whose thread's title matches, best first, with highlighted snippets.

    The query is parsed with the same configuration as the text, so both languages are stemmed.
    Each GIN index gives at most SEARCH_CANDIDATES of its newest matches; only those are ranked,
    so a word found in 100,000 posts costs no more than a rare one.
    """
    query_text = query_text.strip()[:200]
    if not query_text:
        return []
    query = SearchQuery(query_text, search_type="websearch", config=SEARCH_CONFIG)
    post_ids = list(
        Post.objects.filter(search_vector=query, is_deleted=False, is_hidden=False).order_by("-id").values_list("id", flat=True)[:SEARCH_CANDIDATES]
    )
    thread_ids = list(
        Thread.objects.filter(search_vector=query, is_deleted=False).order_by("-id").values_list("id", flat=True)[:SEARCH_CANDIDATES]
    )
    if not post_ids and not thread_ids:
        return []
    ranked = list(
        Post.objects.filter(Q(pk__in=post_ids) | Q(thread_id__in=thread_ids, number=1), is_deleted=False, is_hidden=False,
                            thread__is_deleted=False)
        .annotate(rank=SearchRank(F("search_vector"), query) + SearchRank(F("thread__search_vector"), query))
        .order_by("-rank", "-created_at")
        .values_list("id", "rank")[:limit]
    )
    rank_of = dict(ranked)
    posts = (
        Post.objects.filter(pk__in=rank_of)
        .annotate(headline=SearchHeadline(
            "body", query, config=SEARCH_CONFIG, start_sel=SNIPPET_START, stop_sel=SNIPPET_STOP,
            max_words=35, min_words=15, max_fragments=2,
        ))
        .select_related("thread", "thread__category", "author")
    )
    hits = [SearchHit(post=post, snippet=render_snippet(post.headline), rank=rank_of[post.pk]) for post in posts]
    hits.sort(key=lambda hit: (-hit.rank, -hit.post.created_at.timestamp()))
    return hits
