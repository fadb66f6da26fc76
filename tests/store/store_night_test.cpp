// The night side of store_files: streams, torn lines, resume, state, cache, staging (the
// project lock is in store_lock_test.cpp).
#include <gtest/gtest.h>
#include <rapidjson/document.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <random>
#include <set>
#include <thread>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "store_fixture.hpp"

namespace fs = std::filesystem;
using namespace skillpipe;
using namespace store_test;
using skillpipe::testing::read_text;
using skillpipe::testing::write_text;

TEST(StoreNight, StreamsAppendAndReadBackInOrder) {
  Sandbox sb;
  LoadedStore s(sb.root, sb.project);
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  EXPECT_FALSE(h.resumed);
  EXPECT_EQ(h.project, sb.project);
  EXPECT_EQ(h.night_id, "0001-20260102T031700Z");
  EXPECT_TRUE(fs::is_directory(h.dir));
  s->append("tasks", {R"({"id":"a"})", R"({"id":"b"})"});
  s->append("tasks", {R"({"id":"c"})"});
  EXPECT_EQ(s->read("tasks"), (std::vector<std::string>{R"({"id":"a"})", R"({"id":"b"})", R"({"id":"c"})"}));
  EXPECT_TRUE(s->read("verdicts").empty());
  EXPECT_THROW(s->append("tasks", {"two\nlines"}), Error);
  EXPECT_THROW(s->append("../escape", {"{}"}), Error);
  s->close_night(false);
}

TEST(StoreNight, TornLastLineIsIgnoredAndRepairedOnAppend) {
  Sandbox sb;
  LoadedStore s(sb.root, sb.project);
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  s->append("replays", {R"({"n":1})", R"({"n":2})"});
  const std::string path = h.dir + "/streams/replays.jsonl";
  {
    std::ofstream out(path, std::ios::app | std::ios::binary);
    out << R"({"n":3,"respo)";  // a crash in the middle of a write
  }
  EXPECT_EQ(s->read("replays"), (std::vector<std::string>{R"({"n":1})", R"({"n":2})"}));
  s->append("replays", {R"({"n":3})"});
  EXPECT_EQ(read_text(path), "{\"n\":1}\n{\"n\":2}\n{\"n\":3}\n");
  s->close_night(false);
}

TEST(StoreNight, UnfinishedNightIsResumedAndAPublishedOneIsNot) {
  Sandbox sb;
  std::string id;
  {
    LoadedStore s(sb.root, sb.project);
    const NightHandle h = s->open_night(sb.project, *s.ctx);
    id = h.night_id;
    s->append("digests", {R"({"session_id":"s1"})"});
    s->write_artifact("stages/harvest~main.done", "yes\n");
    s->put_state("harvest_cursor", "42");
    s->close_night(false);  // killed / failed: stays resumable
  }
  {
    LoadedStore s(sb.root, sb.project);
    const NightHandle h = s->open_night(sb.project, *s.ctx);
    EXPECT_TRUE(h.resumed);
    EXPECT_EQ(h.night_id, id);
    EXPECT_EQ(s->read("digests").size(), 1u);
    EXPECT_EQ(s->read_artifact("stages/harvest~main.done"), "yes\n");
    EXPECT_EQ(s->get_state("harvest_cursor"), "42");
    s->stage({}, make_report());
    EXPECT_THROW(s->append("digests", {"{}"}), Error);  // published nights are final
    s->close_night(true);
  }
  {
    LoadedStore s(sb.root, sb.project);
    const NightHandle h = s->open_night(sb.project, *s.ctx);
    EXPECT_FALSE(h.resumed);
    EXPECT_EQ(h.night_id, "0002-20260102T031700Z");
    EXPECT_TRUE(s->read("digests").empty());
    EXPECT_EQ(s->get_state("harvest_cursor"), "42");  // state is per project, not per night
    s->close_night(true);                             // closed without stage(): published, no report
    ASSERT_EQ(s->past_reports(sb.project).size(), 1u);
    EXPECT_EQ(s->past_reports(sb.project)[0].night_id, id);
  }
}

TEST(StoreNight, ResumeCanBeTurnedOff) {
  Sandbox sb;
  {
    LoadedStore s(sb.root, sb.project);
    s->open_night(sb.project, *s.ctx);
    s->close_night(false);
  }
  LoadedStore s(sb.root, sb.project, R"("resume": false)");
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  EXPECT_FALSE(h.resumed);
  EXPECT_EQ(h.night_id.substr(0, 5), "0002-");
  s->close_night(false);
}

TEST(StoreNight, StateAndArtifactsAndCache) {
  Sandbox sb;
  LoadedStore s(sb.root, sb.project);
  // State needs a project: the run's project works before a night is open.
  EXPECT_FALSE(s->get_state("cursors").has_value());
  s->put_state("cursors", R"({"claude": "2026-01-01T00:00:00Z"})");
  s->put_state("weird key/with:chars", "v");
  EXPECT_EQ(s->get_state("cursors"), R"({"claude": "2026-01-01T00:00:00Z"})");
  EXPECT_EQ(s->get_state("weird key/with:chars"), "v");

  const std::string key = sha256("provider|model|request|sample0");
  EXPECT_FALSE(s->cache_get(key).has_value());
  s->cache_put(key, "the answer");
  EXPECT_EQ(s->cache_get(key), "the answer");
  EXPECT_TRUE(fs::exists(sb.root + "/cache/" + key.substr(0, 2) + "/" + key.substr(2, 2) + "/" + key));
  // The cache is shared across projects and store instances.
  LoadedStore other(sb.root, sb.tmp.file("elsewhere"));
  EXPECT_EQ(other->cache_get(key), "the answer");
  s->cache_put("not a hash: any text", "x");
  EXPECT_EQ(s->cache_get("not a hash: any text"), "x");

  EXPECT_THROW(s->write_artifact("a.txt", "x"), Error);  // no night open
  s->open_night(sb.project, *s.ctx);
  s->write_artifact("stages/mine~default.tasks.jsonl", "{}\n");
  EXPECT_EQ(s->read_artifact("stages/mine~default.tasks.jsonl"), "{}\n");
  EXPECT_FALSE(s->read_artifact("nope").has_value());
  EXPECT_THROW(s->write_artifact("../x", "y"), Error);
  EXPECT_THROW(s->write_artifact("/etc/x", "y"), Error);
  EXPECT_THROW(s->write_artifact("a/.hidden", "y"), Error);
  s->close_night(false);
}

TEST(StoreNight, StagePublishesProposalsDiffsReportsAndManifestLast) {
  Sandbox sb;
  write_text(sb.skill_path("deploy"), "---\nname: deploy\n---\n# Deploy\n\nStep one.\nStep two.\n");
  write_text(sb.memory_path(), "# Project memory\nUse pnpm.");  // no final newline
  LoadedStore s(sb.root, sb.project);
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  std::vector<Proposal> ps = {
      make_proposal("deploy", "claude_skill", sb.skill_path("deploy"),
                    "---\nname: deploy\n---\n# Deploy\n\nStep one.\nRun the tests.\nStep two.\n"),
      make_proposal("CLAUDE.md", "claude_memory", sb.memory_path(), "# Project memory\nUse pnpm.\nPrefer small PRs.\n"),
      make_proposal("fresh", "codex_skill", sb.home + "/.agents/skills/fresh/SKILL.md", "---\nname: fresh\n---\nNew.\n",
                    "unverified"),
      make_proposal("evil", "claude_skill", "/etc/passwd", "root::0:0\n"),
  };
  s->stage(ps, make_report());
  s->close_night(true);

  const std::string manifest_text = read_text(h.dir + "/manifest.json");
  rapidjson::Document m;
  m.Parse(manifest_text.c_str());
  ASSERT_FALSE(m.HasParseError()) << manifest_text;
  ASSERT_EQ(m["proposals"].Size(), 4u);
  const auto& deploy = m["proposals"][0];
  EXPECT_STREQ(deploy["live_sha256"].GetString(), sha256(ps[0].base_text).c_str());
  EXPECT_STREQ(deploy["sha256"].GetString(), sha256(ps[0].proposed_text).c_str());
  EXPECT_STREQ(deploy["live_realpath"].GetString(), sb.skill_path("deploy").c_str());
  EXPECT_EQ(deploy["added"].GetInt(), 1);
  EXPECT_EQ(deploy["removed"].GetInt(), 0);
  EXPECT_EQ(read_text(h.dir + "/" + deploy["proposed_file"].GetString()), ps[0].proposed_text);
  EXPECT_FALSE(m["proposals"][2]["live_existed"].GetBool());
  EXPECT_STREQ(m["proposals"][3]["refusal"].GetString(),
               ("live path /etc/passwd is not <root>/evil/SKILL.md under a configured claude_skill root (" + sb.home +
                "/.claude/skills, " + sb.project + "/.claude/skills)")
                   .c_str());
  // Every file of the night is pinned by its sha256.
  std::map<std::string, std::string> pinned;
  for (const auto& f : m["files"].GetArray()) pinned[f["path"].GetString()] = f["sha256"].GetString();
  EXPECT_EQ(pinned.at("report.md"), sha256(read_text(h.dir + "/report.md")));
  EXPECT_EQ(pinned.at("report.json"), sha256(read_text(h.dir + "/report.json")));
  EXPECT_EQ(pinned.count("night.json"), 1u);

  // The diff of each proposal reproduces it with patch(1), including the missing final newline.
  for (std::size_t i = 0; i < 3; ++i) {
    const auto& e = m["proposals"][static_cast<rapidjson::SizeType>(i)];
    const std::string base = sb.tmp.file("base" + std::to_string(i));
    write_text(base, ps[i].base_text);
    auto r = skillpipe::testing::run_program(
        "patch", {"-s", "-o", base + ".out", base, h.dir + "/" + e["diff_file"].GetString()});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(read_text(base + ".out"), ps[i].proposed_text) << i;
  }
  EXPECT_NE(read_text(h.dir + "/diffs/claude_memory.CLAUDE.md.diff").find("\\ No newline at end of file"),
            std::string::npos);

  NightReport back;
  from_json(read_text(h.dir + "/report.json"), back);
  EXPECT_EQ(back.night_id, h.night_id);
  EXPECT_EQ(back.project, sb.project);
  EXPECT_EQ(back.proposals.size(), 4u);

  const std::string md = read_text(h.dir + "/report.md");
  for (const char* want :
       {"| validation | 0.333 | 1.000 | +0.667 |", "Gate: **accept** (metric: mixed) — candidate beats baseline",
        "| task-a | val | 0.000 | 1.000 | +1.000 |",
        "Always run the tests before committing. — _why: two val tasks failed without it_", "## Rejected edits",
        "Never write tests.", "tokens: 1200 in, 340 out", "cost: $0.0123", "a note for the reader",
        "| deploy | claude_skill | accepted |", "(not adoptable)", "+1 −0"}) {
    EXPECT_NE(md.find(want), std::string::npos) << want << "\n" << md;
  }
  EXPECT_NE(md.find("skillpipe adopt --project " + sb.project + " --store " + sb.root + " --night " + h.night_id),
            std::string::npos)
      << md;
  EXPECT_NE(md.find("skillpipe rollback --project " + sb.project), std::string::npos);
}

TEST(StoreNight, StageRejectsContradictoryProposalsBeforeWritingAnything) {
  Sandbox sb;
  LoadedStore s(sb.root, sb.project);
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  Proposal p = make_proposal("x", "claude_skill", sb.skill_path("x"), "new\n");
  p.base_text = "something";  // but base_sha256 says the file was absent
  EXPECT_THROW(s->stage({p}, make_report()), Error);
  Proposal a = make_proposal("x", "claude_skill", sb.skill_path("x"), "new\n");
  EXPECT_THROW(s->stage({a, a}, make_report()), Error);
  EXPECT_FALSE(fs::exists(h.dir + "/manifest.json"));
  EXPECT_FALSE(fs::exists(h.dir + "/report.json"));
  s->close_night(false);
}

TEST(StoreNight, LiveFileChangedDuringTheNightIsNotedInTheReport) {
  Sandbox sb;
  write_text(sb.memory_path(), "v1\n");
  LoadedStore s(sb.root, sb.project);
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  const Proposal p = make_proposal("CLAUDE.md", "claude_memory", sb.memory_path(), "v1\nnew rule\n");
  write_text(sb.memory_path(), "v1 edited by hand\n");
  s->stage({p}, make_report());
  s->close_night(true);
  EXPECT_NE(read_text(h.dir + "/report.md").find("changed while the night ran"), std::string::npos);
  EXPECT_NE(read_text(h.dir + "/manifest.json").find("\"changed_during_night\": true"), std::string::npos);
}

TEST(StoreNight, DiffsOfRandomEditsApplyWithPatch) {
  Sandbox sb;
  std::mt19937 rng(12345);
  auto random_text = [&](int lines) {
    std::string t;
    for (int i = 0; i < lines; ++i) t += "line " + std::to_string(rng() % 7) + "\n";  // many repeats
    if (rng() % 3 == 0 && !t.empty()) t.pop_back();                                   // no final newline
    return t;
  };
  auto mutate = [&](std::string t) {
    std::vector<std::string> lines = split(t, '\n');
    for (int k = static_cast<int>(rng() % 6); k >= 0; --k) {
      const std::size_t at = lines.empty() ? 0 : rng() % (lines.size() + 1);
      switch (rng() % 3) {
        case 0:
          lines.insert(lines.begin() + static_cast<long>(at), "new " + std::to_string(rng() % 100));
          break;
        case 1:
          if (at < lines.size()) lines.erase(lines.begin() + static_cast<long>(at));
          break;
        default:
          if (at < lines.size()) lines[at] = "changed " + std::to_string(rng() % 100);
      }
    }
    std::string out;
    for (std::size_t i = 0; i < lines.size(); ++i) out += lines[i] + (i + 1 < lines.size() ? "\n" : "");
    if (rng() % 2) out += "\n";
    return out;
  };
  std::vector<Proposal> ps;
  for (int i = 0; i < 40; ++i) {
    const std::string name = "r" + std::to_string(i);
    const std::string base = random_text(static_cast<int>(rng() % 30));
    if (i % 5 != 0) write_text(sb.skill_path(name), base);  // every fifth is a new file
    ps.push_back(make_proposal(name, "claude_skill", sb.skill_path(name), i % 5 ? mutate(base) : random_text(5)));
  }
  // A complete rewrite of a long file takes the bounded fallback path and must still apply.
  std::string big_a, big_b;
  for (int i = 0; i < 2500; ++i) big_a += "a" + std::to_string(i) + "\n", big_b += "b" + std::to_string(i) + "\n";
  write_text(sb.skill_path("big"), big_a);
  ps.push_back(make_proposal("big", "claude_skill", sb.skill_path("big"), big_b));

  LoadedStore s(sb.root, sb.project);
  const NightHandle h = s->open_night(sb.project, *s.ctx);
  s->stage(ps, make_report());
  s->close_night(true);
  for (const auto& p : ps) {
    SCOPED_TRACE(p.name);
    const std::string base = sb.tmp.file("b-" + p.name);
    write_text(base, p.base_text);
    const std::string diff = h.dir + "/diffs/claude_skill." + p.name + ".diff";
    if (p.base_text == p.proposed_text) {
      EXPECT_EQ(read_text(diff), "");
      continue;
    }
    auto r = skillpipe::testing::run_program("patch", {"-s", "-o", base + ".out", base, diff});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err << read_text(diff);
    EXPECT_EQ(read_text(base + ".out"), p.proposed_text) << read_text(diff);
  }
}

TEST(StoreNight, ConcurrentAppendsAndCachePutsFromReplayThreads) {
  Sandbox sb;
  LoadedStore s(sb.root, sb.project, R"("fsync": false)");
  s->open_night(sb.project, *s.ctx);
  std::vector<std::thread> threads;
  for (int t = 0; t < 6; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 40; ++i) {
        const std::string id = std::to_string(t) + "-" + std::to_string(i);
        s->cache_put(sha256("k" + std::to_string(i % 10)), "same answer " + std::to_string(i % 10));
        s->append("replays", {R"({"id":")" + id + R"("})"});
      }
    });
  }
  for (auto& th : threads) th.join();
  const auto lines = s->read("replays");
  EXPECT_EQ(lines.size(), 240u);
  EXPECT_EQ(std::set<std::string>(lines.begin(), lines.end()).size(), 240u);
  for (int i = 0; i < 10; ++i)
    EXPECT_EQ(s->cache_get(sha256("k" + std::to_string(i))), "same answer " + std::to_string(i));
  s->close_night(false);
}
