#!/usr/bin/env python3
"""Record transcript fixtures by running pinned agent CLIs against a loopback model.

Used by scripts/record_agent_fixtures.sh; see scripts/fixture_servers/README.md.

For every agent and scenario this script
  1. starts recording_model_server.py on 127.0.0.1 with the scenario's script,
  2. runs the pinned CLI headless in a throwaway HOME and a fixed project dir,
  3. finds the session(s) the run created, copies them into
     tests/data/agents/<agent>-<version>/home/ (laid out as the agent's home),
  4. re-reads the copied transcript with a small checker (agents.py) and fails
     loudly if what the agent wrote disagrees with what the scenario did,
  5. writes expected.json with each session's true outcome.
No network other than 127.0.0.1 is used; every telemetry/update switch the
pinned versions have is turned off (see agents.py).
"""
import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import agents as agent_defs  # noqa: E402
from scenarios import SCENARIOS, SECRET  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
SERVER = os.path.join(HERE, "recording_model_server.py")
WORK = os.environ.get("SKILLPIPE_FIXTURE_WORK", "/tmp/skillpipe-formats")
PROJECT = os.path.join(WORK, "demo-app")


def log(msg):
    print("[record] " + msg, file=sys.stderr, flush=True)


def reset_project():
    shutil.rmtree(PROJECT, ignore_errors=True)
    os.makedirs(PROJECT)
    with open(os.path.join(PROJECT, "README.md"), "w") as f:
        f.write("# demo-app\n\nA tiny project used to record agent transcript fixtures.\n")
    env = dict(os.environ, GIT_AUTHOR_NAME="fixture", GIT_AUTHOR_EMAIL="fixture@example.invalid",
               GIT_COMMITTER_NAME="fixture", GIT_COMMITTER_EMAIL="fixture@example.invalid",
               GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z")
    for cmd in (["git", "init", "-q", "-b", "main", "."], ["git", "add", "README.md"],
                ["git", "commit", "-q", "-m", "initial"]):
        subprocess.run(cmd, cwd=PROJECT, env=env, check=True)


class Server:
    def __init__(self, workdir, script):
        self.dir = workdir
        os.makedirs(workdir, exist_ok=True)
        self.script_path = os.path.join(workdir, "script.json")
        self.log_path = os.path.join(workdir, "requests.jsonl")
        self.port_file = os.path.join(workdir, "port")
        for p in (self.log_path, self.port_file):
            if os.path.exists(p):
                os.remove(p)
        with open(self.script_path, "w") as f:
            json.dump(script, f, indent=1)

    def __enter__(self):
        self.proc = subprocess.Popen([sys.executable, SERVER, "--script", self.script_path,
                                      "--log", self.log_path, "--port-file", self.port_file])
        for _ in range(200):
            if os.path.exists(self.port_file):
                self.port = int(open(self.port_file).read())
                return self
            time.sleep(0.05)
        raise RuntimeError("recording server did not start")

    def __exit__(self, *exc):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=10)

    def requests(self):
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path) as f:
            return [json.loads(line) for line in f if line.strip()]


def run_cli(agent, home, port, turn, state, out_dir, idx):
    argv = agent.command(turn, state)
    env = agent.env(home, port)
    log("  $ " + " ".join(a if len(a) < 60 else a[:57] + "..." for a in argv))
    t0 = time.time()
    proc = subprocess.run(argv, cwd=PROJECT, env=env, stdin=subprocess.DEVNULL,
                          capture_output=True, text=True, timeout=agent.timeout)
    with open(os.path.join(out_dir, "turn%d.out" % idx), "w") as f:
        f.write("exit=%d seconds=%.1f\n--- stdout\n%s\n--- stderr\n%s" % (
            proc.returncode, time.time() - t0, proc.stdout, proc.stderr))
    return proc.returncode


def record_scenario(agent, scen, home, scratch):
    steps = []
    for turn in scen["turns"]:
        steps.extend(agent.script_steps(turn["steps"]))
    script = {"steps": steps, "aux": agent.aux_rules(), "aux_default": agent.aux_default,
              "model": agent.model}
    out_dir = os.path.join(scratch, scen["name"])
    before = agent.list_sessions(home)
    state = {"session_id": agent.fixed_session_id(scen["name"])}
    exits = []
    with Server(out_dir, script) as srv:
        agent.prepare_home(home, srv.port)
        for i, turn in enumerate(scen["turns"]):
            exits.append(run_cli(agent, home, srv.port, turn, state, out_dir, i))
            if state.get("session_id") is None or i == 0:
                new = [s for s in agent.list_sessions(home) if s not in before]
                if new:
                    state["session_id"] = new[-1]
        reqs = srv.requests()
    created = [s for s in agent.list_sessions(home) if s not in before]
    return created, reqs, exits


def expected_usage(reqs, agent):
    main = [r for r in reqs if r.get("kind") == "main" and "error" not in r.get("step", {})
            and r.get("step", {}).get("who") != "sub"]
    inp = sum(1000 + 100 * r["n"] for r in main)
    cached = sum(0 if r["n"] == 0 else 200 for r in main)
    out = sum(20 + r["n"] for r in main)
    return {"model_requests": len(main), "input_including_cache": inp,
            "input_excluding_cache": inp - cached, "cache_read": cached, "cache_write": 0,
            "output": out}


def record_agent(name, dest_root, keep_scratch):
    agent = agent_defs.AGENTS[name]
    dest = os.path.join(dest_root, "%s-%s" % (name, agent.version))
    scratch = os.path.join(WORK, "scratch-" + name)
    home = os.path.join(WORK, "home-" + name)
    for d in (scratch, home):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    reset_project()
    agent.check_installed()
    sessions = []
    by_name = {s["name"]: s for s in SCENARIOS}
    for scen in (by_name[n] for n in agent.order(by_name) if n in agent.scenarios):
        log("%s: scenario %s" % (name, scen["name"]))
        created, reqs, exits = record_scenario(agent, scen, home, scratch)
        if not created:
            raise SystemExit("%s/%s: the CLI wrote no session (see %s)" % (name, scen["name"], scratch))
        log("%s/%s: new sessions %s, exit codes %s" % (name, scen["name"], created, exits))
        exp = agent.expectation(scen, created, reqs, exits, state_id=agent.fixed_session_id(scen["name"]))
        exp["usage"] = expected_usage(reqs, agent)
        exp["cli_exit_codes"] = exits
        sessions.append(exp)
    shutil.rmtree(dest, ignore_errors=True)
    agent.copy_fixture(home, os.path.join(dest, "home"), sessions)
    for exp in sessions:
        problems = agent.check(os.path.join(dest, "home"), exp)
        if problems:
            raise SystemExit("%s/%s: recorded transcript disagrees with the scenario:\n  %s" % (
                name, exp["scenario"], "\n  ".join(problems)))
        log("%s/%s: transcript checked" % (name, exp["scenario"]))
    doc = {
        "agent": name, "package": agent.package, "version": agent.version,
        "recorded_by": "scripts/record_agent_fixtures.sh (real CLI run against "
                       "scripts/fixture_servers/recording_model_server.py on 127.0.0.1)",
        "recorded_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "node": subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip(),
        "home": "home", "home_path_when_recorded": home, "project_dir": PROJECT,
        "wire_api": agent.wire_api, "model": agent.model,
        "usage_note": agent.usage_note, "secret_planted": SECRET,
        "fixture_edits": agent.fixture_edits,
        "sessions": sessions,
    }
    with open(os.path.join(dest, "expected.json"), "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    if not keep_scratch:
        shutil.rmtree(home, ignore_errors=True)
    log("%s: wrote %s" % (name, dest))


def check_only(name, dest_root):
    """Re-read an existing fixture with the checkers (no CLI run) and refresh expected.json."""
    agent = agent_defs.AGENTS[name]
    dest = os.path.join(dest_root, "%s-%s" % (name, agent.version))
    path = os.path.join(dest, "expected.json")
    with open(path) as f:
        doc = json.load(f)
    doc["usage_note"], doc["fixture_edits"] = agent.usage_note, agent.fixture_edits
    for exp in doc["sessions"]:
        problems = agent.check(os.path.join(dest, "home"), exp)
        if problems:
            raise SystemExit("%s/%s: %s" % (name, exp["scenario"], "; ".join(problems)))
    with open(path, "w") as f:
        json.dump(doc, f, indent=2, ensure_ascii=False)
        f.write("\n")
    log("%s: %d sessions re-checked" % (name, len(doc["sessions"])))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("agents", nargs="*", default=sorted(agent_defs.AGENTS))
    ap.add_argument("--dest", default=os.path.join(REPO, "tests", "data", "agents"))
    ap.add_argument("--keep-scratch", action="store_true")
    ap.add_argument("--check-only", action="store_true",
                    help="re-check the committed fixtures against the checkers; run no CLI")
    args = ap.parse_args()
    for name in args.agents:
        if name not in agent_defs.AGENTS:
            raise SystemExit("unknown agent %s (known: %s)" % (name, ", ".join(sorted(agent_defs.AGENTS))))
    if args.check_only:
        for name in args.agents:
            check_only(name, args.dest)
        return
    os.makedirs(WORK, exist_ok=True)
    for name in args.agents:
        record_agent(name, args.dest, args.keep_scratch)


if __name__ == "__main__":
    main()
