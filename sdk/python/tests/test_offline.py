"""What the SDK does on its own: event ids, problem details to exceptions, and budget checks with Cognive away."""

from __future__ import annotations

import socket
import unittest
import uuid

from cognive import (BudgetExceededError, Cognive, CogniveAPIError, CogniveUnavailableError, PolicyViolationError)
from cognive._errors import error_for
from cognive._run import mint_event_id


def _closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class OfflineTests(unittest.TestCase):
    def unreachable(self, **settings: object) -> Cognive:
        client = Cognive(api_key="k", base_url="http://127.0.0.1:%d" % _closed_port(), timeout=2, **settings)  # type: ignore[arg-type]
        self.addCleanup(client.close, 0)
        return client

    def test_event_ids_are_unique_version_7_uuids_in_time_order(self) -> None:
        ids = [mint_event_id() for _ in range(1000)]
        self.assertEqual(1000, len(set(ids)))
        self.assertTrue(all(uuid.UUID(i).version == 7 for i in ids))
        self.assertTrue(all(uuid.UUID(i).variant == uuid.RFC_4122 for i in ids))
        self.assertLessEqual(ids[0][:13], ids[-1][:13])

    def test_a_budget_check_fails_closed_when_set_and_cognive_is_unreachable(self) -> None:
        with self.assertRaises(CogniveUnavailableError):
            self.unreachable(fail_open=False).check_budget("agent", model="gpt-4o-mini", input_tokens=1, max_output_tokens=1)

    def test_a_budget_check_fails_open_by_default_and_says_it_did_not_check(self) -> None:
        with self.assertLogs("cognive", "WARNING"):
            answer = self.unreachable().check_budget("agent", model="m", input_tokens=1, max_output_tokens=1)
        self.assertTrue(answer.allowed)
        self.assertFalse(answer.checked)
        self.assertIsNone(answer.reservation_id)

    def test_fail_open_is_read_from_the_environment(self) -> None:
        import os
        os.environ["COGNIVE_FAIL_OPEN"] = "false"
        self.addCleanup(os.environ.pop, "COGNIVE_FAIL_OPEN")
        self.assertFalse(self.unreachable().fail_open)

    def test_problem_details_become_typed_exceptions(self) -> None:
        budget = error_for(429, {"type": "https://cognive.dev/problems/budget-exceeded", "detail": "spent",
                                 "budget_id": "b", "limit": 1, "resets_at": "2026-12-01T00:00:00.1234567+00:00"}, "Check")
        self.assertIsInstance(budget, BudgetExceededError)
        assert isinstance(budget, BudgetExceededError)
        self.assertEqual((2026, 12, 1, 123456), (budget.resets_at.year, budget.resets_at.month, budget.resets_at.day,
                                                  budget.resets_at.microsecond))  # type: ignore[union-attr]
        policy = error_for(403, {"type": "https://cognive.dev/problems/policy-violation", "rule": "allowed_models"}, "Check")
        self.assertIsInstance(policy, PolicyViolationError)
        self.assertIn("allowed_models", str(policy))
        self.assertIsInstance(error_for(503, {}, "Check"), CogniveUnavailableError)
        other = error_for(404, {"title": "Not Found"}, "Check")
        self.assertEqual((CogniveAPIError, 404), (type(other), other.status))

    def test_settings_are_required(self) -> None:
        import os
        for name in ("COGNIVE_API_KEY", "COGNIVE_BASE_URL"):
            value = os.environ.pop(name, None)
            if value is not None:
                self.addCleanup(os.environ.__setitem__, name, value)
        with self.assertRaises(ValueError):
            Cognive()

    def test_an_unsent_queue_is_counted_at_close(self) -> None:
        client = Cognive(api_key="k", base_url="http://127.0.0.1:%d" % _closed_port(), timeout=1, retry_initial=0.05)
        from cognive import Run
        run = Run(client, "agent")
        run.id = "00000000-0000-7000-8000-000000000001"
        for _ in range(5):
            run.log_llm_call(provider="p", model="m", input_tokens=1, output_tokens=1, latency_ms=1)
        with self.assertLogs("cognive", "ERROR"):
            self.assertFalse(client.close(timeout=0.5))
        self.assertEqual(5, client.stats["unsent"])
