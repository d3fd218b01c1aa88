"""The SDK against a running Cognive (COGNIVE_BASE_URL, COGNIVE_API_KEY of a team of its own).

Cognive.Tests/Sdk/PythonSdkTests.cs runs each of these against the test assembly's AppHost; they skip without it.
"""

from __future__ import annotations

import sys
import threading
import unittest
from datetime import datetime

from cognive import BudgetExceededError, Cognive, PolicyViolationError, current_run

from . import _api
from .fake_openai import FakeOpenAI


@unittest.skipUnless(_api.live(), "needs COGNIVE_BASE_URL and COGNIVE_API_KEY")
class LiveTests(unittest.TestCase):
    def setUp(self) -> None:
        self.agent_id = _api.register_agent()

    def client(self, **settings: object) -> Cognive:
        client = Cognive(**settings)  # type: ignore[arg-type]
        self.addCleanup(client.close)
        return client

    def test_a_run_of_1000_logged_calls_arrives_exactly_once(self) -> None:
        client = self.client()
        logged = set()
        with client.run(self.agent_id) as run:
            for i in range(1000):
                logged.add(run.log_llm_call(provider="openai", model="gpt-4o-mini", input_tokens=100 + i,
                                            output_tokens=20, cached_input_tokens=50, latency_ms=12.5))
        self.assertEqual(1000, len(logged))
        stored_run = _api.wait_for_run_calls(run.id, 1000)
        stored = _api.stored_calls(run.id)
        self.assertEqual(1000, len(stored), "exactly 1,000 calls stored")
        self.assertEqual(logged, {c["event_id"] for c in stored}, "the stored calls are the logged ones")
        self.assertEqual("succeeded", stored_run["status"])
        self.assertEqual(sum(100 + i for i in range(1000)), stored_run["totals"]["input_tokens"])
        self.assertEqual(50 * 1000, stored_run["totals"]["cached_input_tokens"])
        self.assertEqual({"sent": 1000, "dropped": 0, "rejected": 0, "unsent": 0},
                         {k: client.stats[k] for k in ("sent", "dropped", "rejected", "unsent")})

    def test_an_api_restart_in_the_middle_loses_nothing(self) -> None:
        """Coordinated with the .NET test over stdin/stdout: it kills the API, then starts it again."""
        # A 2 s request timeout: DCP's proxy may hold a request to a stopped API open rather than refuse it, and the
        # outage must still show as failed sends that are retried.
        client = self.client(timeout=2.0, retry_initial=0.2, retry_max=2.0, end_timeout=120.0)
        logged = set()
        with client.run(self.agent_id) as run:
            for _ in range(300):
                logged.add(run.log_llm_call(provider="openai", model="gpt-4o-mini", input_tokens=10, output_tokens=5,
                                            latency_ms=3))
            self.assertTrue(client.flush(timeout=30), "the first 300 calls are sent before the restart")
            self.assertEqual("api-down", _signal("kill-api"))
            for _ in range(400):
                logged.add(run.log_llm_call(provider="openai", model="gpt-4o-mini", input_tokens=10, output_tokens=5,
                                            latency_ms=3))
            self.assertFalse(client.flush(timeout=2), "nothing can be sent while the API is down")
            self.assertEqual("api-up", _signal("start-api"))
        self.assertTrue(client.flush(timeout=60))
        stored_run = _api.wait_for_run_calls(run.id, 700)
        stored = [c["event_id"] for c in _api.stored_calls(run.id)]
        self.assertEqual(700, len(stored), "exactly 700 calls stored")
        self.assertEqual(logged, set(stored))
        self.assertEqual("succeeded", stored_run["status"])
        self.assertGreater(client.stats["retries"], 0, "the outage made the reporter retry")
        self.assertEqual(0, client.stats["dropped"] + client.stats["unsent"] + client.stats["rejected"])

    def test_a_refused_budget_raises_before_the_model_is_called(self) -> None:
        _api.create_budget(self.agent_id, 0.000001, period="daily")
        client = self.client()
        model = FakeOpenAI()
        openai = client.wrap_openai(model)
        with client.run(self.agent_id) as run:
            with self.assertRaises(BudgetExceededError) as refused:
                openai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi " * 400}],
                                               max_tokens=500)
            self.assertEqual([], model.completions.calls, "the model was not called")
            self.assertIsInstance(refused.exception.resets_at, datetime)
            self.assertEqual(429, refused.exception.status)
            self.assertIsNotNone(refused.exception.budget_id)
        self.assertTrue(client.flush(timeout=30))
        self.assertEqual(0, client.stats["sent"], "a refused call is not reported")
        self.assertEqual("succeeded", _api.run(run.id)["status"])

    def test_a_policy_violation_names_its_rule(self) -> None:
        _api.create_policy(self.agent_id, ["gpt-4o-mini"])
        client = self.client()
        with client.run(self.agent_id) as run:
            self.assertTrue(run.check_budget(model="gpt-4o-mini", input_tokens=100, max_output_tokens=100).allowed)
            with self.assertRaises(PolicyViolationError) as refused:
                run.check_budget(model="gpt-4o", input_tokens=100, max_output_tokens=100)
        self.assertEqual("allowed_models", refused.exception.rule)
        self.assertEqual(403, refused.exception.status)

    def test_wrapped_openai_calls_are_checked_and_reported_with_cached_tokens_streams_included(self) -> None:
        _api.create_budget(self.agent_id, 100.0, period="daily")
        client = self.client()
        model = FakeOpenAI(prompt=1200, completion=300, cached=1000)
        openai = client.wrap_openai(model)

        @client.traced_run(self.agent_id)
        def agent() -> str:
            answer = openai.chat.completions.create(model="gpt-4o-mini", messages=[{"role": "user", "content": "hi"}])
            chunks = list(openai.chat.completions.create(model="gpt-4o-mini", stream=True,
                                                         messages=[{"role": "user", "content": "hi"}]))
            self.assertEqual(3, len(chunks), "the usage chunk the wrapper asked for is not shown to the caller")
            self.assertEqual("hello", answer.choices[0].message.content)
            run = current_run()
            assert run is not None
            return run.id  # type: ignore[return-value]

        run_id = agent()
        self.assertEqual({"include_usage": True}, model.completions.calls[1]["stream_options"])
        self.assertTrue(client.flush(timeout=30))
        totals = _api.wait_for_run_calls(run_id, 2)["totals"]
        self.assertEqual({"calls": 2, "input_tokens": 2400, "output_tokens": 600, "cached_input_tokens": 2000},
                         {k: totals[k] for k in ("calls", "input_tokens", "output_tokens", "cached_input_tokens")})
        self.assertGreater(totals["cost"], 0, "the calls were priced")
        self.assertEqual("succeeded", _api.run(run_id)["status"])

    def test_the_queue_bound_drops_the_oldest_and_counts_them(self) -> None:
        # The sender waits (a long flush interval, batches larger than the bound) until flush() asks.
        client = self.client(max_queue=100, batch_size=1000, flush_interval=600)
        with client.run(self.agent_id) as run:
            with self.assertLogs("cognive", "WARNING") as logs:
                ids = [run.log_llm_call(provider="openai", model="gpt-4o-mini", input_tokens=1, output_tokens=1,
                                        latency_ms=1) for _ in range(250)]
            self.assertEqual(150, client.stats["dropped"])
            self.assertEqual(100, client.stats["queued"])
            self.assertIn("dropped", logs.output[0])
        self.assertTrue(client.flush(timeout=30))
        _api.wait_for_run_calls(run.id, 100)
        self.assertEqual(set(ids[150:]), {c["event_id"] for c in _api.stored_calls(run.id)}, "the newest 100 arrived")

    def test_an_exception_ends_the_run_failed(self) -> None:
        client = self.client()
        with self.assertRaises(ValueError):
            with client.run(self.agent_id) as run:
                raise ValueError("the agent broke")
        stored = _api.run(run.id)
        self.assertEqual("failed", stored["status"])
        self.assertIn("the agent broke", stored["error"])


_signal_lock = threading.Lock()


def _signal(what: str) -> str:
    """Asks the .NET side for ``what`` and returns its answer (one line each way)."""
    with _signal_lock:
        print("COGNIVE-TEST %s" % what, flush=True)
        return sys.stdin.readline().strip()
