// mock_rules.hpp - where the mock's rule texts come from.
#pragma once

#include <string>

#include "mock_model.hpp"
#include "skillpipe/config.hpp"

namespace skillpipe::backend_mock {

// SkillOpt-Sleep's RULE_TEXT, as shipped in shared/fixtures/skillopt/personas.json.
RuleTexts default_rules();

// Reads a rules file: a persona file ({"rule_text": {...}, ...}) or a plain {key: text}
// object. Throws ConfigError naming the file and what is wrong.
RuleTexts load_rules_file(const std::string& path);

// The defaults, replaced by `rules_file` when given (relative paths are taken from
// `base_dir`, the pipeline's folder), then overridden key by key by `rules`.
RuleTexts rules_from_config(const Config& config, const std::string& base_dir);

}  // namespace skillpipe::backend_mock
