// reflector.hpp - one reflection call per target: build the prompt, ask the optimizer
// backend, parse the reply (one retry when it is not usable JSON). Usable replies are kept
// as night artifacts, so a resumed night repeats no paid reflection call that answered.
#pragma once

#include <string>
#include <vector>

#include "evaluator.hpp"
#include "reflect_prompt.hpp"
#include "settings.hpp"
#include "skillpipe/backend.hpp"

namespace skillpipe::consolidate_reflect {

struct ReflectOutcome {
  std::vector<Edit> edits;  // parsed, target set, over-budget ones marked
  std::vector<std::string> notes;
  bool budget_stopped = false;
  bool failed = false;  // the call failed or no usable reply came back
};

class Reflector {
 public:
  Reflector(Context& ctx, Backend& backend, const Settings& settings, Usage& usage)
      : ctx_(ctx), backend_(backend), settings_(settings), usage_(usage) {}

  // `failed_tags`: the failed tasks' tags (comma-separated); `documents`: the current skill
  // + memory text. Both go in the request's meta for deterministic backends.
  ReflectOutcome reflect(const PromptInput& input, const std::string& failed_tags, const std::string& documents);

 private:
  std::string call(const ChatRequest& req, const std::string& cache_key, bool& cached);
  std::string artifact_of(const std::string& cache_key) const;
  void keep(const std::string& cache_key, const std::string& reply);

  Context& ctx_;
  Backend& backend_;
  const Settings& settings_;
  Usage& usage_;
};

}  // namespace skillpipe::consolidate_reflect
