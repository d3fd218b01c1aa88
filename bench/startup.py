"""Cold and warm start of the whole app to all-healthy, and the peak memory of all its processes together.

Each run: a fresh state folder (cold: initdb, first RabbitMQ boot, migrations), then the same folder again (warm). Time
is from launching the AppHost to `aspire describe` showing every long-running resource Running and Healthy
(polled once a second, so figures are +-1 s). Memory is the sum of the RSS of every process that was not running
before the launch, sampled between polls; the peak is reported.
Usage: python3 bench/startup.py [runs]   (run bench/startup.sh, which builds first)
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

APPHOST = "Cognive.AppHost/Cognive.AppHost.csproj"


def pids():
    """User-space processes (kernel threads come and go with an empty command line)."""
    found = set()
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                    if cmdline.read(1):
                        found.add(int(entry))
            except OSError:
                pass
    return found


def rss_bytes(pid):
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def all_healthy():
    out = subprocess.run(["dotnet", "aspire", "describe", "--apphost", APPHOST, "--format", "Json"],
                         capture_output=True, text=True).stdout
    if "{" not in out:
        return False
    resources = json.loads(out[out.index("{"):])["resources"]
    # One-shot resources (postgres-init, migrations) end Finished; whatever waits for them is checked itself. Resources
    # started only on demand (the spare agents) stay NotStarted.
    waiting = [r["displayName"] for r in resources
               if r.get("resourceType") != "Parameter" and r.get("state") not in ("Finished", "NotStarted")
               and (r.get("state") != "Running" or r.get("healthStatus") != "Healthy")]
    return len(resources) > 0 and not waiting


def boot(state, baseline):
    started = time.monotonic()
    apphost = subprocess.Popen(
        ["dotnet", "run", "--project", APPHOST, "-c", "Release", "--no-build", "--",
         "--Cognive:Servers=processes", f"--Cognive:StateDir={state}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    deadline = started + 300
    while time.monotonic() < deadline:
        peak = max(peak, sum(rss_bytes(p) for p in pids() - baseline - {os.getpid()}))
        if all_healthy():
            break
        time.sleep(1)
    else:
        raise SystemExit("Cognive did not become healthy within 300 s")
    seconds = time.monotonic() - started
    for _ in range(5):  # a few more samples once everything is up
        time.sleep(1)
        peak = max(peak, sum(rss_bytes(p) for p in pids() - baseline - {os.getpid()}))
    subprocess.run(["dotnet", "aspire", "stop", "--apphost", APPHOST], capture_output=True)
    apphost.wait(timeout=120)
    stopping = time.monotonic()
    while pids() - baseline - {os.getpid()} and time.monotonic() - stopping < 120:
        time.sleep(0.5)  # let every child exit before the next boot
    return seconds, peak


def main():
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    cold, warm, peaks = [], [], []
    for run in range(1, runs + 1):
        state = tempfile.mkdtemp(prefix="cognive-startup-")
        os.chmod(state, 0o755)
        try:
            baseline = pids()
            for kind, figures in (("cold", cold), ("warm", warm)):
                seconds, peak = boot(state, baseline)
                figures.append(seconds)
                peaks.append(peak)
                print(f"run {run} {kind}: {seconds:5.1f} s to all healthy, peak RSS of all processes {peak / 2**20:6.0f} MiB",
                      flush=True)
        finally:
            shutil.rmtree(state, ignore_errors=True)
    for kind, figures in (("cold", cold), ("warm", warm)):
        print(f"{kind}: median {statistics.median(figures):.1f} s, min {min(figures):.1f} s, max {max(figures):.1f} s")
    print(f"peak memory of all processes together: {max(peaks) / 2**20:.0f} MiB")


if __name__ == "__main__":
    main()
