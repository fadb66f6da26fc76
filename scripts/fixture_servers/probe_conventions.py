#!/usr/bin/env python3
"""Find out, by running each pinned CLI once, which memory/instruction files and which skill
folders it really sends to the model.

The probe plants a marker file at every candidate location (project and home), runs the agent
headless against recording_model_server.py with a one-step text script, and searches the first
model request for each marker. A memory file counts as loaded when its marker text is in the
request; a skill counts as listed when its unique name is in the request (agents list skills by
name and description and load the body on demand; the probe matches the planted description,
since some agents also send a directory tree). A second run per agent leaves out every
AGENTS.md to show which fallback files load. Output: JSON on stdout (committed as
docs/formats/conventions-probe.json). Uses only 127.0.0.1; see README.md in this folder.
"""
import json
import os
import shutil
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import agents as agent_defs  # noqa: E402
from record_fixtures import Server  # noqa: E402

WORK = os.path.join(os.environ.get("SKILLPIPE_FIXTURE_WORK", "/tmp/skillpipe-formats"), "probe")

# (where, relative path) -> memory candidates; markers are derived from the path.
MEMORY = [
    ("project", "AGENTS.md"), ("project", "CLAUDE.md"), ("project", "GEMINI.md"), ("project", "QWEN.md"),
    ("project", "CONTEXT.md"), ("project", ".github/copilot-instructions.md"),
    ("project", ".github/instructions/probe.instructions.md"), ("project", ".cursorrules"),
    ("project", ".pi/AGENTS.md"), ("project", ".gemini/GEMINI.md"), ("project", ".qwen/QWEN.md"),
    ("project", ".opencode/AGENTS.md"),
    ("home", ".gemini/GEMINI.md"), ("home", ".gemini/AGENTS.md"), ("home", ".qwen/QWEN.md"),
    ("home", ".qwen/AGENTS.md"), ("home", ".config/opencode/AGENTS.md"), ("home", ".claude/CLAUDE.md"),
    ("home", ".copilot/copilot-instructions.md"), ("home", ".copilot/AGENTS.md"),
    ("home", ".pi/agent/AGENTS.md"), ("home", ".pi/agent/CLAUDE.md"), ("home", ".agents/AGENTS.md"),
    ("home", ".codex/AGENTS.md"),
]
# skill roots: (where, root); a skill <root>/<name>/SKILL.md is planted in each
SKILLS = [
    ("project", ".agents/skills"), ("project", ".claude/skills"), ("project", ".gemini/skills"),
    ("project", ".qwen/skills"), ("project", ".opencode/skills"), ("project", ".opencode/skill"),
    ("project", ".github/skills"), ("project", ".copilot/skills"), ("project", ".pi/skills"),
    ("project", ".cursor/skills"), ("project", ".codex/skills"),
    ("home", ".agents/skills"), ("home", ".claude/skills"), ("home", ".gemini/skills"),
    ("home", ".qwen/skills"), ("home", ".config/opencode/skills"), ("home", ".config/opencode/skill"),
    ("home", ".copilot/skills"), ("home", ".pi/agent/skills"), ("home", ".pi/skills"),
    ("home", ".cursor/skills"), ("home", ".codex/skills"),
]


def slug(where, path):
    return "%s-%s" % (where, path.strip(".").replace("/", "-").replace(".", "").lower())


def skill_description(where, root_rel):
    # Matched in the request instead of the name: some agents put a directory tree (which
    # contains the skill folder names) into the prompt, but only a loaded skill's description.
    return "SKDESC %s listed from %s." % (slug(where, root_rel), where)


def plant(project, home, without=()):
    for where, path in MEMORY:
        if os.path.basename(path) in without:
            continue
        root = project if where == "project" else home
        full = os.path.join(root, path)
        os.makedirs(os.path.dirname(full), exist_ok=True)
        body = "Probe marker MEMMARK-%s. Follow the project conventions.\n" % slug(where, path)
        if path.endswith(".instructions.md"):
            body = "---\napplyTo: \"**\"\n---\n" + body
        with open(full, "w") as f:
            f.write(body)
    for where, root_rel in SKILLS:
        root = project if where == "project" else home
        name = "skmark-" + slug(where, root_rel)
        d = os.path.join(root, root_rel, name)
        os.makedirs(d, exist_ok=True)
        with open(os.path.join(d, "SKILL.md"), "w") as f:
            f.write("---\nname: %s\ndescription: %s\n---\n\nProbe body.\n" % (name, skill_description(where, root_rel)))


def probe(agent, without=()):
    """One run; `without` names memory files left out (to see which fallbacks load)."""
    home = os.path.join(WORK, "home-" + agent.name)
    project = os.path.join(WORK, "demo-app")
    for d in (home, project):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    subprocess.run(["git", "init", "-q", "-b", "main", "."], cwd=project, check=True)
    plant(project, home, without)
    script = {"steps": [{"text": "OK."}], "aux": agent.aux_rules(), "aux_default": agent.aux_default,
              "model": agent.model}
    with Server(os.path.join(WORK, "srv-" + agent.name), script) as srv:
        agent.prepare_home(home, srv.port)
        argv = agent.command({"prompt": "Say OK."}, {"session_id": agent.fixed_session_id("probe")})
        env = agent.env(home, srv.port)
        for k in agent.probe_unset:  # recording isolation switches that hide default behaviour
            env.pop(k, None)
        t0 = time.time()
        proc = subprocess.run(argv, cwd=project, env=env, stdin=subprocess.DEVNULL, capture_output=True,
                              text=True, timeout=agent.timeout)
        reqs = [r for r in srv.requests() if r.get("kind") == "main"]
    if not reqs:
        return {"error": "no model request (exit %d): %s" % (proc.returncode, proc.stderr[-400:])}
    body = json.dumps(reqs[0]["body"])
    memory = {"%s:%s" % (w, p): ("MEMMARK-" + slug(w, p)) in body for w, p in MEMORY}
    skills = {"%s:%s" % (w, p): skill_description(w, p) in body for w, p in SKILLS}
    return {"exit": proc.returncode, "seconds": round(time.time() - t0, 1),
            "memory_files_sent": sorted(k for k, v in memory.items() if v),
            "skill_roots_listed": sorted(k for k, v in skills.items() if v)}


def main():
    known = dict(agent_defs.AGENTS, **agent_defs.PROBE_ONLY)
    names = sys.argv[1:] or sorted(known)
    out = {"probe": "scripts/fixture_servers/probe_conventions.py", "date": time.strftime("%Y-%m-%d"),
           "candidates": {"memory": ["%s:%s" % m for m in MEMORY], "skills": ["%s:%s" % s for s in SKILLS]},
           "agents": {}}
    for name in names:
        a = known[name]
        a.check_installed()
        print("probing %s %s" % (name, a.version), file=sys.stderr)
        res = probe(a)
        res["without_AGENTS.md"] = probe(a, without=("AGENTS.md",)).get("memory_files_sent")
        out["agents"]["%s %s" % (name, a.version)] = res
    json.dump(out, sys.stdout, indent=2)
    print()


if __name__ == "__main__":
    main()
