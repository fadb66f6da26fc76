// bubblewrap around a replay: the workspace and scratch home are writable, the user's home and
// checkout are not, and the user's home is not even readable.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdlib>
#include <filesystem>

#include "clean_process.hpp"
#include "confinement.hpp"
#include "lab.hpp"
#include "test_support.hpp"

namespace fs = std::filesystem;

namespace skillpipe::backend_agent {
namespace {

std::string bwrap_or_skip() {
  const char* configured = std::getenv("SKILLPIPE_BWRAP");
  return find_bwrap(configured ? configured : "");
}

TEST(Confinement, CommandsCannotWriteOutsideTheWorkspaceOrReadTheHome) {
  const std::string bwrap = bwrap_or_skip();
  TempDir tmp;
  std::string why;
  if (!bwrap_works(bwrap, tmp.path(), &why)) {
    if (std::getenv("SKILLPIPE_REQUIRE_BWRAP")) FAIL() << why;
    GTEST_SKIP() << why;
  }
  // A pretend user: a home with a secret and a checkout outside the home.
  const std::string home = tmp.file("home/me");
  write_text(home + "/.ssh/id_ed25519", "SECRET\n");
  write_text(tmp.file("checkout/app.py"), "v1\n");
  fs::create_directories(tmp.file("replay/ws"));
  const std::string tmp_probe = "/tmp/skillpipe-confinement-" + std::to_string(::getpid());
  ConfineSpec s;
  s.bwrap = bwrap;
  s.real_home = home;
  s.writable = {tmp.file("replay")};
  s.cwd = tmp.file("replay/ws");
  std::vector<std::string> argv = bwrap_prefix(s);
  const std::string script =
      "echo ok > inside.txt; "
      "echo x >> '" + tmp.file("checkout/app.py") + "' 2>/dev/null && echo WROTE-CHECKOUT; "
      "touch '" + home + "/planted' 2>/dev/null; "
      "cat '" + home + "/.ssh/id_ed25519' 2>/dev/null; "
      "touch '" + tmp_probe + "' && echo private-tmp; echo done";
  argv.insert(argv.end(), {"/bin/sh", "-c", script});
  CleanProcess p;
  p.argv = argv;
  p.env = base_environment();
  p.timeout_s = 60;
  ProcessOutcome r = run_clean(p);
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(read_text(tmp.file("replay/ws/inside.txt")), "ok\n");
  EXPECT_EQ(r.out.find("WROTE-CHECKOUT"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("SECRET"), std::string::npos) << "the user's home is hidden: " << r.out;
  EXPECT_NE(r.out.find("private-tmp"), std::string::npos) << r.out;
  EXPECT_EQ(read_text(tmp.file("checkout/app.py")), "v1\n");
  EXPECT_FALSE(fs::exists(home + "/planted"));
  EXPECT_FALSE(fs::exists(tmp_probe)) << "/tmp inside the sandbox is private";
}

TEST(Confinement, MissingBwrapExplainsHowToGetIt) {
  TempDir tmp;
  std::string why;
  EXPECT_FALSE(bwrap_works("", tmp.path(), &why));
  EXPECT_NE(why.find("apt install bubblewrap"), std::string::npos) << why;
  EXPECT_EQ(find_bwrap(tmp.file("no-such-bwrap")), "");
}

TEST(Confinement, InstallRootOfANodePackageIsItsNodeModules) {
  TempDir tmp;
  write_text(tmp.file("agents/c/node_modules/@x/cli/bin/cli.js"), "#!/bin/sh\n");
  fs::create_directories(tmp.file("agents/c/node_modules/.bin"));
  fs::create_symlink("../@x/cli/bin/cli.js", tmp.file("agents/c/node_modules/.bin/cli"));
  EXPECT_EQ(install_root_of(tmp.file("agents/c/node_modules/.bin/cli")),
            fs::canonical(tmp.file("agents/c/node_modules")).string());
  write_text(tmp.file("bin/tool"), "#!/bin/sh\n");
  EXPECT_EQ(install_root_of(tmp.file("bin/tool")), fs::canonical(tmp.file("bin")).string());
}

}  // namespace
}  // namespace skillpipe::backend_agent
