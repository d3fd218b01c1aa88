"""The Cognive client: settings, runs, budget checks, the background reporter and the OpenAI wrapper."""

from __future__ import annotations

import asyncio
import atexit
import functools
import logging
import os
from decimal import Decimal
from typing import Any, Callable, Dict, Mapping, NamedTuple, Optional, TypeVar

from ._errors import CogniveUnavailableError
from ._reporter import Reporter
from ._run import Run
from ._transport import Transport

F = TypeVar("F", bound=Callable[..., Any])

_TRUE = ("1", "true", "yes", "on")


class BudgetCheck(NamedTuple):
    """A budget check's answer.

    ``checked`` is False when Cognive could not be reached and the client fails open: the call goes ahead unheld.
    ``reservation_id`` is None when no hard budget applies (or the check did not happen).
    """

    allowed: bool
    reservation_id: Optional[str]
    estimated_cost_usd: Optional[Decimal]
    remaining: Optional[Decimal]
    expires_at: Optional[str]
    checked: bool = True


class Cognive:
    """A client of one Cognive API for one process. Thread-safe; create one and share it.

    Args:
        api_key: the team's API key (``COGNIVE_API_KEY`` when omitted).
        base_url: the API's address, e.g. ``http://localhost:5380`` (``COGNIVE_BASE_URL`` when omitted).
        fail_open: what a budget check does when Cognive is unreachable or answers 5xx: True (the default, as in the .NET
            SDK: a control-plane outage does not stop the fleet) lets the call go ahead unheld (``BudgetCheck.checked``
            is False), logs a warning and reports the call later; False raises :class:`CogniveUnavailableError`, so no
            model is called unchecked. ``COGNIVE_FAIL_OPEN=false`` sets False.
        timeout: seconds for one request to Cognive (starting a run, a budget check, one batch).
        max_queue: how many call reports may wait; when full, the oldest is dropped and counted.
        batch_size: calls per batch request (1 to 1,000).
        flush_interval: seconds a partial batch waits before it is sent.
        end_timeout: seconds leaving a ``with client.run(...)`` block waits for the run's end to reach Cognive.
        shutdown_timeout: seconds the interpreter's exit waits to send what is queued.
        retry_initial, retry_max: the backoff of failed sends (doubling, with full jitter, honouring Retry-After).
        logger: where the SDK logs (the ``cognive`` logger by default).
    """

    def __init__(self, api_key: Optional[str] = None, base_url: Optional[str] = None, *,
                 fail_open: Optional[bool] = None, timeout: float = 10.0, max_queue: int = 10_000,
                 batch_size: int = 500, flush_interval: float = 1.0, end_timeout: float = 10.0,
                 shutdown_timeout: float = 5.0, retry_initial: float = 0.5, retry_max: float = 30.0,
                 logger: Optional[logging.Logger] = None) -> None:
        api_key = api_key or os.environ.get("COGNIVE_API_KEY")
        base_url = base_url or os.environ.get("COGNIVE_BASE_URL")
        if not api_key:
            raise ValueError("an API key is required: pass api_key= or set COGNIVE_API_KEY")
        if not base_url:
            raise ValueError("the API's address is required: pass base_url= or set COGNIVE_BASE_URL")
        if fail_open is None:
            fail_open = os.environ.get("COGNIVE_FAIL_OPEN", "true").strip().lower() in _TRUE
        self.fail_open = fail_open
        self.end_timeout = end_timeout
        self.shutdown_timeout = shutdown_timeout
        self.log = logger or logging.getLogger("cognive")
        self._transport = Transport(base_url, api_key, timeout)
        self._reporter = Reporter(self._transport, max_queue=max_queue, batch_size=batch_size,
                                  flush_interval=flush_interval, retry_initial=retry_initial, retry_max=retry_max,
                                  logger=self.log)
        self._closed = False
        atexit.register(self._at_exit)

    def run(self, agent_id: str, metadata: Optional[Mapping[str, Any]] = None) -> Run:
        """A run of ``agent_id``, for ``with client.run(agent_id) as run:`` (started on enter, ended on exit)."""
        return Run(self, agent_id, metadata)

    def traced_run(self, agent_id: str, metadata: Optional[Mapping[str, Any]] = None) -> Callable[[F], F]:
        """A decorator: each call of the function (sync or ``async``) is one run of ``agent_id``."""

        def decorate(function: F) -> F:
            if asyncio.iscoroutinefunction(function):
                @functools.wraps(function)
                async def run_async(*args: Any, **kwargs: Any) -> Any:
                    with self.run(agent_id, metadata):
                        return await function(*args, **kwargs)

                return run_async  # type: ignore[return-value]

            @functools.wraps(function)
            def run_sync(*args: Any, **kwargs: Any) -> Any:
                with self.run(agent_id, metadata):
                    return function(*args, **kwargs)

            return run_sync  # type: ignore[return-value]

        return decorate

    def check_budget(self, agent_id: str, model: Optional[str] = None, input_tokens: Optional[int] = None,
                     max_output_tokens: Optional[int] = None, *, provider: Optional[str] = None,
                     estimated_cost_usd: Optional[Decimal] = None) -> BudgetCheck:
        """The budget check for ``agent_id``; see :meth:`Run.check_budget`."""
        body: Dict[str, Any] = {"agent_id": str(agent_id)}
        if estimated_cost_usd is not None:
            body["estimated_cost_usd"] = float(estimated_cost_usd)
        else:
            body.update(model=model, input_tokens=input_tokens, max_output_tokens=max_output_tokens)
        if provider is not None:
            body["provider"] = provider
        try:
            answer = self._transport.call("POST", "/api/v1/budgets/check", body, "Budget check")
        except CogniveUnavailableError as error:
            if not self.fail_open:
                raise
            self.log.warning("Cognive: budget check skipped, failing open: %s", error)
            return BudgetCheck(True, None, None, None, None, checked=False)
        return BudgetCheck(bool(answer.get("allowed", True)), answer.get("reservation_id"),
                           _decimal(answer.get("estimated_cost_usd")), _decimal(answer.get("remaining")),
                           answer.get("expires_at"))

    def wrap_openai(self, openai_client: Any, *, provider: str = "openai",
                    default_max_output_tokens: int = 1024) -> Any:
        """Instruments an OpenAI-shaped client: ``chat.completions.create`` (streaming included) checks the budget of
        the current run's agent before the call and reports the call after it. Other attributes pass through.

        ``default_max_output_tokens`` is the output estimate when the request sets neither ``max_tokens`` nor
        ``max_completion_tokens``. Outside a run, calls pass through unchecked and unreported.
        """
        from ._openai import wrap

        return wrap(self, openai_client, provider, default_max_output_tokens)

    def flush(self, timeout: Optional[float] = None) -> bool:
        """Sends everything queued so far; returns False if ``timeout`` seconds passed first."""
        return self._reporter.flush(timeout)

    def close(self, timeout: Optional[float] = None) -> bool:
        """Flushes (within ``timeout``, default ``shutdown_timeout``) and stops the background thread."""
        if self._closed:
            return True
        self._closed = True
        atexit.unregister(self._at_exit)
        flushed = self._reporter.close(self.shutdown_timeout if timeout is None else timeout)
        self._transport.close()
        return flushed

    @property
    def stats(self) -> Dict[str, int]:
        """Counters of the reporter: queued, enqueued, sent, rejected, dropped, flagged, retries, unsent."""
        reporter = self._reporter
        return {
            "queued": reporter.queued(), "enqueued": reporter.enqueued, "sent": reporter.sent,
            "rejected": reporter.rejected, "dropped": reporter.dropped, "flagged": reporter.flagged,
            "retries": reporter.retries, "unsent": reporter.unsent,
        }

    def __enter__(self) -> "Cognive":
        return self

    def __exit__(self, *_: Any) -> None:
        self.close()

    def _at_exit(self) -> None:
        self.close()


def _decimal(value: Any) -> Optional[Decimal]:
    return None if value is None else Decimal(str(value))
