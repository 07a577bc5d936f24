#!/usr/bin/env python3
"""The kill loop of scripts/chaos.sh (which starts the emulator and builds hubctl first).

    chaos_driver.py --hubctl BIN --root DIR [--seed N] [--kills N] [--logs DIR]

In rounds, from an empty emulator and no state: `hubctl apply -auto-approve` in DIR is
started and SIGKILLed, resumed and killed again, until the resources are all recorded; then
an apply without a kill must exit 0, a `plan -detailed-exitcode` must exit 0, and the
emulator's inventory must equal the state exactly (scripts/chaos_inventory.py). Rounds
repeat until N kills have landed.

Where a kill lands is drawn from a seeded RNG: after the m-th create intent (a journal line
with status `creating`) the run writes, m uniform over 0..the creates left, then a random
delay; m = 0 kills during refresh and planning. The creates left shrink as a round goes
on, so kills land early, late and in between, and mostly while creates are in flight.
"""

import argparse
import json
import os
import random
import signal
import subprocess
import sys
import time
import urllib.request

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import chaos_inventory  # noqa: E402

INTENT = b'"status":"creating"'
# After the chosen intent, the kill waits up to this long: into the create's API calls, or
# past them into the next checkpoints.
JITTER = 0.4
# With m = 0, the kill lands this long after the start at most (refresh and planning).
EARLY = 1.5
RUN_TIMEOUT = 600


class Chaos:
    def __init__(self, args):
        self.hubctl, self.root, self.logs = args.hubctl, args.root, args.logs
        self.rng = random.Random(args.seed)
        self.runs = 0
        self.state = os.path.join(self.root, ".hubctl", "state.json")
        self.journal = self.state + ".journal"
        self.endpoint = os.environ["AWS_ENDPOINT_URL"]
        self.region = os.environ.get("AWS_REGION", "us-east-1")

    def log_path(self, what):
        self.runs += 1
        return os.path.join(self.logs, f"{self.runs:03d}-{what}.log")

    def hubctl_run(self, *args):
        """Runs hubctl to the end; its exit code and log path."""
        path = self.log_path(args[0])
        with open(path, "wb") as out:
            p = subprocess.run([self.hubctl, *args], cwd=self.root, stdout=out,
                               stderr=subprocess.STDOUT, timeout=RUN_TIMEOUT, check=False)
        return p.returncode, path

    def pulled_state(self):
        """The state as hubctl reads it (`state pull`: the snapshot with its journal
        replayed), in a file: a run with nothing to change leaves the journal unfolded."""
        path = os.path.join(self.logs, f"state-{self.runs:03d}.json")
        with open(path, "wb") as out:
            p = subprocess.run([self.hubctl, "state", "pull"], cwd=self.root, stdout=out,
                               stderr=subprocess.PIPE, timeout=RUN_TIMEOUT, check=False)
        if p.returncode != 0:
            fail(f"state pull exited {p.returncode}: {p.stderr.decode(errors='replace')}")
        return path

    def must(self, what, *args, ok=(0,)):
        code, path = self.hubctl_run(*args)
        if code not in ok:
            fail(f"{what} exited {code} (log: {path}):\n{tail(path)}")

    def intents(self):
        try:
            with open(self.journal, "rb") as f:
                return f.read().count(INTENT)
        except FileNotFoundError:
            return 0

    def creates_left(self, total):
        """Resources the recorded state (snapshot + journal) does not hold as ready."""
        ready = set()
        try:
            with open(self.state) as f:
                for a, r in json.load(f).get("resources", {}).items():
                    if r.get("mode") == "managed" and r.get("status", "ready") == "ready":
                        ready.add(a)
        except FileNotFoundError:
            pass
        try:
            with open(self.journal, "rb") as f:
                lines = f.read().split(b"\n")[:-1]  # a torn last line is not replayed
        except FileNotFoundError:
            lines = []
        for line in lines:
            v = json.loads(line)
            for op in v if isinstance(v, list) else [v]:
                if op.get("op") == "set_instance" and op["instance"].get("mode") == "managed":
                    (ready.add if op["instance"].get("status", "ready") == "ready"
                     else ready.discard)(op["address"])
                elif op.get("op") == "remove_instance":
                    ready.discard(op["address"])
        return max(0, total - len(ready))

    def killed_apply(self, m, delay):
        """Starts an apply and SIGKILLs it `delay` s after its m-th create intent (after
        its start when m = 0). True if it was killed; False if it ended first (exit 0)."""
        path = self.log_path("apply-kill")
        out = open(path, "wb")
        # The journal may be folded into a snapshot and begun anew during the run.
        base, last, offset = self.intents(), None, 0
        p = subprocess.Popen([self.hubctl, "apply", "-auto-approve"], cwd=self.root,
                             stdout=out, stderr=subprocess.STDOUT)
        start = time.monotonic()
        fire = start + delay if m == 0 else None
        while p.poll() is None:
            now = time.monotonic()
            if fire is None:
                n = self.intents()
                if last is not None and n < last:
                    offset += last
                last = n
                if offset + n - base >= m:
                    fire = now + delay
            if fire is not None and now >= fire:
                p.send_signal(signal.SIGKILL)
                p.wait()
                out.close()
                return True
            if now - start > RUN_TIMEOUT:
                p.kill()
                fail(f"apply did not end in {RUN_TIMEOUT}s (log: {path})")
            time.sleep(0.003)
        out.close()
        if p.returncode != 0:
            fail(f"an apply resumed after a kill exited {p.returncode} (log: {path}):\n{tail(path)}")
        return False

    def reset(self):
        req = urllib.request.Request(f"{self.endpoint}/moto-api/reset", data=b"", method="POST")
        urllib.request.urlopen(req, timeout=30).read()
        for f in (self.state, self.journal, self.state + ".backup", self.state + ".lock"):
            if os.path.exists(f):
                os.remove(f)

    def planned_creates(self):
        path = self.log_path("plan")
        with open(path, "wb") as out:
            subprocess.run([self.hubctl, "plan", "-no-color"], cwd=self.root, stdout=out,
                           stderr=subprocess.STDOUT, check=True, timeout=RUN_TIMEOUT)
        for line in open(path, encoding="utf-8", errors="replace"):
            if line.startswith("Plan: "):
                return int(line.split()[1])
        fail(f"no 'Plan: N to add' line in {path}")

    def round(self, kills_wanted, total):
        """One round from an empty emulator: its kill points and the inventory counts."""
        points = []
        while len(points) < kills_wanted:
            left = self.creates_left(total)
            if left == 0:
                break
            m = self.rng.randint(0, left)
            delay = self.rng.uniform(0, EARLY if m == 0 else JITTER)
            if not self.killed_apply(m, delay):
                break
            points.append(f"{m}/{left}+{delay:.2f}s")
        self.must("the apply after the kills", "apply", "-auto-approve")
        self.must("plan -detailed-exitcode after the apply", "plan", "-detailed-exitcode")
        objs = chaos_inventory.emulator_objects(self.endpoint, self.region)
        d = chaos_inventory.compare(objs, chaos_inventory.state_entries(self.pulled_state()))
        return points, d


def tail(path, n=30):
    with open(path, encoding="utf-8", errors="replace") as f:
        return "".join(f.readlines()[-n:])


def fail(msg):
    print(f"chaos: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--hubctl", required=True)
    ap.add_argument("--root", required=True)
    ap.add_argument("--logs", required=True)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--kills", type=int, default=50)
    args = ap.parse_args()
    os.makedirs(args.logs, exist_ok=True)
    c = Chaos(args)
    started = time.monotonic()
    total = c.planned_creates()
    print(f"chaos: seed {args.seed}, {args.kills} kills, {total} resources per apply", flush=True)
    kills, rounds, found = 0, 0, {"orphans": [], "duplicates": [], "lost": [], "misfiled": []}
    idle = 0
    while kills < args.kills:
        rounds += 1
        if rounds > 1:
            c.reset()
        points, d = c.round(args.kills - kills, total)
        idle = 0 if points else idle + 1
        if idle == 5:
            fail("no kill landed in 5 rounds running: is the apply too fast for the poll?")
        kills += len(points)
        counts = "  ".join(f"{k}: {len(v)}" for k, v in d.items())
        print(f"round {rounds}: {len(points)} kills at [{', '.join(points)}]  {counts}", flush=True)
        for k, v in d.items():
            for item in v:
                print(f"  {k[:-1] if k != 'lost' else k}: {item}", flush=True)
            found[k] += v
    secs = time.monotonic() - started
    print(f"seed: {args.seed}  rounds: {rounds}  hubctl runs: {c.runs}  duration: {secs:.0f}s")
    print(f"kills: {kills}  " + "  ".join(f"{k}: {len(v)}" for k, v in found.items()))
    sys.exit(1 if any(found.values()) else 0)


if __name__ == "__main__":
    main()
