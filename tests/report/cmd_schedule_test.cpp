// `skillpipe schedule` / `unschedule` with fake `crontab` and `systemctl` executables on PATH
// (tests/data/report/fake_*.sh), so no test ever touches the real user's timers or crontab.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>

#include "skillpipe/kit/util.hpp"
#include "test_support.hpp"

using namespace skillpipe::testing;
namespace fs = std::filesystem;

namespace {

constexpr const char* kForeign =
    "MAILTO=me@example.org\n"
    "# my own jobs, keep them exactly\n"
    "*/5 * * * * echo '100%' >> /tmp/x  \n"
    "\n"
    "@reboot /usr/bin/true\n";

class Schedule : public ::testing::Test {
 protected:
  void SetUp() override {
    for (const char* d : {"home", "bin", "project"}) fs::create_directories(dir_.file(d));
    for (const auto& [tool, script] :
         {std::pair{"crontab", "fake_crontab.sh"}, std::pair{"systemctl", "fake_systemctl.sh"}}) {
      const std::string path = dir_.file(std::string("bin/") + tool);
      write_text(path, "#!/bin/sh\nexec /bin/sh '" + test_data_dir() + "/report/" + script + "' \"$@\"\n");
      fs::permissions(path, fs::perms::owner_all);
    }
    project_ = fs::canonical(dir_.file("project")).string();
    home_ = fs::canonical(dir_.file("home")).string();
    write_text(project_ + "/nightly.yaml",
               "skillpipe: 1\nname: nightly\nstore: {plugin: store_files}\nstages:\n"
               "  - {id: h1, plugin: fx_harvest, config: {count: 1, source: a}}\n");
    pipeline_ = project_ + "/nightly.yaml";
    name_ = "skillpipe-nightly-" + skillpipe::project_slug(project_);
    crontab_ = dir_.file("crontab.txt");
  }

  CommandResult run(std::vector<std::string> args, const std::string& systemctl_mode = "fail",
                    std::vector<std::string> env = {}) {
    env.insert(env.end(),
               {"HOME=" + home_, "XDG_CONFIG_HOME", "SKILLPIPE_STORE", "PATH=" + dir_.file("bin") + ":/usr/bin:/bin",
                "FAKE_CRONTAB_FILE=" + crontab_, "FAKE_SYSTEMCTL_MODE=" + systemctl_mode,
                "FAKE_SYSTEMCTL_LOG=" + dir_.file("systemctl.log")});
    return run_skillpipe(args, env, project_);
  }
  std::vector<std::string> schedule_args(std::vector<std::string> extra = {}) {
    std::vector<std::string> a = {"schedule", "--pipeline", pipeline_, "--plugin-path", FX_GOOD_DIR};
    a.insert(a.end(), extra.begin(), extra.end());
    return a;
  }
  std::string env_file() const { return home_ + "/.config/skillpipe/env"; }
  std::string unit(const char* ext) const { return home_ + "/.config/systemd/user/" + name_ + ext; }

  TempDir dir_;
  std::string project_, home_, pipeline_, name_, crontab_;
};

std::size_t occurrences(const std::string& s, const std::string& what) {
  std::size_t n = 0;
  for (auto at = s.find(what); at != std::string::npos; at = s.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

TEST_F(Schedule, PrintShowsTheSystemdUnitsWithEverythingTheRunNeedsAndChangesNothing) {
  const auto r = run(schedule_args({"--print", "--via", "systemd", "--at", "04:05", "--auto-adopt"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string bin = fs::canonical(skillpipe_bin()).string();
  const std::string store = home_ + "/.skillpipe";
  EXPECT_NE(r.out.find("# " + unit(".service") + "\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("# " + unit(".timer") + "\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nType=oneshot\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nWorkingDirectory=" + project_ + "\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nEnvironmentFile=-" + env_file() + "\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nEnvironment=\"SKILLPIPE_STORE=" + store + "\"\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nEnvironment=\"PATH=" + dir_.file("bin") + ":/usr/bin:/bin\"\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nExecStart=" + bin + " run " + pipeline_ + " --project " + project_ + " --store " + store +
                       " --plugin-path " + FX_GOOD_DIR + " --auto-adopt\n"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("\nStandardOutput=append:" + store + "/logs/nightly.log\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nStandardError=append:" + store + "/logs/nightly.log\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nOnCalendar=*-*-* 04:05:00\n"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\nPersistent=true\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nUnit=" + name_ + ".service\n"), std::string::npos);
  EXPECT_NE(r.out.find("\nWantedBy=timers.target\n"), std::string::npos);
  EXPECT_NE(r.out.find("systemctl --user enable --now " + name_ + ".timer"), std::string::npos);
  // --print wrote nothing and called no systemctl.
  EXPECT_FALSE(fs::exists(env_file()));
  EXPECT_FALSE(fs::exists(unit(".service")));
  EXPECT_FALSE(fs::exists(store));
  EXPECT_FALSE(fs::exists(dir_.file("systemctl.log")));
}

TEST_F(Schedule, PrintShowsTheCronBlock) {
  const auto r = run(schedule_args({"--print", "--via", "cron", "--store", "/var/tmp/sp store"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const std::string bin = fs::canonical(skillpipe_bin()).string();
  EXPECT_NE(r.out.find("\n# >>> " + name_ + " (managed by `skillpipe schedule`"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\n# <<< " + name_ + " <<<\n"), std::string::npos);
  EXPECT_NE(r.out.find("\n17 3 * * * mkdir -p '/var/tmp/sp store/logs' && { cd " + project_ + " && { [ ! -r " +
                       env_file() + " ] || { set -a && . " + env_file() + " && set +a; }; } && PATH="),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find(" SKILLPIPE_STORE='/var/tmp/sp store' " + bin + " run " + pipeline_ + " --project " + project_ +
                       " --store '/var/tmp/sp store' --plugin-path " + FX_GOOD_DIR +
                       "; } >> '/var/tmp/sp store/logs/nightly.log' 2>&1\n"),
            std::string::npos)
      << r.out;
  EXPECT_FALSE(fs::exists(crontab_));
  EXPECT_FALSE(fs::exists(env_file()));
}

TEST_F(Schedule, CronInstallKeepsForeignLinesByteForByteAndUnscheduleRestoresThem) {
  write_text(crontab_, kForeign);
  auto r = run(schedule_args());  // systemctl fails -> the cron path
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("via your crontab"), std::string::npos) << r.out;
  std::string tab = read_text(crontab_);
  EXPECT_EQ(tab.rfind(kForeign, 0), 0u) << tab;  // foreign lines first, untouched
  EXPECT_EQ(occurrences(tab, "# >>> " + name_), 1u);
  EXPECT_NE(tab.find("\n17 3 * * * "), std::string::npos);
  EXPECT_FALSE(fs::exists(unit(".service")));
  // The key file: created private, with a template; the log directory exists.
  struct stat st {};
  ASSERT_EQ(::stat(env_file().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_NE(read_text(env_file()).find("# ANTHROPIC_API_KEY="), std::string::npos);
  EXPECT_TRUE(fs::is_directory(home_ + "/.skillpipe/logs"));

  // Again at another time: the block is replaced, not duplicated.
  r = run(schedule_args({"--at", "05:30"}));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  tab = read_text(crontab_);
  EXPECT_EQ(tab.rfind(kForeign, 0), 0u);
  EXPECT_EQ(occurrences(tab, "# >>> " + name_), 1u);
  EXPECT_NE(tab.find("\n30 5 * * * "), std::string::npos);
  EXPECT_EQ(tab.find("\n17 3 * * * "), std::string::npos);

  r = run({"unschedule"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Removed the skillpipe block"), std::string::npos);
  EXPECT_EQ(read_text(crontab_), kForeign);
  r = run({"unschedule"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_NE(r.out.find("Nothing is scheduled for " + project_), std::string::npos) << r.out;
}

TEST_F(Schedule, CronWithoutAnyCrontabYetAndAForeignLineWithoutNewline) {
  auto r = run(schedule_args());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(crontab_).rfind("# >>> " + name_, 0), 0u);
  r = run({"unschedule"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(crontab_));  // crontab -r: back to no crontab at all

  write_text(crontab_, "0 1 * * * /bin/true");  // no final newline
  ASSERT_EQ(run(schedule_args()).exit_code, 0);
  EXPECT_EQ(read_text(crontab_).rfind("0 1 * * * /bin/true\n# >>> " + name_, 0), 0u);
  ASSERT_EQ(run({"unschedule"}).exit_code, 0);
  EXPECT_EQ(read_text(crontab_), "0 1 * * * /bin/true\n");
}

TEST_F(Schedule, AnUnreadableCrontabIsNeverReplaced) {
  write_text(crontab_, kForeign);
  const auto r = run(schedule_args(), "fail", {"FAKE_CRONTAB_LIST_ERROR=crontab: cannot open spool"});
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("cannot open spool"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("nothing was changed"), std::string::npos);
  EXPECT_EQ(read_text(crontab_), kForeign);
}

TEST_F(Schedule, HandEditedBlockWithoutItsEndLineIsRefused) {
  write_text(crontab_, std::string(kForeign) + "# >>> " + name_ + " (managed) >>>\n17 3 * * * x\n");
  const auto r = run(schedule_args());
  EXPECT_EQ(r.exit_code, 1);
  EXPECT_NE(r.err.find("not its end line"), std::string::npos) << r.err;
  EXPECT_EQ(read_text(crontab_), std::string(kForeign) + "# >>> " + name_ + " (managed) >>>\n17 3 * * * x\n");
}

TEST_F(Schedule, SystemdInstallWritesUnitsEnablesTheTimerAndUnscheduleRemovesIt) {
  auto r = run(schedule_args(), "ok");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("via a systemd user timer"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("loginctl enable-linger"), std::string::npos);
  ASSERT_TRUE(fs::exists(unit(".service")));
  ASSERT_TRUE(fs::exists(unit(".timer")));
  EXPECT_NE(read_text(unit(".timer")).find("OnCalendar=*-*-* 03:17:00"), std::string::npos);
  EXPECT_NE(
      read_text(unit(".service")).find("ExecStart=" + fs::canonical(skillpipe_bin()).string() + " run " + pipeline_),
      std::string::npos);
  std::string log = read_text(dir_.file("systemctl.log"));
  EXPECT_NE(log.find("--user show-environment\n"), std::string::npos) << log;
  EXPECT_NE(log.find("--user daemon-reload\n--user enable --now " + name_ + ".timer\n"), std::string::npos) << log;
  EXPECT_FALSE(fs::exists(crontab_));

  r = run({"unschedule"}, "ok");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("Removed the systemd user timer " + name_ + ".timer"), std::string::npos) << r.out;
  EXPECT_FALSE(fs::exists(unit(".service")));
  EXPECT_FALSE(fs::exists(unit(".timer")));
  log = read_text(dir_.file("systemctl.log"));
  EXPECT_NE(log.find("--user disable --now " + name_ + ".timer\n"), std::string::npos) << log;
}

TEST_F(Schedule, AnExistingKeyFileIsKeptAndALooseOneIsFlagged) {
  write_text(env_file(), "OPENAI_API_KEY=sk-test\n");
  ::chmod(env_file().c_str(), 0644);
  const auto r = run(schedule_args());
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(env_file()), "OPENAI_API_KEY=sk-test\n");
  EXPECT_NE(r.out.find("is readable by other users"), std::string::npos) << r.out;
}

TEST_F(Schedule, BadArgumentsAndABrokenPipelineAreRefused) {
  auto r = run(schedule_args({"--at", "25:00", "--print"}));
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--at expects a 24-hour time HH:MM"), std::string::npos) << r.err;
  EXPECT_EQ(run(schedule_args({"--at", "3:7", "--print"})).exit_code, 2);
  EXPECT_EQ(run(schedule_args({"--via", "launchd", "--print"})).exit_code, 2);
  r = run({"schedule", "--pipeline", project_ + "/missing.yaml", "--print"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("does not exist"), std::string::npos) << r.err;

  write_text(project_ + "/broken.yaml", "skillpipe: 1\nstages:\n  - {id: h1, plugin: no_such_plugin}\n");
  r = run({"schedule", "--pipeline", project_ + "/broken.yaml", "--print", "--via", "cron"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("the nightly run would fail"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("no_such_plugin"), std::string::npos);
  r = run({"schedule", "--pipeline", project_ + "/broken.yaml", "--print", "--via", "cron", "--no-validate"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(crontab_));
}

TEST_F(Schedule, APipelineWithoutAStoreGetsNoStoreArgument) {
  write_text(project_ + "/nostore.yaml", "skillpipe: 1\nstages:\n  - {id: h1, plugin: fx_harvest}\n");
  auto r = run({"schedule", "--pipeline", project_ + "/nostore.yaml", "--plugin-path", FX_GOOD_DIR, "--print", "--via",
                "systemd"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find(" run " + project_ + "/nostore.yaml --project " + project_ + " --plugin-path "),
            std::string::npos)
      << r.out;
  EXPECT_EQ(r.out.find("--store"), std::string::npos);
  // Its output still goes somewhere known.
  EXPECT_NE(r.out.find("StandardOutput=append:" + home_ + "/.skillpipe/logs/nightly.log"), std::string::npos);
  r = run(
      {"schedule", "--pipeline", project_ + "/nostore.yaml", "--plugin-path", FX_GOOD_DIR, "--print", "--store", "/x"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("has no store: section"), std::string::npos) << r.err;
}
