"""scripts/lsan_tracer_only.py: which failed sanitizer runs scripts/sanitize.sh may rerun once."""
import os
import pathlib
import subprocess
import sys
import tempfile
import unittest

SCRIPT = pathlib.Path(os.environ.get("SKILLPIPE_SOURCE_DIR", "../..")) / "scripts" / "lsan_tracer_only.py"

TRACER = ("Tracer caught signal 11: addr=0x0 pc=0x4f5070 sp=0x7efd9a5dad30\n"
          "==8160==LeakSanitizer has encountered a fatal error.\n")


def block(index, name, output):
    return (f"{index}/904 Testing: {name}\n{index}/904 Test: {name}\nOutput:\n{output}"
            f"<end of output>\nTest time =   1.00 sec\n\"{name}\" end time: Dec 06 19:28 UTC\n")


class LsanTracerOnly(unittest.TestCase):
    def decide(self, tests, failed):
        with tempfile.TemporaryDirectory() as d:
            log = "".join(block(i + 1, name, out) for i, (name, out) in enumerate(tests))
            pathlib.Path(d, "LastTest.log").write_text("Start testing\n" + log)
            if failed is not None:
                pathlib.Path(d, "LastTestsFailed.log").write_text(
                    "".join(f"{i}:{name}\n" for i, name in enumerate(failed, 1)))
            run = subprocess.run([sys.executable, str(SCRIPT), d], capture_output=True, text=True)
            return run.returncode, run.stderr

    def test_a_tracer_crash_alone_is_rerun(self):
        rc, err = self.decide([("A.One", "[ RUN ] A.One\n" + TRACER), ("B.Two", "ok\n")], ["A.One"])
        self.assertEqual(rc, 0, err)
        self.assertIn("running them once more: A.One", err)

    def test_any_other_failure_is_not_rerun(self):
        rc, err = self.decide([("A.One", TRACER), ("B.Two", "Expected equality\n")], ["A.One", "B.Two"])
        self.assertEqual(rc, 1)
        self.assertIn("B.Two failed for a reason other than", err)

    def test_a_real_finding_beside_the_crash_is_not_rerun(self):
        for finding in ("==1==ERROR: AddressSanitizer: heap-use-after-free", "x.cpp:3:5: runtime error: overflow",
                        "==1==ERROR: LeakSanitizer: detected memory leaks"):
            rc, _ = self.decide([("A.One", finding + "\n" + TRACER)], ["A.One"])
            self.assertEqual(rc, 1, finding)

    def test_half_the_signature_or_no_record_is_not_rerun(self):
        self.assertEqual(self.decide([("A.One", "Tracer caught signal 11\n")], ["A.One"])[0], 1)
        self.assertEqual(self.decide([("A.One", TRACER)], None)[0], 1)
        self.assertEqual(self.decide([("A.One", TRACER)], [])[0], 1)


if __name__ == "__main__":
    unittest.main()
