"""Checks that member text stayed inert in the browser: what the page holds, what ran, what it tried to load."""

# Everything in the document that is not the site's own markup, as the browser parsed it.
FIND_INJECTED_MARKUP = r"""
(containers) => {
  const ownScripts = [/\/static\/vendor\/htmx\.min(\.[0-9a-f]+)?\.js$/, /\/static\/js\/site(\.[0-9a-f]+)?\.js$/];
  const foreignScripts = [];
  // The site's own data blocks (json_script): data, never run; a member's copy inside a container is caught below.
  const ownData = ["category-templates"];
  for (const script of document.querySelectorAll("script")) {
    if (script.type === "application/json" && ownData.includes(script.id) && !(containers && script.closest(containers))) continue;
    const src = script.getAttribute("src");
    const path = src ? new URL(src, location.href).pathname : "";
    if (!src || !ownScripts.some((pattern) => pattern.test(path))) {
      foreignScripts.push(src || "inline: " + script.textContent.slice(0, 80));
    }
  }
  const dangerousTags = "script, iframe, frame, object, embed, form, input, button, textarea, select, style, link, " +
    "meta, base, svg, math, video, audio, source, details, template, noscript";
  const problems = [];
  const urlAttributes = ["href", "src", "xlink:href", "action", "formaction", "data", "poster", "background"];
  for (const container of containers ? document.querySelectorAll(containers) : []) {
    for (const element of container.querySelectorAll(dangerousTags)) {
      problems.push("element <" + element.tagName.toLowerCase() + ">");
    }
    for (const element of [container, ...container.querySelectorAll("*")]) {
      for (const attribute of element.attributes) {
        const name = attribute.name.toLowerCase();
        if (name.startsWith("on")) problems.push(element.tagName + " " + name + "=" + attribute.value);
        if (name.startsWith("hx-") || name.startsWith("data-")) problems.push(element.tagName + " " + name + "=" + attribute.value);
        if (name === "style" || name === "srcdoc") problems.push(element.tagName + " " + name + "=" + attribute.value);
        if (urlAttributes.includes(name)) {
          const compact = attribute.value.replace(/[\u0000-\u0020]+/g, "").toLowerCase();
          const protocol = new URL(attribute.value, location.href).protocol;
          if (compact.startsWith("javascript:") || !["http:", "https:", "mailto:"].includes(protocol)) {
            problems.push(element.tagName + " " + name + "=" + attribute.value);
          }
        }
      }
    }
  }
  // Outside the containers member text is only ever text (titles, names, notes): nothing on the whole page may
  // carry a handler, a script URL, a frame, or an htmx attribute holding what a vector wrote (the site's own
  // data-confirm questions may quote a member's name: site.js shows them with textContent).
  for (const element of document.querySelectorAll("iframe, frame, frameset, object, embed, base, meta[http-equiv]")) {
    problems.push("page element <" + element.tagName.toLowerCase() + ">");
  }
  const payload = /alert\(|msgbox\(|\/logout\/|\/account\/delete\/|Delete everything\?|Sure\?/i;
  for (const element of document.querySelectorAll("*")) {
    for (const attribute of element.attributes) {
      const name = attribute.name.toLowerCase();
      if (name.startsWith("on")) problems.push("page " + element.tagName + " " + name + "=" + attribute.value);
      if ((name.startsWith("hx-") || name.startsWith("data-hx-")) && payload.test(attribute.value)) {
        problems.push("page " + element.tagName + " " + name + "=" + attribute.value);
      }
      if (urlAttributes.includes(name)) {
        const compact = attribute.value.replace(/[\u0000-\u0020]+/g, "").toLowerCase();
        if (/^(javascript|vbscript|livescript):/.test(compact) || (compact.startsWith("data:") && !compact.startsWith("data:image/"))) {
          problems.push("page " + element.tagName + " " + name + "=" + attribute.value);
        }
      }
    }
  }
  return {
    xss: typeof window.__xss,
    foreignScripts,
    problems,
    cspViolations: window.__cspViolations || [],
    containers: containers ? document.querySelectorAll(containers).length : 0,
  };
}
"""

# Recorded from the first moment of every document, before any of the page's markup runs.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(event.violatedDirective + " " + event.blockedURI + " " + (event.sample || ""));
});
"""

# Clicking a real link to another site would leave the page; stop only those, so that a
# javascript: link or an onclick handler, if one got through, still runs and is caught.
STOP_LEAVING_THE_PAGE = """
document.addEventListener("click", (event) => {
  const link = event.target.closest && event.target.closest("a[href]");
  if (link && ["http:", "https:", "mailto:"].includes(new URL(link.href, location.href).protocol)) {
    event.preventDefault();
  }
}, true);
"""



def assert_nothing_injected(page, containers: str | None = ".post-body"):
    """Nothing ran and nothing is left; `containers` (member content, rendered Markdown) must be on the page and
    are searched strictly, the rest of the page for handlers, script URLs, frames and htmx attributes. None:
    a page where member text is only ever text (lists, names), checked as a whole."""
    found = page.evaluate(FIND_INJECTED_MARKUP, containers)
    assert containers is None or found["containers"] > 0, f"no {containers} on {page.url}"
    assert page.dialogs == [], (page.url, page.dialogs)
    assert found["xss"] == "undefined", page.url
    assert found["foreignScripts"] == [], (page.url, found["foreignScripts"])
    assert found["problems"] == [], (page.url, found["problems"])
    assert found["cspViolations"] == [], (page.url, found["cspViolations"])


def poke_every_link_and_image(page, containers=".post-body"):
    """Hover every link and image in the posts and click every link, as a curious reader would."""
    url = page.url
    targets = page.locator(f":is({containers}) :is(a, img)")
    count = targets.count()
    assert count > 0
    for index in range(count):
        target = targets.nth(index)
        if not target.is_visible():
            continue
        target.hover()
        if target.evaluate("element => element.tagName") == "A":
            target.click(no_wait_after=True)
    page.mouse.move(0, 0)
    assert page.url == url
    assert page.dialogs == []


