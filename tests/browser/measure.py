"""Page measurements the browser tests share."""

# Elements that stick out to the right, to name the culprit when a page scrolls sideways.
MEASURE_OVERFLOW = """
() => {
  const width = window.innerWidth;
  const culprits = [];
  for (const element of document.body.querySelectorAll("*")) {
    const box = element.getBoundingClientRect();
    if (box.width > 0 && box.right > width + 1) {
      const classes = element.className ? "." + String(element.className).trim().replace(/\\s+/g, ".") : "";
      culprits.push(element.tagName.toLowerCase() + classes + " right=" + Math.round(box.right));
    }
  }
  return {scrollWidth: document.documentElement.scrollWidth, innerWidth: width, culprits: culprits.slice(0, 8)};
}
"""
