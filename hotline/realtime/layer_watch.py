"""Telling the consumers of this process that the channel layer works again after an outage.

Redis pub/sub keeps nothing: what is published while Redis is down, or restarted and not yet subscribed
to again, is lost, and an open WebSocket does not notice. The outbox has every event, so a consumer
catches its page up from there once the layer works again. This watcher notices when: once a second it
sends a probe through the layer to a channel of its own and waits for it; a probe that fails or does not
come back marks the layer down, and the first one that comes back after that calls every listener. A
probe that comes back also proves the groups are subscribed again (one connection carries both).

One watcher per event loop (uvicorn runs one; tests run several), running while it has listeners.
"""

import asyncio
import logging
import weakref

from channels.layers import get_channel_layer

log = logging.getLogger("hotline.realtime")

PROBE_EVERY_S = 1.0
PROBE_WITHIN_S = 2.0


class LayerWatch:
    def __init__(self):
        self.listeners = set()  # coroutine functions, called without arguments on recovery
        self.task = None

    async def run(self) -> None:
        layer, channel, down = get_channel_layer(), None, False
        while True:
            try:
                if channel is None:
                    channel = await layer.new_channel("layer-probe.")
                await layer.send(channel, {"type": "probe"})
                await asyncio.wait_for(layer.receive(channel), PROBE_WITHIN_S)
            except asyncio.CancelledError:
                raise
            except Exception:  # Redis down, or the probe lost: either way pushes are being lost
                if not down:
                    log.warning("channel layer down: consoles will catch up from the outbox once it is back")
                # A receive cut short drops its channel (channels_redis): take a new one next time.
                channel, down = None, True
            else:
                if down:
                    down = False
                    log.warning("channel layer back: catching every console up from the outbox")
                    for listener in list(self.listeners):
                        asyncio.ensure_future(listener())
            await asyncio.sleep(PROBE_EVERY_S)


_watches = weakref.WeakKeyDictionary()  # event loop -> LayerWatch


def watch(listener) -> None:
    """Call `listener()` (a coroutine function) whenever the layer works again after an outage."""
    loop = asyncio.get_running_loop()
    current = _watches.setdefault(loop, LayerWatch())
    current.listeners.add(listener)
    if current.task is None or current.task.done():
        current.task = loop.create_task(current.run())


def unwatch(listener) -> None:
    current = _watches.get(asyncio.get_running_loop())
    if current is None:
        return
    current.listeners.discard(listener)
    if not current.listeners and current.task is not None:
        current.task.cancel()
        current.task = None
