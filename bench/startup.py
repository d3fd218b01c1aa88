"""Cold and warm start of the whole app to all-healthy, and the peak memory of all its processes together.

Each run: a fresh state folder (cold: initdb, first RabbitMQ boot, migrations), then the same folder again (warm). Time
is from launching the AppHost to `aspire describe --follow` reporting every long-running resource Running and Healthy.
Memory is the sum of the RSS of every process that was not running before the launch, sampled every 0.2 s; the peak
is reported. Each boot starts once every process of the one before has exited.
Usage: python3 bench/startup.py [runs]   (run bench/startup.sh, which builds first)
"""
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
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


class Health:
    """Follows `aspire describe --follow` (one process streaming every change, where polling started a CLI process each
    second and took CPU from the boot it measured) and notes the moment every long-running resource is Running and
    Healthy. One-shot resources (postgres-init, migrations) end Finished; whatever waits for them is checked itself.
    Resources started only on demand (the spare agents) stay NotStarted."""

    def __init__(self):
        self.states = {}
        self.healthy_at = None
        self.follower = None
        threading.Thread(target=self._follow, daemon=True).start()

    def _follow(self):
        while self.healthy_at is None:
            self.follower = subprocess.Popen(
                ["dotnet", "aspire", "describe", "--apphost", APPHOST, "--follow", "--format", "Json"],
                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            for line in self.follower.stdout:
                if line.startswith("{"):
                    self._note(json.loads(line))
            self.follower.wait()
            time.sleep(0.2)  # not connected yet: the AppHost is still starting

    def _note(self, resource):
        if resource.get("resourceType") == "Parameter":
            return
        self.states[resource["name"]] = (resource.get("state"), resource.get("healthStatus"))
        settled = all(state in ("Finished", "NotStarted") or (state, health) == ("Running", "Healthy")
                      for state, health in self.states.values())
        # The first snapshot lists every resource, so a settled set is the whole app.
        if settled and self.healthy_at is None and len(self.states) > 1:
            self.healthy_at = time.monotonic()
            self.follower.kill()


def boot(state, baseline):
    started = time.monotonic()
    apphost = subprocess.Popen(
        ["dotnet", "run", "--project", APPHOST, "-c", "Release", "--no-build", "--",
         "--Cognive:Servers=processes", f"--Cognive:StateDir={state}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    health = Health()
    peak = 0
    deadline = started + 300
    while health.healthy_at is None:
        if time.monotonic() > deadline:
            raise SystemExit("Cognive did not become healthy within 300 s")
        peak = max(peak, sum(rss_bytes(p) for p in pids() - baseline - {os.getpid()}))
        time.sleep(0.2)
    seconds = health.healthy_at - started
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
