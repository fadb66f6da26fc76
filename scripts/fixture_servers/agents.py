"""Per-agent knowledge for record_fixtures.py: how to run each pinned CLI offline, where it
writes sessions, and a checker that re-reads a recorded session the way docs/formats/<agent>.md
says a harvester should. A checker failure means the documentation is wrong, not the agent.
"""
import glob
import re
import json
import os
import shutil
import sqlite3
import uuid

from scenarios import SECRET

CACHE = os.path.join(os.path.expanduser("~"), ".cache", "skillpipe", "agents")
BASE_PATH = "/usr/local/bin:/usr/bin:/bin"


def base_env(home):
    env = {"HOME": home, "PATH": os.path.dirname(shutil.which("node") or "/usr/bin/node") + ":" + BASE_PATH,
           "LANG": "C.UTF-8", "TERM": "dumb", "NO_COLOR": "1", "CI": "1", "TZ": "UTC",
           "NO_PROXY": "127.0.0.1,localhost", "no_proxy": "127.0.0.1,localhost"}
    return env


def read_jsonl(path):
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.strip()
            if line:
                out.append(json.loads(line))
    return out


PROJECT = os.path.join(os.environ.get("SKILLPIPE_FIXTURE_WORK", "/tmp/skillpipe-formats"), "demo-app")


def project_path(name):
    return os.path.join(PROJECT, name)


def rel(path, root):
    return os.path.relpath(path, root)


class Agent:
    name = ""
    package = ""
    version = ""
    binary = ""
    model = "scripted-model"
    wire_api = ""
    usage_note = ""
    aux_default = "Fixture session"
    timeout = 240
    scenarios = ("success", "shell_fail", "api_error", "secret", "resume", "praise", "subagent")
    shell_tool = write_tool = subagent_tool = ""
    fixture_edits = "none: files are byte-for-byte what the CLI wrote"
    probe_unset = ()

    @property
    def prefix(self):
        return os.path.join(CACHE, "%s-%s" % (self.name, self.version))

    @property
    def bin(self):
        return os.path.join(self.prefix, "node_modules", ".bin", self.binary)

    def check_installed(self):
        if not os.path.exists(self.bin):
            raise SystemExit("%s %s is not installed at %s (run scripts/record_agent_fixtures.sh)" % (
                self.package, self.version, self.prefix))

    def fixed_session_id(self, scenario):
        return None

    def aux_rules(self):
        return []

    # ---- script ---------------------------------------------------------
    def shell_args(self, command):
        return {"command": command}

    def write_args(self, path, content):
        return {"file_path": project_path(path), "content": content}

    def subagent_args(self, prompt):
        raise NotImplementedError

    def sub_steps(self, answer):
        return [{"text": answer, "who": "sub"}]

    def script_steps(self, steps):
        out = []
        for st in steps:
            kind = st[0]
            if kind == "write":
                out.append({"tool_calls": [{"name": self.write_tool, "args": self.write_args(st[1], st[2])}]})
            elif kind == "shell":
                out.append({"tool_calls": [{"name": self.shell_tool, "args": self.shell_args(st[1])}]})
            elif kind == "text":
                out.append({"text": st[1]})
            elif kind == "error":
                out.append({"error": {"status": st[1], "message": st[2], "repeat": 1}})
            elif kind == "subagent":
                out.append({"tool_calls": [{"name": self.subagent_tool, "args": self.subagent_args(st[1])}]})
            elif kind == "sub_text":
                out.extend(self.sub_steps(st[1]))
        return out

    # ---- expectations -----------------------------------------------------
    def expectation(self, scen, created, reqs, exits, state_id=None):
        prompts, calls, files, final, api_error = [], [], [], None, None
        for turn in scen["turns"]:
            prompts.append(turn["prompt"])
            for st in turn["steps"]:
                if st[0] == "write":
                    calls.append({"tool": self.write_tool, "ok": True})
                    files.append(project_path(st[1]))
                elif st[0] == "shell":
                    calls.append({"tool": self.shell_tool, "ok": st[2]})
                    files.extend(project_path(f) for f in st[3])
                elif st[0] == "subagent":
                    calls.append({"tool": self.subagent_tool, "ok": True})
                elif st[0] == "text":
                    final = st[1]
                elif st[0] == "error":
                    api_error = st[2]
        sid = state_id if state_id in created else self.main_session(created, scen)
        exp = {"scenario": scen["name"], "session_id": sid,
               "all_sessions": created, "outcome": scen["outcome"], "prompts": prompts,
               "final_answer": final, "tool_calls": calls, "tool_errors": sum(not c["ok"] for c in calls),
               "files_written": sorted(set(files)), "feedback": scen.get("feedback"),
               "api_error": api_error, "turns": len(scen["turns"]),
               "resumed": any(t.get("resume") for t in scen["turns"]),
               "secret_must_be_redacted": SECRET if scen.get("secret") else None}
        return exp

    def main_session(self, created, scen):
        return created[0]

    def order(self, names):
        return list(names)


# =============================================================================
class QwenCode(Agent):
    name, package, version, binary = "qwen-code", "@qwen-code/qwen-code", "0.15.10", "qwen"
    wire_api = "OpenAI Chat Completions (stream) via OPENAI_BASE_URL"
    usage_note = ("assistant.usageMetadata per model response: promptTokenCount INCLUDES "
                  "cachedContentTokenCount (OpenAI prompt_tokens semantics); candidatesTokenCount = output")
    shell_tool, write_tool, subagent_tool = "run_shell_command", "write_file", "agent"

    def fixed_session_id(self, scenario):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "skillpipe-fixture/qwen/" + scenario))

    def aux_rules(self):
        # 0.15.x runs a "managed memory extraction subagent" (with tools) after turns.
        return [{"match": "managed memory extraction subagent", "text": "Nothing durable to remember."}]

    def subagent_args(self, prompt):
        return {"description": "List project files", "prompt": prompt, "subagent_type": "general-purpose"}

    def prepare_home(self, home, port):
        os.makedirs(os.path.join(home, ".qwen"), exist_ok=True)
        settings = {"security": {"auth": {"selectedType": "openai"}}, "model": {"name": self.model},
                    "general": {"enableAutoUpdate": False}, "privacy": {"usageStatisticsEnabled": False},
                    "telemetry": {"enabled": False}, "ide": {"enabled": False}}
        with open(os.path.join(home, ".qwen", "settings.json"), "w") as f:
            json.dump(settings, f)

    def env(self, home, port):
        env = base_env(home)
        env.update({"OPENAI_API_KEY": "sk-fixture", "OPENAI_BASE_URL": "http://127.0.0.1:%d/v1" % port,
                    "OPENAI_MODEL": self.model, "QWEN_CODE_DISABLE_PRECONNECT": "1"})
        return env

    def command(self, turn, state):
        argv = [self.bin, turn["prompt"], "--yolo", "--model", self.model]
        if turn.get("resume") == "id":
            argv += ["--resume", state["session_id"]]
        elif turn.get("resume") == "continue":
            argv += ["--continue"]
        elif state.get("session_id"):
            argv += ["--session-id", state["session_id"]]
        return argv

    def list_sessions(self, home):
        return sorted(os.path.basename(p)[:-6] for p in
                      glob.glob(os.path.join(home, ".qwen", "projects", "*", "chats", "*.jsonl")))

    def copy_fixture(self, home, dest, sessions=()):
        shutil.copytree(os.path.join(home, ".qwen", "projects"), os.path.join(dest, ".qwen", "projects"))

    def session_files(self, home, sid):
        return glob.glob(os.path.join(home, ".qwen", "projects", "*", "chats", sid + ".jsonl"))

    def check(self, home, exp):
        files = self.session_files(home, exp["session_id"])
        if len(files) != 1:
            return ["expected one chats/%s.jsonl, found %d" % (exp["session_id"], len(files))]
        exp["files"] = [rel(files[0], os.path.dirname(home))]
        subs = glob.glob(os.path.join(os.path.dirname(os.path.dirname(files[0])), "subagents",
                                      exp["session_id"], "agent-*.jsonl"))
        if exp["scenario"] == "subagent":
            exp["subagent"] = {"files": [rel(p, os.path.dirname(home)) for p in subs],
                               "note": "foreground sub-agent: no file; its answer is the `agent` "
                                       "tool result (resultDisplay.type task_execution)"}
        recs = read_jsonl(files[0])
        prompts, calls, usage, final, api_errors = [], [], [0, 0, 0], None, []
        for r in recs:
            t = r.get("type")
            if t == "user" and not r.get("subtype"):
                parts = (r.get("message") or {}).get("parts") or []
                prompts.append("".join(p.get("text", "") for p in parts if "text" in p))
            elif t == "assistant":
                um = r.get("usageMetadata") or {}
                usage[0] += um.get("promptTokenCount", 0)
                usage[1] += um.get("cachedContentTokenCount", 0)
                usage[2] += um.get("candidatesTokenCount", 0)
                texts = [p["text"] for p in (r.get("message") or {}).get("parts") or []
                         if "text" in p and not p.get("thought")]
                if texts:
                    final = "".join(texts)
            elif t == "tool_result":
                tcr = r.get("toolCallResult") or {}
                fr = ((r.get("message") or {}).get("parts") or [{}])[0].get("functionResponse", {})
                ok = tcr.get("status") == "success"
                # run_shell_command reports status "success" for a command that exited non-zero;
                # the exit code is only in the response text.
                m = re.search(r"\nExit Code: (\d+)", str((fr.get("response") or {}).get("output", "")))
                if m and m.group(1) != "0":
                    ok = False
                calls.append({"tool": fr.get("name"), "ok": ok})
            elif t == "system" and r.get("subtype") == "ui_telemetry":
                ev = (r.get("systemPayload") or {}).get("uiEvent") or {}
                if ev.get("event.name") == "qwen-code.api_error":
                    api_errors.append(ev.get("error_message"))
        return compare(exp, prompts, calls, final, api_errors,
                       {"input_including_cache": usage[0], "cache_read": usage[1], "output": usage[2]})


def compare(exp, prompts, calls, final, api_errors, usage):
    problems = []
    if prompts != exp.get("prompts_as_stored", exp["prompts"]):
        problems.append("prompts %r != %r" % (prompts, exp.get("prompts_as_stored", exp["prompts"])))
    if calls != exp["tool_calls"]:
        problems.append("tool calls %r != %r" % (calls, exp["tool_calls"]))
    if exp["final_answer"] and final != exp["final_answer"]:
        problems.append("final answer %r != %r" % (final, exp["final_answer"]))
    if exp["api_error"] and exp.get("api_error_recorded", True) and \
            not any(exp["api_error"] in (e or "") for e in api_errors):
        problems.append("api error %r not recorded (recorded: %r)" % (exp["api_error"], api_errors))
    for k, v in usage.items():
        if exp["usage"][k] != v:
            problems.append("usage %s recorded %d, server sent %d" % (k, v, exp["usage"][k]))
    return problems


# =============================================================================
class GeminiCli(Agent):
    name, package, version, binary = "gemini-cli", "@google/gemini-cli", "0.61.0", "gemini"
    model = "gemini-2.5-pro"
    wire_api = "Gemini API streamGenerateContent (SSE) via GOOGLE_GEMINI_BASE_URL + GEMINI_API_KEY"
    usage_note = ("gemini message .tokens per model response: input = promptTokenCount, which "
                  "INCLUDES cached = cachedContentTokenCount; output = candidatesTokenCount")
    shell_tool, write_tool, subagent_tool = "run_shell_command", "write_file", "invoke_agent"

    def fixed_session_id(self, scenario):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "skillpipe-fixture/gemini/" + scenario))

    def shell_args(self, command):
        return {"command": command, "description": "run " + command.split()[0]}

    def subagent_args(self, prompt):
        return {"agent_name": "generalist", "prompt": prompt}

    def sub_steps(self, answer):
        # A gemini sub-agent can only finish by calling complete_task.
        return [{"tool_calls": [{"name": "complete_task", "args": {"result": {"response": answer}}}],
                 "who": "sub"}]

    def order(self, names):
        # Every start deletes sessions without resumable content (sessionCleanup.ts); the
        # api_error session is one, so it is recorded last to survive into the fixture.
        return [n for n in names if n != "api_error"] + [n for n in names if n == "api_error"]

    def expectation(self, scen, created, reqs, exits, state_id=None):
        exp = Agent.expectation(self, scen, created, reqs, exits, state_id)
        if scen["name"] == "api_error":
            exp["prompts_as_stored"] = []
            exp["api_error_recorded"] = False
            exp["note"] = ("headless gemini records no error message; after the failed request a "
                           "$set.messages line rolls the prompt back out of the history, and the next "
                           "gemini start deletes this session (no resumable content)")
        return exp

    def prepare_home(self, home, port):
        os.makedirs(os.path.join(home, ".gemini"), exist_ok=True)
        settings = {"security": {"auth": {"selectedType": "gemini-api-key"}},
                    "general": {"disableAutoUpdate": True, "disableUpdateNag": True,
                                "enableAutoUpdate": False, "enableAutoUpdateNotification": False},
                    "privacy": {"usageStatisticsEnabled": False},
                    "telemetry": {"enabled": False, "logPrompts": False},
                    "ide": {"enabled": False}}
        with open(os.path.join(home, ".gemini", "settings.json"), "w") as f:
            json.dump(settings, f)

    def env(self, home, port):
        env = base_env(home)
        env["TMPDIR"] = os.path.join(home, "tmp")  # error reports go to os.tmpdir()
        os.makedirs(env["TMPDIR"], exist_ok=True)
        env.update({"GEMINI_API_KEY": "fixture-key", "GOOGLE_GEMINI_BASE_URL": "http://127.0.0.1:%d" % port,
                    "GEMINI_CLI_TRUST_WORKSPACE": "true", "GEMINI_TELEMETRY_ENABLED": "false"})
        return env

    def command(self, turn, state):
        argv = [self.bin, "-p", turn["prompt"], "--yolo", "-m", self.model]
        if turn.get("resume") == "id":
            argv += ["--resume", state["session_id"]]
        elif turn.get("resume") == "continue":
            argv += ["--resume", "latest"]
        elif state.get("session_id"):
            argv += ["--session-id", state["session_id"]]
        return argv

    def _files(self, home):
        return sorted(glob.glob(os.path.join(home, ".gemini", "tmp", "*", "chats", "session-*.json*")))

    def list_sessions(self, home):
        out = []
        for p in self._files(home):
            with open(p) as f:
                first = f.readline()
            try:
                out.append(json.loads(first)["sessionId"])
            except (ValueError, KeyError):
                pass
        return out

    def copy_fixture(self, home, dest, sessions=()):
        src = os.path.join(home, ".gemini")
        for p in glob.glob(os.path.join(src, "tmp", "*", "chats")):
            shutil.copytree(p, os.path.join(dest, ".gemini", rel(p, src)))
        for p in glob.glob(os.path.join(src, "tmp", "*", "logs.json")):
            shutil.copy2(p, os.path.join(dest, ".gemini", rel(p, src)))
        for p in glob.glob(os.path.join(src, "*", "*", ".project_root")) + [os.path.join(src, "projects.json")]:
            if os.path.exists(p):
                os.makedirs(os.path.dirname(os.path.join(dest, ".gemini", rel(p, src))), exist_ok=True)
                shutil.copy2(p, os.path.join(dest, ".gemini", rel(p, src)))

    @staticmethod
    def load(path):
        """Replay a session .jsonl: message lines upsert by id, `$set.messages` replaces the list
        (its copies lack toolCalls/tokens/model after a resume, so earlier facts for the same id
        are kept), `$rewindTo` drops a message and everything after it. Returns
        (metadata, messages in order, messages rolled out by `$set.messages`)."""
        meta, msgs, gone = {}, {}, {}

        def merge(m):
            old = msgs.get(m["id"]) or gone.pop(m["id"], None)
            if old is None:
                return dict(m)
            new = dict(old)
            for k, v in m.items():
                if k == "timestamp" and "timestamp" in old:
                    continue  # resume rewrites timestamps; the first one is when it happened
                new[k] = v
            return new

        for r in read_jsonl(path):
            if "$rewindTo" in r:
                keys = list(msgs)
                cut = keys.index(r["$rewindTo"]) if r["$rewindTo"] in msgs else 0
                for k in keys[cut:]:
                    del msgs[k]
            elif "id" in r and "type" in r:
                msgs[r["id"]] = merge(r)
            elif "$set" in r:
                if isinstance(r["$set"].get("messages"), list):
                    new = {}
                    for m in r["$set"]["messages"]:
                        new[m["id"]] = merge(m)
                    for k, v in msgs.items():
                        if k not in new:
                            gone[k] = v
                    msgs = new
                meta.update({k: v for k, v in r["$set"].items() if k != "messages"})
            else:
                meta.update(r)
        return meta, list(msgs.values()), list(gone.values())

    def check(self, home, exp):
        files = [p for p in self._files(home) if self.list_sessions_of(p) == exp["session_id"]]
        if len(files) != 1:
            return ["expected one session file for %s, found %d" % (exp["session_id"], len(files))]
        exp["files"] = [rel(files[0], os.path.dirname(home))]
        subs = sorted(glob.glob(os.path.join(os.path.dirname(files[0]), exp["session_id"], "*.jsonl")))
        if subs:
            exp["subagent"] = {"files": [rel(p, os.path.dirname(home)) for p in subs],
                               "note": "kind:subagent session files of this parent; not sessions of their own"}
        meta, msgs, _ = self.load(files[0])
        prompts, calls, usage, final, errors = [], [], [0, 0, 0], None, []
        for m in msgs:
            content = m.get("content")
            if m["type"] == "user":
                if isinstance(content, str):
                    text = content
                else:
                    text = "".join(p.get("text", "") for p in content or [] if isinstance(p, dict))
                if text and not text.startswith("<session_context>"):
                    prompts.append(text)
            elif m["type"] == "gemini":
                tok = m.get("tokens") or {}
                usage[0] += tok.get("input", 0)
                usage[1] += tok.get("cached", 0)
                usage[2] += tok.get("output", 0)
                for tc in m.get("toolCalls") or []:
                    calls.append({"tool": tc["name"], "ok": gemini_tool_ok(tc)})
                if isinstance(content, str) and content:
                    final = content
            elif m["type"] == "error":
                errors.append(content if isinstance(content, str) else json.dumps(content))
        return compare(exp, prompts, calls, final, errors,
                       {"input_including_cache": usage[0], "cache_read": usage[1], "output": usage[2]})

    def list_sessions_of(self, path):
        with open(path) as f:
            return json.loads(f.readline()).get("sessionId")


def gemini_tool_ok(tc):
    if tc.get("status") != "success":
        return False
    text = json.dumps(tc.get("result") or [])
    m = re.search(r"Exit Code: (\d+)", text)
    return not (m and m.group(1) != "0")


# =============================================================================
class OpenCode(Agent):
    name, package, version, binary = "opencode", "opencode-ai", "1.18.33", "opencode"
    wire_api = "OpenAI Chat Completions (stream) via a custom @ai-sdk/openai-compatible provider"
    usage_note = ("assistant message data.tokens per model step: input EXCLUDES cache.read "
                  "(input + cache.read = prompt tokens); output; reasoning; cache.write")
    shell_tool, write_tool, subagent_tool = "bash", "write", "task"
    aux_default = "Fixture session"
    probe_unset = ("OPENCODE_DISABLE_CLAUDE_CODE", "OPENCODE_DISABLE_EXTERNAL_SKILLS")
    fixture_edits = ("opencode.db is a VACUUM INTO copy of the WAL database; in the copy the rows of "
                     "`event`/`event_sequence` (OpenCode's sync log, which repeats every message and "
                     "part) are deleted and the file is rewritten with 1 KiB pages. session, message, "
                     "part, project and todo rows are exactly as written.")

    def shell_args(self, command):
        return {"command": command, "description": "run " + command.split()[0]}

    def write_args(self, path, content):
        return {"filePath": project_path(path), "content": content}

    def subagent_args(self, prompt):
        return {"description": "List project files", "prompt": prompt, "subagent_type": "general"}

    def db(self, home):
        return os.path.join(home, ".local", "share", "opencode", "opencode.db")

    def prepare_home(self, home, port):
        cfg = os.path.join(home, ".config", "opencode")
        os.makedirs(cfg, exist_ok=True)
        conf = {"$schema": "https://opencode.ai/config.json", "autoupdate": False, "share": "disabled",
                "model": "local/" + self.model, "small_model": "local/" + self.model,
                "provider": {"local": {"npm": "@ai-sdk/openai-compatible", "name": "Loopback fixture model",
                                       "options": {"baseURL": "http://127.0.0.1:%d/v1" % port,
                                                   "apiKey": "sk-fixture"},
                                       "models": {self.model: {"name": "Scripted", "tool_call": True}}}}}
        with open(os.path.join(cfg, "opencode.json"), "w") as f:
            json.dump(conf, f, indent=1)

    def env(self, home, port):
        env = base_env(home)
        env.update({"XDG_CONFIG_HOME": os.path.join(home, ".config"),
                    "XDG_DATA_HOME": os.path.join(home, ".local", "share"),
                    "XDG_CACHE_HOME": os.path.join(home, ".cache"),
                    "XDG_STATE_HOME": os.path.join(home, ".local", "state"),
                    "OPENCODE_DISABLE_AUTOUPDATE": "1", "OPENCODE_DISABLE_SHARE": "1",
                    "OPENCODE_DISABLE_MODELS_FETCH": "1", "OPENCODE_DISABLE_LSP_DOWNLOAD": "1",
                    "OPENCODE_DISABLE_CLAUDE_CODE": "1", "OPENCODE_DISABLE_EXTERNAL_SKILLS": "1"})
        return env

    def command(self, turn, state):
        argv = [self.bin, "run", "--model", "local/" + self.model]
        if turn.get("resume") == "id":
            argv += ["--session", state["session_id"]]
        elif turn.get("resume") == "continue":
            argv += ["--continue"]
        return argv + [turn["prompt"]]

    def _query(self, db, sql, args=()):
        if not os.path.exists(db):
            return []
        con = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
        try:
            return con.execute(sql, args).fetchall()
        finally:
            con.close()

    def list_sessions(self, home):
        return [r[0] for r in self._query(self.db(home), "SELECT id FROM session ORDER BY time_created, id")]

    def main_session(self, created, scen):
        return created[0]  # the root session is created first; a sub-agent's child session later

    def expectation(self, scen, created, reqs, exits, state_id=None):
        exp = Agent.expectation(self, scen, created, reqs, exits, state_id)
        # `opencode run` joins its message arguments and wraps any argument containing a
        # space in double quotes before storing it as the user's text part.
        exp["prompts_as_stored"] = ['"%s"' % p.replace('"', '\\\\"') if " " in p else p for p in exp["prompts"]]
        return exp

    def copy_fixture(self, home, dest, sessions=()):
        target = os.path.join(dest, ".local", "share", "opencode", "opencode.db")
        os.makedirs(os.path.dirname(target), exist_ok=True)
        con = sqlite3.connect(self.db(home))
        try:
            con.execute("VACUUM INTO ?", (target,))
        finally:
            con.close()
        # Size: the `event` table is OpenCode's sync/event-sourcing log and repeats every
        # message and part (about half the file). It is emptied in the fixture, and the file
        # is rewritten with 1 KiB pages; session/message/part/project rows are untouched.
        con = sqlite3.connect(target)
        try:
            con.execute("DELETE FROM event")
            con.execute("DELETE FROM event_sequence")
            con.commit()
            con.execute("PRAGMA page_size=1024")
            con.execute("VACUUM")
        finally:
            con.close()

    def check(self, home, exp):
        db = self.db(home)
        sid = exp["session_id"]
        exp["files"] = [rel(db, os.path.dirname(home))]
        kids = [r[0] for r in self._query(db, "SELECT id FROM session WHERE parent_id=?", (sid,))]
        if kids:
            exp["subagent"] = {"sessions": kids, "note": "child sessions (session.parent_id); not root sessions"}
        rows = self._query(db, "SELECT id, data FROM message WHERE session_id=? ORDER BY time_created, id", (sid,))
        prompts, calls, usage, final, errors = [], [], [0, 0, 0], None, []
        for mid, data in rows:
            m = json.loads(data)
            parts = [json.loads(p[0]) for p in self._query(
                db, "SELECT data FROM part WHERE message_id=? ORDER BY id", (mid,))]
            if m.get("role") == "user":
                text = "".join(p.get("text", "") for p in parts
                               if p.get("type") == "text" and not p.get("synthetic") and not p.get("ignored"))
                if text:
                    prompts.append(text)
                continue
            tok = m.get("tokens") or {}
            usage[0] += tok.get("input", 0) + (tok.get("cache") or {}).get("read", 0)
            usage[1] += (tok.get("cache") or {}).get("read", 0)
            usage[2] += tok.get("output", 0)
            if m.get("error"):
                errors.append(json.dumps(m["error"]))
            for p in parts:
                if p.get("type") == "tool":
                    st = p.get("state") or {}
                    ok = st.get("status") == "completed"
                    exit_code = (st.get("metadata") or {}).get("exit")
                    if p.get("tool") == "bash" and exit_code not in (None, 0):
                        ok = False
                    calls.append({"tool": p.get("tool"), "ok": ok})
                elif p.get("type") == "text" and p.get("text") and not p.get("synthetic"):
                    final = p["text"]
        return compare(exp, prompts, calls, final, errors,
                       {"input_including_cache": usage[0], "cache_read": usage[1], "output": usage[2]})


# =============================================================================
class CopilotCli(Agent):
    name, package, version, binary = "copilot-cli", "@github/copilot", "1.0.102", "copilot"
    model = "gpt-4.1"
    wire_api = "OpenAI Chat Completions (stream) via BYOK COPILOT_PROVIDER_BASE_URL (COPILOT_OFFLINE=true)"
    usage_note = ("session.usage_record.data.usage per model request: inputTokens INCLUDES "
                  "cacheReadTokens; outputTokens; session.shutdown repeats per-run totals")
    shell_tool, write_tool, subagent_tool = "bash", "create", "task"
    fixture_edits = ("session-state/<id>/events.jsonl: in every session except the `success` one the "
                     "`content` (and `transformedContent`) of system.message events, the 16-23 KB "
                     "system prompt, is replaced by \"[fixture: N chars of system prompt elided]\"; "
                     "every other line is byte-for-byte as written. session-store.db is a VACUUM "
                     "INTO copy rewritten with 1 KiB pages (rows untouched).")

    def fixed_session_id(self, scenario):
        return str(uuid.uuid5(uuid.NAMESPACE_URL, "skillpipe-fixture/copilot/" + scenario))

    def shell_args(self, command):
        return {"command": command, "description": "run " + command.split()[0]}

    def write_args(self, path, content):
        return {"path": project_path(path), "file_text": content}

    def subagent_args(self, prompt):
        return {"description": "List project files", "prompt": prompt, "agent_type": "explore",
                "name": "lister"}

    def prepare_home(self, home, port):
        os.makedirs(os.path.join(home, ".copilot"), exist_ok=True)

    def env(self, home, port):
        env = base_env(home)
        env.update({"COPILOT_OFFLINE": "true", "COPILOT_AUTO_UPDATE": "false",
                    "COPILOT_PROVIDER_BASE_URL": "http://127.0.0.1:%d/v1" % port,
                    "COPILOT_PROVIDER_API_KEY": "sk-fixture", "COPILOT_MODEL": self.model,
                    # the native binary unpacks its JS into this cache once (about 230 MB)
                    "COPILOT_PKG_CACHE_HOME": os.path.join(self.prefix, "pkg-cache")})
        return env

    def command(self, turn, state):
        argv = [self.bin, "-p", turn["prompt"], "--allow-all-tools", "--no-color"]
        if turn.get("resume") == "id":
            argv += ["--resume=" + state["session_id"]]
        elif turn.get("resume") == "continue":
            argv += ["--continue"]
        elif state.get("session_id"):
            argv += ["--session-id", state["session_id"]]
        return argv

    def list_sessions(self, home):
        return sorted(os.path.basename(os.path.dirname(p)) for p in
                      glob.glob(os.path.join(home, ".copilot", "session-state", "*", "events.jsonl")))

    def copy_fixture(self, home, dest, sessions=()):
        src = os.path.join(home, ".copilot")
        for p in glob.glob(os.path.join(src, "session-state", "*")):
            if not os.path.isdir(p) or os.path.basename(p).startswith("."):
                continue
            for name in ("events.jsonl", "workspace.yaml", os.path.join("checkpoints", "index.md")):
                f = os.path.join(p, name)
                if os.path.exists(f):
                    t = os.path.join(dest, ".copilot", rel(f, src))
                    os.makedirs(os.path.dirname(t), exist_ok=True)
                    shutil.copy2(f, t)
        keep = {e["session_id"] for e in sessions if e["scenario"] == "success"}
        for f in glob.glob(os.path.join(dest, ".copilot", "session-state", "*", "events.jsonl")):
            if os.path.basename(os.path.dirname(f)) not in keep:
                elide_system_prompts(f)
        db = os.path.join(src, "session-store.db")
        if os.path.exists(db):
            target = os.path.join(dest, ".copilot", "session-store.db")
            con = sqlite3.connect(db)
            try:
                con.execute("VACUUM INTO ?", (target,))
            finally:
                con.close()
            con = sqlite3.connect(target)
            try:
                con.execute("PRAGMA page_size=1024")
                con.execute("VACUUM")
            finally:
                con.close()

    def check(self, home, exp):
        f = os.path.join(home, ".copilot", "session-state", exp["session_id"], "events.jsonl")
        if not os.path.exists(f):
            return ["missing " + f]
        exp["files"] = [rel(f, os.path.dirname(home)), rel(os.path.join(os.path.dirname(f), "workspace.yaml"),
                                                           os.path.dirname(home))]
        prompts, calls, usage, final, errors, names = [], [], [0, 0, 0], None, [], {}
        agents_seen = sorted({e["agentId"] for e in read_jsonl(f) if e.get("agentId")})
        if agents_seen:
            exp["subagent"] = {"agent_ids": agents_seen,
                               "note": "inline events carrying a top-level agentId; not the user's turns"}
        for e in read_jsonl(f):
            t, d = e.get("type"), e.get("data") or {}
            if e.get("agentId"):
                continue  # a sub-agent's events are inline, marked by a top-level agentId
            if t == "user.message":
                prompts.append(d.get("content"))
            elif t == "assistant.message":
                if d.get("content"):
                    final = d["content"]
            elif t == "tool.execution_start":
                names[d.get("toolCallId")] = d.get("toolName")
            elif t == "tool.execution_complete":
                # `success` stays true when a shell command exits non-zero; the exit code is in
                # shellExecution.exitCode. The tool name is only on tool.execution_start.
                ok = bool(d.get("success")) and (d.get("shellExecution") or {}).get("exitCode", 0) == 0
                if not d.get("parentToolCallId"):
                    calls.append({"tool": names.get(d.get("toolCallId")), "ok": ok})
            elif t == "session.usage_record":
                u = d.get("usage") or {}
                usage[0] += u.get("inputTokens", 0)
                usage[1] += u.get("cacheReadTokens", 0)
                usage[2] += u.get("outputTokens", 0)
            elif t == "session.error":
                errors.append(json.dumps(d))
        return compare(exp, prompts, calls, final, errors,
                       {"input_including_cache": usage[0], "cache_read": usage[1], "output": usage[2]})


# =============================================================================
class Pi(Agent):
    name, package, version, binary = "pi", "@mariozechner/pi-coding-agent", "0.73.1", "pi"
    wire_api = "OpenAI Chat Completions (stream) via a models.json provider (api: openai-completions)"
    usage_note = ("assistant message.usage per model response: input EXCLUDES cacheRead "
                  "(input + cacheRead = prompt tokens); output; cacheWrite; totalTokens")
    shell_tool, write_tool = "bash", "write"
    scenarios = ("success", "shell_fail", "api_error", "secret", "resume", "praise")

    def write_args(self, path, content):
        return {"path": project_path(path), "content": content}

    def prepare_home(self, home, port):
        d = os.path.join(home, ".pi", "agent")
        os.makedirs(d, exist_ok=True)
        models = {"providers": {"local": {
            "baseUrl": "http://127.0.0.1:%d/v1" % port, "api": "openai-completions", "apiKey": "sk-fixture",
            "compat": {"supportsDeveloperRole": False, "supportsReasoningEffort": False},
            "models": [{"id": self.model}]}}}
        with open(os.path.join(d, "models.json"), "w") as f:
            json.dump(models, f, indent=1)

    def env(self, home, port):
        env = base_env(home)
        env.update({"PI_OFFLINE": "1", "PI_SKIP_VERSION_CHECK": "1", "PI_TELEMETRY": "0"})
        return env

    def command(self, turn, state):
        argv = [self.bin, "-p", "--provider", "local", "--model", self.model]
        if turn.get("resume") == "id":
            argv += ["--session", state["session_id"]]
        elif turn.get("resume") == "continue":
            argv += ["--continue"]
        return argv + [turn["prompt"]]

    def _files(self, home):
        return sorted(glob.glob(os.path.join(home, ".pi", "agent", "sessions", "*", "*.jsonl")))

    def list_sessions(self, home):
        out = []
        for p in self._files(home):
            with open(p) as f:
                out.append(json.loads(f.readline())["id"])
        return out

    def copy_fixture(self, home, dest, sessions=()):
        shutil.copytree(os.path.join(home, ".pi", "agent", "sessions"),
                        os.path.join(dest, ".pi", "agent", "sessions"))

    @staticmethod
    def active_branch(entries):
        """Entries on the path from the last entry back to the root (pi's current leaf)."""
        by_id = {e["id"]: e for e in entries if "id" in e}
        path, cur = [], entries[-1] if entries else None
        while cur is not None:
            path.append(cur)
            cur = by_id.get(cur.get("parentId"))
        return list(reversed(path))

    def check(self, home, exp):
        files = [p for p in self._files(home) if read_jsonl(p)[0].get("id") == exp["session_id"]]
        if len(files) != 1:
            return ["expected one session file for %s, found %d" % (exp["session_id"], len(files))]
        exp["files"] = [rel(files[0], os.path.dirname(home))]
        recs = read_jsonl(files[0])
        prompts, calls, usage, final, errors = [], [], [0, 0, 0], None, []
        for e in self.active_branch([r for r in recs if r.get("type") != "session"]):
            if e.get("type") != "message":
                continue
            m = e["message"]
            role = m.get("role")
            content = m.get("content")
            if role == "user":
                prompts.append(content if isinstance(content, str) else
                               "".join(b.get("text", "") for b in content if b.get("type") == "text"))
            elif role == "assistant":
                u = m.get("usage") or {}
                usage[0] += u.get("input", 0) + u.get("cacheRead", 0)
                usage[1] += u.get("cacheRead", 0)
                usage[2] += u.get("output", 0)
                if m.get("stopReason") == "error":
                    errors.append(m.get("errorMessage"))
                text = "".join(b.get("text", "") for b in content or [] if b.get("type") == "text")
                if text:
                    final = text
            elif role == "toolResult":
                calls.append({"tool": m.get("toolName"), "ok": not m.get("isError")})
        return compare(exp, prompts, calls, final, errors,
                       {"input_including_cache": usage[0], "cache_read": usage[1], "output": usage[2]})


def elide_system_prompts(path):
    """Replace the system prompt text of system.message events (fixture size), keep all else."""
    out = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            try:
                e = json.loads(line)
            except ValueError:
                out.append(line)
                continue
            if e.get("type") == "system.message" and isinstance((e.get("data") or {}).get("content"), str):
                for k in ("content", "transformedContent"):
                    v = e["data"].get(k)
                    if isinstance(v, str):
                        e["data"][k] = "[fixture: %d chars of system prompt elided]" % len(v)
                line = json.dumps(e, ensure_ascii=False, separators=(",", ":")) + "\n"
            out.append(line)
    with open(path, "w", encoding="utf-8") as f:
        f.writelines(out)


AGENTS = {a.name: a for a in (QwenCode(), GeminiCli(), OpenCode(), CopilotCli(), Pi())}


# =============================================================================
# Probe-only definitions (conventions-probe.json): the two agents skillpipe already harvests.
# Their transcript formats are in /work/shared/notes/transcript_formats.md; they are not
# recorded by record_fixtures.py.
class ClaudeCode(Agent):
    name, package, version, binary = "claude-code", "@anthropic-ai/claude-code", "2.1.197", "claude"
    model = "claude-sonnet-4-5"

    def prepare_home(self, home, port):
        os.makedirs(os.path.join(home, ".claude"), exist_ok=True)

    def env(self, home, port):
        env = base_env(home)
        env.update({"ANTHROPIC_BASE_URL": "http://127.0.0.1:%d" % port, "ANTHROPIC_API_KEY": "sk-ant-fixture",
                    "CLAUDE_CODE_DISABLE_NONESSENTIAL_TRAFFIC": "1", "DISABLE_AUTOUPDATER": "1",
                    "DISABLE_TELEMETRY": "1", "DISABLE_ERROR_REPORTING": "1"})
        return env

    def command(self, turn, state):
        return [self.bin, "-p", turn["prompt"], "--model", self.model]


class Codex(Agent):
    name, package, version, binary = "codex", "@openai/codex", "0.171.0", "codex"
    model = "gpt-5-codex"

    def prepare_home(self, home, port):
        d = os.path.join(home, ".codex")
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "config.toml"), "w") as f:
            f.write('model = "%s"\nmodel_provider = "local"\ncheck_for_update_on_startup = false\n'
                    '[analytics]\nenabled = false\n[model_providers.local]\nname = "local"\n'
                    'base_url = "http://127.0.0.1:%d/v1"\nwire_api = "responses"\nenv_key = "LOCAL_KEY"\n'
                    % (self.model, port))

    def env(self, home, port):
        env = base_env(home)
        env.update({"CODEX_HOME": os.path.join(home, ".codex"), "LOCAL_KEY": "sk-fixture"})
        return env

    def command(self, turn, state):
        return [self.bin, "exec", "--skip-git-repo-check", turn["prompt"]]


PROBE_ONLY = {a.name: a for a in (ClaudeCode(), Codex())}
