// The `skillpipe new-plugin --kind miner` source: a minimal working miner that compiles
// against the installed SDK alone and passes the conformance harness as written.
#include "scaffold/templates.hpp"

namespace skillpipe::app::scaffold {

const char* const kMinerSource =
    R"TPL(// @NAME@ - a skillpipe miner: prompts the user gave at least `min_count` times become tasks.
//
// Tasks are split train/val/test by a hash of their id, so a task keeps its split from night
// to night. Replace mine() with your own notion of a recurring task.
#include <algorithm>
#include <map>
#include <set>

#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace {

using namespace skillpipe;

const char* const kSchemaJson = R"JSON({
  "$schema": "http://json-schema.org/draft-04/schema#", "title": "@NAME@",
  "type": "object", "additionalProperties": false,
  "properties": {
    "min_count": {"type": "integer", "minimum": 1, "description": "times a prompt must recur (default 2)"}
  }
})JSON";

// Lower case, single spaces: "Run  the Tests" and "run the tests" are the same task.
std::string normalize(std::string_view s) {
  std::string out;
  for (char c : to_lower_ascii(trim(s))) {
    const bool space = c == ' ' || c == '\t' || c == '\n' || c == '\r';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  return out;
}

class @CAMEL@ : public Miner {
 public:
  void configure(const Config& config, Context&) override { min_count_ = config.get_int("min_count", 2); }

  // The digests stream by one at a time (a first night can hold thousands): keep what you need.
  std::vector<TaskRecord> mine(const DigestStream& digests, Context& ctx) override {
    struct Group {
      TaskRecord task;
      std::int64_t count = 0;
    };
    std::map<std::string, Group> groups;  // ordered: the same digests give the same tasks
    digests.for_each([&](const SessionDigest& d) {
      for (std::size_t i = 0; i < d.user_prompts.size(); ++i) {
        const std::string key = normalize(d.user_prompts[i]);
        if (key.empty()) continue;
        Group& g = groups[key];
        if (g.count++ == 0) {
          g.task.id = "@NAME@-" + sha256_hex(key).substr(0, 12);
          g.task.project = d.project;
          g.task.intent = d.user_prompts[i];
          g.task.tags = {"@NAME@"};
        }
        if (i < d.assistant_finals.size()) g.task.attempted_solution = d.assistant_finals[i];
        if (std::find(g.task.source_sessions.begin(), g.task.source_sessions.end(), d.session_id) ==
            g.task.source_sessions.end())
          g.task.source_sessions.push_back(d.session_id);
      }
    });
    std::vector<TaskRecord> out;
    for (auto& [key, g] : groups) {
      if (g.count < min_count_) continue;
      const int bucket = std::stoi(g.task.id.substr(g.task.id.size() - 1), nullptr, 16);  // 0..15
      g.task.split = bucket < 11 ? Split::kTrain : bucket < 13 ? Split::kVal : Split::kTest;
      out.push_back(std::move(g.task));
    }
    ctx.count("tasks", static_cast<std::int64_t>(out.size()));
    return out;
  }

 private:
  std::int64_t min_count_ = 2;
};

}  // namespace

SKILLPIPE_PLUGIN(skillpipe::StageKind::kMiner, "0.1.0", "@NAME@: recurring prompts -> tasks", kSchemaJson,
                 [] { return std::make_unique<@CAMEL@>(); });
)TPL";

}  // namespace skillpipe::app::scaffold
