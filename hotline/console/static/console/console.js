// The console shell: the UTC/local clocks and the live channel with its indicator.
// The channel reconnects by itself with growing pauses; pages listen for "hotline:event" on document.
(function () {
  "use strict";

  const timeZone = document.body.dataset.timeZone || "UTC";
  const utcClock = document.getElementById("clock-utc");
  const localClock = document.getElementById("clock-local");
  const format = (zone) => new Intl.DateTimeFormat("en-GB", { timeZone: zone, hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23" });
  const utcFormat = format("UTC");
  let localFormat;
  try { localFormat = format(timeZone); } catch (e) { localFormat = utcFormat; }

  function tick() {
    const now = new Date();
    if (utcClock) utcClock.textContent = utcFormat.format(now);
    if (localClock) localClock.textContent = localFormat.format(now);
  }
  tick();
  setInterval(tick, 1000);

  const indicator = document.getElementById("live-indicator");
  if (!indicator) return; // not signed in: no live channel

  const label = indicator.querySelector(".label");
  const PING_EVERY_MS = 15000;
  const PONG_WITHIN_MS = 10000;
  let retryDelay = 1000;
  let pingTimer = null;
  let pongDeadline = null;

  function show(state, text) {
    indicator.dataset.state = state;
    label.textContent = text;
  }

  function connect() {
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    const socket = new WebSocket(scheme + location.host + indicator.dataset.url);
    show("connecting", "connecting…");

    socket.addEventListener("open", () => {
      retryDelay = 1000;
      show("live", "live");
      pingTimer = setInterval(() => {
        socket.send(JSON.stringify({ type: "ping" }));
        // A socket can die without a close event (sleeping laptop, dropped NAT entry): no pong, reconnect.
        pongDeadline = setTimeout(() => socket.close(), PONG_WITHIN_MS);
      }, PING_EVERY_MS);
    });

    socket.addEventListener("message", (message) => {
      const data = JSON.parse(message.data);
      if (data.type === "pong") { clearTimeout(pongDeadline); return; }
      document.dispatchEvent(new CustomEvent("hotline:event", { detail: data }));
    });

    socket.addEventListener("close", (event) => {
      clearInterval(pingTimer);
      clearTimeout(pongDeadline);
      // Refused (session ended or second factor not passed): the next page load leads to the login.
      if (event.code === 4401) { show("offline", "signed out — reload to sign in"); return; }
      const seconds = Math.round(retryDelay / 1000);
      show("offline", "offline — retrying in " + seconds + " s");
      setTimeout(connect, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 30000);
    });
  }

  connect();
})();
