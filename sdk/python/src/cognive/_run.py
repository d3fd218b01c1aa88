"""A run of an agent: started on Cognive, the ambient run of the code inside it, ended with its status."""

from __future__ import annotations

import contextvars
import random
import time
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Dict, Mapping, Optional, Type

from ._reporter import PendingEnd

if TYPE_CHECKING:
    from types import TracebackType

    from ._client import BudgetCheck, Cognive

_current: "contextvars.ContextVar[Optional[Run]]" = contextvars.ContextVar("cognive_run", default=None)

MAX_ERROR_LENGTH = 4000

_bits = random.getrandbits
_LOW_62 = (1 << 62) - 1


def current_run() -> Optional["Run"]:
    """The run entered last in this thread or task (``with client.run(...)``, ``@client.traced_run``), or None."""
    return _current.get()


def mint_event_id() -> str:
    """A UUIDv7 (time-ordered, so stored calls index well) minted here: retries of the same event are stored once.

    The 74 random bits come from ``random`` (reseeded in forked children), not ``os.urandom``: an event id must be
    unique, not secret, and a system call per reported call would cost more than the rest of the report.
    """
    random_bits = _bits(74)
    value = ((time.time_ns() // 1_000_000) << 80 | 0x7 << 76 | (random_bits >> 62) << 64  # time, version 7, rand_a
             | 0x2 << 62 | (random_bits & _LOW_62))  # RFC 4122 variant, rand_b
    text = "%032x" % value
    return "%s-%s-%s-%s-%s" % (text[:8], text[8:12], text[12:16], text[16:20], text[20:])


class Run:
    """One run of an agent. Use as a context manager: it starts on enter and ends on exit with ``succeeded``, or
    ``failed`` when an exception leaves the block (``cancelled`` for KeyboardInterrupt and the like).

    Attributes:
        id: the run id Cognive minted (``None`` before the run starts).
        agent_id: the agent the run belongs to.
    """

    def __init__(self, client: "Cognive", agent_id: str, metadata: Optional[Mapping[str, Any]] = None) -> None:
        self._client = client
        self.agent_id = str(agent_id)
        self.metadata = dict(metadata) if metadata is not None else None
        self.id: Optional[str] = None
        self._token: Optional[contextvars.Token] = None
        self._ended = False

    def start(self) -> "Run":
        """Starts the run on Cognive (done by ``with``); raises :class:`CogniveAPIError` when Cognive refuses."""
        body: Dict[str, Any] = {"agent_id": self.agent_id}
        if self.metadata is not None:
            body["metadata"] = self.metadata
        answer = self._client._transport.call("POST", "/api/v1/runs/start", body, "Starting a run")
        self.id = str(answer["run_id"])
        return self

    def end(self, status: str = "succeeded", error: Optional[str] = None, timeout: Optional[float] = None) -> bool:
        """Ends the run with ``status`` (succeeded, failed or cancelled), after every call reported before it is sent.

        Waits up to ``timeout`` seconds (the client's ``end_timeout`` by default) and returns whether the end reached
        Cognive; if not, it stays queued and is sent when Cognive is back (or counted unsent at close).
        """
        if self._ended or self.id is None:
            return True
        self._ended = True
        body: Dict[str, Any] = {"status": status}
        if error:
            body["error"] = error[:MAX_ERROR_LENGTH]
        pending = PendingEnd(self.id, body)
        self._client._reporter.add_end(pending)
        return pending.done.wait(self._client.end_timeout if timeout is None else timeout)

    def check_budget(self, model: Optional[str] = None, input_tokens: Optional[int] = None,
                     max_output_tokens: Optional[int] = None, *, provider: Optional[str] = None,
                     estimated_cost_usd: Optional[Decimal] = None) -> "BudgetCheck":
        """Asks Cognive for room before a model call: a hold on the estimate against every hard budget of the agent.

        Give ``model`` with ``input_tokens`` and ``max_output_tokens`` (priced from Cognive's table), or
        ``estimated_cost_usd``. Pass the answer's ``reservation_id`` to :meth:`log_llm_call` to settle the hold.

        Raises:
            BudgetExceededError: a hard budget has no room (``resets_at`` says when it resets).
            PolicyViolationError: a policy forbids the call (``rule`` names it).
            CogniveUnavailableError: Cognive is unreachable and the client fails closed (the default).
        """
        return self._client.check_budget(self.agent_id, model, input_tokens, max_output_tokens, provider=provider,
                                         estimated_cost_usd=estimated_cost_usd)

    def log_llm_call(self, *, provider: str, model: str, input_tokens: int, output_tokens: int, latency_ms: float,
                     cached_input_tokens: int = 0, status: str = "success", occurred_at: Optional[float] = None,
                     metadata: Optional[Mapping[str, Any]] = None, reservation_id: Optional[str] = None,
                     event_id: Optional[str] = None) -> str:
        """Reports one LLM call without blocking: the call is queued and sent in the background. Returns its event id.

        The keyword arguments are the REST API's fields. ``status`` is ``success`` or ``error``; ``occurred_at`` is
        epoch seconds (now by default); ``reservation_id`` is what :meth:`check_budget` answered.
        """
        if self.id is None:
            raise RuntimeError("the run has not started: use `with client.run(agent_id) as run:`")
        event: Dict[str, Any] = {
            "event_id": event_id or mint_event_id(),
            "run_id": self.id,
            "provider": provider,
            "model": model,
            "input_tokens": input_tokens,
            "output_tokens": output_tokens,
            "cached_input_tokens": cached_input_tokens,
            "latency_ms": int(latency_ms),
            "status": status,
            "occurred_at": time.time() if occurred_at is None else float(occurred_at),
        }
        if metadata is not None:
            event["metadata"] = metadata
        if reservation_id is not None:
            event["reservation_id"] = reservation_id
        self._client._reporter.add_call(event)
        return event["event_id"]

    def __enter__(self) -> "Run":
        if self.id is None:
            self.start()
        self._token = _current.set(self)
        return self

    def __exit__(self, kind: Optional[Type[BaseException]], error: Optional[BaseException],
                 trace: "Optional[TracebackType]") -> None:
        if self._token is not None:
            _current.reset(self._token)
            self._token = None
        if kind is None:
            self.end("succeeded")
        elif issubclass(kind, Exception):
            self.end("failed", "%s: %s" % (kind.__name__, error))
        else:
            self.end("cancelled", kind.__name__)

    def __repr__(self) -> str:
        return "Run(id=%r, agent_id=%r)" % (self.id, self.agent_id)
