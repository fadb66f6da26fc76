// miner_options.cpp - reading and checking the mine_tasks configuration (miner_options.hpp).
#include "miner_options.hpp"

#include <utility>

#include "skillpipe/errors.hpp"

namespace skillpipe::mine_tasks {

MinerOptions read_options(const Config& c) {
  MinerOptions o;
  o.mode = c.get_string("mode", "auto");
  o.backend = c.get_string("backend");
  o.replay_backend = c.get_string("replay_backend");
  o.similarity_threshold = c.get_double("similarity_threshold", 0.5);
  o.min_cluster_size = static_cast<int>(c.get_int("min_cluster_size", 1));
  o.max_sessions = static_cast<int>(c.get_int("max_sessions", 120));
  o.max_tasks = static_cast<int>(c.get_int("max_tasks", 40));
  o.max_llm_tasks_per_session = static_cast<int>(c.get_int("max_llm_tasks_per_session", 3));
  o.min_intent_tokens = static_cast<int>(c.get_int("min_intent_tokens", 2));
  o.intent_chars = static_cast<std::size_t>(c.get_int("intent_chars", 800));
  o.context_chars = static_cast<std::size_t>(c.get_int("context_chars", 600));
  o.solution_chars = static_cast<std::size_t>(c.get_int("solution_chars", 600));
  o.agentic_checks = c.get_bool("agentic_checks", false);
  if (c.has("seed")) {
    const std::string raw = c.get_json("seed");
    o.seed = !raw.empty() && raw[0] == '"' ? c.get_string("seed") : raw;
  }
  o.val_fraction = c.get_double("val_fraction", 0.34);
  o.test_fraction = c.get_double("test_fraction", 0.0);
  o.dream_factor = static_cast<int>(c.get_int("dream_factor", 0));
  o.dream_mode = c.get_string("dream_mode", "auto");
  o.recall_k = static_cast<int>(c.get_int("recall_k", 0));
  o.archive_size = static_cast<std::size_t>(c.get_int("archive_size", 300));
  o.target_skill_path = c.get_string("target_skill_path");
  o.tasks_file = c.get_string("tasks_file");
  o.validate_with = c.get_string_list("validate_with");
  o.state_prefix = c.get_string("state_prefix", "mine_tasks");

  for (auto [v, key] : {std::pair{o.val_fraction, "/val_fraction"}, std::pair{o.test_fraction, "/test_fraction"}})
    if (v < 0 || v > 1) throw ConfigError("must be between 0 and 1", key);
  if (o.val_fraction + o.test_fraction >= 1)
    throw ConfigError("val_fraction + test_fraction must be below 1 so that some tasks train", "/val_fraction");
  if (o.mode == "llm" && o.backend.empty()) throw ConfigError("mode llm needs `backend`", "/backend");
  if (o.dream_mode == "llm" && o.backend.empty()) throw ConfigError("dream_mode llm needs `backend`", "/backend");
  return o;
}

}  // namespace skillpipe::mine_tasks
