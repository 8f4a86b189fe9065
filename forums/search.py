"""Read queries for the search page: which visible posts match, ranked or newest first, with safe snippets.

How a search runs, in a fixed number of queries whatever the number of hits:
1. the words go through `websearch_to_tsquery` with the text's own configuration (both languages
   stemmed), and each Russian stem that ends in a fleeting vowel also asks for its form without it;
2. each GIN index (post bodies, thread titles) gives at most SEARCH_CANDIDATES of its newest matches
   within the filters, so a word found in 100,000 posts costs no more than a rare one;
3. each candidate comes with its rank (a title match with its opening post's), so they are ranked,
   counted and cut to the page here; one more query loads the page's posts with their snippets, made
   from the rendered text (no Markdown syntax in them).
With filters and no words, the posts within the filters are listed newest first, the same number at most.
The count is exact unless an index had more matches than it gave; then the page says "more than".
"""

import hashlib
import html
import re
from dataclasses import dataclass
from datetime import timedelta
from functools import partial

from django.contrib.postgres.search import SearchHeadline, SearchQuery, SearchRank
from django.db import connections, router
from django.db.models import F, Func, OuterRef, Q, QuerySet, Subquery, TextField, Value
from django.db.models.functions import Left
from django.utils import timezone
from django.utils.html import escape
from django.utils.text import Truncator

from forums import page_cache
from forums.markup import SNIPPET_START, SNIPPET_STOP, render_snippet
from forums.models import SEARCH_CONFIG, Category, Post, Tag, Thread
from forums.selectors import PageOf

SEARCH_CANDIDATES = 1_000
HITS_PER_PAGE = 30
QUERY_MAX = 200
# Filter by when a post was written: the period's length in days (None: any time).
PERIODS = {"any": None, "week": 7, "month": 30, "year": 365}


@dataclass
class SearchHit:
    post: Post
    snippet: str
    rank: float


@dataclass(frozen=True)
class SearchFilters:
    category: Category | None = None
    tag: Tag | None = None
    author: object | None = None  # a member
    solved_only: bool = False
    period: str = "any"

    @property
    def any(self) -> bool:
        return bool(self.category or self.tag or self.author or self.solved_only or PERIODS.get(self.period))

    def since(self, now):
        days = PERIODS.get(self.period)
        return now - timedelta(days=days) if days else None


@dataclass
class SearchResults:
    page: PageOf
    # How many results there are to page through; when `more_than` is set, more posts than that matched
    # (only the newest were looked at), so the page says "more than", not a number that would be false.
    count: int
    more_than: int | None = None
    # The name of these results at the content versions they were built from (forums/page_cache.py), under
    # which the page keeps their rendered list; None when they were not kept (Redis away).
    kept_as: str | None = None
    kept_for = page_cache.PAGE_TTL

    @property
    def hits(self) -> list[SearchHit]:
        return self.page.items


# -- the query: words to a tsquery -----------------------------------------------------------------

class ParsedQuery(SearchQuery):
    """A tsquery written as its text form, used as it is (not parsed or stemmed a second time)."""

    def __init__(self, text: str):
        super().__init__(text, search_type="raw")

    def as_sql(self, compiler, connection, function=None, template=None):
        return super().as_sql(compiler, connection, template="(%(expressions)s)::tsquery")


_LEXEME = re.compile(r"'((?:[^']|'')*)'")
_RUSSIAN_VOWELS = "аеёиоуыэюя"
# A Russian noun often loses a vowel of its last syllable in every form but the first (новичок →
# новичка, отец → отца, котёл → котла, ветер → ветра, огонёк → огонька, боец → бойца). The Snowball
# stemmer keeps those apart (новичок / новичк), so a stem ending so also asks for its shorter forms.
_FLEETING_VOWEL = re.compile(r"([а-яё]{2,})([оеё])([кцлнр])")


def without_fleeting_vowel(lexeme: str) -> list[str]:
    """The stems this one has when its last-syllable vowel drops out; [] when it cannot."""
    match = _FLEETING_VOWEL.fullmatch(lexeme)
    if match is None:
        return []
    head, vowel, tail = match.groups()
    if head[-1] in _RUSSIAN_VOWELS:
        return [f"{head}й{tail}"] if vowel != "о" else []
    forms = [head + tail]
    if vowel != "о" and head[-1] in "лн":  # палец → пальца, огонёк → огонька
        forms.append(f"{head}ь{tail}")
    return forms


def expand_tsquery(text: str) -> str:
    """A tsquery's text with each lexeme that has fleeting-vowel forms replaced by (lexeme | forms…)."""

    def expand(match: re.Match) -> str:
        forms = without_fleeting_vowel(match.group(1).replace("''", "'"))
        if not forms:
            return match.group(0)
        return "( " + " | ".join([match.group(0), *(f"'{form}'" for form in forms)]) + " )"

    return _LEXEME.sub(expand, text)


def parse_query(query_text: str) -> ParsedQuery | None:
    """The words as a tsquery (one query: the stemmer lives in PostgreSQL); None when no word is left to look for."""
    query_text = query_text.strip()[:QUERY_MAX]
    if not query_text:
        return None
    with connections[router.db_for_read(Post)].cursor() as cursor:
        cursor.execute("SELECT websearch_to_tsquery(%s::regconfig, %s)::text", [SEARCH_CONFIG, query_text])
        text = cursor.fetchone()[0]
    return ParsedQuery(expand_tsquery(text)) if text else None


# -- what is searched ------------------------------------------------------------------------------

def _public_posts() -> QuerySet[Post]:
    """Posts everyone may read: search shows nobody hidden or deleted text, not even its author."""
    return Post.objects.filter(is_deleted=False, is_hidden=False, thread__is_deleted=False)


def _filters_on(filters: SearchFilters, since, *, thread: str) -> Q:
    """The filters as a condition on posts (`thread="thread__"`) or on threads matched by title (`thread=""`),
    whose result is their first post: same author, same time."""
    q = Q()
    if filters.category is not None:
        q &= Q(**{f"{thread}category": filters.category})
    if filters.tag is not None:
        q &= Q(**{f"{thread}tags": filters.tag})
    if filters.author is not None:
        q &= Q(author=filters.author)
    if filters.solved_only:
        q &= Q(**{f"{thread}accepted_answer__isnull": False})
    if since is not None:
        q &= Q(created_at__gte=since)
    return q


def _post_filters(filters: SearchFilters, since) -> Q:
    return _filters_on(filters, since, thread="thread__")


def _thread_filters(filters: SearchFilters, since) -> Q:
    return _filters_on(filters, since, thread="")


# The tags of a post's sanitised HTML (the sanitiser double-quotes every attribute value and text never
# holds a raw "<"): inline ones go (so **bold**, beside a comma stays "bold,"), the others become a
# space between words. What is left is the text a reader sees, its entities (&amp; &lt;) still encoded.
_INLINE_TAG = r'</?(a|abbr|b|code|del|em|i|kbd|s|strong|sub|sup)(?=[\s/>])("[^"]*"|[^">])*>'
_ANY_TAG = r'<("[^"]*"|[^">])*>'


def _regexp_replace(expression, pattern: str, replacement: str) -> Func:
    return Func(expression, Value(pattern), Value(replacement), Value("g"), function="regexp_replace", output_field=TextField())


def _plain_text(field: str = "body_html") -> Func:
    """The rendered post as text, for snippets: no Markdown syntax (fences, **, #, link targets) survives rendering."""
    return _regexp_replace(_regexp_replace(F(field), _INLINE_TAG, ""), _ANY_TAG, " ")


def _page_posts(ids) -> QuerySet[Post]:
    return (
        Post.objects.filter(pk__in=ids)
        .select_related("thread", "thread__category", "author")
        .only(
            "number", "created_at", "thread__title", "thread__slug", "thread__accepted_answer",
            "thread__category__name", "thread__category__slug", "thread__category__colour",
            "author__username", "author__display_name",
        )
    )


def _snippet(headline: str) -> str:
    # The headline is HTML text (entities such as &lt; as the renderer wrote them): back to plain text, then escaped.
    return render_snippet(html.unescape(" ".join(headline.split())))


# -- the search ------------------------------------------------------------------------------------

def search_posts(query_text: str, *, filters: SearchFilters = SearchFilters(), order: str = "relevance",
                 page: int = 1) -> SearchResults:
    """Posts whose text or whose thread's title matches the words, within the filters, best (or newest) first.

    With no words but some filter, the posts within the filters, newest first (as Discourse does).
    The results are the same for every reader (public posts only), so they are kept in Redis under the
    forum's content versions (forums/page_cache.py): a post, an edit, a hide or a rename shows on the next search.
    """
    results, results.kept_as = page_cache.kept_or_built(
        _results_key(query_text, filters=filters, order=order, page=page),
        partial(_search_posts, query_text, filters=filters, order=order, page=page),
    )
    return results


def _results_key(query_text: str, *, filters: SearchFilters, order: str, page: int) -> str:
    # Words as typed (cut as parse_query cuts them), the filters by id, the order and the page. Not the language:
    # results hold no translated text (snippets are the posts' own words, times are rendered by the template).
    identity = repr((query_text.strip()[:QUERY_MAX], getattr(filters.category, "pk", None), getattr(filters.tag, "pk", None),
                     getattr(filters.author, "pk", None), filters.solved_only, filters.period, order, page))
    return "search:" + hashlib.blake2b(identity.encode(), digest_size=16).hexdigest()


def _search_posts(query_text: str, *, filters: SearchFilters, order: str, page: int) -> SearchResults:
    query = parse_query(query_text)
    now = timezone.now()
    if query is not None:
        return _ranked(query, filters=filters, since=filters.since(now), order=order, page=page)
    if query_text.strip() or not filters.any:
        return SearchResults(page=PageOf(items=[], number=page, total=0, per_page=HITS_PER_PAGE), count=0)
    return _newest(filters=filters, since=filters.since(now), page=page)


def _ranked(query: ParsedQuery, *, filters: SearchFilters, since, order: str, page: int) -> SearchResults:
    # The candidates with what ranking needs, in two queries that read the GIN indexes and nothing whole:
    # matching posts with their own rank, and threads matching by title with their title's rank and their
    # opening post (one lookup each on the (thread, number) index). No list of ids goes back to the database.
    posts = list(
        _public_posts().filter(_post_filters(filters, since), search_vector=query)
        .annotate(rank=SearchRank(F("search_vector"), query))
        .order_by("-id").values_list("id", "thread_id", "created_at", "rank")[:SEARCH_CANDIDATES + 1]
    )
    opening = Post.objects.filter(thread_id=OuterRef("pk"), number=1, is_deleted=False, is_hidden=False)
    threads = list(
        Thread.objects.filter(_thread_filters(filters, since), search_vector=query, is_deleted=False)
        .annotate(title_rank=SearchRank(F("search_vector"), query),
                  opening_id=Subquery(opening.values("id")[:1]),
                  opening_rank=Subquery(opening.annotate(rank=SearchRank(F("search_vector"), query)).values("rank")[:1]))
        .order_by("-id").values_list("id", "created_at", "title_rank", "opening_id", "opening_rank")[:SEARCH_CANDIDATES + 1]
    )
    capped = len(posts) > SEARCH_CANDIDATES or len(threads) > SEARCH_CANDIDATES
    posts, threads = posts[:SEARCH_CANDIDATES], threads[:SEARCH_CANDIDATES]
    title_rank = {thread_id: rank for thread_id, _created, rank, _opening, _opening_rank in threads}
    # A post's rank is its text's and its thread's title's (a reply in a thread whose title matches ranks higher).
    candidates = {post_id: (created_at, rank + title_rank.get(thread_id, 0.0)) for post_id, thread_id, created_at, rank in posts}
    for _thread_id, created_at, rank, opening_id, opening_rank in threads:
        if opening_id is not None:  # a title match shows as its opening post, when that post can be read
            candidates[opening_id] = (created_at, (opening_rank or 0.0) + rank)
    if order == "newest":
        ordered = sorted(candidates.items(), key=lambda item: (item[1][0], item[0]), reverse=True)
    else:
        ordered = sorted(candidates.items(), key=lambda item: (item[1][1], item[1][0], item[0]), reverse=True)
    total = len(ordered)
    start = (page - 1) * HITS_PER_PAGE
    ranked = [(post_id, rank) for post_id, (_created, rank) in ordered[start:start + HITS_PER_PAGE]]
    if not ranked:
        return SearchResults(page=PageOf(items=[], number=page, total=total if total else 0, per_page=HITS_PER_PAGE), count=total)
    rank_of = dict(ranked)
    found = _page_posts(rank_of).annotate(headline=SearchHeadline(
        _plain_text(), query, config=SEARCH_CONFIG, start_sel=SNIPPET_START, stop_sel=SNIPPET_STOP,
        max_words=35, min_words=15, max_fragments=2,
    ))
    by_id = {post.pk: post for post in found}
    hits = [SearchHit(post=by_id[post_id], snippet=_snippet(by_id[post_id].headline), rank=rank)
            for post_id, rank in ranked if post_id in by_id]
    return SearchResults(
        page=PageOf(items=hits, number=page, total=total, per_page=HITS_PER_PAGE),
        # Capped: the posts and titles looked at (up to SEARCH_CANDIDATES of each) are what the pages hold,
        # so "more than" names that number, the same one the page count is made from.
        count=total, more_than=total if capped else None,
    )


EXCERPT_WORDS = 35


def _newest(*, filters: SearchFilters, since, page: int) -> SearchResults:
    """Posts within the filters, newest first; as with words, only the newest SEARCH_CANDIDATES are reachable."""
    posts = _public_posts().filter(_post_filters(filters, since))
    counted = posts.order_by().values("id")[:SEARCH_CANDIDATES + 1].count()
    start = (page - 1) * HITS_PER_PAGE
    end = min(start + HITS_PER_PAGE, SEARCH_CANDIDATES)
    ids = list(posts.order_by("-created_at", "-id").values_list("id", flat=True)[start:end]) if start < end else []
    by_id = {post.pk: post for post in _page_posts(ids).annotate(excerpt=Left(_plain_text(), 1_000))} if ids else {}
    hits = [SearchHit(post=by_id[post_id], snippet=_excerpt(by_id[post_id].excerpt), rank=0.0) for post_id in ids if post_id in by_id]
    capped = counted > SEARCH_CANDIDATES
    total = min(counted, SEARCH_CANDIDATES)
    return SearchResults(page=PageOf(items=hits, number=page, total=total, per_page=HITS_PER_PAGE),
                         count=total, more_than=SEARCH_CANDIDATES if capped else None)


def _excerpt(text: str) -> str:
    words = text.split()
    if len(text) >= 1_000 and words:
        words = words[:-1]  # cut off mid-word (or mid-entity) by the 1,000 characters
    return str(escape(Truncator(html.unescape(" ".join(words))).words(EXCERPT_WORDS, truncate="…")))
