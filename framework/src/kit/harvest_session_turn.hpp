// harvest_session_turn.hpp - SessionBuilder's private parts, shared by the event side
// (harvest_session.cpp) and the fold/emit side (harvest_session_fold.cpp): the open turn, a
// call waiting for its result, and the token-usage arithmetic (internal to the kit).
#pragma once

#include <algorithm>
#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "skillpipe/kit/harvester.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::harvest {
namespace session_detail {

inline void max_into(TokenUsage& u, const TokenUsage& v) {
  u.input = std::max(u.input, v.input);
  u.output = std::max(u.output, v.output);
  u.cache_read = std::max(u.cache_read, v.cache_read);
  u.cache_write = std::max(u.cache_write, v.cache_write);
}

inline TokenUsage minus(const TokenUsage& a, const TokenUsage& b) {
  auto d = [](std::int64_t x, std::int64_t y) { return x > y ? x - y : 0; };
  return {d(a.input, b.input), d(a.output, b.output), d(a.cache_read, b.cache_read), d(a.cache_write, b.cache_write)};
}

inline std::string usage_text(const TokenUsage& u) {
  return std::to_string(u.input) + "," + std::to_string(u.output) + "," + std::to_string(u.cache_read) + "," +
         std::to_string(u.cache_write);
}

inline TokenUsage usage_from_text(const std::string& s) {
  TokenUsage u;
  std::int64_t* f[] = {&u.input, &u.output, &u.cache_read, &u.cache_write};
  std::size_t i = 0;
  for (const auto& part : split(s, ',')) {
    if (i == 4) break;
    try {
      *f[i] = std::max<std::int64_t>(0, std::stoll(part));
    } catch (const std::exception&) {
      return {};
    }
    ++i;
  }
  return u;
}

}  // namespace session_detail

struct SessionBuilder::Turn {
  std::uint64_t serial = 0;
  bool is_prompt = false;
  std::string prompt;
  std::int64_t offset = 0;
  std::string final_text;
  std::string final_msg;          // message id of the final candidate
  int final_rank = std::numeric_limits<int>::min();
  bool answered = false, finished = false, failed = false, aborted = false;
  int interrupts = 0, api_errors = 0, orphan_errors = 0, subagents = 0, compactions = 0;
  std::vector<ToolUse> tools;
  std::vector<CommandRun> commands;
  std::vector<std::string> files, skills, slash;
  TokenUsage usage;               // summed per-call usage of finished messages
  std::string usage_msg;          // the message whose usage is being maxed
  TokenUsage usage_msg_max;
  TokenUsage cumulative;
  bool has_cumulative = false;
  std::int64_t last_call = 0;     // the turn's newest call and whether it failed
  bool last_call_failed = false;
  std::int64_t first_ms = 0, last_ms = 0;
};

struct SessionBuilder::Call {
  std::size_t id = 0;
  std::uint64_t key = 0;          // hash of the call id ("" -> 0, untracked)
  std::string name;
  std::uint64_t turn = 0;         // serial of the turn that made it
  int command = -1;               // index into that turn's (or, once folded, the digest's) commands
  bool folded = false;
};

}  // namespace skillpipe::harvest
