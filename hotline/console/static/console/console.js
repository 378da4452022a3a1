// The console shell and the one helper module every page script builds on, window.Hotline:
//   Hotline.el(tag, attributes, ...children)  DOM building: attributes as given, strings as text nodes
//                                             (user text never becomes markup)
//   Hotline.when(iso, {seconds, year})        a time as the console writes it, in the person's time zone:
//                                             "25 Nov 2026 09:00"; seconds: true adds them, year: false drops it
//   Hotline.whenWithUtc(iso, {seconds, date}) the same with its zone's abbreviation and UTC beside it, as the
//                                             server's local_and_utc filter writes it (console_time.py):
//                                             "04 Dec 2026 01:47 CET · 00:47 UTC"; date: false keeps the times
//                                             only ("01:47 CET · 00:47 UTC"); the UTC side names its day when
//                                             it is not the local one
//   Hotline.zoneAbbreviation(date)            the person's zone at that moment: "CET", "CEST"
//   Hotline.formatter(options, zone)          an Intl.DateTimeFormat in that zone (UTC where it is unknown)
//   Hotline.countdowns()                      ticks every .countdown[data-due] now (scripts that add some call it)
//   Hotline.csrfToken()                       the token for a fetch() POST
//   Hotline.refreshParts()                    fetches the page again and swaps each [data-live-part][id]
//                                             nobody is working in (resolves false if one was left)
//   Hotline.reloadUnlessWriting()             loads the page again unless a field holds what the person
//                                             typed (then false)
//   Hotline.live                              the live channel (null when not signed in): socket, lastEventId, close()
// Page scripts load after this one (all deferred, in document order: base.html loads this one first).
//
// The shell shows the UTC/local clocks, folds the top bar into a "Menu" on a phone, shows how many alerts
// are open (escalation.js's .escalation-alert elements), posts the theme switch (Auto / Light / Dark) and
// keeps the live channel with its indicator (connecting, live,
// offline, or degraded: the channel holds but the server says the database is unavailable or full).
// The channel reconnects by itself with growing pauses and resumes where it left off: on every
// (re)connect, and every minute, it asks for everything after the last point the server confirmed,
// which the server replays from the database before live pushes continue (DESIGN.md: real-time delivery without loss). Each
// event reaches the page once: pages listen for "hotline:event" on document (detail = the event).
// "hotline:resumed" follows each catch-up; "hotline:channel" carries the other server messages.
(function () {
  "use strict";

  const timeZone = document.body.dataset.timeZone || "UTC";
  const Hotline = (window.Hotline = { live: null });

  // el("span", {class: "x"}, "text", child…): attributes as given (true: present, empty), strings as
  // text nodes; null, undefined and false children and attributes are left out.
  Hotline.el = function el(tag, attributes, ...children) {
    const node = document.createElement(tag);
    Object.entries(attributes || {}).forEach(([name, value]) => {
      if (value !== null && value !== undefined && value !== false) node.setAttribute(name, value === true ? "" : value);
    });
    children.forEach((child) => {
      if (child === null || child === undefined || child === false) return;
      node.append(typeof child === "string" ? document.createTextNode(child) : child);
    });
    return node;
  };

  // --- time --------------------------------------------------------------------------------------
  const formats = new Map();
  Hotline.formatter = function formatter(options, zone) {
    const wanted = zone || timeZone;
    const key = wanted + " " + JSON.stringify(options);
    if (!formats.has(key)) {
      let format;
      try { format = new Intl.DateTimeFormat("en-GB", { timeZone: wanted, hourCycle: "h23", ...options }); }
      catch (e) { format = new Intl.DateTimeFormat("en-GB", { timeZone: "UTC", hourCycle: "h23", ...options }); }
      formats.set(key, format);
    }
    return formats.get(key);
  };

  Hotline.when = function when(iso, options) {
    if (!iso) return "";
    const { seconds = false, year = true } = options || {};
    const fields = { day: "2-digit", month: "short", hour: "2-digit", minute: "2-digit" };
    if (year) fields.year = "numeric";
    if (seconds) fields.second = "2-digit";
    return Hotline.formatter(fields).format(new Date(iso)).replace(",", "");
  };

  // The zone's abbreviation at that moment ("CET", "CEST"), never the city of its IANA name: en-GB knows
  // the European abbreviations; elsewhere Intl gives "GMT+1", which is neutral as well.
  Hotline.zoneAbbreviation = function zoneAbbreviation(date) {
    const part = Hotline.formatter({ timeZoneName: "short" }).formatToParts(date || new Date())
      .find((piece) => piece.type === "timeZoneName");
    return part ? part.value : timeZone;
  };

  Hotline.whenWithUtc = function whenWithUtc(iso, options) {
    if (!iso) return "";
    const { seconds = false, date = true } = options || {};
    const moment = new Date(iso);
    const clock = { hour: "2-digit", minute: "2-digit" };
    if (seconds) clock.second = "2-digit";
    const day = { day: "2-digit", month: "short" };
    const localDay = Hotline.formatter({ ...day, year: "numeric" }).format(moment);
    const utcDay = Hotline.formatter(day, "UTC").format(moment);
    const local = Hotline.formatter(clock).format(moment);
    const utc = Hotline.formatter(clock, "UTC").format(moment);
    const sameDay = Hotline.formatter(day).format(moment) === utcDay;
    const zone = Hotline.zoneAbbreviation(moment);
    if (!date) return local + " " + zone + " · " + utc + " UTC";
    return localDay + " " + local + " " + zone + " · " + (sameDay ? "" : utcDay + " ") + utc + " UTC";
  };

  Hotline.csrfToken = function csrfToken() {
    const meta = document.querySelector('meta[name="csrf-token"]');
    if (meta && meta.content) return meta.content;
    const cookie = document.cookie.split("; ").find((part) => part.startsWith("csrftoken="));
    return cookie ? decodeURIComponent(cookie.slice("csrftoken=".length)) : "";
  };

  const utcClock = document.getElementById("clock-utc");
  const localClock = document.getElementById("clock-local");
  const zoneLabel = document.getElementById("clock-zone");
  const CLOCK = { hour: "2-digit", minute: "2-digit", second: "2-digit" };
  const utcFormat = Hotline.formatter(CLOCK, "UTC");
  const localFormat = Hotline.formatter(CLOCK);

  // Countdowns to deadlines, on every page: a .countdown with data-due (an ISO time) says how long is
  // left, or how long it is overdue. Scripts that add such elements call Hotline.countdowns().
  const two = (n) => String(n).padStart(2, "0");
  function span(ms) {
    const total = Math.floor(Math.abs(ms) / 1000);
    const hours = Math.floor(total / 3600);
    const rest = two(Math.floor((total % 3600) / 60)) + ":" + two(total % 60);
    return hours ? hours + ":" + rest : rest;
  }
  function tickCountdowns() {
    const now = Date.now();
    document.querySelectorAll(".countdown[data-due]").forEach((node) => {
      const left = new Date(node.dataset.due).getTime() - now;
      if (Number.isNaN(left)) return;
      node.classList.toggle("overdue", left < 0);
      node.textContent = left >= 0 ? "due in " + span(left) : "overdue by " + span(left);
    });
  }
  Hotline.countdowns = tickCountdowns;
  document.addEventListener("htmx:afterSettle", tickCountdowns);

  function tick() {
    const now = new Date();
    if (utcClock) utcClock.textContent = utcFormat.format(now);
    if (localClock) localClock.textContent = localFormat.format(now);
    if (zoneLabel && now.getSeconds() === 0) zoneLabel.textContent = Hotline.zoneAbbreviation(now); // DST changes on the hour
    tickCountdowns();
  }
  tick();
  setInterval(tick, 1000);

  // Forms that ask before a change that cannot be undone: <form data-confirm="Revoke this key?">. The
  // Content-Security-Policy refuses inline onsubmit handlers, so the question is asked from here.
  document.addEventListener("submit", (event) => {
    const form = event.target.closest("form[data-confirm]");
    if (form && !window.confirm(form.dataset.confirm)) event.preventDefault();
  }, true);

  // Parts of a page that follow the live channel by themselves: each element with data-live-part and an
  // id is fetched again from the page's own address and replaced, unless the person is working in it
  // (the focus is inside, or a field holds what they typed): then it is left as it is and the promise
  // says false, so the page can say that something changed there.
  const writingIn = (node) => Boolean(node) && (node.isContentEditable || /^(TEXTAREA|SELECT)$/.test(node.tagName)
    || (node.tagName === "INPUT" && !/^(button|submit|reset|checkbox|radio|hidden|image)$/.test(node.type)));
  const dirty = (part) => (part.contains(document.activeElement) && writingIn(document.activeElement))
    || Array.from(part.querySelectorAll("input, textarea, select")).some((field) => {
      if (field.type === "hidden") return false;
      if (field.type === "checkbox" || field.type === "radio") return field.checked !== field.defaultChecked;
      if (field.tagName === "SELECT") return Array.from(field.options).some((option) => option.selected !== option.defaultSelected);
      return field.value !== field.defaultValue;
    });
  Hotline.reloadUnlessWriting = function reloadUnlessWriting() {
    if (dirty(document.body)) return false;
    location.reload();
    return true;
  };
  Hotline.refreshParts = async function refreshParts() {
    const parts = Array.from(document.querySelectorAll("[data-live-part][id]"));
    if (!parts.length) return true;
    let fresh;
    try {
      const answer = await fetch(location.pathname + location.search, { credentials: "same-origin", headers: { Accept: "text/html" } });
      if (!answer.ok) return false;
      fresh = new DOMParser().parseFromString(await answer.text(), "text/html");
    } catch (e) { return false; }
    let all = true;
    parts.forEach((part) => {
      const replacement = fresh.getElementById(part.id);
      if (!replacement || !part.isConnected) return;
      if (dirty(part)) { all = false; return; }
      const adopted = document.importNode(replacement, true);
      part.replaceWith(adopted);
      if (window.htmx) window.htmx.process(adopted);
    });
    tickCountdowns();
    keyboardScrollers();
    return all;
  };

  // A table that scrolls sideways inside its card (phones, narrow columns) must be reachable by keyboard
  // to be scrolled: it joins the tab order while it scrolls and has nothing focusable of its own.
  const SCROLLERS = "table.grid, .form-with-rules > aside";
  function keyboardScrollers() {
    document.querySelectorAll(SCROLLERS).forEach((node) => {
      const scrolls = node.scrollWidth > node.clientWidth + 1 && getComputedStyle(node).overflowX !== "visible";
      const ownFocusable = node.querySelector("a[href], button, input, select, textarea, [tabindex]:not([data-scroller])");
      if (scrolls && !ownFocusable) { node.tabIndex = 0; node.dataset.scroller = ""; }
      else if (node.hasAttribute("data-scroller")) { node.removeAttribute("tabindex"); delete node.dataset.scroller; }
    });
  }
  keyboardScrollers();
  window.addEventListener("resize", keyboardScrollers);
  document.addEventListener("htmx:afterSettle", keyboardScrollers);

  // --- the top bar -------------------------------------------------------------------------------
  // On a phone the sections, the theme and who is signed in fold behind "Menu" (console.css shows the
  // button below 760 px). Without this script the menu simply stays open.
  const topbar = document.getElementById("topbar");
  const menuToggle = document.getElementById("menu-toggle");
  const menu = document.getElementById("topbar-menu");
  if (topbar && menuToggle && menu) {
    const setOpen = (open) => {
      topbar.classList.toggle("menu-open", open);
      menuToggle.setAttribute("aria-expanded", open ? "true" : "false");
    };
    topbar.classList.add("has-menu");
    menuToggle.hidden = false;
    menuToggle.addEventListener("click", () => {
      const open = !topbar.classList.contains("menu-open");
      setOpen(open);
      if (open) { const first = menu.querySelector("a, button"); if (first) first.focus(); }
    });
    topbar.addEventListener("keydown", (event) => {
      if (event.key === "Escape" && topbar.classList.contains("menu-open")) { setOpen(false); menuToggle.focus(); }
    });
  }

  // The theme switch: kept on the person (POST, 204), applied at once without a reload.
  const themeSwitch = document.getElementById("theme-switch");
  if (themeSwitch) {
    themeSwitch.addEventListener("click", (event) => {
      const button = event.target.closest("button[name=theme]");
      if (!button) return;
      event.preventDefault();
      const body = new FormData(themeSwitch);
      body.set("theme", button.value);
      fetch(themeSwitch.action, { method: "POST", body, headers: { Accept: "application/json", "X-CSRFToken": Hotline.csrfToken() }, credentials: "same-origin" })
        .then((answer) => {
          if (!answer.ok) return;
          document.documentElement.dataset.theme = button.value;
          const scheme = document.querySelector('meta[name="color-scheme"]');
          if (scheme) scheme.content = button.value === "auto" ? "light dark" : button.value;
          themeSwitch.querySelectorAll("button[name=theme]").forEach((other) => other.setAttribute("aria-pressed", other === button ? "true" : "false"));
        });
    });
  }

  // How many alerts are open (escalation.js adds and removes .escalation-alert elements): beside the brand,
  // where a phone's folded top bar still shows it.
  const alertCount = document.getElementById("alert-count");
  if (alertCount) {
    let shown = -1;
    const count = () => {
      const open = document.querySelectorAll(".escalation-alert").length;
      if (open === shown) return;
      shown = open;
      alertCount.hidden = open === 0;
      alertCount.textContent = open === 1 ? "1 alert" : open + " alerts";
    };
    new MutationObserver(count).observe(document.body, { childList: true, subtree: true });
    count();
  }

  // --- the live channel --------------------------------------------------------------------------
  const indicator = document.getElementById("live-indicator");
  if (!indicator) return; // not signed in: no live channel

  const label = indicator.querySelector(".label");
  const PING_EVERY_MS = 15000;
  const PONG_WITHIN_MS = 10000;
  // While the server answers that the database is unavailable (the indicator shows "degraded").
  const RECHECK_WHILE_DEGRADED_MS = 3000;
  // Pushes are a doorbell and can be lost (a Redis hiccup); a periodic catch-up finds what they missed.
  const RESYNC_EVERY_MS = 60000;
  let retryDelay = 1000;
  let pingTimer = null;
  let pongDeadline = null;
  let recheckTimer = null;
  let resyncTimer = null;
  let socket = null;

  // `watermark`: every event at or below it has reached the page. It comes from the page itself
  // (data-last-event-id: the server took it before reading what it rendered) and then only from the
  // server's `resumed` answers: the server hands out ids in commit order, so once it has replayed
  // everything up to id L, nothing at or below L can still arrive. Live pushes above the watermark are
  // shown at once and remembered in `seen`, so the replay after a reconnect, which always starts at the
  // watermark, shows each event once even when pushes arrived out of order or were lost.
  let watermark = null;
  const seen = new Set();

  function readBaseline() {
    const holder = document.querySelector("[data-last-event-id]");
    const value = holder ? parseInt(holder.dataset.lastEventId, 10) : NaN;
    if (Number.isInteger(value) && value >= 0) watermark = value;
  }

  function raiseWatermark(last) {
    if (!Number.isInteger(last) || (watermark !== null && last <= watermark)) return;
    watermark = last;
    seen.forEach((id) => { if (id <= watermark) seen.delete(id); });
  }

  function receive(event) {
    const id = event && event.id;
    if (!Number.isInteger(id)) return;
    if ((watermark !== null && id <= watermark) || seen.has(id)) return; // shown already
    seen.add(id);
    document.dispatchEvent(new CustomEvent("hotline:event", { detail: event }));
  }

  function resume(current) {
    current.send(JSON.stringify(watermark === null ? { type: "resume" } : { type: "resume", after: watermark }));
  }

  function show(state, text) {
    indicator.dataset.state = state;
    label.textContent = text;
  }

  function ping(current) {
    if (current.readyState !== WebSocket.OPEN) return;
    current.send(JSON.stringify({ type: "ping" }));
    // A socket can die without a close event (sleeping laptop, dropped NAT entry): no pong, reconnect.
    clearTimeout(pongDeadline);
    pongDeadline = setTimeout(() => current.close(), PONG_WITHIN_MS);
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + location.host + indicator.dataset.url);
    const current = socket;
    show("connecting", "connecting…");

    current.addEventListener("open", () => {
      retryDelay = 1000;
      // The server joined our group before accepting: whatever it replays now and pushes later
      // together cover every event after the watermark.
      resume(current);
      resyncTimer = setInterval(() => resume(current), RESYNC_EVERY_MS);
      show("live", "live");
      pingTimer = setInterval(() => ping(current), PING_EVERY_MS);
    });

    current.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "pong") {
        clearTimeout(pongDeadline);
        if (indicator.dataset.state === "degraded") { clearTimeout(recheckTimer); show("live", "live"); }
        return;
      }
      if (data.type === "unavailable") {
        // The channel holds but the database does not: say so, and ask again soon rather than in 15 s.
        clearTimeout(pongDeadline);
        const what = data.code === "storage_full" ? "storage full" : "database unavailable";
        show("degraded", what + " — changes are not saved");
        clearTimeout(recheckTimer);
        recheckTimer = setTimeout(() => ping(current), RECHECK_WHILE_DEGRADED_MS);
        return;
      }
      if (data.type === "event") { receive(data.event); return; }
      if (data.type === "resumed") {
        raiseWatermark(data.last);
        document.dispatchEvent(new CustomEvent("hotline:resumed", { detail: { last: watermark } }));
        return;
      }
      document.dispatchEvent(new CustomEvent("hotline:channel", { detail: data }));
    });

    current.addEventListener("close", (event) => {
      clearInterval(pingTimer);
      clearInterval(resyncTimer);
      clearTimeout(pongDeadline);
      clearTimeout(recheckTimer);
      // Refused (session ended or second factor not passed): the next page load leads to the login.
      if (event.code === 4401) { show("offline", "signed out — reload to sign in"); return; }
      const seconds = Math.round(retryDelay / 1000);
      show("offline", "offline — retrying in " + seconds + " s");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  // For page scripts, tests and the curious on a console: the channel's state, and a way to cut it.
  Hotline.live = {
    get socket() { return socket; },
    get lastEventId() { return watermark; },
    close() { if (socket) socket.close(); },
  };

  // After the page's own scripts (deferred like this one) have registered their listeners.
  let started = false;
  function start() {
    if (started) return;
    started = true;
    readBaseline();
    connect();
  }
  if (document.readyState === "complete") start();
  else { document.addEventListener("DOMContentLoaded", start); window.addEventListener("load", start); }
})();
