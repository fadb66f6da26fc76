// harvest_base.cpp - HarvesterBase: the plugin skeleton every harvester shares.
#include <spdlog/spdlog.h>
#include <sys/stat.h>

#include "skillpipe/kit/harvester.hpp"

namespace skillpipe::harvest {

void HarvesterBase::configure(const Config& config, Context& ctx) {
  options_ = options_from_config(config, ctx, default_home());
  configure_more(config, ctx);
}

void HarvesterBase::harvest(DigestSink& out, Context& ctx) {
  struct stat st{};
  if (::stat(options_.home.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
    ctx.logger().info("no {} transcripts: {} does not exist", source(), options_.home);
    ctx.count("files_seen", 0);
    return;
  }
  Candidates found = find_files(ctx);
  run_harvest(ctx, options_, std::move(found), [this](const FileJob& job, const Options&) { return parse(job); }, out);
}

Candidates HarvesterBase::walk(std::string_view sub, const AcceptFn& accept_file, const AcceptFn& accept_dir) const {
  std::string root = options_.home;
  if (!sub.empty()) root += "/" + std::string(sub);
  return walk_files(root, accept_file, accept_dir, options_.home);
}

}  // namespace skillpipe::harvest
