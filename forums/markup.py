"""The one Markdown pipeline for everything members write: markdown-it, then the nh3 allow-list.

Raw HTML in the source is escaped by markdown-it (html=False), and whatever markdown-it
emits is cleaned again by nh3, so a bug in either layer alone cannot let markup through.
"""

import re
import unicodedata
from dataclasses import dataclass, field

import nh3
from django.utils.html import escape
from markdown_it import MarkdownIt
from markdown_it.rules_core import StateCore
from markdown_it.token import Token

from community.members.validators import USERNAME_PATTERN

MENTION_RE = re.compile(rf"(?<![\w@/.])@({USERNAME_PATTERN})")

ALLOWED_TAGS = {
    "a", "abbr", "b", "blockquote", "br", "code", "del", "em", "h1", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "kbd", "li", "ol", "p", "pre", "s", "strong", "sub", "sup", "table", "tbody",
    "td", "th", "thead", "tr", "ul",
}
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "abbr": {"title"},
    "img": {"src", "alt", "title"},
    "ol": {"start"},
}
ALLOWED_CLASSES = {"a": {"mention"}}
URL_SCHEMES = {"http", "https", "mailto"}
LINK_REL = "nofollow ugc noopener"

# Direction controls (embeddings, overrides, isolates, marks): a member's one-line text never steers
# the direction of the text around it. Invisible characters with no job in a title or a name go too.
_DROPPED_FROM_LINES = dict.fromkeys(map(ord, "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
                                             "\u200e\u200f\u061c\u200b\u2060\ufeff\u00ad\u180e\u3164"))


def plain_line(text: str) -> str:
    """A title, name or flair as one clean line: no direction controls, no invisible-only text, no newlines.

    Whitespace of any kind (newlines, tabs, line separators) becomes one space. Text left with nothing
    a reader can see (only joiners or other format characters) is empty, so it fails "required".
    """
    line = " ".join(text.translate(_DROPPED_FROM_LINES).split())
    if all(unicodedata.category(char) in ("Cf", "Cc", "Mn", "Zs") for char in line):
        return ""
    return line


# Markers for search snippets: control characters members cannot type into a post body.
SNIPPET_START = "\x02"
SNIPPET_STOP = "\x03"


@dataclass
class RenderedText:
    html: str
    mentioned_usernames: set[str] = field(default_factory=set)

    @property
    def link_count(self) -> int:
        """Links and images to other places (mentions are not links)."""
        return len(re.findall(r'<a href="(?!/u/)|<img ', self.html))


def _mention_links(state: StateCore) -> None:
    """Turn @name into a profile link, only for names the caller says exist."""
    known: set[str] = state.env.get("known_usernames", set())
    mentioned: set[str] = state.env.setdefault("mentioned", set())
    if not known:
        return
    for block in state.tokens:
        if block.type != "inline" or not block.children:
            continue
        children: list[Token] = []
        inside_link = 0
        for token in block.children:
            if token.type == "link_open":
                inside_link += 1
            elif token.type == "link_close":
                inside_link -= 1
            if token.type != "text" or inside_link or "@" not in token.content:
                children.append(token)
                continue
            position = 0
            for match in MENTION_RE.finditer(token.content):
                name = match.group(1).rstrip(".-")
                if name.lower() not in known:
                    continue
                start, end = match.start(), match.start() + 1 + len(name)
                if start > position:
                    children.append(_text_token(token.content[position:start]))
                link_open = Token("link_open", "a", 1)
                link_open.attrs = {"href": f"/u/{name}/", "class": "mention"}
                children.extend([link_open, _text_token(f"@{name}"), Token("link_close", "a", -1)])
                mentioned.add(name.lower())
                position = end
            if position < len(token.content):
                children.append(_text_token(token.content[position:]))
        block.children = children


def _text_token(content: str) -> Token:
    token = Token("text", "", 0)
    token.content = content
    return token


_markdown = (
    MarkdownIt("commonmark", {"html": False, "linkify": True, "breaks": True})
    .enable(["linkify", "table", "strikethrough"])
)
_markdown.core.ruler.push("mention_links", _mention_links)


def mention_candidates(text: str) -> set[str]:
    """Lower-cased names that look like @mentions, for the caller to look up in one query."""
    return {match.group(1).rstrip(".-").lower() for match in MENTION_RE.finditer(text)}


def render_markdown(text: str, *, known_usernames: set[str] | None = None) -> RenderedText:
    env = {"known_usernames": {name.lower() for name in known_usernames or ()}}
    html = _markdown.render(text, env)
    clean = nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes=URL_SCHEMES,
        link_rel=LINK_REL,
        strip_comments=True,
    )
    return RenderedText(html=clean, mentioned_usernames=env.get("mentioned", set()))


def render_snippet(headline: str) -> str:
    """Escape a search headline and turn its markers into <mark>; nothing else becomes markup."""
    return str(escape(headline)).replace(SNIPPET_START, "<mark>").replace(SNIPPET_STOP, "</mark>")


def quote_markdown(*, username: str, post_url: str, body: str) -> str:
    """Markdown that quotes a post, crediting its author with a link back to it."""
    quoted = "\n".join(f"> {line}" if line else ">" for line in body.strip().splitlines())
    return f"> **@{username}** [wrote]({post_url}):\n{quoted}\n\n"
