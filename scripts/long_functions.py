#!/usr/bin/env python3
"""Lists the functions longer than LIMIT lines (default 80) in C++ sources, longest first.

    scripts/long_functions.py [DIR...]          (default: framework plugins)
    LIMIT=60 scripts/long_functions.py plugins/store_files

Uses universal-ctags (Debian package universal-ctags) for the function extents; lambdas are
listed with their enclosing function's name. The count of functions goes to stderr.
"""
import json
import os
import subprocess
import sys

limit = int(os.environ.get("LIMIT", "80"))
paths = sys.argv[1:] or ["framework", "plugins"]
out = subprocess.run(["ctags", "-R", "--languages=C++", "--kinds-C++=f", "--fields=+ne", "--output-format=json",
                      "-o", "-"] + paths, capture_output=True, text=True, check=True).stdout
rows = []
for line in out.splitlines():
    tag = json.loads(line)
    if "end" not in tag:
        continue
    n = tag["end"] - tag["line"] + 1
    if n > limit:
        scope = tag.get("scope", "")
        rows.append((n, tag["path"], tag["line"], (scope + "::" if scope else "") + tag["name"]))
for n, path, line, name in sorted(rows, reverse=True):
    print(f"{n:5d}  {path}:{line}  {name}")
print(f"{len(rows)} functions over {limit} lines", file=sys.stderr)
