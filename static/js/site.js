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

// The header sticks to the top, and its height depends on the width, the language and the member's lists (staff
// get a second row): --header-height keeps a linked post (…#post-5) below it rather than under it (site.css).
(() => {
  const header = document.querySelector(".site-header");
  if (!header) return;
  const keep = () => document.documentElement.style.setProperty("--header-height", `${header.offsetHeight}px`);
  keep();
  new ResizeObserver(keep).observe(header);
})();

// ---- Ask first: spending and destroying (issue 10, point 10) ---------------------------------------
// A form with data-confirm="<question>" asks in a <dialog> before it submits. The template renders the
// question and the labels translated: data-confirm-yes (the confirming button) and data-confirm-no
// (cancel); data-confirm-danger marks the confirming button as destructive. Cancel, Escape or a click
// outside leaves everything as it was; confirming submits the form again with the same button, so a
// plain form posts and an hx-post form goes through htmx as before.
// An htmx element that is not a form (a button with hx-post) asks through htmx:confirm the same way.
(() => {
  let dialog = null;

  function build() {
    dialog = document.createElement("dialog");
    dialog.className = "confirm-dialog";
    dialog.setAttribute("aria-labelledby", "confirm-dialog-question");
    const form = document.createElement("form");
    form.method = "dialog";
    const question = document.createElement("p");
    question.id = "confirm-dialog-question";
    const actions = document.createElement("div");
    actions.className = "confirm-dialog-actions";
    const no = document.createElement("button");
    no.type = "submit";
    no.value = "no";
    no.className = "button button-quiet confirm-dialog-no";
    const yes = document.createElement("button");
    yes.type = "submit";
    yes.value = "yes";
    yes.className = "button confirm-dialog-yes";
    actions.append(no, yes);
    form.append(question, actions);
    dialog.append(form);
    // A click on the backdrop (the dialog box itself, outside its form) is a cancel.
    dialog.addEventListener("click", (event) => { if (event.target === dialog) dialog.close("no"); });
    document.body.append(dialog);
  }

  // Show the question for `source` (the element carrying data-confirm); `then` runs only on confirm.
  function ask(source, then) {
    if (!dialog) build();
    if (dialog.open) return;
    dialog.querySelector("#confirm-dialog-question").textContent = source.dataset.confirm;
    const yes = dialog.querySelector(".confirm-dialog-yes");
    const no = dialog.querySelector(".confirm-dialog-no");
    yes.textContent = source.dataset.confirmYes || "OK";
    no.textContent = source.dataset.confirmNo || "Cancel";
    yes.classList.toggle("button-danger", "confirmDanger" in source.dataset);
    dialog.returnValue = "";
    dialog.addEventListener("close", () => {
      if (dialog.returnValue === "yes") then();
      else if (source.isConnected) (source.querySelector("[type=submit]") || source).focus?.();
    }, { once: true });
    dialog.showModal();
    no.focus();  // the safe choice is the one Enter picks
  }

  const confirmed = new WeakSet();

  // Capture phase on the document: runs before htmx's own submit listener on the form.
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (confirmed.has(form)) {
      confirmed.delete(form);
      return;
    }
    event.preventDefault();
    event.stopImmediatePropagation();
    const submitter = event.submitter || null;
    ask(form, () => {
      confirmed.add(form);
      form.requestSubmit(submitter && submitter.form === form ? submitter : undefined);
    });
  }, true);

  document.addEventListener("htmx:confirm", (event) => {
    const element = event.detail.elt;
    if (!element || element instanceof HTMLFormElement || !element.dataset || !element.dataset.confirm) return;
    event.preventDefault();
    ask(element, () => event.detail.issueRequest(true));
  });
})();

// ---- The header's menus (issue 10, point 8): "Menu" on a phone and the member menu are <details>, so they open
// and close by keyboard without this. It only tidies: one menu open at a time, Escape or a click elsewhere closes.
(() => {
  const headerMenus = () => document.querySelectorAll(".site-header details[open]");
  document.addEventListener("toggle", (event) => {
    const opened = event.target;
    if (!(opened instanceof HTMLDetailsElement) || !opened.open || !opened.closest(".site-header")) return;
    for (const other of headerMenus()) if (other !== opened && !other.contains(opened)) other.open = false;
  }, true);
  document.addEventListener("keydown", (event) => {
    if (event.key !== "Escape") return;
    for (const menu of headerMenus()) {
      const hadFocus = menu.contains(document.activeElement);
      menu.open = false;
      if (hadFocus) menu.querySelector("summary").focus();
    }
  });
  document.addEventListener("click", (event) => {
    for (const menu of headerMenus()) if (!menu.contains(event.target)) menu.open = false;
  });
})();

// New thread: choosing another category swaps in that category's template, but only while the message is
// empty or still the template shown: what the member wrote is never replaced.
(() => {
  const data = document.getElementById("category-templates");
  const select = document.getElementById("id_category");
  const body = document.getElementById("id_body");
  if (!data || !select || !body) return;
  const templates = JSON.parse(data.textContent);
  let shown = templates[select.value] || "";
  select.addEventListener("change", () => {
    if (body.value.trim() !== "" && body.value !== shown) return;
    shown = templates[select.value] || "";
    body.value = shown;
  });
})();
