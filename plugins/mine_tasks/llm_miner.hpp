// llm_miner.hpp - asking a backend for 0-3 reusable, checkable tasks per session.
//
// Each proposed task carries a one-sentence rubric and/or rule checks and a `satisfied`
// flag. Replies are parsed defensively (fenced JSON, prose around it, an object holding
// "tasks"); a task that cannot be checked is dropped; a rubric wins over literal checks,
// since any literal check can be gamed by printing the string.
#pragma once

#include <string>
#include <vector>

#include "miner_options.hpp"
#include "skillpipe/backend.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::mine_tasks {

// The prompt for one session (already redacted input is redacted again).
std::vector<std::pair<std::string, std::string>> llm_mining_messages(const SessionDigest& d);

struct LlmParse {
  std::vector<TaskRecord> tasks;
  bool readable = false;       // a JSON array (possibly empty) was found
  int dropped = 0;             // proposals that could not be checked or were malformed
  int dropped_checks = 0;      // individual checks removed (unknown op, bad arg, bad regex)
};

// Turns a reply into tasks for session `d` (ids "llm_" + sha256(project + intent)[:12]).
LlmParse parse_llm_tasks(const std::string& reply, const SessionDigest& d, const MinerOptions& o);

// Finds the first JSON array in `text` (or an object's "tasks" array) and returns its JSON
// text; "" if none parses.
std::string first_json_array(const std::string& text, const char* object_key = "tasks");

// The non-empty, trimmed strings of a JSON array text (other elements skipped).
std::vector<std::string> json_string_array(const std::string& json_array);

// Runs the LLM miner over `ds` in order until `limit` tasks are found. A budget stop ends
// it; other failures are counted and skipped, and after 3 failures without a success it
// gives up. Counts llm_calls, llm_errors, llm_unparseable, llm_dropped(_checks).
std::vector<TaskRecord> mine_sessions_with_llm(const std::vector<const SessionDigest*>& ds, Backend& backend,
                                               const MinerOptions& o, std::size_t limit, Context& ctx);

// Up to n backend paraphrases of the task's intent for dream variants; empty on any
// failure (templates take over). *budget_stop is set when the backend's budget ran out.
std::vector<std::string> paraphrase_with_llm(const TaskRecord& t, int n, Backend& backend, Context& ctx,
                                             bool* budget_stop);

}  // namespace skillpipe::mine_tasks
