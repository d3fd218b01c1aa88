"""The background reporter: a bounded in-memory queue that a daemon thread sends to Cognive in batches.

Reporting a call only appends to the queue; the thread sends, retries what failed with exponential backoff and full
jitter, and never loses an event quietly: an event is sent, refused by Cognive (counted as rejected), dropped because
the queue was full (the oldest goes first, counted), or left unsent at close (counted). Every event carries an id the
client minted, so a batch retried after an answer was lost is stored once.
"""

from __future__ import annotations

import json
import logging
import random
import threading
import time
from collections import deque
from datetime import datetime, timezone
from typing import Any, Deque, Dict, List, Optional, Tuple

from ._errors import BUDGET_EXCEEDED, POLICY_VIOLATION, CogniveUnavailableError
from ._transport import Response, Transport

MAX_BATCH = 1000  # the batch endpoint's limit

_CALL = 0
_END = 1

_dumps = json.JSONEncoder(separators=(",", ":"), default=str).encode


class PendingEnd:
    """A run's end, queued behind the run's calls (a run that has ended takes no more calls)."""

    __slots__ = ("run_id", "body", "done")

    def __init__(self, run_id: str, body: Dict[str, Any]) -> None:
        self.run_id = run_id
        self.body = body
        self.done = threading.Event()


class Reporter:
    """Queues LLM-call events and run ends in order and sends them from one daemon thread."""

    def __init__(self, transport: Transport, *, max_queue: int, batch_size: int, flush_interval: float,
                 retry_initial: float, retry_max: float, logger: logging.Logger) -> None:
        if max_queue < 1:
            raise ValueError("max_queue must be at least 1")
        if not 1 <= batch_size <= MAX_BATCH:
            raise ValueError("batch_size must be 1 to %d" % MAX_BATCH)
        self._transport = transport
        self._max_queue = max_queue
        self._batch_size = batch_size
        self._flush_interval = flush_interval
        self._retry_initial = retry_initial
        self._retry_max = retry_max
        self._log = logger
        self._lock = threading.Lock()
        self._changed = threading.Condition(self._lock)
        self._stopping = threading.Event()
        # (sequence number, kind, event dict or PendingEnd); sequence numbers let flush() wait for what came before it.
        self._queue: Deque[Tuple[int, int, Any]] = deque()
        self._calls_queued = 0
        self._ends_queued = 0
        self._next_seq = 0
        self._inflight_first: Optional[int] = None
        self._flush_wanted = 0
        self._thread: Optional[threading.Thread] = None
        self._last_drop_log = 0.0
        self._drops_unlogged = 0
        self.enqueued = 0
        self.sent = 0
        self.rejected = 0
        self.dropped = 0
        self.flagged = 0
        self.retries = 0
        self.unsent = 0

    # ----- producer side -------------------------------------------------------------------------------------------

    def add_call(self, event: Dict[str, Any]) -> None:
        """Queues one call event; when the queue is full the oldest queued call is dropped and counted."""
        with self._lock:
            if self._calls_queued >= self._max_queue:
                self._drop_oldest_call()
            self._queue.append((self._next_seq, _CALL, event))
            self._next_seq += 1
            self._calls_queued += 1
            self.enqueued += 1
            if self._thread is None:
                self._start()
            elif self._calls_queued == self._batch_size:
                self._changed.notify()

    def add_end(self, end: PendingEnd) -> None:
        """Queues a run's end behind every call queued before it."""
        with self._lock:
            self._queue.append((self._next_seq, _END, end))
            self._next_seq += 1
            self._ends_queued += 1
            if self._thread is None:
                self._start()
            self._changed.notify()

    def flush(self, timeout: Optional[float]) -> bool:
        """Waits until everything queued before this call is sent (or refused, or dropped); False on timeout."""
        deadline = None if timeout is None else time.monotonic() + timeout
        with self._lock:
            target = self._next_seq
            self._flush_wanted = max(self._flush_wanted, target)
            self._changed.notify_all()
            while not self._handled_through(target):
                if self._thread is None or not self._thread.is_alive():
                    return False
                remaining = None if deadline is None else deadline - time.monotonic()
                if remaining is not None and remaining <= 0:
                    return False
                self._changed.wait(remaining)
            return True

    def close(self, timeout: Optional[float]) -> bool:
        """Flushes within ``timeout``, then stops the thread; what is still queued is counted as unsent."""
        flushed = self.flush(timeout)
        self._stopping.set()
        with self._lock:
            self._changed.notify_all()
        thread = self._thread
        if thread is not None:
            thread.join(max(1.0, self._transport.timeout + 1.0))
        with self._lock:
            left = self._calls_queued
            if left:
                self.unsent += left
                self._log.error("Cognive: %d LLM-call reports were not sent before close (Cognive unreachable?)", left)
            for _, kind, item in self._queue:
                if kind == _END:
                    item.done.set()
            self._queue.clear()
            self._calls_queued = 0
            self._ends_queued = 0
        return flushed

    def queued(self) -> int:
        with self._lock:
            return self._calls_queued

    def _start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="cognive-reporter", daemon=True)
        self._thread.start()

    def _drop_oldest_call(self) -> None:
        for index, (_, kind, _item) in enumerate(self._queue):
            if kind == _CALL:
                del self._queue[index]
                break
        self._calls_queued -= 1
        self.dropped += 1
        self._drops_unlogged += 1
        now = time.monotonic()
        if now - self._last_drop_log >= 5.0:
            self._log.warning("Cognive: the report queue is full (%d); dropped the %d oldest call(s) (%d in all)",
                              self._max_queue, self._drops_unlogged, self.dropped)
            self._last_drop_log = now
            self._drops_unlogged = 0

    def _handled_through(self, target: int) -> bool:
        if self._inflight_first is not None and self._inflight_first < target:
            return False
        return not self._queue or self._queue[0][0] >= target

    # ----- sender thread -------------------------------------------------------------------------------------------

    def _run(self) -> None:
        while True:
            taken = self._take()
            if taken is None:
                self._transport.close()  # this thread's connection
                return
            try:
                if taken[0][1] == _END:
                    self._send_end(taken[0][2])
                else:
                    self._send_calls([event for _, _, event in taken])
            except Exception:  # a bug here must not end reporting for the process
                self._log.exception("Cognive: reporting failed unexpectedly; %d report(s) lost", len(taken))
                self.unsent += len(taken)
            with self._lock:
                self._inflight_first = None
                self._changed.notify_all()

    def _take(self) -> Optional[List[Tuple[int, int, Any]]]:
        """Waits for a full batch, a flush, a run's end or the flush interval; None once stopping with nothing left."""
        with self._lock:
            deadline = time.monotonic() + self._flush_interval
            while True:
                if self._stopping.is_set():
                    return None
                # A queued end means a run waits to close: what is before it goes now, not at the next interval.
                if self._queue and (self._calls_queued >= self._batch_size or self._flush_wanted > self._queue[0][0]
                                    or self._ends_queued or time.monotonic() >= deadline):
                    break
                remaining = deadline - time.monotonic()
                if not self._queue:
                    deadline = time.monotonic() + self._flush_interval
                    remaining = self._flush_interval
                self._changed.wait(max(0.0, remaining))
            first = self._queue[0]
            if first[1] == _END:
                taken = [self._queue.popleft()]
                self._ends_queued -= 1
            else:
                taken = []
                while self._queue and len(taken) < self._batch_size and self._queue[0][1] == _CALL:
                    taken.append(self._queue.popleft())
                self._calls_queued -= len(taken)
            self._inflight_first = taken[0][0]
            return taken

    def _send_calls(self, events: List[Dict[str, Any]]) -> None:
        body = b'{"events":[' + b",".join(_encode(event) for event in events) + b"]}"
        response = self._send(lambda: self._transport.request("POST", "/api/v1/llm-calls/batch", body), len(events))
        if response is None:
            return
        answer = response.body if isinstance(response.body, dict) else {}
        if response.status == 202 or answer.get("type") in (BUDGET_EXCEEDED, POLICY_VIOLATION):
            results = answer.get("results") or []
            rejected = [r for r in results if r.get("status") == "rejected"]
            flagged = sum(1 for r in results if r.get("flag"))
            self.sent += len(events) - len(rejected)
            self.flagged += flagged
            if rejected:
                self.rejected += len(rejected)
                self._log.error("Cognive refused %d of %d reported calls, e.g. %s", len(rejected), len(events),
                                rejected[0].get("errors"))
            if response.status != 202:
                self._log.warning("Cognive recorded %d call(s) over a budget or policy: %s", flagged,
                                  answer.get("detail") or answer.get("title"))
            return
        self.rejected += len(events)
        self._log.error("Cognive refused a batch of %d reported calls (HTTP %d): %s", len(events), response.status,
                        answer.get("errors") or answer.get("detail") or answer.get("title"))

    def _send_end(self, end: PendingEnd) -> None:
        try:
            response = self._send(lambda: self._transport.request(
                "POST", "/api/v1/runs/%s/end" % end.run_id, _dumps(end.body).encode("utf-8")), 0)
            if response is not None and response.status not in (200, 409):
                answer = response.body if isinstance(response.body, dict) else {}
                self._log.error("Cognive refused to end run %s (HTTP %d): %s", end.run_id, response.status,
                                answer.get("detail") or answer.get("title") or answer.get("errors"))
        finally:
            end.done.set()

    def _send(self, attempt: Any, count: int) -> Optional[Response]:
        """Sends until an answer that is not worth retrying arrives; None when stopping first (counted unsent)."""
        delay = self._retry_initial
        while True:
            retry_after: Optional[float] = None
            try:
                response = attempt()
                if not _transient(response):
                    return response
                reason = "HTTP %d" % response.status
                retry_after = _seconds(response.retry_after)
            except CogniveUnavailableError as error:
                reason = str(error)
            self.retries += 1
            wait = random.uniform(0, delay)  # full jitter: senders that failed together do not retry together
            if retry_after is not None:
                wait = max(wait, retry_after)
            self._log.info("Cognive: send failed (%s); retrying in %.2f s", reason, wait)
            if self._stopping.wait(wait):
                self.unsent += count
                self._log.error("Cognive: closing before %s could be sent (%s)",
                                "%d LLM-call report(s)" % count if count else "a run's end", reason)
                return None
            delay = min(self._retry_max, delay * 2)


def _transient(response: Response) -> bool:
    if response.status in (408, 425) or response.status >= 500:
        return True
    answer = response.body if isinstance(response.body, dict) else {}
    # A 429 that is not a budget verdict is a rate limit: the batch was not taken.
    return response.status == 429 and answer.get("type") != BUDGET_EXCEEDED


def _seconds(value: Optional[str]) -> Optional[float]:
    try:
        return None if value is None else max(0.0, float(value))
    except ValueError:
        return None


def _encode(event: Dict[str, Any]) -> bytes:
    """One event as JSON. The usual event (the fields ``log_llm_call`` sets, of their usual types) is written by a
    template, several times faster than ``json`` on a dict; anything else goes through ``json``."""
    try:
        text = _TEMPLATE % (
            _quote(event["event_id"]), _quote(event["run_id"]), _quote(event["provider"]), _quote(event["model"]),
            event["input_tokens"], event["output_tokens"], event["cached_input_tokens"], event["latency_ms"],
            _quote(event["status"]), _timestamp(event["occurred_at"]))
    except (TypeError, KeyError):
        return _generic(event)
    metadata = event.get("metadata")
    reservation = event.get("reservation_id")
    if metadata is None and reservation is None:
        return (text + "}").encode("utf-8")
    extra = dict(metadata=metadata) if metadata is not None else {}
    if reservation is not None:
        extra["reservation_id"] = reservation
    return (text + "," + _dumps(extra)[1:]).encode("utf-8")


_TEMPLATE = ('{"event_id":%s,"run_id":%s,"provider":%s,"model":%s,"input_tokens":%d,"output_tokens":%d,'
             '"cached_input_tokens":%d,"latency_ms":%d,"status":%s,"occurred_at":"%s"')
_quote = json.encoder.encode_basestring_ascii  # type: ignore[attr-defined]
_second: Tuple[int, str] = (-1, "")


def _timestamp(epoch: float) -> str:
    """ISO 8601 UTC with microseconds; the date and time of the current second are formatted once per second."""
    global _second
    whole = int(epoch)
    second = _second
    if second[0] != whole:
        second = _second = (whole, time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(whole)))
    return "%s.%06dZ" % (second[1], int((epoch - whole) * 1_000_000))


def _generic(event: Dict[str, Any]) -> bytes:
    occurred = event.get("occurred_at")
    if isinstance(occurred, (int, float)):
        event = dict(event, occurred_at=datetime.fromtimestamp(occurred, timezone.utc).isoformat())
    return _dumps(event).encode("utf-8")
