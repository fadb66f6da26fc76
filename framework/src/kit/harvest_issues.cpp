// harvest_issues.cpp - where run_harvest's file issues go besides the stage log: a sink per
// context. Plugins and the host share this one registry because both link libskillpipe_kit.
#include <map>
#include <mutex>

#include "skillpipe/kit/harvest.hpp"

namespace skillpipe::harvest {
namespace {

std::mutex& sink_mutex() {
  static std::mutex mu;
  return mu;
}
std::map<const Context*, FileIssueSink>& sinks() {
  static std::map<const Context*, FileIssueSink> m;
  return m;
}

}  // namespace

void set_file_issue_sink(const Context& ctx, FileIssueSink sink) {
  std::lock_guard lk(sink_mutex());
  if (sink) sinks()[&ctx] = std::move(sink);
  else sinks().erase(&ctx);
}

void name_file_issue(const Context& ctx, const FileIssue& issue) {
  std::lock_guard lk(sink_mutex());  // also serialises the calls, as set_file_issue_sink promises
  if (auto it = sinks().find(&ctx); it != sinks().end()) it->second(issue);
}

}  // namespace skillpipe::harvest
