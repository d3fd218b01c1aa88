"""The Python SDK benchmark (bench/sdk-python.sh runs it against a freshly booted Cognive).

1. Reporting cost: the time ``run.log_llm_call`` takes (an enqueue), per call, while the reporter thread sends.
2. Sustained: calls offered at a fixed rate; the rate Cognive accepts them at, and whether the queue grows.
3. Saturation: calls offered as fast as one thread can; what the reporter delivers.
4. Ceiling: raw ``http.client`` POSTs of pre-serialised 1,000-call batches (no SDK) on one connection.
Then waits until Cognive has stored every call the SDK sent, exactly once.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import sys
import time
import urllib.parse
import uuid
from typing import Any, Dict, List

from cognive import Cognive
from cognive._run import mint_event_id


def percentile(sorted_values: List[int], p: float) -> float:
    return sorted_values[min(len(sorted_values) - 1, int(len(sorted_values) * p))] / 1000.0


def call_kwargs() -> Dict[str, Any]:
    return dict(provider="openai", model="gpt-4o-mini", input_tokens=1200, output_tokens=300, cached_input_tokens=1000,
                latency_ms=850)


def reporting_cost(client: Cognive, run: Any, calls: int) -> None:
    kwargs = call_kwargs()
    timings = []
    clock = time.perf_counter_ns
    log = run.log_llm_call
    for _ in range(calls):
        started = clock()
        log(**kwargs)
        timings.append(clock() - started)
    timings.sort()
    print("reporting cost, %d calls (sender running):  p50 %.1f µs  p99 %.1f µs  p99.9 %.1f µs  max %.0f µs"
          % (calls, percentile(timings, 0.5), percentile(timings, 0.99), percentile(timings, 0.999), timings[-1] / 1000))
    started = time.perf_counter()
    client.flush()
    print("  then flushed in %.2f s; stats %s" % (time.perf_counter() - started, client.stats))


def sustained(client: Cognive, run: Any, rate: int, seconds: float) -> None:
    kwargs = call_kwargs()
    sent_before = client.stats["sent"]
    depths = []
    started = time.perf_counter()
    next_sample = started + 1.0
    done = 0
    while True:
        now = time.perf_counter()
        elapsed = now - started
        if elapsed >= seconds:
            break
        due = int(elapsed * rate)
        while done < due:
            run.log_llm_call(**kwargs)
            done += 1
        if now >= next_sample:
            depths.append(client.stats["queued"])
            next_sample += 1.0
        time.sleep(0.0005)
    end_depth = client.stats["queued"]
    accepted = client.stats["sent"] - sent_before
    print("sustained at %d calls/s for %.0f s: offered %d, accepted %.0f calls/s during the phase; queue depth each "
          "second %s (end %d); dropped %d" % (rate, seconds, done, accepted / seconds, depths, end_depth,
                                            client.stats["dropped"]))
    client.flush()


def saturation(client: Cognive, run: Any, seconds: float) -> None:
    kwargs = call_kwargs()
    stats = client.stats
    started = time.perf_counter()
    done = 0
    while time.perf_counter() - started < seconds:
        for _ in range(100):
            run.log_llm_call(**kwargs)
        done += 100
    elapsed = time.perf_counter() - started
    after = client.stats
    print("saturation, one thread for %.0f s: offered %.0f calls/s, delivered %.0f calls/s, dropped %d (queue bound %s)"
          % (seconds, done / elapsed, (after["sent"] - stats["sent"]) / elapsed, after["dropped"] - stats["dropped"],
             "10,000"))
    client.flush()


def ceiling(base_url: str, api_key: str, run_id: str, seconds: float) -> int:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    headers = {"X-API-Key": api_key, "Content-Type": "application/json"}
    bodies = []
    for _ in range(40):
        events = [dict(call_kwargs(), event_id=mint_event_id(), run_id=run_id, status="success") for _ in range(1000)]
        bodies.append(json.dumps({"events": events}).encode("utf-8"))
    posted = 0
    started = time.perf_counter()
    for body in bodies:
        connection.request("POST", "/api/v1/llm-calls/batch", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        if answer.status != 202:
            raise SystemExit("ceiling batch answered %d" % answer.status)
        posted += 1000
        if time.perf_counter() - started >= seconds:
            break
    elapsed = time.perf_counter() - started
    print("ceiling: raw http.client POSTs of pre-serialised 1,000-call batches, one connection: %.0f calls/s"
          % (posted / elapsed))
    return posted


def wait_stored(base_url: str, api_key: str, run_id: str, expected: int, timeout: float = 300) -> None:
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    deadline = time.monotonic() + timeout
    stored = -1
    while time.monotonic() < deadline:
        connection.request("GET", "/api/v1/runs/%s" % run_id, headers={"X-API-Key": api_key})
        answer = connection.getresponse()
        stored = json.loads(answer.read())["totals"]["calls"]
        if stored >= expected:
            break
        time.sleep(1)
    print("stored: %d calls of the %d accepted (%s)" % (stored, expected, "exactly once" if stored == expected else "MISMATCH"))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=200_000, help="calls measured in the reporting-cost phase")
    parser.add_argument("--duration", type=float, default=20, help="seconds of the sustained and saturation phases")
    parser.add_argument("--rate", type=int, default=5000, help="calls/s offered in the sustained phase")
    options = parser.parse_args()
    base_url, api_key = os.environ["COGNIVE_BASE_URL"], os.environ["COGNIVE_API_KEY"]
    print("Python SDK benchmark — Python %s, %d cores, API %s, %s" % (
        platform.python_version(), os.cpu_count() or 0, base_url, time.strftime("%Y-%m-%d %H:%M:%SZ", time.gmtime())))
    bootstrap = Cognive(api_key, base_url)
    agent = bootstrap._transport.call("POST", "/api/v1/agents", {"name": "bench-%s" % uuid.uuid4().hex[:8],
                                                                 "framework": "python"}, "register")
    agent_id = str(agent["agent_id"])
    bootstrap.close()

    checks = []
    with Cognive(api_key, base_url, max_queue=1_000_000, batch_size=1000) as unbounded:
        with unbounded.run(agent_id) as run:
            reporting_cost(unbounded, run, options.calls)
        checks.append((run.id, unbounded.stats["sent"]))
    with Cognive(api_key, base_url, batch_size=1000) as client:
        with client.run(agent_id) as run:
            sustained(client, run, options.rate, options.duration)
            saturation(client, run, options.duration)
        checks.append((run.id, client.stats["sent"]))
        with client.run(agent_id) as raw_run:
            checks.append((raw_run.id, ceiling(base_url, api_key, raw_run.id, options.duration)))
    # Every call of a run is counted in its run's totals once the workers store it.
    for run_id, expected in checks:
        wait_stored(base_url, api_key, run_id, expected)

if __name__ == "__main__":
    main()
