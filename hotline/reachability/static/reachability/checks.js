// Reachability check pages: countdowns to each answer's deadline, and a fresh table when a check starts
// or is answered (the server renders it; this script only swaps the part that changed).
(function () {
  "use strict";

  // Countdowns (.countdown[data-due]) are the console shell's (console.js): it ticks them every second.
  const tickCountdowns = window.Hotline.countdowns;

  // The parts of the page a check event can change, by the id or test id they carry.
  const LIVE_PARTS = ['#check-responses', '[data-testid="check-counts"]', '[data-testid="check-history"]', '[data-testid="waiting-checks"]'];
  let refreshing = null;

  function refresh() {
    if (refreshing) return;
    refreshing = fetch(window.location.href, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then((response) => (response.ok ? response.text() : Promise.reject(response.status)))
      .then((html) => {
        const fresh = new DOMParser().parseFromString(html, "text/html");
        LIVE_PARTS.forEach((selector) => {
          const here = document.querySelector(selector);
          const there = fresh.querySelector(selector);
          if (here && there) here.replaceWith(document.importNode(there, true));
        });
        tickCountdowns();
      })
      .catch(() => {})  // the next event, or a reload, brings the page up to date
      .finally(() => { refreshing = null; });
  }

  document.addEventListener("hotline:event", (domEvent) => {
    const event = domEvent.detail;
    if (!event || !event.check || (event.type !== "check.started" && event.type !== "check.answered")) return;
    const page = document.getElementById("check-page");
    if (page && String(event.check.id) !== page.dataset.check) return;  // another check's news
    refresh();
  });
})();
