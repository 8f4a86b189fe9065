"""Help while writing a thread (issue 13): the visible threads whose titles resemble the one being typed, and
the opening text a category suggests.

How the similar threads are found, in two queries whatever the number of threads that match:
1. PostgreSQL turns the title into its stemmed words (the search's configuration, so English and Russian
   both; each Russian stem with a fleeting vowel also asks for its short forms, as forums.search does), the
   last one as a prefix while it may still be being typed;
2. one query finds, on the GIN-indexed `search_vector`, the titles that share at least half of those words
   and at least two (the only one, for a one-word title), ranks them by how many they share, keeps the best
   SIMILAR_CANDIDATES, drops those whose opening post nobody may read (hidden or deleted), and orders what
   is left solved first, then by rank: the answered question is the one worth reading before asking.
Asking for half the words, not any one, keeps both the suggestions and the query small: on the large demo
data "any word" matched 5,559 titles (one in nine) for a common question and the planner read the whole table.
"""

import math
import re
from dataclasses import dataclass
from itertools import combinations

from django.contrib.postgres.search import SearchRank
from django.db import connection
from django.db.models import BooleanField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.utils import translation

from forums.markup import plain_line
from forums.models import SEARCH_CONFIG, Category, Post, Thread
from forums.search import ParsedQuery, expand_tsquery
from forums.services import TITLE_MAX

SIMILAR_MIN_CHARS = 10
SIMILAR_MAX = 5
# How many of the best-ranked titles compete for the five places; solved ones among them go first, so a
# solved thread sharing one word with the title does not push out an unsolved one that shares them all.
SIMILAR_CANDIDATES = 15


def clean_title(title: str) -> str:
    """The title as it would be saved (one line, no invisible characters), cut to the longest a title may be
    (before a word it would cut in two)."""
    line = plain_line(title or "")
    return line if len(line) <= TITLE_MAX else line[:TITLE_MAX + 1].rsplit(" ", 1)[0]


# The title ends inside a word of three or more letters: it may still be being typed, so it is matched as a
# prefix ("kettle whis" finds "whistles"); a shorter ending is taken as it is.
_UNFINISHED_WORD = re.compile(r"\w{3,}$")
_QUOTED_LEXEME = re.compile(r"'(?:[^']|'')*'")
# The first words of a title name its subject. More cost more than they tell: the GIN index checks every
# group on every title holding any of the words (5 words: 10 groups of 3; 8 words made 70 groups of 4, and
# the index scan alone took 73 ms on the large demo data).
MAX_WORDS = 5


@dataclass(frozen=True)
class TitleQuery:
    matches: ParsedQuery  # at least half of the title's words, and two when it has two or more
    ranks: ParsedQuery  # any of its words: the more a title shares, the higher it ranks


def title_query(title: str, *, typing: bool = False) -> TitleQuery | None:
    """The title's stemmed words as tsqueries (one query: the stemmer lives in PostgreSQL); None when only stop
    words or punctuation are left. `typing`: the text ended in a letter, so its last word may be unfinished."""
    unfinished = _UNFINISHED_WORD.search(title) if typing else None
    head, tail = (title[:unfinished.start()], unfinished.group()) if unfinished else (title, "")
    with connection.cursor() as cursor:
        # plainto_tsquery reads no operators from the text; its text form quotes and escapes each lexeme.
        cursor.execute("SELECT plainto_tsquery(%s::regconfig, %s)::text, plainto_tsquery(%s::regconfig, %s)::text",
                       [SEARCH_CONFIG, head, SEARCH_CONFIG, tail])
        head_text, tail_text = cursor.fetchone()
    unfinished_words = [f"{lexeme}:*" for lexeme in dict.fromkeys(_QUOTED_LEXEME.findall(tail_text))][:2]
    words = list(dict.fromkeys(expand_tsquery(lexeme) for lexeme in _QUOTED_LEXEME.findall(head_text)))
    words = words[:MAX_WORDS - len(unfinished_words)] + unfinished_words
    if not words:
        return None
    shared = max(min(2, len(words)), math.ceil(len(words) / 2))
    matches = " | ".join(f"( {' & '.join(group)} )" for group in combinations(words, shared))
    return TitleQuery(matches=ParsedQuery(matches), ranks=ParsedQuery(" | ".join(words)))


def similar_threads(title: str) -> list[Thread]:
    """Up to SIMILAR_MAX threads everyone may read whose titles share half the words of this one, solved first;
    [] for a title shorter than SIMILAR_MIN_CHARS (too little to go on, and typed a moment ago)."""
    typed, title = title or "", clean_title(title)
    if len(title) < SIMILAR_MIN_CHARS:
        return []
    query = title_query(title, typing=re.search(r"\w$", typed) is not None)
    if query is None:
        return []
    rank = SearchRank(F("search_vector"), query.ranks)
    best = (
        Thread.objects.filter(is_deleted=False, search_vector=query.matches)
        .annotate(rank=rank).order_by("-rank", "-id").values("pk")[:SIMILAR_CANDIDATES]
    )
    opening_readable = Post.objects.filter(thread=OuterRef("pk"), number=1, is_deleted=False, is_hidden=False)
    return list(
        Thread.objects.filter(pk__in=best)
        .filter(Exists(opening_readable))
        .annotate(rank=rank, solved=ExpressionWrapper(Q(accepted_answer__isnull=False), output_field=BooleanField()))
        .select_related("category")
        .only("title", "slug", "reply_count", "accepted_answer", "category__name", "category__slug", "category__colour")
        .order_by("-solved", "-rank", "-id")[:SIMILAR_MAX]
    )


def body_template_for(category: Category | None, language: str | None = None) -> str:
    """The text a category suggests for a new thread's opening post, in the reader's language; the other
    language's when that one is empty (a category may write its template in one language only)."""
    if category is None:
        return ""
    language = (language or translation.get_language() or "en").split("-")[0]
    mine, other = ((category.body_template_ru, category.body_template_en) if language == "ru"
                   else (category.body_template_en, category.body_template_ru))
    return mine or other
