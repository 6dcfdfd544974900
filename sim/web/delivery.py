"""The DCC's asynchronous documents to each User's Receive Response URL: queued, retried, ordered.

Each User has one FIFO queue and one sender task. A document leaves its queue only when the
User's endpoint answered 2xx; otherwise the sender waits (exponential back-off, capped) and
sends the same document again, so nothing is lost while an endpoint is down. Delivery is
at-least-once: an endpoint that keeps a document but answers after ``timeout`` seconds (or not
at all) gets it again, byte for byte, with the same ResponseID, by which it can de-duplicate.
The bound is an admission limit: while a User has ``capacity`` documents waiting, the web
service refuses that User's new requests (:data:`QUEUE_FULL`) rather than drop a response the
DCC already owes.
Documents for a User with no registered URL are only logged by the simulation.

With a journal (``solrsim serve --state``), each document is numbered and kept in its outbox
before it is queued, and marked delivered after the 2xx; the queues start from what it holds
undelivered, so a restart delivers what a crash left owing. Only a crash between a receiver's
2xx and the mark sends a document again, with its ResponseID.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from dataclasses import dataclass, field

import httpx

from dcc.duis.codes import ResponseCode
from dcc.sqlite_file import DatabaseError
from sim.web.journal import Journal
from sim.web.limits import DELIVERY_TIMEOUT

# What a request is refused with while its User's queue is full: E1000, solrsim's general
# "not accepted" code (dcc.duis.codes); DCC Boxed documents no busy code.
QUEUE_FULL = ResponseCode.E1000
_log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    first_delay: float = 0.2
    max_delay: float = 10.0
    timeout: float = DELIVERY_TIMEOUT


@dataclass
class _Receiver:
    user_id: bytes
    url: str
    # (number in the journal's outbox, or None without one; document)
    queue: deque[tuple[int | None, bytes]] = field(default_factory=deque)
    ready: asyncio.Event = field(default_factory=asyncio.Event)
    delivered: int = 0
    failures: int = 0


class DeliveryService:
    """Per-User queues and senders on one asyncio loop; :meth:`post_threadsafe` feeds them."""

    def __init__(
        self,
        receivers: dict[bytes, str],
        capacity: int = 1000,
        policy: RetryPolicy | None = None,
        journal: Journal | None = None,
    ) -> None:
        self.capacity = capacity
        self.policy = policy or RetryPolicy()
        self._receivers = {user: _Receiver(user, url) for user, url in receivers.items()}
        self._journal = journal
        self._loop: asyncio.AbstractEventLoop | None = None
        self._tasks: list[asyncio.Task[None]] = []
        self._client: httpx.AsyncClient | None = None

    @property
    def users(self) -> tuple[bytes, ...]:
        return tuple(self._receivers)

    async def start(self) -> None:
        self._loop = asyncio.get_running_loop()
        if self._journal is not None:
            for user, receiver in self._receivers.items():
                receiver.queue.extend(self._journal.undelivered(user))
        self._client = httpx.AsyncClient(timeout=self.policy.timeout, trust_env=False)
        self._tasks = [
            asyncio.create_task(self._send_all(receiver)) for receiver in self._receivers.values()
        ]

    async def stop(self) -> None:
        for task in self._tasks:
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
        if self._client is not None:
            await self._client.aclose()

    def has_room(self, user_id: bytes) -> bool:
        receiver = self._receivers.get(user_id)
        return receiver is None or len(receiver.queue) < self.capacity

    def waiting(self, user_id: bytes) -> int:
        receiver = self._receivers.get(user_id)
        return 0 if receiver is None else len(receiver.queue)

    def delivered(self, user_id: bytes) -> int:
        receiver = self._receivers.get(user_id)
        return 0 if receiver is None else receiver.delivered

    def failures(self, user_id: bytes) -> int:
        """Failed attempts to deliver to ``user_id`` so far (each is retried)."""
        receiver = self._receivers.get(user_id)
        return 0 if receiver is None else receiver.failures

    def post_threadsafe(self, user_id: bytes, document: bytes) -> None:
        """Queue ``document`` for ``user_id`` from the simulation's thread, which makes documents
        one at a time: the journal numbers them in the order made."""
        if user_id not in self._receivers:
            return
        seq = None
        if self._journal is not None:
            seq = self._journal.put(user_id, document)
            if seq is None:  # kept before a restart, and queued from the journal at start
                return
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._enqueue, user_id, seq, document)

    def _enqueue(self, user_id: bytes, seq: int | None, document: bytes) -> None:
        receiver = self._receivers[user_id]
        receiver.queue.append((seq, document))
        receiver.ready.set()

    async def _send_all(self, receiver: _Receiver) -> None:
        delay = self.policy.first_delay
        while True:
            if not receiver.queue:
                receiver.ready.clear()
                await receiver.ready.wait()
            seq, document = receiver.queue[0]
            if await self._post(receiver.url, document):
                receiver.queue.popleft()
                receiver.delivered += 1
                if seq is not None:
                    await self._mark_delivered(receiver.user_id, seq)
                delay = self.policy.first_delay
            else:
                receiver.failures += 1
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.policy.max_delay)

    async def _mark_delivered(self, user_id: bytes, seq: int) -> None:
        """Record the 2xx; if the journal cannot, the document goes again after a restart."""
        assert self._journal is not None
        try:
            await asyncio.to_thread(self._journal.delivered, user_id, seq)
        except DatabaseError as exc:
            _log.warning(
                "document %d for %s may be sent again after a restart: %s", seq, user_id.hex(), exc
            )

    async def _post(self, url: str, document: bytes) -> bool:
        if self._client is None:
            return False
        try:
            answer = await self._client.post(
                url, content=document, headers={"Content-Type": "application/xml"}
            )
        except httpx.HTTPError:
            return False
        return answer.is_success
