// settings.hpp - consolidate_reflect's configuration: its JSON schema, defaults, and the
// checks the schema cannot express (template placeholders, skill name, target list).
#pragma once

#include <string>
#include <vector>

#include "edit_ops.hpp"
#include "gate.hpp"
#include "skillpipe/config.hpp"

namespace skillpipe::consolidate_reflect {

extern const char* const kSchemaJson;

struct Settings {
  std::string backend;            // replay: the target agent's model
  std::string optimizer_backend;  // reflection: the optimizer model ("" = backend)
  std::vector<Target> targets{{Agent::kClaude, DocKind::kSkill}, {Agent::kClaude, DocKind::kMemory}};
  std::string skill_name = "skillpipe-learned";
  std::string claude_skill_root = "{project}/.claude/skills";
  std::string codex_skill_root = "{project}/.agents/skills";
  std::vector<std::string> skill_roots;  // extra roots searched for hinted skills (fan-out)
  bool evolve_skill = true;
  bool evolve_memory = true;
  int edit_budget = 4;  // per target per night
  EditBounds bounds;
  int max_failures = 8;  // shown in the reflection prompt
  int max_successes = 4;
  int excerpt_chars = 200;
  int max_rejected = 20;  // earlier nights' rejected edits shown
  std::string preferences;
  std::string reflect_template;  // the text (default or the configured file's)
  std::string reflect_template_path;
  int reflect_max_tokens = 1024;
  int rollouts_k = 1;
  GateConfig gate;
  bool final_replay = true;
  bool salvage_edits = true;   // after a rejected batch, try each edit alone
  int carry_nights = 2;        // nights a promising, not yet significant edit is re-tested
  bool prune_edits = true;     // after an accepted batch, drop edits val does not need
  bool fanout = true;
  int fanout_max = 8;
  bool evaluate_only = false;  // score val/test under the current documents, nothing else
  std::string on_over_budget = "refuse";  // refuse | fit | run: what a plan over the caps does
};

// The built-in reflection prompt, and the placeholders a template may use.
extern const char* const kDefaultReflectTemplate;
const std::vector<std::string>& reflect_placeholders();

// Throws ConfigError (with the key's pointer) for anything the schema lets through but the
// night cannot use. Relative template paths are taken from `pipeline_dir`.
Settings parse_settings(const Config& config, const std::string& pipeline_dir);

}  // namespace skillpipe::consolidate_reflect
