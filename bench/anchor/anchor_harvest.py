#!/usr/bin/env python3
"""Time SkillOpt-Sleep's own harvesters (the Python anchor) on a gen_corpus.py corpus.

    anchor_harvest.py ANCHOR_DIR CORPUS_DIR

ANCHOR_DIR is a checkout of https://github.com/microsoft/SkillOpt (it holds skillopt_sleep/).
The Claude tree goes through the anchor's harvest() exactly as its nightly cycle calls it
(scope "all", no window, no cap). The anchor reads Codex *archived* sessions from one flat
folder, while the corpus writes live rollouts under sessions/YYYY/MM/DD; so each Codex file
goes through the anchor's digest_codex_archived_session() with the same scope check its
harvest_codex() applies. Prints one JSON line: seconds and cpu_s (harvest only, no
interpreter start-up), sessions, prompts, bytes of the files handed to the harvesters.
"""
import json
import os
import sys
import time


def main():
    if len(sys.argv) != 3:
        sys.exit("usage: anchor_harvest.py ANCHOR_DIR CORPUS_DIR")
    anchor, corpus = sys.argv[1], sys.argv[2]
    sys.path.insert(0, anchor)
    from skillopt_sleep.harvest import _project_matches, harvest
    from skillopt_sleep.harvest_codex import digest_codex_archived_session

    codex_files = []
    for root, _dirs, files in os.walk(os.path.join(corpus, "codex")):
        codex_files += [os.path.join(root, f) for f in files if f.endswith(".jsonl")]
    claude_root = os.path.join(corpus, "claude", "projects")
    nbytes = sum(os.path.getsize(p) for p in codex_files)
    for root, _dirs, files in os.walk(claude_root):
        nbytes += sum(os.path.getsize(os.path.join(root, f)) for f in files if f.endswith(".jsonl"))

    t0, c0 = time.perf_counter(), time.process_time()
    digests = harvest(claude_root, scope="all")
    codex_files.sort(key=os.path.getmtime, reverse=True)
    for path in codex_files:
        d = digest_codex_archived_session(path)
        if d is not None and _project_matches(d.project or "", "all", ""):
            digests.append(d)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - c0
    prompts = sum(len(d.user_prompts) for d in digests)
    print(json.dumps({"seconds": round(seconds, 3), "cpu_s": round(cpu, 3), "sessions": len(digests), "prompts": prompts,
                      "bytes": nbytes}))


if __name__ == "__main__":
    main()
