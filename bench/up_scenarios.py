#!/usr/bin/env python3
"""`supervise up` measured from outside, on the path users run: the binary as a
process, `--spec`, journal and monitor log on. One scenario per function; each
prints one JSON line of figures and a short human line. Stdlib only.

    bench/up_scenarios.py [--binary build/supervise] [SCENARIO ...]

Scenarios (all by default):
  crash-loop  one worker that exits 1 at once, zero backoff: restarts per
              second over 5000 restarts; fds, threads and RSS of `up` before
              and after; zombies left; the slowest `status --json` meanwhile.
  big-boot    3000 `sleep` workers under a soft fd limit of 1024: time until
              all have exec'd; `status --json` 0.5 s into the boot; and, in a
              second run, SIGTERM 0.5 s into the boot until nothing is left.
  true-boot   10,000 workers running `true` once (temporary): time until `up`
              has started them all and exited.
  restart     1000 `sleep` workers: SIGKILL 30 of them, one at a time, each
              until its replacement has exec'd (children of `up` read to the
              end); the median beside this machine's fork+exec floor.
  hung-git    a `git` on PATH that hangs in `worktree add` for one worker,
              and a tasks.db held under BEGIN EXCLUSIVE: the slowest
              `status --json` over 3 s while both last.

Side by side with runit and s6 (start-all, restart latency, memory), use the
shared peer harness; see bench/README.md.
"""

import argparse
import json
import os
import resource
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def children_of(pid):
    """Every child of `pid` (all its threads), read to EOF: a seq_file gives at
    most a page per read."""
    out = set()
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return out
    for tid in tasks:
        try:
            with open(f"/proc/{pid}/task/{tid}/children", "rb") as f:
                out.update(int(x) for x in f.read().split())
        except OSError:
            pass
    return out


def cmdline(pid):
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            return f.read()
    except OSError:
        return b""


def proc_state(pid):
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return None


def status_kb(pid, key):
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        pass
    return None


def count(path):
    try:
        return len(os.listdir(path))
    except OSError:
        return None


class Project:
    """A scratch project with a spec, and `supervise up` on it."""

    def __init__(self, binary, children_yaml, policy=None, env=None, git=False, tasks_db=None,
                 memory_db=None, initiative=None):
        self.binary = binary
        self.dir = Path(tempfile.mkdtemp(prefix="supervise-bench-"))
        self.project = self.dir / "project"
        self.project.mkdir()
        if git:
            subprocess.run(["git", "init", "-q", str(self.project)], check=True)
            subprocess.run(["git", "-C", str(self.project), "-c", "user.email=b@example.com",
                            "-c", "user.name=bench", "commit", "-q", "--allow-empty", "-m",
                            "init"], check=True)
        self.tasks_db = tasks_db or self.dir / "tasks.db"
        self.memory_db = memory_db or self.dir / "memory.db"
        policy = policy or ("  intensity: 1000000\n  period: 1s\n"
                            "  backoff: {initial: 0, factor: 1, max: 0, jitter: 0}\n")
        head = "version: 1\n" + (f"initiative: {initiative}\n" if initiative else "")
        (self.dir / "spec.yaml").write_text(head + "supervisor:\n" + policy + "  children:\n" +
                                            children_yaml)
        self.env = dict(os.environ, **(env or {}))
        self.up = None

    def project_args(self):
        return ["--project", str(self.project), "--tasks-db", str(self.tasks_db),
                "--memory-db", str(self.memory_db)]

    def start(self, nofile=None):
        def limit():
            if nofile:
                _, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
                resource.setrlimit(resource.RLIMIT_NOFILE, (nofile, hard))
        self.up = subprocess.Popen([self.binary, "up", "-q", "--spec", str(self.dir / "spec.yaml")] +
                                   self.project_args(), stdout=subprocess.DEVNULL,
                                   stderr=open(self.dir / "up.stderr", "wb"), env=self.env,
                                   preexec_fn=limit, start_new_session=True)
        return time.monotonic()

    def status(self):
        """(seconds the whole `status --json` process took, its JSON or None)."""
        started = time.monotonic()
        done = subprocess.run([self.binary, "status", "--json"] + self.project_args(),
                              capture_output=True, env=self.env)
        took = time.monotonic() - started
        try:
            return took, json.loads(done.stdout)
        except ValueError:
            return took, None

    def stop(self, timeout=30):
        if self.up and self.up.poll() is None:
            self.up.send_signal(signal.SIGTERM)
            try:
                self.up.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.up.pid, signal.SIGKILL)
                self.up.wait()


def workers(n, command, restart="permanent", extra=""):
    return "".join(f"    - id: w{i}\n      command: {json.dumps(command(i))}\n"
                   f"      restart: {restart}\n      max_restarts: 1000000\n"
                   f"      work_dir: .\n{extra}" for i in range(n))


def report(name, figures, line):
    print(json.dumps({"scenario": name, **figures}), flush=True)
    print(f"# {name}: {line}", file=sys.stderr, flush=True)


def crash_loop(binary, restarts=5000):
    p = Project(binary, workers(1, lambda i: ["false"]))
    p.start()
    up = p.up.pid

    def restarts_now():
        _, doc = p.status()
        return doc["children"][0]["restarts"] if doc else None

    deadline = time.monotonic() + 30
    while (restarts_now() or 0) < 50 and time.monotonic() < deadline:
        time.sleep(0.05)
    before = {"fds": count(f"/proc/{up}/fd"), "threads": count(f"/proc/{up}/task"),
              "rss_kib": status_kb(up, "VmRSS")}
    t0, r0 = time.monotonic(), restarts_now()
    slowest, samples = 0.0, 0
    r1 = r0
    while r1 is not None and r1 - r0 < restarts and time.monotonic() - t0 < 120:
        took, doc = p.status()
        slowest, samples = max(slowest, took), samples + 1
        r1 = doc["children"][0]["restarts"] if doc else r1
        time.sleep(0.1)
    t1 = time.monotonic()
    after = {"fds": count(f"/proc/{up}/fd"), "threads": count(f"/proc/{up}/task"),
             "rss_kib": status_kb(up, "VmRSS")}
    # A run that has just ended is a zombie for a moment, until up reaps it;
    # a leak is one that stays: count the zombies seen in every one of five
    # looks 20 ms apart.
    lasting = None
    for _ in range(5):
        now = {c for c in children_of(up) if proc_state(c) == "Z"}
        lasting = now if lasting is None else lasting & now
        time.sleep(0.02)
    zombies = len(lasting)
    p.stop()
    rate = (r1 - r0) / (t1 - t0)
    report("crash-loop", {"restarts": r1 - r0, "seconds": round(t1 - t0, 2),
                          "restarts_per_s": round(rate, 1), "before": before, "after": after,
                          "zombies_at_end": zombies, "status_samples": samples,
                          "slowest_status_ms": round(slowest * 1000, 1)},
           f"{rate:.0f} restarts/s over {r1 - r0}; fds {before['fds']}->{after['fds']}, "
           f"threads {before['threads']}->{after['threads']}, RSS {before['rss_kib']}->"
           f"{after['rss_kib']} KiB, zombies {zombies}, slowest status {slowest * 1000:.0f} ms")


def marked(n):
    return workers(n, lambda i: ["sleep", f"1000{i:06d}"])


def running_marks(up):
    found = 0
    for c in children_of(up):
        if cmdline(c).startswith(b"sleep\0") or b"/sleep\0" in cmdline(c):
            found += 1
    return found


def big_boot(binary, n=3000, nofile=1024):
    p = Project(binary, marked(n))
    t0 = p.start(nofile=nofile)
    while time.monotonic() - t0 < 0.5:
        time.sleep(0.01)
    took, doc = p.status()
    early = sum(1 for c in (doc or {}).get("children", []) if c.get("state") == "running")
    while running_marks(p.up.pid) < n and time.monotonic() - t0 < 120 and p.up.poll() is None:
        time.sleep(0.02)
    all_running = time.monotonic() - t0
    reached = running_marks(p.up.pid)
    rss = status_kb(p.up.pid, "VmRSS")
    p.stop()
    # Again, SIGTERM 0.5 s into the boot.
    q = Project(binary, marked(n))
    t0 = q.start(nofile=nofile)
    while time.monotonic() - t0 < 0.5:
        time.sleep(0.01)
    up = q.up.pid
    seen = set(children_of(up))
    t_term = time.monotonic()
    q.up.send_signal(signal.SIGTERM)
    q.up.wait(60)
    gone_after = time.monotonic() - t_term
    left = [c for c in seen if proc_state(c) not in (None, "Z")]
    report("big-boot", {"n": n, "soft_nofile": nofile, "all_running_s": round(all_running, 2),
                        "running": reached, "rss_kib": rss,
                        "status_at_0_5s_ms": round(took * 1000, 1),
                        "running_at_0_5s": early, "sigterm_at_0_5s_exit_s": round(gone_after, 2),
                        "left_after_sigterm": len(left)},
           f"{reached}/{n} running in {all_running:.2f} s; status at 0.5 s took "
           f"{took * 1000:.0f} ms ({early} running); SIGTERM at 0.5 s: exited in "
           f"{gone_after:.2f} s, {len(left)} left")


def exec_floor(runs=50):
    """Median ms from fork+exec of `sleep` (from here, no supervisor) until it
    has exec'd: the cost no supervisor can beat, measured the same way."""
    took = []
    for i in range(runs):
        t0 = time.perf_counter()
        child = subprocess.Popen(["sleep", f"2000{i:06d}"])
        while not cmdline(child.pid).startswith(b"sleep\0"):
            time.sleep(0.0002)
        took.append((time.perf_counter() - t0) * 1000)
        child.kill()
        child.wait()
    return sorted(took)[len(took) // 2]


def restart(binary, n=1000, kills=30):
    p = Project(binary, marked(n))
    p.start()
    up = p.up.pid
    deadline = time.monotonic() + 120
    while running_marks(up) < n and time.monotonic() < deadline:
        time.sleep(0.05)

    def sleepers():
        """{cmdline: pid} of the `sleep` children of `up`."""
        found = {}
        for c in children_of(up):
            line = cmdline(c)
            if line.startswith(b"sleep\0") or b"/sleep\0" in line:
                found[line] = c
        return found

    latencies, missed = [], 0
    victims = sorted(sleepers().items())[:kills]
    for line, pid in victims:
        before = children_of(up)
        t0 = time.perf_counter()
        os.kill(pid, signal.SIGKILL)
        replacement = None
        while replacement is None and time.perf_counter() - t0 < 10:
            for c in children_of(up) - before:
                if cmdline(c) == line:
                    replacement = c
                    break
            else:
                time.sleep(0.0002)
        if replacement is None:
            missed += 1
        else:
            latencies.append((time.perf_counter() - t0) * 1000)
        time.sleep(0.05)
    p.stop()
    floor = exec_floor()
    latencies.sort()
    median = latencies[len(latencies) // 2] if latencies else float("nan")
    report("restart", {"n": n, "kills": kills, "median_ms": round(median, 2),
                       "max_ms": round(latencies[-1], 2) if latencies else None,
                       "missed": missed, "exec_floor_ms": round(floor, 2),
                       "ratio_to_floor": round(median / floor, 2)},
           f"median {median:.2f} ms over {len(latencies)} kills of {n} workers "
           f"({missed} missed); fork+exec floor {floor:.2f} ms, ratio {median / floor:.2f}")


def true_boot(binary, n=10000):
    p = Project(binary, workers(n, lambda i: ["true"], restart="temporary"))
    t0 = p.start()
    p.up.wait(600)
    took = time.monotonic() - t0
    report("true-boot", {"n": n, "seconds": round(took, 2), "exit": p.up.returncode},
           f"{n} `true` workers started and ended, `up` exited {p.up.returncode} in {took:.2f} s")


def hung_git(binary):
    scratch = Path(tempfile.mkdtemp(prefix="supervise-bench-git-"))
    fake = scratch / "git"
    fake.write_text("#!/bin/sh\ncase \"$*\" in *'worktree add'*hang*) exec sleep 1000 ;; esac\n"
                    "exec /usr/bin/git \"$@\"\n")
    fake.chmod(0o755)
    dbs = scratch / "db"
    subprocess.run([str(ROOT / "examples/demo/make-databases.sh"), str(dbs / "tasks.db"),
                    str(dbs / "memory.db")], check=True)
    initiative = "7f3c9a21-demo-4b7e-9d2a-5e8f1c0b6a44"
    children = ("    - id: hang\n      command: [sleep, '1000']\n"
                "    - id: Stream-A\n      command: [sleep, '1000']\n      work_dir: .\n"
                "      complete_when: stream\n")
    p = Project(binary, children, env={"PATH": f"{scratch}:{os.environ['PATH']}"}, git=True,
                tasks_db=dbs / "tasks.db", memory_db=dbs / "memory.db", initiative=initiative)
    p.start()
    time.sleep(1.0)  # let the hung git start; what follows is measured, not waited for
    lock = sqlite3.connect(str(dbs / "tasks.db"), isolation_level=None, timeout=0)
    lock.execute("BEGIN EXCLUSIVE")
    # A write into the database wakes the watcher, which reads while the lock holds.
    lock.execute("UPDATE tasks SET status = status")
    slowest, samples, states = 0.0, 0, {}
    t0 = time.monotonic()
    while time.monotonic() - t0 < 3:
        took, doc = p.status()
        slowest, samples = max(slowest, took), samples + 1
        if doc:
            states = {c["id"]: c["state"] for c in doc["children"]}
        time.sleep(0.05)
    lock.execute("ROLLBACK")
    t_term = time.monotonic()
    p.stop(30)
    report("hung-git", {"status_samples": samples, "slowest_status_ms": round(slowest * 1000, 1),
                        "states": states, "sigterm_exit_s": round(time.monotonic() - t_term, 2)},
           f"slowest status {slowest * 1000:.0f} ms over {samples} while git hangs and tasks.db "
           f"is locked; states {states}")


SCENARIOS = {"crash-loop": crash_loop, "big-boot": big_boot, "restart": restart,
             "true-boot": true_boot, "hung-git": hung_git}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--binary", default=str(ROOT / "build/supervise"))
    parser.add_argument("scenarios", nargs="*", choices=[[]] + list(SCENARIOS), default=[])
    args = parser.parse_args()
    for name in args.scenarios or list(SCENARIOS):
        SCENARIOS[name](args.binary)


if __name__ == "__main__":
    main()
