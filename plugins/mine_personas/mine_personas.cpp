// mine_personas - emits the tasks of a SkillOpt-Sleep persona file as mined tasks, split
// exactly the way SkillOpt-Sleep splits them, for the deterministic proof experiment.
//
// `probe: true` emits SkillOpt's gate-safety probe instead: the file's harmful task plus
// the persona's first `probe_tasks` tasks, split with `probe_val_fraction` (0.5).
// `harmful_to_train: true` then forces the harmful task into train, so the harmful rule is
// really proposed and the gate really has to refuse it.
#include <spdlog/spdlog.h>

#include <memory>

#include "persona_file.hpp"
#include "skillpipe/errors.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"
#include "splits.hpp"

namespace skillpipe {
namespace {

const char* const kSchemaJson = R"({
  "$schema": "http://json-schema.org/draft-04/schema#",
  "title": "mine_personas",
  "description": "Tasks of a SkillOpt-Sleep persona file, with SkillOpt's exact split rule.",
  "type": "object",
  "additionalProperties": false,
  "required": ["fixture"],
  "properties": {
    "fixture": {"type": "string", "description": "Persona file (relative paths are taken from the pipeline's folder)."},
    "persona": {"type": "string", "description": "Which persona's tasks (default researcher)."},
    "seed": {"type": "integer", "description": "Split seed (default 42)."},
    "val_fraction": {"type": "number", "minimum": 0, "maximum": 1, "description": "Default 0.34."},
    "test_fraction": {"type": "number", "minimum": 0, "maximum": 1, "description": "Default 0."},
    "probe": {"default": false, "type": "boolean", "description": "Emit the gate-safety probe (harmful task + first tasks) instead."},
    "probe_tasks": {"type": "integer", "minimum": 1, "description": "Persona tasks in the probe (default 3)."},
    "probe_val_fraction": {"type": "number", "minimum": 0, "maximum": 1, "description": "Default 0.5."},
    "harmful_to_train": {"default": false, "type": "boolean", "description": "Probe only: put the harmful task in train."}
  }
})";

class MinePersonas final : public Miner {
 public:
  void configure(const Config& c, Context& ctx) override {
    std::string path = expand_path(c.get_string("fixture"));
    if (!path.empty() && path[0] != '/' && !ctx.run().pipeline_dir.empty()) path = ctx.run().pipeline_dir + "/" + path;
    mine_personas::PersonaFile file;
    try {
      file = mine_personas::read_persona_file(path);
    } catch (const Error& e) {
      throw ConfigError(e.what(), "/fixture");
    }
    const std::string persona = c.get_string("persona", "researcher");
    const auto* tasks = file.find(persona);
    if (!tasks)
      throw ConfigError("persona '" + persona + "' is not in " + path + " (it has: " + file.names() + ")", "/persona");
    mine_personas::SplitOptions opt;
    opt.seed = c.get_int("seed", 42);
    opt.val_fraction = c.get_double("val_fraction", 0.34);
    opt.test_fraction = c.get_double("test_fraction", 0.0);
    const bool probe = c.get_bool("probe", false);
    harmful_to_train_ = c.get_bool("harmful_to_train", false);
    probe_ = probe;
    if (harmful_to_train_ && !probe)
      throw ConfigError("harmful_to_train only applies with probe: true", "/harmful_to_train");
    tasks_.clear();
    if (probe) {
      if (!file.harmful) throw ConfigError(path + " has no harmful_task, so there is no gate-safety probe", "/probe");
      tasks_.push_back(*file.harmful);
      const auto n = static_cast<std::size_t>(c.get_int("probe_tasks", 3));
      for (std::size_t i = 0; i < tasks->size() && i < n; ++i) tasks_.push_back((*tasks)[i]);
      opt.val_fraction = c.get_double("probe_val_fraction", 0.5);
      opt.test_fraction = 0;
      harmful_id_ = file.harmful->id;
    } else {
      tasks_ = *tasks;
    }
    for (auto& t : tasks_) t.origin = Origin::kReal;
    notes_ = mine_personas::assign_splits(tasks_, opt);
    if (harmful_to_train_)
      for (auto& t : tasks_)
        if (t.id == harmful_id_ && t.split != Split::kTrain) {
          t.split = Split::kTrain;
          notes_.push_back("harmful task " + t.id + " forced into train");
        }
  }

  std::vector<TaskRecord> mine(const DigestStream&, Context& ctx) override {
    for (const auto& n : notes_) ctx.logger().info("{}", n);
    for (const auto& t : tasks_) ctx.count(std::string("split_") + to_string(t.split));
    // Marks the night as a gate-safety probe: `skillpipe report` then does not open it by default.
    if (probe_) ctx.count("probe_tasks", static_cast<std::int64_t>(tasks_.size()));
    return tasks_;
  }

 private:
  std::vector<TaskRecord> tasks_;
  std::vector<std::string> notes_;
  std::string harmful_id_;
  bool harmful_to_train_ = false;
  bool probe_ = false;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kMiner, "1.0.0",
                 "SkillOpt-Sleep persona tasks with SkillOpt's exact split rule (proof experiment)",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::MinePersonas); });
