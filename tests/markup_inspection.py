"""What the pipeline's output may contain, checked as a browser would read it (shared by the markup tests)."""

import re
from html.parser import HTMLParser

from forums.markup import ALLOWED_ATTRIBUTES, ALLOWED_TAGS

SAFE_SCHEMES = {"http", "https", "mailto"}
# Elements that run script, load documents or take input: none may ever come out of the pipeline.
SCRIPT_CAPABLE_TAGS = {
    "script", "style", "iframe", "frame", "frameset", "object", "embed", "applet", "form", "input", "button",
    "textarea", "select", "option", "isindex", "link", "meta", "base", "svg", "math", "template", "noscript",
    "video", "audio", "source", "track", "details", "dialog", "portal", "animate", "set", "use", "foreignobject",
}
# The URL parser's first steps (WHATWG URL standard): leading and trailing C0 controls and spaces go,
# tabs and newlines anywhere go, and only then is a scheme (a letter, then letters, digits, + - .) read.
_C0_OR_SPACE = "".join(chr(code) for code in range(0x21))
_TAB_OR_NEWLINE = re.compile("[\t\n\r]")
_SCHEME = re.compile(r"([a-zA-Z][a-zA-Z0-9+.\-]*):")


def url_scheme(value: str) -> str:
    """The scheme a browser reads from an attribute's (already entity-decoded) value; "" for a relative URL."""
    match = _SCHEME.match(_TAB_OR_NEWLINE.sub("", value.strip(_C0_OR_SPACE)))
    return match.group(1).lower() if match else ""


class _Inspector(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in SCRIPT_CAPABLE_TAGS or tag not in ALLOWED_TAGS:
            self.problems.append(f"tag <{tag}>")
        for name, value in attrs:
            value = value or ""
            allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | {"rel", "class"}
            if name.startswith(("on", "hx-", "data-")) or name in ("style", "formaction", "srcdoc", "xlink:href"):
                self.problems.append(f"script-capable attribute {name}={value!r} on <{tag}>")
            elif name not in allowed:
                self.problems.append(f"attribute {name} on <{tag}>")
            if name == "class" and value != "mention":
                self.problems.append(f"class={value!r} on <{tag}>")
            if name in ("href", "src") and url_scheme(value) not in SAFE_SCHEMES | {""}:
                self.problems.append(f"{name}={value!r} on <{tag}>")

    handle_startendtag = handle_starttag


def markup_problems(html: str) -> list[str]:
    """Everything in `html` that could run script, take input or steer the page; [] when inert."""
    inspector = _Inspector()
    inspector.feed(html)
    inspector.close()
    return inspector.problems
