"""Every RapidJSON parse in skillpipe's own code goes through parse_json
(framework/internal/skillpipe_internal/json_parse.hpp), which refuses JSON nested deep enough
to overflow the stack before RapidJSON recurses into it. A bare Parse elsewhere would reopen
the crash the rule-check fuzzer found, so this test names any that appears."""
import os
import pathlib
import re
import unittest

ROOT = pathlib.Path(os.environ.get("SKILLPIPE_SOURCE_DIR", "../.."))
HELPER = pathlib.Path("framework/internal/skillpipe_internal/json_parse.hpp")
# A document's Parse / ParseInsitu / ParseStream, called with or without template flags.
BARE = re.compile(r"(\.|->)\s*(template\s+)?Parse(Insitu|Stream)?\s*[(<]")


def bare_parses(root, folders=("framework", "plugins", "bench", "fuzz")):
    found = []
    for folder in folders:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".cpp", ".hpp", ".h", ".cc") or not path.is_file():
                continue
            rel = path.relative_to(root)
            if rel == HELPER:
                continue
            for no, line in enumerate(path.read_text(errors="replace").splitlines(), 1):
                if BARE.search(line.split("//", 1)[0]):
                    found.append(f"{rel}:{no}: {line.strip()}")
    return found


class JsonParseSites(unittest.TestCase):
    def test_no_bare_parse_outside_the_helper(self):
        found = bare_parses(ROOT)
        self.assertEqual(found, [], "parse JSON with skillpipe::detail::parse_json(doc, text) "
                         "(skillpipe_internal/json_parse.hpp) instead:\n" + "\n".join(found))

    def test_the_pattern_sees_the_forms_a_parse_takes(self):
        for line in ("d.Parse(t.c_str(), t.size());", "doc->Parse(x);",
                     "doc.Parse<rapidjson::kParseStopWhenDoneFlag>(t);", "d.ParseInsitu(buf);",
                     "d.template Parse<Flags>(p, n);"):
            self.assertRegex(line, BARE)
        for line in ("parse_json(d, text)", "ParseResult r;", "d.HasParseError()", "// d.Parse(x) was here"):
            self.assertIsNone(BARE.search(line.split("//", 1)[0]), line)

    def test_the_helper_itself_is_where_the_parse_is(self):
        text = (ROOT / HELPER).read_text()
        self.assertIn("json_too_deep(text)", text)
        self.assertRegex(text, BARE)


if __name__ == "__main__":
    unittest.main()
