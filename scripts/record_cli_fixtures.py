#!/usr/bin/env python3
"""Records tests/data/cli/ fixtures with the real agent CLIs (run it through
scripts/record_cli_fixtures.sh, which installs the pinned CLIs and finds the server).

For each scenario in tests/data/cli/scenarios/scenarios.json and each CLI it applies to:
start scripted_model_server with the scenario's script, run the CLI's turns in the fixed
project, check the outcome the scenario declares against the CLI's own event stream (and the
server's request log), note the files the session wrote, reset the project. Only when every
scenario of every CLI checked out are the transcripts copied (byte for byte, never edited)
into the agent homes under tests/data/cli/ and expected.json written.
"""
import argparse
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "tests" / "data" / "cli"
SCENARIOS = DATA / "scenarios"
SCRATCH = Path("/tmp/skillpipe-fixture")
HOME = SCRATCH / "home"
PROJECT = SCRATCH / "project"
LOGS = SCRATCH / "logs"
CLAUDE_DIR = HOME / ".claude"
CODEX_HOME = HOME / ".codex"
AGENTS = ("claude-code", "codex")
MODEL_KEY = "fixture-key-not-a-secret"


def die(msg):
    print(f"record_cli_fixtures: {msg}", file=sys.stderr)
    sys.exit(1)


def say(msg):
    print(f"record_cli_fixtures: {msg}", file=sys.stderr, flush=True)


# --- the fixture project ----------------------------------------------------------------

GIT_ID = {"GIT_AUTHOR_NAME": "Ada Lovelace", "GIT_AUTHOR_EMAIL": "ada@example.com",
          "GIT_COMMITTER_NAME": "Ada Lovelace", "GIT_COMMITTER_EMAIL": "ada@example.com"}


def git(*args, date=None):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(HOME), "GIT_CONFIG_NOSYSTEM": "1", "TZ": "UTC", **GIT_ID}
    if date:
        env["GIT_AUTHOR_DATE"] = env["GIT_COMMITTER_DATE"] = date
    return subprocess.run(["git", *args], cwd=PROJECT, env=env, check=True, capture_output=True, text=True).stdout


def make_project():
    """A small git repository with three merged pull requests; fixed names and dates keep
    every commit hash (and so every `git log` the sessions run) identical across recordings."""
    PROJECT.mkdir(parents=True)
    git("init", "-q", "-b", "main")
    (PROJECT / "README.md").write_text("# widget\n\nA tiny command line tool.\n")
    (PROJECT / "CLAUDE.md").write_text("Run the tests with `./run-tests.sh`.\n")
    (PROJECT / "AGENTS.md").write_text("Run the tests with `./run-tests.sh`.\n")
    (PROJECT / "run-tests.sh").write_text("#!/bin/sh\necho 'all 3 tests passed'\n")
    (PROJECT / "run-tests.sh").chmod(0o755)
    git("add", "-A")
    git("commit", "-q", "-m", "Initial commit", date="2026-11-02T09:00:00Z")
    prs = [("feature/login", "login.py", "def login():\n    return True\n", "Add the login command"),
           ("fix/empty-input", "parse.py", "def parse(s):\n    return s or ''\n", "Fix the crash on empty input"),
           ("docs/cli-flags", "FLAGS.md", "# Flags\n\n--verbose\n", "Document the command line flags")]
    for n, (branch, path, text, title) in enumerate(prs, start=1):
        day = f"2026-11-{2 + 2 * n:02d}"
        git("checkout", "-q", "-b", branch)
        (PROJECT / path).write_text(text)
        git("add", path)
        git("commit", "-q", "-m", title, date=f"{day}T10:00:00Z")
        git("checkout", "-q", "main")
        git("merge", "-q", "--no-ff", branch, "-m", f"Merge pull request #{n} from acme/{branch}",
            date=f"{day}T15:00:00Z")
        git("branch", "-q", "-d", branch)


def reset_project():
    git("reset", "-q", "--hard")
    git("clean", "-qfdx")


def files_written():
    out = git("status", "--porcelain", "--untracked-files=all")
    paths = [line[3:] for line in out.splitlines()]
    return sorted(p for p in paths if not p.startswith((".claude/", ".agents/")))


def install_skills(names):
    for name in names:
        for root in (".claude/skills", ".agents/skills"):
            shutil.copytree(SCENARIOS / "skills" / name, PROJECT / root / name)


# --- server and CLIs ----------------------------------------------------------------------

class Server:
    def __init__(self, binary, script, prefix, log):
        port_file = LOGS / f"{prefix}.port"
        port_file.unlink(missing_ok=True)
        self.proc = subprocess.Popen([binary, "--script", str(script), "--log", str(log), "--id-prefix", prefix,
                                      "--port-file", str(port_file)], stdout=subprocess.DEVNULL)
        for _ in range(500):
            if port_file.exists():
                self.port = int(port_file.read_text())
                return
            if self.proc.poll() is not None:
                die(f"scripted_model_server exited ({self.proc.returncode}) for {script}")
            time.sleep(0.01)
        die("scripted_model_server did not start")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        self.proc.wait(timeout=20)


def base_env(extra):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(HOME), "LANG": "C.UTF-8", "TZ": "UTC", "TERM": "dumb"}
    env.update(extra)
    return env


def claude_command(bins, turn, session_id):
    cmd = [bins["claude-code"], "-p", turn["prompt"], "--output-format", "stream-json", "--verbose",
           "--permission-mode", "acceptEdits", "--allowedTools", "Bash"]
    if "max_turns" in turn:
        cmd += ["--max-turns", str(turn["max_turns"])]
    if turn.get("resume") == "continue":
        cmd.append("--continue")
    elif turn.get("resume") == "id":
        cmd += ["--resume", session_id]
    else:  # a new session, with an id fixed per scenario so re-recording keeps the file names
        cmd += ["--session-id", session_id]
    env = base_env({"CLAUDE_CONFIG_DIR": str(CLAUDE_DIR), "ANTHROPIC_API_KEY": MODEL_KEY,
                    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1",
                    "DISABLE_TELEMETRY": "1", "DISABLE_ERROR_REPORTING": "1", "CLAUDE_CODE_MAX_RETRIES": "0"})
    return cmd, env


def codex_command(bins, turn, session_id):
    cmd = [bins["codex"], "exec"]
    if turn.get("resume") == "continue":
        cmd += ["resume", "--last"]
    elif turn.get("resume") == "id":
        cmd += ["resume", session_id]
    cmd += ["--json", turn["prompt"]]
    return cmd, base_env({"CODEX_HOME": str(CODEX_HOME), "SKILLPIPE_MODEL_KEY": MODEL_KEY})


def write_codex_config(port):
    CODEX_HOME.mkdir(parents=True, exist_ok=True)
    (CODEX_HOME / "config.toml").write_text(f"""# written by scripts/record_cli_fixtures.py
model = "gpt-5.5"
model_provider = "scripted"
approval_policy = "never"
sandbox_mode = "workspace-write"

[model_providers.scripted]
name = "scripted loopback model"
base_url = "http://127.0.0.1:{port}/v1"
wire_api = "responses"
env_key = "SKILLPIPE_MODEL_KEY"
request_max_retries = 0
stream_max_retries = 0
stream_idle_timeout_ms = 30000

[projects."{PROJECT}"]
trust_level = "trusted"
""")


def wait_for_model_call(log, timeout_s=60):
    """Until the server has logged a model call (the CLI is then waiting on its stream)."""
    deadline = time.time() + timeout_s
    while time.time() < deadline:
        if log.exists() and any(r.get("api") for r in read_jsonl(log)):
            return
        time.sleep(0.1)
    die(f"no model call reached the server within {timeout_s} s ({log})")


def run_turn(agent, bins, turn, session_id, port, stream_file, err_file, log):
    if agent == "claude-code":
        cmd, env = claude_command(bins, turn, session_id)
        env["ANTHROPIC_BASE_URL"] = f"http://127.0.0.1:{port}"
    else:
        write_codex_config(port)
        cmd, env = codex_command(bins, turn, session_id)
    with open(stream_file, "ab") as out, open(err_file, "ab") as err:
        proc = subprocess.Popen(cmd, cwd=PROJECT, env=env, stdin=subprocess.DEVNULL, stdout=out, stderr=err)
        try:
            if turn.get("interrupt") == "mid-stream":
                wait_for_model_call(log)
                time.sleep(1)  # the first events have arrived; the stream now stalls
                proc.send_signal(signal.SIGINT)
            return proc.wait(timeout=120)
        except subprocess.TimeoutExpired:
            proc.kill()
            die(f"{agent} did not finish within 120 s: {' '.join(cmd)}")


def session_files(agent):
    if agent == "claude-code":
        return set(CLAUDE_DIR.glob("projects/*/*.jsonl"))
    return set(CODEX_HOME.glob("sessions/*/*/*/rollout-*.jsonl"))


# --- facts from the CLI's own event stream ------------------------------------------------

def read_jsonl(path):
    out = []
    for line in Path(path).read_text().splitlines():
        line = line.strip()
        if line.startswith("{"):
            out.append(json.loads(line))
    return out


def claude_facts(events, turns):
    commands, skills, results, finals = [], [], [], []
    calls = {}
    facts = {"session_id": None, "skills_listed": []}
    for e in events:
        if e.get("type") == "system" and e.get("subtype") == "init":
            facts["session_id"] = e["session_id"]
            facts["skills_listed"] = e.get("skills", [])
        for block in (e.get("message") or {}).get("content") or []:
            if not isinstance(block, dict):
                continue
            if block.get("type") == "tool_use":
                calls[block["id"]] = block
                if block["name"] == "Skill":
                    skills.append(block["input"].get("skill"))
            elif block.get("type") == "tool_result" and calls.get(block["tool_use_id"], {}).get("name") == "Bash":
                text = block["content"] if isinstance(block["content"], str) else json.dumps(block["content"])
                m = re.match(r"Exit code (\d+)", text)
                code = int(m.group(1)) if m else (1 if block.get("is_error") else 0)
                commands.append({"command": calls[block["tool_use_id"]]["input"]["command"], "exit_code": code})
        if e.get("type") == "result":
            results.append(e)
    last = results[-1] if len(results) == len(turns) else None
    if last is None or last.get("subtype") in ("error_max_turns", "error_during_execution"):
        outcome = "aborted"
    elif last.get("is_error") and (last.get("api_error_status") or str(last.get("result", "")).startswith("API Error")):
        outcome = "failed-api"
    elif last.get("num_turns") == 0:
        outcome = "local-command"
    elif commands and commands[-1]["exit_code"] != 0:
        outcome = "failed-command"
    else:
        outcome = "success"
    facts.update(outcome=outcome, commands=commands, skills_invoked=skills,
                 final_answer=last.get("result") if last else None,
                 usage=[{"input_tokens": r["usage"]["input_tokens"], "output_tokens": r["usage"]["output_tokens"],
                         "cache_read_input_tokens": r["usage"]["cache_read_input_tokens"],
                         "cache_creation_input_tokens": r["usage"]["cache_creation_input_tokens"],
                         "total_cost_usd": r.get("total_cost_usd")} for r in results])
    return facts


def codex_facts(events, turns, server_log):
    codes, finals, usage = [], [], []
    facts = {"session_id": None}
    ended = []
    for e in events:
        t = e.get("type")
        if t == "thread.started":
            facts["session_id"] = e["thread_id"]
        elif t == "item.completed" and e["item"].get("type") == "command_execution":
            codes.append(e["item"]["exit_code"])
        elif t == "item.completed" and e["item"].get("type") == "agent_message":
            finals.append(e["item"]["text"])
        elif t in ("turn.completed", "turn.failed"):
            ended.append(t)
            if t == "turn.completed":
                usage.append(e["usage"])
    # The commands as the model issued them (the stream shows them wrapped in /bin/bash -lc).
    cmds, skills = [], []
    for r in server_log:
        for call in r["reply"]["tool_calls"]:
            if call["name"] == "exec_command":
                cmds.append(call["input"]["cmd"])
        if r["rule"].startswith("skill_agent:load "):
            skills.append(r["rule"][len("skill_agent:load "):])
    if len(cmds) < len(codes):
        die(f"codex ran {len(codes)} commands but the server asked for {len(cmds)}")
    commands = [{"command": c, "exit_code": code} for c, code in zip(cmds, codes)]
    if len(ended) < len(turns):
        outcome = "aborted"
    elif ended[-1] == "turn.failed":
        outcome = "failed-api"
    elif commands and commands[-1]["exit_code"] != 0:
        outcome = "failed-command"
    else:
        outcome = "success"
    facts.update(outcome=outcome, commands=commands, skills_invoked=skills,
                 final_answer=finals[-1] if finals and outcome != "failed-api" else None, usage=usage)
    return facts


# --- recording ----------------------------------------------------------------------------

def cli_version(agent, binary):
    out = subprocess.run([binary, "--version"], env=base_env({}), capture_output=True, text=True).stdout
    m = re.search(r"(\d+\.\d+\.\d+)", out)
    if not m:
        die(f"cannot read the {agent} version from '{out.strip()}'")
    return m.group(1)


def record_scenario(agent, s, bins, server_bin):
    prefix = f"{agent}-{s['name']}"
    log = LOGS / f"{prefix}.requests.jsonl"
    stream = LOGS / f"{prefix}.stream.jsonl"
    for p in (log, stream):
        p.unlink(missing_ok=True)
    install_skills(s.get("skills", []))
    before = session_files(agent)
    server = Server(server_bin, SCENARIOS / s["script"], prefix, log)
    # Claude Code takes a session id (--session-id); Codex picks its own thread id.
    session_id = str(uuid.uuid5(uuid.NAMESPACE_URL, f"skillpipe-fixture/{prefix}")) if agent == "claude-code" else None
    codes = []
    try:
        for turn in s["turns"]:
            codes.append(run_turn(agent, bins, turn, session_id, server.port, stream, LOGS / f"{prefix}.stderr", log))
            if session_id is None:
                for e in read_jsonl(stream):
                    session_id = e.get("session_id") or e.get("thread_id") or session_id
    finally:
        server.stop()
    files = sorted(session_files(agent) - before)
    if len(files) != 1:  # --continue and resume append to the session the first turn created
        die(f"{prefix}: expected one new session file, found {[str(p) for p in files]}")
    events = read_jsonl(stream)
    requests = read_jsonl(log) if log.exists() else []
    facts = claude_facts(events, s["turns"]) if agent == "claude-code" else codex_facts(events, s["turns"], requests)
    facts["files_written"] = files_written()
    facts["cli_exit_codes"] = codes
    facts["model_calls"] = sum(1 for r in requests if r["api"])
    check(prefix, s, agent, facts, files[0])
    reset_project()
    return files[0], facts, stream, requests


def check(prefix, s, agent, facts, transcript):
    want = s["expect"]
    problems = []
    if facts["outcome"] != want["outcome"]:
        problems.append(f"outcome {facts['outcome']} (expected {want['outcome']})")
    got_codes = [c["exit_code"] for c in facts["commands"]]
    if got_codes != want["exit_codes"][agent]:
        problems.append(f"exit codes {got_codes} (expected {want['exit_codes'][agent]})")
    if facts["files_written"] != want["files_written"]:
        problems.append(f"files written {facts['files_written']} (expected {want['files_written']})")
    if "skills_invoked" in want and facts["skills_invoked"] != want["skills_invoked"]:
        problems.append(f"skills invoked {facts['skills_invoked']} (expected {want['skills_invoked']})")
    text = transcript.read_text()
    for secret in s.get("secrets", []):
        if secret["value"] not in text:
            problems.append(f"the planted {secret['kind']} is not in the transcript")
    if problems:
        die(f"{prefix}: " + "; ".join(problems) + f" (logs in {LOGS})")
    say(f"{prefix}: {facts['outcome']}, {len(facts['commands'])} commands, {facts['model_calls']} model calls")


def agent_dir(agent, version):
    return f"{agent}-{version}"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--server", required=True)
    ap.add_argument("--claude", required=True)
    ap.add_argument("--codex", required=True)
    ap.add_argument("--only", choices=AGENTS, action="append")
    ap.add_argument("--keep", action="store_true")
    args = ap.parse_args()
    bins = {"claude-code": args.claude, "codex": args.codex}
    manifest = json.loads((SCENARIOS / "scenarios.json").read_text())["scenarios"]
    shutil.rmtree(SCRATCH, ignore_errors=True)
    for d in (HOME, LOGS):
        d.mkdir(parents=True)
    make_project()
    recorded = {}
    for agent in args.only or AGENTS:
        version = cli_version(agent, bins[agent])
        sessions = []
        for s in manifest:
            if agent in s.get("agents", AGENTS):
                sessions.append((s, *record_scenario(agent, s, bins, args.server)))
        recorded[agent] = (version, sessions)
    publish(recorded)
    if not args.keep:
        shutil.rmtree(SCRATCH, ignore_errors=True)


# --- writing the fixtures -----------------------------------------------------------------

def publish(recorded):
    expected_path = DATA / "expected.json"
    expected = json.loads(expected_path.read_text()) if expected_path.exists() else {"sessions": []}
    keep = [e for e in expected["sessions"] if e["agent"] not in recorded]
    for agent, (version, sessions) in recorded.items():
        home_name = agent_dir(agent, version)
        for old in DATA.glob(f"{agent}-*"):
            shutil.rmtree(old)
        shutil.rmtree(DATA / "streams" / home_name, ignore_errors=True)
        src_root = CLAUDE_DIR if agent == "claude-code" else CODEX_HOME
        for s, transcript, facts, stream, requests in sessions:
            rel = transcript.relative_to(src_root)
            dest = DATA / home_name / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(transcript, dest)
            stream_dest = DATA / "streams" / home_name / f"{s['name']}.jsonl"
            stream_dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(stream, stream_dest)
            if s["name"] == "skill-invoked" and requests:
                save_request(home_name, requests)
            keep.append(entry(agent, version, home_name, s, rel, facts))
    keep.sort(key=lambda e: (e["agent"], e["scenario"]))
    expected = {"comment": "Generated by scripts/record_cli_fixtures.sh; see tests/data/cli/README.md.",
                "project": str(PROJECT), "sessions": keep}
    expected_path.write_text(json.dumps(expected, indent=2, ensure_ascii=False) + "\n")
    say(f"wrote {len(keep)} sessions to {DATA}")


def save_request(home_name, requests):
    first = next(r for r in requests if r["api"])
    dest = DATA / "requests" / f"{home_name}.json"
    dest.parent.mkdir(parents=True, exist_ok=True)
    dest.write_text(json.dumps(first["body"], indent=1, ensure_ascii=False) + "\n")


def entry(agent, version, home_name, s, rel, facts):
    return {
        "agent": agent, "version": version, "home": home_name, "file": str(rel),
        "session_id": facts["session_id"], "scenario": s["name"],
        "prompts": [t["prompt"] for t in s["turns"]],
        "resumed": [t.get("resume") for t in s["turns"][1:]],
        "outcome": facts["outcome"], "final_answer": facts["final_answer"],
        "commands": facts["commands"], "files_written": facts["files_written"],
        "skills_invoked": facts["skills_invoked"],
        "secrets": s.get("secrets", []),
        "model_calls": facts["model_calls"], "usage_per_turn": facts["usage"],
        "cli_exit_codes": facts["cli_exit_codes"],
        "stream": f"streams/{home_name}/{s['name']}.jsonl",
    }


if __name__ == "__main__":
    main()
