// miner_options.hpp - the mine_tasks configuration, parsed once in configure().
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "skillpipe/config.hpp"

namespace skillpipe::mine_tasks {

struct MinerOptions {
  std::string mode = "auto";            // heuristic | llm | auto
  std::string backend;                  // LLM mining and paraphrasing
  std::string replay_backend;           // checked for paid() when a tasks_file is unreviewed
  double similarity_threshold = 0.5;    // Jaccard of intent tokens that merges two intents
  int min_cluster_size = 1;             // sessions a recurring task needs to be kept
  int max_sessions = 120;               // newest first
  int max_tasks = 40;                   // real tasks per night, after clustering and relevance
  int max_llm_tasks_per_session = 3;
  int min_intent_tokens = 2;
  std::size_t intent_chars = 800;
  std::size_t context_chars = 600;
  std::size_t solution_chars = 600;
  // Derive checks an agentic replay verifies (agentic_checks.hpp); off for chat replays,
  // which have no workspace to run them in.
  bool agentic_checks = false;
  // Splits.
  std::string seed = "42";
  double val_fraction = 0.34;
  double test_fraction = 0.0;
  // Augmentation.
  int dream_factor = 0;
  std::string dream_mode = "auto";      // templates | llm | auto
  int recall_k = 0;
  std::size_t archive_size = 300;
  // Relevance to a target skill.
  std::string target_skill_path;
  // Reviewed task files.
  std::string tasks_file;
  std::vector<std::string> validate_with;  // judge ids, besides the stage's input judges
  std::string state_prefix = "mine_tasks";
};

// The options from the stage's config, checked (fractions in range, a backend for llm modes);
// throws ConfigError naming the key. Backend ids are checked against the pipeline by the stage.
MinerOptions read_options(const Config& c);

}  // namespace skillpipe::mine_tasks
