#include "settings.hpp"

#include <algorithm>
#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/targets.hpp"
#include "skillpipe/kit/util.hpp"
#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {

const char* const kSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "consolidate_reflect",
  "description": "Reflects on replay failures, proposes bounded edits to the skill and memory, keeps them only if they beat the baseline on val.",
  "type": "object",
  "additionalProperties": false,
  "properties": {
    "backend": {"default": null, "type": "string", "description": "Backend id for replay (the target agent's model). Without it the night only notes how to enable the full cycle."},
    "optimizer_backend": {"type": "string", "description": "Backend id for reflection (the optimizer model). Default: backend."},
    "targets": {"type": "array", "uniqueItems": true, "minItems": 1,
      "items": {"enum": ["claude_skill", "claude_memory", "codex_skill", "codex_memory"]},
      "description": "Where an accepted lesson is emitted. The first skill and first memory target are the documents replayed and gated. Default: [claude_skill, claude_memory]."},
    "skill_name": {"type": "string", "description": "The managed skill (default skillpipe-learned)."},
    "claude_skill_root": {"type": "string", "description": "Default {project}/.claude/skills."},
    "codex_skill_root": {"type": "string", "description": "Default {project}/.agents/skills."},
    "skill_roots": {"default": [], "type": "array", "items": {"type": "string"}, "description": "More roots searched for the user's own skills named by task skill hints."},
    "evolve_skill": {"type": "boolean", "description": "Edit the skill (default true); false freezes it."},
    "evolve_memory": {"type": "boolean", "description": "Edit the memory document (default true); false freezes it."},
    "edit_budget": {"type": "integer", "minimum": 0, "maximum": 50, "description": "Edits per target per night (default 4)."},
    "max_edit_chars": {"type": "integer", "minimum": 20, "description": "Longest edit content (default 400); longer edits are rejected, not truncated."},
    "max_region_chars": {"type": "integer", "minimum": 100, "description": "Largest managed region (default 4000)."},
    "max_failures": {"type": "integer", "minimum": 1, "maximum": 100, "description": "Failures shown to the optimizer (default 8)."},
    "max_successes": {"type": "integer", "minimum": 0, "maximum": 100, "description": "Successes shown as contrast (default 4)."},
    "excerpt_chars": {"type": "integer", "minimum": 40, "maximum": 4000, "description": "Bytes kept of each wanted/got/why excerpt (default 200)."},
    "max_rejected": {"type": "integer", "minimum": 0, "maximum": 200, "description": "Earlier nights' rejected edits shown so they are not proposed again (default 20)."},
    "preferences": {"default": null, "type": "string", "description": "House rules the optimizer treats as priors."},
    "reflect_template": {"default": null, "type": "string", "description": "File with the reflection prompt; placeholders are checked when the pipeline loads."},
    "reflect_max_tokens": {"type": "integer", "minimum": 64, "description": "Reply budget of a reflection call (default 1024)."},
    "rollouts_k": {"type": "integer", "minimum": 1, "maximum": 16, "description": "Samples per train task; >1 shows good and bad attempts side by side (default 1)."},
    "gate_metric": {"enum": ["hard", "soft", "mixed"], "description": "Default mixed."},
    "gate_mixed_weight": {"type": "number", "minimum": 0, "maximum": 1, "description": "w in (1-w)*hard + w*soft (default 0.5)."},
    "gate_no_regression": {"type": "boolean", "description": "Any val task getting worse blocks the candidate (default true). false is a trade-off the night report states: a candidate may then make some tasks worse."},
    "gate_regression_margin": {"type": "number", "minimum": 0, "maximum": 1, "description": "A val task counts as worse only when its score drops by more than this (default 0; a reported trade-off for noisy targets)."},
    "gate_regression": {"enum": ["any", "consistent"], "description": "any: every val task that scores lower blocks the candidate; consistent: only a task whose every candidate sample scores below every baseline sample does (a reported trade-off for stochastic targets, where a single flip is not a measured regression; identical to any for a deterministic target) (default any)."},
    "gate_mode": {"enum": ["strict", "statistical"], "description": "strict: mean strictly better (no significance claimed); statistical: also significant at the night's alpha, spent over its candidates (default statistical)."},
    "gate_test": {"enum": ["permutation", "sign", "bootstrap"], "description": "Statistical test: permutation = a stratified permutation test over the k samples per task; sign = the sign test; bootstrap = a bootstrap interval of the mean improvement (default permutation)."},
    "gate_samples": {"type": "integer", "minimum": 1, "maximum": 16, "description": "Replays per val task for baseline and candidate alike, in the same night. Agreeing samples are what lets a few val tasks show significance, and they average out a stochastic target; 1 is cheaper and can only show large effects (default 3)."},
    "gate_min_val": {"type": "integer", "minimum": 1, "maximum": 10000, "description": "Statistical mode: fewest paired val tasks (pooled over the nights a carried edit was tested) before significance is claimed; below it a promising candidate is carried, never accepted (default 8)."},
    "gate_confidence": {"type": "number", "minimum": 0.5, "maximum": 0.9999, "description": "Confidence level; alpha = 1 - confidence is shared by all candidates of a night (default 0.95)."},
    "gate_min_effect": {"type": "number", "minimum": 0, "maximum": 1, "description": "Minimum mean improvement (default 0)."},
    "gate_resamples": {"type": "integer", "minimum": 100, "maximum": 100000, "description": "Bootstrap resamples (default 2000)."},
    "gate_seed": {"type": "integer", "minimum": 0, "description": "Bootstrap seed (default 42)."},
    "multi_objective": {"default": {}, "type": "object", "additionalProperties": false,
      "description": "Gate on a weighted mean of accuracy and token/latency savings.",
      "properties": {
        "enabled": {"default": false, "description": "gate on the weighted score instead of accuracy alone", "type": "boolean"},
        "w_accuracy": {"default": 1.0, "description": "weight of the accuracy change", "type": "number", "minimum": 0},
        "w_tokens": {"default": 0.0, "description": "weight of the token score", "type": "number", "minimum": 0},
        "w_latency": {"default": 0.0, "description": "weight of the latency score", "type": "number", "minimum": 0},
        "token_ref": {"default": 2000, "description": "token scale: the token score is max(0, 1 - tokens/token_ref), so fewer tokens score higher", "type": "number", "minimum": 1},
        "latency_ref_ms": {"default": 15000, "description": "latency scale: the latency score is max(0, 1 - latency_ms/latency_ref_ms), so faster replays score higher", "type": "number", "minimum": 1}
      }},
    "final_replay": {"type": "boolean", "description": "Replay val once more with the candidate pair before accepting (default true)."},
    "salvage_edits": {"type": "boolean", "description": "When a target's edits are rejected together, try each alone (costs one val replay per edit; default true)."},
    "carry_nights": {"type": "integer", "minimum": 0, "maximum": 10, "description": "Nights an edit that is promising (better, hurts nothing) but not yet significant is carried and re-tested on fresh samples and new tasks before it is rejected; tested alone, its evidence pools across those nights, each look held to a further halving of alpha (default 2; 0 rejects it at once)."},
    "prune_edits": {"type": "boolean", "description": "When several edits are accepted together, drop each one the val score does not need (leave-one-out; costs one val replay per edit; default true)."},
    "fanout": {"type": "boolean", "description": "Give each existing skill named by task skill hints its own gated proposal (default true)."},
    "fanout_max": {"type": "integer", "minimum": 0, "maximum": 64, "description": "Most hinted skills consolidated per night (default 8)."},
    "evaluate_only": {"default": false, "type": "boolean", "description": "Only score val (and test) under the current documents."},
    "on_over_budget": {"default": "refuse", "enum": ["refuse", "fit", "run"], "description": "When the night's spending plan exceeds a backend's budget caps: refuse before any paid call (default), fit by trimming train tasks, or run anyway until a cap stops it."}
  }
})";

const char* const kDefaultReflectTemplate =
    "You improve the {{target_kind}} a coding agent reads before every task, using evidence from "
    "replays of the user's recurring tasks.\n\n"
    "Current {{target_kind}}:\n<document>\n{{document}}\n</document>\n\n"
    "{{criteria}}{{failures}}{{successes}}{{contrast}}{{triggers}}{{preferences}}{{contract}}{{rejected}}"
    "Propose at most {{edit_budget}} edits. Each must be a short, general, reusable rule (never about one "
    "specific task), concrete (quote exact formats, thresholds and names), at most {{max_edit_chars}} characters.\n"
    "Classify each failure's cause with `kind`:\n"
    "- \"skill_defect\": the document lacks the rule or states it wrongly; add or replace a rule.\n"
    "- \"execution_lapse\": the document already has the rule but it was not followed; add a short reminder "
    "(it goes to the execution-notes appendix).\n"
    "Operations: add (content), replace (anchor = text of a learned rule, content = new text), delete (anchor), "
    "append (content, added after the user's text), insert_after (anchor = a line of the document, content), "
    "set_description (skill only: content = the complete new frontmatter description, one line).\n"
    "Only text skillpipe manages can be replaced or deleted; the user's own text is read-only, except the skill's "
    "description through set_description.\n"
    "Reply with ONLY a JSON object, no prose:\n"
    "{\"edits\":[{\"target\":\"{{target}}\",\"op\":\"add\",\"content\":\"...\",\"anchor\":\"\","
    "\"rationale\":\"which failures it fixes\",\"kind\":\"skill_defect\"}]}\n"
    "Reply {\"edits\":[]} when no general rule would help.\n";

const std::vector<std::string>& reflect_placeholders() {
  static const std::vector<std::string> k = {"target",   "target_kind", "document",    "criteria",
                                             "failures", "successes",   "contrast",    "preferences",
                                             "contract", "rejected",    "edit_budget", "max_edit_chars",
                                             "triggers"};
  return k;
}

namespace {

int get_int(const Config& c, const char* key, int def) { return static_cast<int>(c.get_int(key, def)); }

// The gate_* keys and multi_objective.
GateConfig parse_gate(const Config& c) {
  GateConfig g;
  g.metric = c.get_string("gate_metric", "mixed");
  g.mixed_weight = c.get_double("gate_mixed_weight", 0.5);
  g.no_regression = c.get_bool("gate_no_regression", g.no_regression);
  g.regression_margin = c.get_double("gate_regression_margin", g.regression_margin);
  g.regression = c.get_string("gate_regression", g.regression);
  g.mode = c.get_string("gate_mode", g.mode);
  g.test = c.get_string("gate_test", g.test);
  g.samples = get_int(c, "gate_samples", g.samples);
  g.min_val = get_int(c, "gate_min_val", g.min_val);
  g.confidence = c.get_double("gate_confidence", 0.95);
  g.min_effect = c.get_double("gate_min_effect", 0.0);
  g.resamples = get_int(c, "gate_resamples", 2000);
  g.seed = static_cast<std::uint64_t>(c.get_int("gate_seed", 42));
  const Config mo = c.get_object("multi_objective");
  g.multi.enabled = mo.get_bool("enabled", false);
  g.multi.w_accuracy = mo.get_double("w_accuracy", 1.0);
  g.multi.w_tokens = mo.get_double("w_tokens", 0.0);
  g.multi.w_latency = mo.get_double("w_latency", 0.0);
  g.multi.token_ref = mo.get_double("token_ref", 2000);
  g.multi.latency_ref_ms = mo.get_double("latency_ref_ms", 15000);
  if (g.multi.enabled && g.multi.w_accuracy + g.multi.w_tokens + g.multi.w_latency <= 0)
    throw ConfigError("multi_objective is enabled but every weight is 0", c.pointer() + "/multi_objective");
  return g;
}

// The reflect_template file, its placeholders checked; `path_out` gets its resolved path.
std::string read_template(const Config& c, const std::string& pipeline_dir, std::string& path_out) {
  const std::string p = c.pointer();
  std::string path = expand_path(c.get_string("reflect_template"));
  if (!path.empty() && path[0] != '/' && !pipeline_dir.empty()) path = pipeline_dir + "/" + path;
  auto text = read_file(path);
  if (!text) throw ConfigError("cannot read reflect_template file " + path, p + "/reflect_template");
  const auto& allowed = reflect_placeholders();
  std::vector<std::string> bad;
  bool has_failures = false;
  for (const auto& ph : template_placeholders(*text)) {
    if (ph == "failures") has_failures = true;
    if (std::find(allowed.begin(), allowed.end(), ph) == allowed.end()) bad.push_back("{{" + ph + "}}");
  }
  if (!bad.empty())
    throw ConfigError(
        path + ": unknown placeholder(s) " + join(bad, ", ") + " (allowed: " + join(allowed, ", ") + ")",
        p + "/reflect_template");
  if (!has_failures)
    throw ConfigError(path + ": the template must contain {{failures}} (the evidence the optimizer reflects on)",
                      p + "/reflect_template");
  path_out = path;
  return *text;
}

}  // namespace

Settings parse_settings(const Config& c, const std::string& pipeline_dir) {
  Settings s;
  const std::string p = c.pointer();
  s.backend = c.get_string("backend");
  s.optimizer_backend = c.get_string("optimizer_backend");
  if (c.has("targets")) s.targets = targets::targets_from_config(c, "targets");
  s.skill_name = c.get_string("skill_name", s.skill_name);
  if (!valid_skill_name(s.skill_name))
    throw ConfigError("skill_name '" + s.skill_name +
                          "' is not a valid skill name (lower-case letters, digits and "
                          "single hyphens, at most 64 characters)",
                      p + "/skill_name");
  s.claude_skill_root = c.get_string("claude_skill_root", s.claude_skill_root);
  s.codex_skill_root = c.get_string("codex_skill_root", s.codex_skill_root);
  if (c.has("skill_roots")) s.skill_roots = c.get_string_list("skill_roots");
  s.evolve_skill = c.get_bool("evolve_skill", true);
  s.evolve_memory = c.get_bool("evolve_memory", true);
  s.edit_budget = get_int(c, "edit_budget", 4);
  s.bounds.max_edit_chars = static_cast<std::size_t>(get_int(c, "max_edit_chars", 400));
  s.bounds.max_region_chars = static_cast<std::size_t>(get_int(c, "max_region_chars", 4000));
  if (s.bounds.max_region_chars < s.bounds.max_edit_chars)
    throw ConfigError("max_region_chars (" + std::to_string(s.bounds.max_region_chars) +
                          ") must be at least max_edit_chars (" + std::to_string(s.bounds.max_edit_chars) + ")",
                      p + "/max_region_chars");
  s.max_failures = get_int(c, "max_failures", 8);
  s.max_successes = get_int(c, "max_successes", 4);
  s.excerpt_chars = get_int(c, "excerpt_chars", 200);
  s.max_rejected = get_int(c, "max_rejected", 20);
  s.preferences = c.get_string("preferences");
  s.reflect_max_tokens = get_int(c, "reflect_max_tokens", 1024);
  s.rollouts_k = get_int(c, "rollouts_k", 1);
  s.gate = parse_gate(c);
  s.final_replay = c.get_bool("final_replay", true);
  s.salvage_edits = c.get_bool("salvage_edits", s.salvage_edits);
  s.prune_edits = c.get_bool("prune_edits", true);
  s.carry_nights = get_int(c, "carry_nights", s.carry_nights);
  s.fanout = c.get_bool("fanout", true);
  s.fanout_max = get_int(c, "fanout_max", 8);
  s.evaluate_only = c.get_bool("evaluate_only", false);
  s.on_over_budget = c.get_string("on_over_budget", "refuse");

  s.reflect_template = kDefaultReflectTemplate;
  if (c.has("reflect_template")) s.reflect_template = read_template(c, pipeline_dir, s.reflect_template_path);
  return s;
}

}  // namespace skillpipe::consolidate_reflect
