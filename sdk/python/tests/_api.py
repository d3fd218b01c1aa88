"""The tests' own view of Cognive: plain REST calls (not the SDK) to arrange data and to check what arrived."""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
import uuid
from typing import Any, Callable, Dict, List, Optional, Tuple

BASE_URL = os.environ.get("COGNIVE_BASE_URL", "")
API_KEY = os.environ.get("COGNIVE_API_KEY", "")


def live() -> bool:
    return bool(BASE_URL and API_KEY)


def request(method: str, path: str, body: Any = None) -> Tuple[int, Any]:
    data = None if body is None else json.dumps(body).encode("utf-8")
    req = urllib.request.Request(BASE_URL.rstrip("/") + path, data=data, method=method,
                                 headers={"X-API-Key": API_KEY, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            raw = response.read()
            return response.status, json.loads(raw) if raw else None
    except urllib.error.HTTPError as error:
        raw = error.read()
        return error.code, json.loads(raw) if raw else None


def ok(method: str, path: str, body: Any = None) -> Any:
    status, answer = request(method, path, body)
    if not 200 <= status < 300:
        raise AssertionError("%s %s answered %d: %s" % (method, path, status, answer))
    return answer


def register_agent() -> str:
    return str(ok("POST", "/api/v1/agents", {"name": "py-%s" % uuid.uuid4().hex[:12], "framework": "python"})["agent_id"])


def create_budget(agent_id: str, amount_usd: float, period: str = "daily") -> str:
    return str(ok("POST", "/api/v1/budgets", {"name": "py-budget", "agent_id": agent_id, "amount_usd": amount_usd,
                                              "period": period})["id"])


def create_policy(agent_id: str, allowed_models: List[str]) -> str:
    return str(ok("POST", "/api/v1/policies", {"name": "py-policy", "agent_id": agent_id,
                                               "allowed_models": allowed_models})["id"])


def run(run_id: str) -> Dict[str, Any]:
    return ok("GET", "/api/v1/runs/%s" % run_id)


def stored_calls(run_id: str) -> List[Dict[str, Any]]:
    """Every call stored for the run, all pages."""
    calls: List[Dict[str, Any]] = []
    cursor: Optional[str] = None
    while True:
        page = ok("GET", "/api/v1/runs/%s/llm-calls?limit=1000%s" % (run_id, "&cursor=" + cursor if cursor else ""))
        calls.extend(page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            return calls


def eventually(condition: Callable[[], bool], what: Callable[[], str], timeout: float = 90.0) -> None:
    """Polls until ``condition`` holds; fails with ``what()`` at the deadline."""
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("not within %.0f s: %s" % (timeout, what()))
        time.sleep(0.2)


def wait_for_run_calls(run_id: str, count: int) -> Dict[str, Any]:
    """Waits until the run's totals count ``count`` stored calls (the workers store asynchronously)."""
    seen: Dict[str, Any] = {}

    def counted() -> bool:
        seen.update(run(run_id))
        return int(seen["totals"]["calls"]) >= count

    eventually(counted, lambda: "run %s counts %d calls (last: %s)" % (run_id, count, seen.get("totals")))
    return seen
