// The week's roster: the "now" line's clock keeps the time (in the organisation's zone, as the roster),
// and when a shift begins or ends, or the day does, the page is fetched again so that the line, the
// current shift and "on duty now" move with it (data-moves-at, given by the server).
(function () {
  "use strict";
  const line = document.querySelector('[data-testid="now-line"][data-moves-at]');
  if (!line) return;
  const clock = line.querySelector("[data-now-clock]");
  const format = window.Hotline.formatter({ hour: "2-digit", minute: "2-digit" }, line.dataset.zone);
  const movesAt = new Date(line.dataset.movesAt).getTime();
  const KEY = "hotline.roster.reloaded-for:" + window.location.pathname + window.location.search;
  function tick() {
    // Once per move: a clock far ahead of the server's would otherwise reload the page again and again.
    if (!Number.isNaN(movesAt) && Date.now() >= movesAt + 2000 && sessionStorage.getItem(KEY) !== line.dataset.movesAt) {
      sessionStorage.setItem(KEY, line.dataset.movesAt);
      window.location.reload();
      return;
    }
    const now = new Date();
    clock.textContent = format.format(now);
    clock.setAttribute("datetime", now.toISOString());
  }
  setInterval(tick, 15000);
})();
