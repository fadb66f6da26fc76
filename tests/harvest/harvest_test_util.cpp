#include "harvest_test_util.hpp"

#include <sys/stat.h>
#include <sys/time.h>
#include <zstd.h>

#include <fstream>
#include <sstream>

#include "host/basic_context.hpp"
#include "skillpipe/config.hpp"
#include "skillpipe/stage.hpp"
#include "skillpipe/testing/plugin_loader.hpp"

namespace skillpipe::testing {

HarvestOutput harvest(const HarvestRun& run) {
  auto reg = make_registry();
  auto stage = reg->create_as<Harvester>(run.plugin);
  host::Services services;
  services.store = run.store;
  RunInfo info;
  info.project = run.project;
  info.now_utc = run.now_utc;
  host::BasicContext ctx(run.plugin, info, &services);
  stage->configure(Config::parse(run.config), ctx);
  HarvestOutput out;
  out.digests = testing::conformance::harvest_all(*stage, ctx);
  stage->finish(ctx);
  out.counts = ctx.counts();
  return out;
}

std::string harvest_data(const std::string& rel) { return test_data_dir() + "/harvest/" + rel; }

void copy_tree(const std::string& from, const std::string& to) {
  namespace fs = std::filesystem;
  if (fs::is_directory(from)) {
    fs::create_directories(to);
    fs::copy(from, to, fs::copy_options::recursive | fs::copy_options::overwrite_existing);
  } else {
    fs::create_directories(fs::path(to).parent_path());
    fs::copy_file(from, to, fs::copy_options::overwrite_existing);
  }
}

void append_text(const std::string& path, const std::string& text) {
  std::ofstream f(path, std::ios::binary | std::ios::app);
  f << text;
}

void zstd_file(const std::string& from, const std::string& to) {
  std::string in = read_text(from);
  std::string out(ZSTD_compressBound(in.size()), '\0');
  std::size_t n = ZSTD_compress(out.data(), out.size(), in.data(), in.size(), 3);
  if (ZSTD_isError(n)) throw std::runtime_error("zstd compress failed");
  out.resize(n);
  std::ofstream f(to, std::ios::binary | std::ios::trunc);
  f << out;
}

void set_mtime(const std::string& path, std::int64_t epoch_s) {
  struct timeval tv[2] = {{static_cast<time_t>(epoch_s), 0}, {static_cast<time_t>(epoch_s), 0}};
  ::utimes(path.c_str(), tv);
}

}  // namespace skillpipe::testing
