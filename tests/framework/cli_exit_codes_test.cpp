// The exit-code contract, walked through every command's argument and configuration errors:
// 2 for anything the user must fix in what they typed or named (with a message naming that
// argument), never 1 (a stage failed) and never 0. Also: nothing is created that the user
// did not ask for. Every case runs twice: as text, and with --log-format json, where every
// stderr line must be one JSON event (level, command, msg; file/line/field/hint when known).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <optional>

#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

using namespace skillpipe::testing;
namespace fs = std::filesystem;

namespace {

const char* kPipeline = R"(skillpipe: 1
stages:
  - {id: h1, plugin: fx_harvest, config: {count: 1, source: a}}
)";

struct Case {
  std::vector<std::string> args;
  std::string names;  // the message must name the argument (or what is wrong with it)
};

class CliExitCodes : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir.file("file.txt"), "not a directory\n");
    fs::create_directories(dir.file("d"));
    fs::create_directories(dir.file("home"));
    fs::create_directories(dir.file("project"));
    write_text(dir.file("p.yaml"), kPipeline);
    write_text(dir.file("dup.yaml"), std::string(kPipeline) + "stages: []\n");
    write_text(dir.file("empty_plugin.yaml"), "skillpipe: 1\nstages:\n  - {id: a, plugin: ''}\n");
    write_text(dir.file("scalar_config.yaml"),
               "skillpipe: 1\nstages:\n  - {id: h1, plugin: fx_harvest, config: oops}\n");
  }

  CommandResult run(const std::vector<std::string>& args) {
    return run_skillpipe(args, {"HOME=" + dir.file("home"), "SKILLPIPE_STORE=" + dir.file("store")},
                         dir.file("project"));
  }

  // Runs one case in a sandboxed HOME and project, as text and as JSON events; returns the
  // text run's stdout + stderr.
  std::string expect_2(const Case& c) {
    const auto r = run(c.args);
    const std::string all = r.out + r.err;
    std::string line;
    for (const auto& a : c.args) line += a + " ";
    EXPECT_EQ(r.exit_code, 2) << line << "\n" << all;
    EXPECT_NE(all.find(c.names), std::string::npos) << line << "\nexpected to see: " << c.names << "\n" << all;
    expect_json_events(c, line);
    return all;
  }

  // The same case with --log-format json: the same exit code, every stderr line one JSON event
  // naming the command, and the problem named in its fields (or on stdout, where `validate`
  // reports).
  void expect_json_events(const Case& c, const std::string& line) {
    auto args = c.args;
    args.insert(args.end(), {"--log-format", "json"});
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, 2) << line << "--log-format json\n" << r.out << r.err;
    std::string said = r.out;
    for (const auto& ev : skillpipe::split(r.err, '\n')) {
      if (ev.empty()) continue;
      const auto d = parse_event(ev);
      if (!d) {
        ADD_FAILURE() << line << "--log-format json: a stderr line is not JSON: " << ev;
        continue;
      }
      ASSERT_TRUE(d->root().is_object()) << ev;
      const std::string level = field(d->root(), "level");
      EXPECT_TRUE(level == "error" || level == "warning" || level == "info") << ev;
      EXPECT_EQ(field(d->root(), "command"), c.args[0]) << ev;
      EXPECT_FALSE(field(d->root(), "msg").empty()) << ev;
      for (const char* k : {"msg", "field", "hint", "file"}) said += field(d->root(), k) + "\n";
    }
    EXPECT_NE(said.find(c.names), std::string::npos) << line << "--log-format json\nexpected to see: " << c.names
                                                      << "\n" << r.out << r.err;
  }

  static std::optional<skillpipe::JsonDocument> parse_event(const std::string& line) {
    try {
      return skillpipe::JsonDocument::parse(line);
    } catch (const std::exception&) {
      return std::nullopt;
    }
  }

  static std::string field(const skillpipe::JsonValue& v, std::string_view key) {
    const auto m = v.find(key);
    return m && m->is_string() ? std::string(m->as_string()) : "";
  }

  TempDir dir;
};

}  // namespace

TEST_F(CliExitCodes, RunAndValidateRefuseBadPipelinesAndPaths) {
  const std::string p = dir.file("p.yaml"), f = dir.file("file.txt"), fx = FX_GOOD_DIR;
  const std::vector<Case> cases = {
      {{"run"}, "missing the pipeline FILE"},
      {{"run", dir.file("d")}, "is a directory"},
      {{"run", "/dev/zero"}, "is not a regular file"},
      {{"validate", "/dev/zero"}, "is not a regular file"},
      {{"validate", dir.file("d")}, "is a directory"},
      {{"validate", dir.file("dup.yaml"), "--plugin-path", fx}, "duplicate key 'stages'"},
      {{"validate", dir.file("empty_plugin.yaml"), "--plugin-path", fx}, "the plugin name is empty"},
      {{"validate", dir.file("scalar_config.yaml"), "--plugin-path", fx, "--set", "stages.h1.count=2"},
       "override 'stages.h1.count=2' sets a key inside /stages/0/config"},
      {{"validate", p, "--plugin-path", fx, "--set", "stages.h1.count=1e400"}, "override 'stages.h1.count=1e400'"},
      {{"validate", p, "--plugin-path", fx, "--set", "stages.h1.count=" + std::string(100000, '7')}, "out of range"},
      {{"validate", p, "--plugin-path", fx, "--set", "store=elsewhere"}, "override 'store=elsewhere'"},
      {{"validate", p, "--plugin-path", fx, "--store", f}, "--store " + f + ": expected a store directory"},
      {{"run", p, "--plugin-path", fx, "--dry-run", "--store", "/etc/passwd"}, "--store /etc/passwd"},
      {{"run", p, "--plugin-path", fx, "--dry-run", "--run-dir", f}, "--run-dir " + f},
      {{"run", p, "--plugin-path", fx, "--dry-run", "--run-dir", "/nonexistent/x/y"}, "--run-dir /nonexistent/x/y"},
      {{"run", p, "--plugin-path", fx, "--dry-run", "--tasks-file", dir.file("missing.json")}, "--tasks-file"},
      {{"run", p, "--plugin-path", fx, "--dry-run", "--tasks-file", dir.file("d")}, "--tasks-file"},
  };
  for (const auto& c : cases) expect_2(c);
  // The refused number is reported once, not echoed by the plugin's schema check.
  const std::string huge = expect_2({{"validate", p, "--plugin-path", fx, "--set", "stages.h1.count=1e999"}, "out of range"});
  EXPECT_NE(huge.find("\n1 error(s)"), std::string::npos) << huge;
}

TEST_F(CliExitCodes, HarvestChecksTimesDurationsAndOutputs) {
  const std::vector<std::string> base = {"harvest", "--source", "claude", "--home", dir.file("home")};
  for (const std::string since : {"0x10h", "1e300h", "2026-02-31", "2026-11-01T00:00:00+99:99", "-3h", "100000w"}) {
    auto args = base;
    args.insert(args.end(), {"--since", since});
    expect_2({args, "--since"});
  }
  auto out_dir = base;
  out_dir.insert(out_dir.end(), {"--output", dir.file("d")});
  expect_2({out_dir, "--output"});
  auto deep = base;
  deep.insert(deep.end(), {"--output", dir.file("no/such/y.jsonl")});
  expect_2({deep, "does not exist"});
  EXPECT_FALSE(fs::exists(dir.file("no")));
}

TEST_F(CliExitCodes, StoreCommandsRefuseAFileAsTheStoreAndCreateNothing) {
  const std::string f = dir.file("file.txt");
  for (const char* cmd : {"status", "adopt", "rollback", "history", "report"})
    expect_2({{cmd, "--store", f}, "--store " + f});
  expect_2({{"tasks", "export", dir.file("t.json"), "--store", f}, "--store"});
  // No nights: nothing to adopt (exit 0), report or export (exit 2), and asking creates no store.
  const std::string store = dir.file("fresh-store");
  expect_2({{"adopt", "--store", store, "--night", "3"}, "has no night \"3\""});
  const auto none = run_skillpipe({"adopt", "--store", store}, {"HOME=" + dir.file("home")}, dir.file("project"));
  EXPECT_EQ(none.exit_code, 0) << none.err;  // nothing to do is not an error
  EXPECT_NE(none.out.find("Nothing to adopt: no night of"), std::string::npos) << none.out;
  expect_2({{"report", "--store", store}, "no finished night"});
  expect_2({{"export-dataset", "--format", "chat-jsonl", "--output", dir.file("ds.jsonl"), "--store", store},
            "no nights recorded"});
  // The uniform rule for "nothing to do" (README "Exit codes"): adopt and rollback answer alike,
  // exit 0 and {"ok": true, "version": null, "message": "Nothing to ..."}.
  for (const char* cmd : {"adopt", "rollback"}) {
    const auto j = run_skillpipe({cmd, "--store", store, "--json"}, {"HOME=" + dir.file("home")}, dir.file("project"));
    EXPECT_EQ(j.exit_code, 0) << cmd << ": " << j.err;
    EXPECT_NE(j.out.find(R"("ok":true)"), std::string::npos) << cmd << ": " << j.out;
    EXPECT_NE(j.out.find(R"("version":null)"), std::string::npos) << cmd << ": " << j.out;
    EXPECT_NE(j.out.find("Nothing to "), std::string::npos) << cmd << ": " << j.out;
  }
  EXPECT_FALSE(fs::exists(store));
  expect_2({{"tasks", "export", dir.file("no/such/t.json"), "--store", store}, "FILE " + dir.file("no/such/t.json")});
  expect_2({{"export-dataset", "--format", "chat-jsonl", "--output", dir.file("no/such/ds.jsonl")}, "--output"});
}

TEST_F(CliExitCodes, JudgeScheduleAbExperimentAndNewPluginCheckTheirPaths) {
  const std::string d = dir.file("d"), f = dir.file("file.txt");
  expect_2({{"judge", "--judge", "fx_judge", "--plugin-path", FX_GOOD_DIR, "--tasks", d, "--responses", d},
            "--tasks " + d + ": expected a file, but it is a directory"});
  expect_2({{"judge", "--judge", "fx_judge", "--tasks", f, "--responses", d}, "--responses " + d});
  expect_2({{"schedule", "--pipeline", d, "--print"}, "is a directory"});
  expect_2({{"schedule", "--store", f, "--print"}, "--store " + f});
  expect_2({{"ab", dir.file("p.yaml"), "--out", f + "/sub"}, "--out " + f + "/sub"});
  expect_2({{"ab", dir.file("p.yaml"), "--markdown", d}, "--markdown"});
  expect_2({{"ab", "/dev/zero"}, "not a regular file"});
  expect_2({{"experiment", "--fixture", "/dev/zero"}, "--fixture /dev/zero"});
  expect_2({{"experiment", "--nights", "0"}, "--nights"});
  expect_2({{"new-plugin", "judge_x", "--kind", "judge", "--dir", "/nonexistent/deep"}, "--dir /nonexistent/deep"});
  EXPECT_FALSE(fs::exists("/nonexistent"));
  expect_2({{"new-plugin", "judge_x", "--kind", "judge", "--dir", f}, "--dir " + f});
  // Options every command shares, and plugins that are not there.
  expect_2({{"plugins", "--plugin-path", f}, "--plugin-path " + f + ": expected a directory"});
  expect_2({{"status", "--plugin-path", dir.file("missing")}, "--plugin-path " + dir.file("missing") + ": no such directory"});
  expect_2({{"describe", "no_such_plugin"}, "plugin 'no_such_plugin' not found"});
  expect_2({{"experiment", "--nights", "99999999999999"}, "--nights"});
}

// The typed fields of a JSON error event, and "did you mean" for a misspelled option (among
// that command's own options), in both formats. `--log-format json` counts even when the
// error comes before the parser reaches it.
TEST_F(CliExitCodes, JsonErrorsCarryTypedFieldsAndOptionsGetDidYouMean) {
  const auto one_event = [&](const std::vector<std::string>& args) {
    const auto r = run(args);
    EXPECT_EQ(r.exit_code, 2) << r.err;
    const auto lines = skillpipe::split(skillpipe::trim(r.err), '\n');
    EXPECT_EQ(lines.size(), 1u) << r.err;
    auto d = parse_event(lines.empty() ? "" : lines[0]);
    if (!d) ADD_FAILURE() << "not JSON: " << r.err;
    return d;
  };
  // A misspelled option, before --log-format on the command line.
  auto opt = one_event({"status", "--pipline", "x.yaml", "--log-format", "json"});
  ASSERT_TRUE(opt);
  EXPECT_EQ(field(opt->root(), "level"), "error");
  EXPECT_EQ(field(opt->root(), "command"), "status");
  EXPECT_EQ(field(opt->root(), "field"), "--pipline");
  EXPECT_EQ(field(opt->root(), "hint"), "did you mean '--pipeline'?");
  EXPECT_EQ(field(opt->root(), "usage").rfind("skillpipe status", 0), 0u) << field(opt->root(), "usage");
  // The same in text: the suggestion on the error line, the options listed below as before.
  const auto text = run({"run", "--dry-rn", dir.file("p.yaml")});
  EXPECT_EQ(text.exit_code, 2);
  EXPECT_NE(text.err.find("skillpipe run: unrecognised option '--dry-rn'; did you mean '--dry-run'?\n\nusage: skillpipe run"),
            std::string::npos)
      << text.err;
  EXPECT_NE(text.err.find("--tasks-file"), std::string::npos) << text.err;
  // No wild guesses: an option far from every real one gets the pointer to --help instead.
  auto far = one_event({"report", "--frobnicate", "--log-format=json"});
  ASSERT_TRUE(far);
  EXPECT_EQ(field(far->root(), "hint"), "'skillpipe report --help' lists the options");
  // An unknown command: no command yet, the suggestion as the hint, no usage text.
  auto cmd = one_event({"rnu", "--log-format", "json"});
  ASSERT_TRUE(cmd);
  EXPECT_EQ(field(cmd->root(), "msg"), "unknown command 'rnu'");
  EXPECT_EQ(field(cmd->root(), "field"), "COMMAND");
  EXPECT_EQ(field(cmd->root(), "hint"), "did you mean 'run'?");
  // A pipeline's problem: file, line and column as fields, the pointer as the field.
  write_text(dir.file("bad.yaml"), "skillpipe: 1\nstagse: []\nstages:\n  - {id: h1, plugin: fx_harvest}\n");
  const auto bad = run({"run", dir.file("bad.yaml"), "--plugin-path", FX_GOOD_DIR, "--log-format", "json"});
  EXPECT_EQ(bad.exit_code, 2) << bad.err;
  bool located = false;
  for (const auto& line : skillpipe::split(bad.err, '\n')) {
    if (line.empty()) continue;
    auto d = parse_event(line);
    ASSERT_TRUE(d) << line;
    if (field(d->root(), "msg").find("unknown top-level key 'stagse'") == std::string::npos) continue;
    located = true;
    EXPECT_EQ(field(d->root(), "file"), dir.file("bad.yaml")) << line;
    const auto l = d->root().find("line");
    ASSERT_TRUE(l && l->is_number()) << line;
    EXPECT_EQ(l->as_int(), 2) << line;
  }
  EXPECT_TRUE(located) << bad.err;
  // Text mode keeps the one-line "file:line:col: ..." form.
  const auto bad_text = run({"run", dir.file("bad.yaml"), "--plugin-path", FX_GOOD_DIR});
  EXPECT_NE(bad_text.err.find("error: " + dir.file("bad.yaml") + ":2:1: "), std::string::npos) << bad_text.err;
  // An A/B experiment file's problems are located the same way: typed fields, not prose.
  write_text(dir.file("ab.yaml"), "skillpipe_ab: 1\npipeline: p.yaml\ncolour: red\narms: [{name: a}, {name: b}]\n");
  const auto ab = run({"ab", dir.file("ab.yaml"), "--log-format", "json"});
  EXPECT_EQ(ab.exit_code, 2) << ab.err;
  bool ab_located = false;
  for (const auto& line : skillpipe::split(ab.err, '\n')) {
    auto d = line.empty() ? std::nullopt : parse_event(line);
    if (!d || field(d->root(), "msg").find("unknown key 'colour'") == std::string::npos) continue;
    ab_located = true;
    EXPECT_EQ(field(d->root(), "file"), dir.file("ab.yaml")) << line;
    EXPECT_EQ(field(d->root(), "msg").find(dir.file("ab.yaml")), std::string::npos) << "the location is a field: " << line;
    const auto l = d->root().find("line");
    ASSERT_TRUE(l && l->is_number()) << line;
    EXPECT_EQ(l->as_int(), 3) << line;
  }
  EXPECT_TRUE(ab_located) << ab.err;
  EXPECT_NE(run({"ab", dir.file("ab.yaml")}).err.find(dir.file("ab.yaml") + ":3:1: unknown key 'colour'"), std::string::npos);
}
