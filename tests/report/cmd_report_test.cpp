// `skillpipe report` against a real store: nights staged through the store_files plugin the
// way a run stages them.
#include <gtest/gtest.h>

#include <filesystem>

#include "host/basic_context.hpp"
#include "html_check.hpp"
#include "report_fixture.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/store.hpp"
#include "test_support.hpp"

using namespace skillpipe;
using namespace skillpipe::testing;
namespace fs = std::filesystem;

namespace {

class ReportCommand : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir_.file("project"));
    fs::create_directories(dir_.file("home"));
    fs::create_directories(dir_.file("bin"));
    project_ = fs::canonical(dir_.file("project")).string();
    store_ = dir_.file("store");
  }

  // Stages one night the way the runner does (without report.html: an "older" night).
  std::string stage_night(NightReport report) {
    auto registry = make_registry();
    auto store = registry->create_as<Store>("store_files");
    RunInfo run;
    run.project = project_;
    host::Services services;
    services.store = store.get();
    host::BasicContext ctx("store", run, &services);
    store->configure(Config::parse("{\"root\": \"" + store_ + "\"}"), ctx);
    const NightHandle h = store->open_night(project_, ctx);
    report.project = project_;
    report.night_id = h.night_id;
    for (auto& p : report.proposals) {
      p.live_path = project_ + "/.claude/skills/" + p.name + "/SKILL.md";
      if (p.target.kind == DocKind::kMemory) p.live_path = project_ + "/CLAUDE.md";
    }
    store->stage(report.proposals, report);
    store->close_night(true);
    dirs_.push_back(h.dir);
    return h.night_id;
  }

  skillpipe::testing::CommandResult report(std::vector<std::string> args, std::vector<std::string> env = {}) {
    args.insert(args.begin(), {"report", "--store", store_, "--project", project_});
    env.push_back("HOME=" + dir_.file("home"));
    return run_skillpipe(args, env);
  }

  TempDir dir_;
  std::string project_, store_;
  std::vector<std::string> dirs_;
};

}  // namespace

TEST_F(ReportCommand, RendersAnOlderNightFromReportJsonOnceThenReusesIt) {
  NightReport first = fixture_history()[0];
  first.proposals.clear();
  const std::string id1 = stage_night(first);
  const std::string id2 = stage_night(fixture_night());

  auto r = report({"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string path = dirs_[1] + "/artifacts/report.html";
  EXPECT_NE(r.out.find("\"path\": \"" + path + "\""), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"generated\": true"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\"night_id\": \"" + id2 + "\""), std::string::npos);
  ASSERT_TRUE(fs::exists(path));
  const std::string html = read_text(path);
  const auto check = check_html(html);
  EXPECT_TRUE(check.errors.empty()) << check.errors.front();
  EXPECT_NE(html.find("skillpipe night " + id2), std::string::npos);
  EXPECT_NE(html.find("night " + id1), std::string::npos);  // the history chart knows night 1
  EXPECT_NE(html.find("skillpipe adopt --project " + project_ + " --store " + store_ + " --night " + id2),
            std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);

  // Second time: the file is there, nothing is rendered again; plain mode prints the path.
  r = report({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, path + "\n");
  r = report({"--json"});
  EXPECT_NE(r.out.find("\"generated\": false"), std::string::npos) << r.out;

  // An older night by number: its history stops before it.
  r = report({"--night", "1", "--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(dirs_[0] + "/artifacts/report.html"), std::string::npos) << r.out;
  const std::string old_html = read_text(dirs_[0] + "/artifacts/report.html");
  EXPECT_NE(old_html.find("skillpipe night " + id1), std::string::npos);
  EXPECT_EQ(old_html.find(id2), std::string::npos);
}

TEST_F(ReportCommand, AReportHtmlTheRunWroteIsUsedAsIs) {
  stage_night(fixture_night());
  write_text(dirs_[0] + "/artifacts/report.html", "<!DOCTYPE html><title>from the run</title>");
  const auto r = report({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, dirs_[0] + "/artifacts/report.html\n");
  EXPECT_EQ(read_text(dirs_[0] + "/artifacts/report.html"), "<!DOCTYPE html><title>from the run</title>");
}

TEST_F(ReportCommand, ClearErrorsForNoNightsAndUnknownNights) {
  auto r = report({});
  EXPECT_EQ(r.exit_code, 2);  // nothing to report is the user's selection, not a failed stage
  EXPECT_NE(r.err.find("no finished night yet for " + project_), std::string::npos) << r.err;
  stage_night(fixture_night());
  r = report({"--night", "42"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has no night \"42\""), std::string::npos) << r.err;
  EXPECT_EQ(run_skillpipe({"report", "--bogus"}).exit_code, 2);
  const auto help = run_skillpipe({"report", "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("--open"), std::string::npos);
}

TEST_F(ReportCommand, OpenHandsThePathToXdgOpen) {
  stage_night(fixture_night());
  write_text(dir_.file("bin/xdg-open"),
             "#!/bin/sh\nexec /bin/sh '" + test_data_dir() + "/report/fake_xdg_open.sh' \"$@\"\n");
  fs::permissions(dir_.file("bin/xdg-open"), fs::perms::owner_all);
  const std::string log = dir_.file("opened.txt");
  auto r = report({"--open"}, {"PATH=" + dir_.file("bin") + ":/usr/bin:/bin", "FAKE_XDG_OPEN_LOG=" + log});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(log), dirs_[0] + "/artifacts/report.html\n");
  // Without xdg-open: say so, and still tell where the file is.
  r = report({"--open"}, {"PATH=" + dir_.file("home")});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("xdg-open is not installed"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find(dirs_[0] + "/artifacts/report.html"), std::string::npos) << r.err;
}

TEST_F(ReportCommand, DefaultsToTheLastRealNightNotAnExperimentsProbeOrRescoring) {
  const std::string real = stage_night(fixture_night());
  NightReport probe = fixture_night();
  probe.counts["mine.probe_tasks"] = 4;  // what mine_personas counts on a gate-safety probe
  const std::string probe_id = stage_night(probe);
  NightReport rescore = fixture_night();
  rescore.counts["consolidate.evaluation_only"] = 1;  // what consolidate_reflect counts when only re-scoring
  stage_night(rescore);
  auto r = report({"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"night_id\": \"" + real + "\""), std::string::npos) << r.out;
  // Asked for by id, the probe still opens.
  r = report({"--night", probe_id, "--json"});
  EXPECT_NE(r.out.find("\"night_id\": \"" + probe_id + "\""), std::string::npos) << r.out;
}

TEST_F(ReportCommand, AnAdoptedOrRolledBackNightOffersTheActionThatFits) {
  const NightReport night = fixture_night();
  fs::create_directories(project_ + "/.claude/skills/build-helper");
  write_text(project_ + "/.claude/skills/build-helper/SKILL.md", night.proposals[0].base_text);  // what it was made against
  const std::string id = stage_night(night);
  const std::string staged = dirs_[0] + "/artifacts/report.html";
  ASSERT_EQ(report({}).exit_code, 0);
  ASSERT_NE(read_text(staged).find("adopt the accepted proposal"), std::string::npos);
  const std::vector<std::string> env = {"HOME=" + dir_.file("home")};
  auto a = run_skillpipe({"adopt", "--store", store_, "--project", project_, "--night", id}, env);
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;

  auto r = report({"--json"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("\"generated\": true"), std::string::npos) << r.out;
  const std::string view = r.out.substr(r.out.find("\"path\": \"") + 9, r.out.find(".html") + 5 - r.out.find("\"path\": \"") - 9);
  ASSERT_NE(view, staged);
  std::string html = read_text(view);
  EXPECT_NE(html.find("This night was adopted</strong>"), std::string::npos);
  EXPECT_EQ(html.find("adopt the accepted proposal"), std::string::npos);
  EXPECT_NE(read_text(staged).find("adopt the accepted proposal"), std::string::npos);  // the night's file never changes

  a = run_skillpipe({"rollback", "--store", store_, "--project", project_}, env);
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  r = report({});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  html = read_text(r.out.substr(0, r.out.size() - 1));
  EXPECT_NE(html.find("and rolled back</strong>"), std::string::npos);
  EXPECT_NE(html.find("skillpipe adopt --project " + project_ + " --store " + store_ + " --night " + id),
            std::string::npos);
}
