#!/usr/bin/env python3
"""lsan_tracer_only.py TESTING_TEMPORARY_DIR: exit 0 when every test CTest last recorded as
failed failed only because LeakSanitizer's tracer crashed (scripts/sanitize.sh reruns those
once), 1 otherwise. Reads LastTestsFailed.log (lines "N:name") and each test's output block in
LastTest.log ("k/n Testing: name" ... '"name" end time: ...'). Prints what it decided and why."""
import pathlib
import sys

TRACER = "Tracer caught signal"
FATAL = "LeakSanitizer has encountered a fatal error"
# What a real finding prints; a test showing any of these is never rerun.
FINDINGS = ("ERROR: AddressSanitizer", "ERROR: LeakSanitizer: detected", "runtime error:",
            "Test timeout", "***Timeout")


def blocks(log_text):
    out, name, lines = {}, None, []
    for line in log_text.splitlines():
        if " Testing: " in line and line.split(" Testing: ")[0].count("/") == 1 and name is None:
            name, lines = line.split(" Testing: ", 1)[1].strip(), []
        elif name is not None and line.startswith('"' + name + '" end time:'):
            out[name] = "\n".join(lines)
            name = None
        elif name is not None:
            lines.append(line)
    return out


def main():
    tmp = pathlib.Path(sys.argv[1])
    failed_log = tmp / "LastTestsFailed.log"
    if not failed_log.exists():
        print("sanitize: no record of failed tests; not rerunning", file=sys.stderr)
        return 1
    failed = [l.split(":", 1)[1].strip() for l in failed_log.read_text().splitlines() if ":" in l]
    outputs = blocks((tmp / "LastTest.log").read_text(errors="replace"))
    for name in failed:
        text = outputs.get(name)
        if text is None or TRACER not in text or FATAL not in text or any(f in text for f in FINDINGS):
            print(f"sanitize: {name} failed for a reason other than LeakSanitizer's tracer crash",
                  file=sys.stderr)
            return 1
    print(f"sanitize: {len(failed)} test(s) failed only because LeakSanitizer's tracer crashed at "
          f"exit (google/sanitizers#1353); running them once more: {', '.join(failed)}",
          file=sys.stderr)
    return 0 if failed else 1


if __name__ == "__main__":
    sys.exit(main())
