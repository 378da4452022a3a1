// Console forms (console/_error_summary.html): the error summary takes the focus when the page opens
// with one, each of its links focuses its field (a fragment link alone only scrolls), and a problem
// leaves — beside the field and in the summary — as soon as its field is changed, so no stale
// "This field is required." stays beside a field that is now filled (after a Check, say).
// <form data-confirm="Delete this shift?"> asks before submitting (no inline handlers under the CSP).
(function () {
  "use strict";

  function summaryTitle(count) {
    return count === 1 ? "There is 1 problem" : "There are " + count + " problems";
  }

  function fieldOf(element) {
    return element && element.closest ? element.closest(".field, [data-field-group]") : null;
  }

  function focusField(id) {
    const target = document.getElementById(id);
    if (!target) return false;
    const group = fieldOf(target);
    // A collapsed group (the recipient picker's <details>) opens so that its field can take the focus.
    const closed = target.closest("details:not([open])");
    if (closed) closed.open = true;
    target.focus({ preventScroll: true });
    (group || target).scrollIntoView({ block: "center" });
    return true;
  }

  function dropFromSummary(ids) {
    document.querySelectorAll("[data-error-summary]").forEach((summary) => {
      summary.querySelectorAll("li[data-field]").forEach((item) => {
        if (ids.has(item.dataset.field)) item.remove();
      });
      const left = summary.querySelectorAll("li").length;
      if (!left) summary.remove();
      else summary.querySelector("h2").textContent = summaryTitle(left);
    });
  }

  // The field changed: its errors are the person's past, not their present.
  function clearField(event) {
    // Only what the form submits: a filter box or a map's own controls inside a group change nothing.
    if (!event.target.name) return;
    const group = fieldOf(event.target);
    if (!group || !group.classList.contains("invalid")) return;
    group.classList.remove("invalid");
    group.querySelectorAll(".error").forEach((error) => error.remove());
    group.querySelectorAll("[aria-invalid]").forEach((input) => input.removeAttribute("aria-invalid"));
    const ids = new Set();
    group.querySelectorAll("[id]").forEach((element) => ids.add(element.id));
    dropFromSummary(ids);
  }

  function start() {
    const summary = document.querySelector("[data-error-summary]");
    if (summary) summary.focus();
    document.addEventListener("click", (event) => {
      const link = event.target.closest && event.target.closest("[data-error-summary] a[href^='#']");
      if (link && focusField(link.getAttribute("href").slice(1))) event.preventDefault();
    });
    document.querySelectorAll("form").forEach((form) => {
      form.addEventListener("input", clearField);
      form.addEventListener("change", clearField);
    });
    document.querySelectorAll("form[data-confirm]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (!window.confirm(form.dataset.confirm)) event.preventDefault();
      });
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
