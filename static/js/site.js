// Site behaviour that needs script. No inline scripts anywhere (the CSP forbids them).
document.addEventListener("htmx:configRequest", (event) => {
  const token = document.querySelector('meta[name="csrf-token"]');
  if (token) event.detail.headers["X-CSRFToken"] = token.content;
});

// A refused post comes back with its box marked autofocus: put the caret there. Browsers skip
// autofocus when the address has a fragment (#reply, which scrolls to the box), so do it here.
function focusKeptBox() {
  const box = document.querySelector("textarea[autofocus], input[autofocus]");
  if (box && document.activeElement !== box) box.focus({ preventScroll: Boolean(location.hash) });
}
if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", focusKeptBox);
else focusKeptBox();
window.addEventListener("load", focusKeptBox);
