#!/usr/bin/env python3
"""Build tests/data/agents/cursor-schema-2026/ : a Cursor home written FROM THE SCHEMA, not recorded.

Cursor is not on npm and needs a login, so it cannot be run offline here. This script writes the
SQLite state databases and an agent transcript the way docs/formats/cursor.md describes them
(learned from public Cursor readers; each field below is attested by at least one of them, see
the doc's "Sources" section). Every value is invented; nothing was copied from a real database.

  python3 scripts/fixture_servers/build_cursor_fixture.py [--dest DIR]

Uses Python's sqlite3 module (the Debian `sqlite3` CLI would do the same from SQL); the
databases get the two key-value tables Cursor/VS Code create:
  CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)
  CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB)
"""
import argparse
import datetime
import hashlib
import json
import os
import re
import shutil
import sqlite3
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from scenarios import SECRET  # noqa: E402

REPO = os.path.dirname(os.path.dirname(HERE))
PROJECT = "/tmp/skillpipe-formats/demo-app"
T0 = 1796533000000  # 2026-12-06T04:56:40Z, epoch ms
SCHEMA = ("CREATE TABLE ItemTable (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB);"
          "CREATE TABLE cursorDiskKV (key TEXT UNIQUE ON CONFLICT REPLACE, value BLOB);")
# Newer global databases (2026) also index composers in their own table.
HEADERS_DDL = ("CREATE TABLE composerHeaders (composerId TEXT PRIMARY KEY, workspaceId TEXT, "
               "createdAt INTEGER, lastUpdatedAt INTEGER, isArchived INTEGER, isSubagent INTEGER, "
               "recency INTEGER, checkpointAt INTEGER, value TEXT, subagentTypeName TEXT)")


def iso(ms):
    return datetime.datetime.fromtimestamp(ms / 1000, datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%S.") + "%03dZ" % (ms % 1000)


def ms_of(stamp):
    t = datetime.datetime.strptime(stamp, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=datetime.timezone.utc)
    return int(t.timestamp() * 1000)


def cid(n):
    return "0c0f1c7e-0000-4000-8000-%012d" % n


def bid(c, n):
    return "b0b0b0b0-%04d-4000-8000-%012d" % (c, n)


def user_bubble(c, n, text, t):
    return {"_v": 3, "type": 1, "bubbleId": bid(c, n), "text": text, "richText": "",
            "createdAt": iso(t), "requestId": "req-%d-%d" % (c, n), "isAgentic": True,
            "unifiedMode": 2, "modelInfo": {"modelName": "claude-4.5-sonnet"},
            "tokenCount": {"inputTokens": 0, "outputTokens": 0}}


def ai_bubble(c, n, t, text="", tool=None, tokens=(0, 0)):
    b = {"_v": 3, "type": 2, "bubbleId": bid(c, n), "text": text, "richText": "", "createdAt": iso(t),
         "serverBubbleId": "srv-%d-%d" % (c, n), "isAgentic": True, "unifiedMode": 2,
         "codeBlocks": [], "toolResults": [], "capabilityType": 15 if tool else None,
         "tokenCount": {"inputTokens": tokens[0], "outputTokens": tokens[1]}}
    if tool:
        b["toolFormerData"] = tool
    return b


def tool(name, number, args, status, result, call):
    return {"tool": number, "toolIndex": 0, "toolCallId": call, "name": name, "status": status,
            "rawArgs": json.dumps(args), "params": json.dumps(args), "result": json.dumps(result),
            "userDecision": "accepted"}


def composer(c, name, t_end, headers, status="completed", extra=None):
    d = {"_v": 10, "composerId": cid(c), "name": name, "text": "", "richText": "",
         "createdAt": T0 + c * 60000, "lastUpdatedAt": t_end, "status": status, "unifiedMode": "agent",
         "forceMode": "edit", "isAgentic": True, "hasLoaded": True,
         "fullConversationHeadersOnly": headers, "conversationMap": {},
         "modelConfig": {"modelName": "claude-4.5-sonnet", "maxMode": False},
         "context": {"fileSelections": [], "selections": [], "mentions": {}},
         "usageData": {}, "subComposerIds": [], "createdOnBranch": "main"}
    d.update(extra or {})
    return d


def scenarios():
    """(composer json, [bubbles], expected session) per conversation."""
    out = []
    # 1 success: edit_file + run_terminal_cmd, both completed
    c, t = 1, T0 + 60000
    bubbles = [user_bubble(c, 1, "Create notes.txt containing the line 'hello from skillpipe', then show me the file.", t),
               ai_bubble(c, 2, t + 2000, tool=tool("edit_file", 7, {"target_file": PROJECT + "/notes.txt",
                                                                     "code_edit": "hello from skillpipe\n"},
                                                     "completed", {"diff": {"chunks": []}}, "toolu_c1_1")),
               ai_bubble(c, 3, t + 4000, tool=tool("run_terminal_cmd", 15, {"command": "cat notes.txt",
                                                                             "is_background": False},
                                                    "completed", {"output": "hello from skillpipe\n",
                                                                  "exitCode": 0}, "toolu_c1_2")),
               ai_bubble(c, 4, t + 6000, text="Created notes.txt; it contains: hello from skillpipe",
                         tokens=(2400, 63))]
    out.append(("success", c, "Create notes.txt", bubbles, "completed", "success",
                [("edit_file", True), ("run_terminal_cmd", True)], [PROJECT + "/notes.txt"]))
    # 2 shell_fail: a terminal call whose tool status is error
    c, t = 2, T0 + 120000
    bubbles = [user_bubble(c, 1, "Run the project's test script ./run-tests.sh and tell me whether it passes.", t),
               ai_bubble(c, 2, t + 2000, tool=tool("run_terminal_cmd", 15, {"command": "./run-tests.sh",
                                                                             "is_background": False},
                                                    "error", {"output": "bash: ./run-tests.sh: No such file or directory",
                                                              "exitCode": 127}, "toolu_c2_1")),
               ai_bubble(c, 3, t + 4000, text="The tests could not run: ./run-tests.sh does not exist in this project.",
                         tokens=(1900, 41))]
    out.append(("shell_fail", c, "Run tests", bubbles, "completed", "tool_error",
                [("run_terminal_cmd", False)], []))
    # 3 api_error: the composer ended in status "error" with no assistant answer
    c, t = 3, T0 + 180000
    bubbles = [user_bubble(c, 1, "Summarise README.md in one sentence.", t)]
    out.append(("api_error", c, "Summarise README", bubbles, "error", "api_error", [], []))
    # 4 secret in the prompt
    c, t = 4, T0 + 240000
    bubbles = [user_bubble(c, 1, "My deploy token is " + SECRET + " - keep it out of any file, just confirm you saw it.", t),
               ai_bubble(c, 2, t + 2000, text="Confirmed. I will not write the token to any file.", tokens=(1000, 20))]
    out.append(("secret", c, "Deploy token", bubbles, "completed", "success", [], []))
    # 5 praise: two user turns in one composer
    c, t = 5, T0 + 300000
    bubbles = [user_bubble(c, 1, "Write a greet(name) function in greet.py that returns 'Hello, <name>!'.", t),
               ai_bubble(c, 2, t + 2000, tool=tool("edit_file", 7, {"target_file": PROJECT + "/greet.py",
                                                                     "code_edit": "def greet(name):\n    return f\"Hello, {name}!\"\n"},
                                                     "completed", {"diff": {"chunks": []}}, "toolu_c5_1")),
               ai_bubble(c, 3, t + 4000, text="Added greet(name) to greet.py.", tokens=(2100, 41)),
               user_bubble(c, 4, "Perfect, thanks! That is exactly what I wanted.", t + 60000),
               ai_bubble(c, 5, t + 62000, text="Glad it helps!", tokens=(1200, 22))]
    out.append(("praise", c, "greet function", bubbles, "completed", "success",
                [("edit_file", True)], [PROJECT + "/greet.py"]))
    return out


def write_db(path, item_rows, kv_rows=(), header_rows=None):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    con = sqlite3.connect(path)
    try:
        con.executescript(SCHEMA)
        con.executemany("INSERT INTO ItemTable VALUES (?, ?)", item_rows)
        con.executemany("INSERT INTO cursorDiskKV VALUES (?, ?)", kv_rows)
        if header_rows is not None:
            con.execute(HEADERS_DDL)
            con.executemany("INSERT INTO composerHeaders VALUES (?,?,?,?,?,?,?,?,?,?)", header_rows)
        con.commit()
    finally:
        con.close()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dest", default=os.path.join(REPO, "tests", "data", "agents", "cursor-schema-2026"))
    args = ap.parse_args()
    shutil.rmtree(args.dest, ignore_errors=True)
    home = os.path.join(args.dest, "home")
    user = os.path.join(home, ".config", "Cursor", "User")
    kv, heads, expected, prompts_log = [], [], [], []
    for name, c, title, bubbles, status, outcome, calls, files in scenarios():
        headers = [{"bubbleId": b["bubbleId"], "type": b["type"],
                    **({"serverBubbleId": b["serverBubbleId"]} if b["type"] == 2 else {})} for b in bubbles]
        t_end = max(ms_of(b["createdAt"]) for b in bubbles)
        comp = composer(c, title, t_end, headers, status)
        kv.append(("composerData:" + cid(c), json.dumps(comp)))
        for b in bubbles:
            kv.append(("bubbleId:%s:%s" % (cid(c), b["bubbleId"]), json.dumps(b)))
        heads.append({"composerId": cid(c), "name": title, "createdAt": comp["createdAt"],
                      "lastUpdatedAt": t_end, "unifiedMode": "agent", "forceMode": "edit"})
        prompts = [b["text"] for b in bubbles if b["type"] == 1]
        prompts_log.extend({"text": p, "commandType": 4} for p in prompts)
        finals = [b["text"] for b in bubbles if b["type"] == 2 and b["text"]]
        tok = [b["tokenCount"] for b in bubbles]
        expected.append({
            "scenario": name, "source": "state.vscdb composer", "session_id": cid(c),
            "files": [os.path.relpath(os.path.join(user, "globalStorage", "state.vscdb"), args.dest)],
            "outcome": outcome, "composer_status": status, "prompts": prompts,
            "final_answer": finals[-1] if finals else None,
            "tool_calls": [{"tool": n, "ok": ok} for n, ok in calls],
            "tool_errors": sum(not ok for _, ok in calls), "files_written": files,
            "feedback": "positive" if name == "praise" else None,
            "secret_must_be_redacted": SECRET if name == "secret" else None,
            "usage": {"input_tokens_reported": sum(t["inputTokens"] for t in tok),
                      "output_tokens_reported": sum(t["outputTokens"] for t in tok),
                      "note": "bubble tokenCount; Cursor often leaves it 0, so usage may be unknown"}})
    # legacy inline conversation (composerData with `conversation` and no headers)
    c, t = 6, T0 + 360000
    legacy = composer(c, "Legacy inline chat", t + 2000, [], extra={
        "_v": 3, "conversation": [user_bubble(c, 1, "What does README.md say?", t),
                                  ai_bubble(c, 2, t + 2000, text="It describes demo-app, a tiny fixture project.")]})
    del legacy["fullConversationHeadersOnly"]
    kv.append(("composerData:" + cid(c), json.dumps(legacy)))
    heads.append({"composerId": cid(c), "name": "Legacy inline chat", "createdAt": legacy["createdAt"],
                  "lastUpdatedAt": t + 2000, "unifiedMode": "chat"})
    expected.append({"scenario": "legacy_inline", "source": "state.vscdb composer (inline conversation[])",
                     "session_id": cid(c), "outcome": "success", "prompts": ["What does README.md say?"],
                     "final_answer": "It describes demo-app, a tiny fixture project.", "tool_calls": [],
                     "tool_errors": 0, "files_written": [], "feedback": None, "secret_must_be_redacted": None})
    # an empty composer (opened, never used) and a null bubble row: both must be skipped
    kv.append(("composerData:" + cid(7), json.dumps(composer(7, None, T0 + 420000, [], status="none"))))
    kv.append(("bubbleId:%s:%s" % (cid(1), bid(1, 99)), "null"))
    global_items = [
        # Secrets Cursor keeps in ItemTable: a harvester must never read these keys.
        ("cursorAuth/accessToken", "eyJhbGciOiJIUzI1NiJ9.fixture-not-a-real-token.c2lnbmF0dXJl"),
        ("cursorAuth/refreshToken", "fixture-refresh-token-not-real"),
        ("cursorAuth/cachedEmail", "fixture@example.invalid"),
    ]
    ws_id = hashlib.md5(("file://" + PROJECT).encode()).hexdigest()
    # a sub-agent composer spawned by composer 1: listed in its subComposerIds and flagged in
    # composerHeaders; a harvester must not count it as a session of its own
    c, t = 8, T0 + 62000
    sub = composer(c, "List project files", t + 1000,
                   [{"bubbleId": bid(c, 1), "type": 1}, {"bubbleId": bid(c, 2), "type": 2}])
    kv.append(("composerData:" + cid(c), json.dumps(sub)))
    kv.append(("bubbleId:%s:%s" % (cid(c), bid(c, 1)), json.dumps(user_bubble(c, 1, "List the files in the project root.", t))))
    kv.append(("bubbleId:%s:%s" % (cid(c), bid(c, 2)), json.dumps(ai_bubble(c, 2, t + 1000, text="README.md"))))
    for i, (k, v) in enumerate(kv):
        if k == "composerData:" + cid(1):
            d = json.loads(v)
            d["subComposerIds"] = [cid(8)]
            kv[i] = (k, json.dumps(d))
    header_rows = [(h["composerId"], ws_id, h["createdAt"], h["lastUpdatedAt"], 0, 0, None, None,
                    json.dumps(h), None) for h in heads]
    header_rows.append((cid(8), ws_id, sub["createdAt"], sub["lastUpdatedAt"], 0, 1, None, None,
                        json.dumps({"composerId": cid(8), "name": "List project files"}), "explore"))
    write_db(os.path.join(user, "globalStorage", "state.vscdb"), global_items, kv, header_rows)
    ws_dir = os.path.join(user, "workspaceStorage", ws_id)
    write_db(os.path.join(ws_dir, "state.vscdb"), [
        ("composer.composerData", json.dumps({"allComposers": heads, "selectedComposerIds": [cid(5)]})),
        ("aiService.prompts", json.dumps(prompts_log)),
        ("aiService.generations", json.dumps([{"unixMs": h["lastUpdatedAt"], "generationUUID": "gen-%d" % i,
                                                "type": "composer", "textDescription": h["name"] or ""}
                                               for i, h in enumerate(heads)])),
    ])
    with open(os.path.join(ws_dir, "workspace.json"), "w") as f:
        json.dump({"folder": "file://" + PROJECT}, f)
    # Cursor agent transcript (cursor-agent CLI and the IDE agent, 2026): no timestamps, no results
    sid = "7a6e5d4c-3b2a-4190-8f7e-6d5c4b3a2910"
    slug = re.sub(r"[^A-Za-z0-9]+", "-", PROJECT).strip("-")
    pdir = os.path.join(home, ".cursor", "projects", slug)
    tdir = os.path.join(pdir, "agent-transcripts", sid)
    os.makedirs(tdir)
    with open(os.path.join(pdir, ".workspace-trusted"), "w") as f:
        json.dump({"workspacePath": PROJECT}, f)
    lines = [
        {"role": "user", "message": {"content": [{"type": "text", "text":
            "<user_query>\nCreate todo.txt listing three tasks: write docs, add tests, fix bug.\n</user_query>"}]}},
        {"role": "assistant", "message": {"content": [
            {"type": "text", "text": "I'll create todo.txt."},
            {"type": "tool_use", "name": "edit_file", "input": {"target_file": PROJECT + "/todo.txt"}}]}},
        {"role": "assistant", "message": {"content": [{"type": "text", "text": "Created todo.txt with three tasks."}]}},
        {"type": "turn_ended", "status": "completed"},
        {"role": "user", "message": {"content": [{"type": "text", "text":
            "<user_query>\nRun ./run-tests.sh\n</user_query>"}]}},
        {"role": "assistant", "message": {"content": [
            {"type": "tool_use", "name": "run_terminal_cmd", "input": {"command": "./run-tests.sh"}}]}},
        {"type": "turn_ended", "status": "error"},
    ]
    with open(os.path.join(tdir, sid + ".jsonl"), "w") as f:
        for line in lines:
            f.write(json.dumps(line) + "\n")
    expected.append({"scenario": "agent_transcript", "source": "~/.cursor/projects/<slug>/agent-transcripts",
                     "session_id": sid, "files": [os.path.relpath(os.path.join(tdir, sid + ".jsonl"), args.dest)],
                     "outcome": "error",
                     "prompts": ["Create todo.txt listing three tasks: write docs, add tests, fix bug.",
                                 "Run ./run-tests.sh"],
                     "final_answer": "Created todo.txt with three tasks.",
                     "tool_calls": [{"tool": "edit_file", "ok": None}, {"tool": "run_terminal_cmd", "ok": None}],
                     "tool_errors": None, "turn_errors": 1, "files_written": [PROJECT + "/todo.txt"],
                     "feedback": None, "secret_must_be_redacted": None,
                     "note": "transcripts carry no tool results, timestamps or usage; ok=None means unknown"})
    doc = {"agent": "cursor", "version": "schema as documented by public readers, 2025-06..2026-09",
           "recorded_by": "NOT recorded: built by scripts/fixture_servers/build_cursor_fixture.py from "
                          "docs/formats/cursor.md (Cursor needs a login and is not on npm)",
           "home": "home", "project_dir": PROJECT, "secret_planted": SECRET,
           "planted_secrets_never_to_read": ["ItemTable cursorAuth/accessToken", "ItemTable cursorAuth/refreshToken"],
           "not_sessions": {cid(7): "empty composer (no headers)", cid(8): "sub-agent composer of " + cid(1)},
           "sessions": expected}
    with open(os.path.join(args.dest, "expected.json"), "w") as f:
        json.dump(doc, f, indent=2)
        f.write("\n")
    print("wrote " + args.dest)


if __name__ == "__main__":
    main()
