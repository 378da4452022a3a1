// The incident report form (incidents/new.html): the recipient picker over the plain checkboxes.
// Without this script the form is the same: one collapsible group per party with its "all of …" box
// (a `parties` choice) and its organisations' boxes (`organisations` choices). With it: a filter box
// that narrows the organisations and opens the groups that match, a count of what is chosen per group,
// and a party's organisations shown as chosen (and not choosable one by one) while "all of …" is ticked.
(function () {
  "use strict";

  const picker = document.querySelector("[data-recipient-picker]");
  if (!picker) return;
  const { el } = window.Hotline;
  const groups = Array.from(picker.querySelectorAll("details[data-party]"));

  const filter = el("input", {
    type: "search",
    id: "recipient-filter",
    placeholder: "Filter by party, code or name",
    autocomplete: "off",
    "aria-controls": picker.id,
    "data-testid": "recipient-filter",
  });
  const shown = el("span", { class: "muted", role: "status", "aria-live": "polite", "data-testid": "recipient-filter-status" });
  const bar = el("div", { class: "recipient-filter" }, el("label", { for: "recipient-filter" }, "Find a recipient"), filter, shown);
  picker.insertBefore(bar, groups[0] || null);

  const organisationBoxes = (group) => Array.from(group.querySelectorAll("li[data-recipient] input[type=checkbox]"));
  const partyBox = (group) => group.querySelector("[data-party-all] input[type=checkbox]");

  function count(group) {
    const all = partyBox(group);
    const chosen = organisationBoxes(group).filter((box) => box.checked).length;
    const text = all && all.checked ? "all chosen" : chosen ? chosen + " chosen" : "";
    group.querySelector("[data-chosen-count]").textContent = text;
    group.classList.toggle("has-chosen", Boolean(text));
  }

  // "All of …" stands for every organisation of the party: they show as ticked and wait until it is
  // unticked. Disabled boxes are not submitted; the party's box says it all.
  function followParty(group) {
    const all = partyBox(group);
    organisationBoxes(group).forEach((box) => {
      if (all && all.checked) {
        if (!box.disabled) box.dataset.wasChecked = String(box.checked);
        box.checked = true;
        box.disabled = true;
      } else if (box.disabled) {
        box.disabled = false;
        box.checked = box.dataset.wasChecked === "true";
      }
    });
    count(group);
  }

  function applyFilter() {
    const words = filter.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    let matching = 0;
    groups.forEach((group) => {
      const partyText = group.querySelector("summary").textContent.toLowerCase();
      let inGroup = 0;
      group.querySelectorAll("li[data-recipient]").forEach((item) => {
        const haystack = item.dataset.recipient.toLowerCase() + " " + item.textContent.toLowerCase();
        const hit = words.every((word) => haystack.includes(word));
        item.hidden = !hit;
        if (hit) inGroup += 1;
      });
      const partyHit = words.length > 0 && words.every((word) => partyText.includes(word));
      if (partyHit) group.querySelectorAll("li[data-recipient]").forEach((item) => { item.hidden = false; });
      const visible = partyHit ? group.querySelectorAll("li[data-recipient]").length : inGroup;
      group.hidden = words.length > 0 && visible === 0 && !partyHit;
      if (words.length) group.open = !group.hidden;
      matching += group.hidden ? 0 : visible;
    });
    shown.textContent = words.length ? matching + (matching === 1 ? " organisation matches" : " organisations match") : "";
  }

  groups.forEach((group) => {
    const all = partyBox(group);
    if (all) all.addEventListener("change", () => followParty(group));
    organisationBoxes(group).forEach((box) => box.addEventListener("change", () => count(group)));
    followParty(group);
  });
  filter.addEventListener("input", applyFilter);
  // Enter in the filter box must not submit the report half-written.
  filter.addEventListener("keydown", (event) => { if (event.key === "Enter") event.preventDefault(); });
})();
