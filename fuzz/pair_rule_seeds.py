#!/usr/bin/env python3
"""Writes rule-harness seeds into DIR: each task line (with judge checks) of the given JSONL
files, followed by each replay line whose task_id names it, and alone (an empty replay)."""
import hashlib
import json
import sys

out, files = sys.argv[1], sys.argv[2:]
tasks, replays = [], {}
for path in files:
    for line in open(path, encoding="utf-8"):
        line = line.strip()
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and "judge" in rec:
            tasks.append((rec.get("id") or rec.get("task_id"), line))
        elif isinstance(rec, dict) and "response" in rec:
            replays.setdefault(rec.get("task_id"), []).append(line)
for task_id, task in tasks:
    for replay in [""] + replays.get(task_id, []):
        seed = (task + "\n" + replay).encode()
        with open(f"{out}/pair-{hashlib.sha256(seed).hexdigest()[:16]}", "wb") as f:
            f.write(seed)
