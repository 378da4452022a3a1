"""The console's live channel (/ws/console/).

Only a signed-in user who has passed the second factor (where it is required) is accepted; anyone else
is closed with code 4401 so the page can send them to the login. The console answers `ping` so the
page's connection indicator can tell a live channel from a silently dead one.
"""

from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer
from django.utils import timezone

from hotline.console.second_factor import has_passed_second_factor

CLOSE_UNAUTHENTICATED = 4401


class ConsoleConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        session = self.scope.get("session")
        if user is None or not user.is_authenticated or not await database_sync_to_async(has_passed_second_factor)(user, session):
            # Accept, then close with our own code: a refused handshake reaches the page only as 1006,
            # which it cannot tell from a network failure and would keep retrying.
            await self.accept()
            await self.close(code=CLOSE_UNAUTHENTICATED)
            return
        await self.accept()
        await self.send_json({"type": "hello", "server_time": timezone.now().isoformat(), "user": user.username})

    async def receive_json(self, content, **kwargs):
        if isinstance(content, dict) and content.get("type") == "ping":
            await self.send_json({"type": "pong", "server_time": timezone.now().isoformat()})
