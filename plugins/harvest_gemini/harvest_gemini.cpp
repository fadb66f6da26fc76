// harvest_gemini - Gemini CLI chats (<home>/tmp/<project>/chats/session-*.jsonl, and the legacy
// session-*.json documents) -> SessionDigests. Format: docs/formats/gemini-cli.md (checked
// against @google/gemini-cli 0.61.0 and sessions recorded with it,
// tests/data/agents/gemini-cli-0.61.0/).
//
// Only the format lives here (gemini_messages.cpp); the read loop, cursors, hold-back, caps,
// outcome bookkeeping and redaction are the SDK's (skillpipe/kit/harvester.hpp).
#include <charconv>
#include <filesystem>

#include "gemini_messages.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/plugin.hpp"

namespace skillpipe {
namespace {

using harvest::JsonView;

const char* const kSchemaJson =
    "{\"$schema\":\"http://json-schema.org/draft-04/schema#\",\"title\":\"harvest_gemini\","
    "\"description\":\"Gemini CLI chats under <home>/tmp/*/chats (default home ~/.gemini)\","
    "\"type\":\"object\",\"additionalProperties\":false,\"properties\":{" SKILLPIPE_HARVEST_SCHEMA_PROPERTIES_HOME("~/.gemini")
    ",\"max_document_bytes\":{\"type\":\"integer\",\"minimum\":1024,\"description\":"
    "\"legacy session-*.json documents larger than this are skipped (default 64 MiB)\"}}}";

// 0.61's JSONL upsert log: a header line, message lines (re-written whole when they change),
// {"$set":{...}} patches and {"$rewindTo":id}.
class GeminiParser final : public harvest::LineParser {
 public:
  GeminiParser(const harvest::FileJob& job, const harvest::Options& o, std::string project)
      : LineParser(job, o, "gemini"), project_(std::move(project)), messages_(session()) {}

 protected:
  bool on_start() override {
    return project_from_path(project_);
  }

  void on_record(const JsonView& rec, std::int64_t offset) override {
    JsonView f[4];
    rec.get({"type", "$set", "$rewindTo", "sessionId"}, f);
    if (f[0].is_string()) {
      messages_.message(rec, offset);
    } else if (f[1].is_object()) {
      messages_.set(f[1]);
    } else if (f[2].valid()) {
      count("rewinds");  // /rewind: the turns were still typed; what was read stays read
    } else if (f[3].is_string()) {
      messages_.header(rec);
      if (messages_.subagent()) stop("subagent");  // chats/<parent>/<agent>.jsonl: not the user's
    } else {
      count("unknown_records");
    }
  }

 private:
  std::string project_;
  gemini::Messages messages_;
};

std::int64_t state_int(const harvest::FileJob& job, const char* key) {
  auto it = job.state.find(key);
  if (it == job.state.end()) return 0;
  std::int64_t v = 0;
  std::from_chars(it->second.data(), it->second.data() + it->second.size(), v);
  return v;
}

// Releases before the JSONL log wrote one JSON document that is rewritten whole. It is read
// whole each time it changed; the cursor state remembers how many messages earlier runs took,
// and message indexes stand in for byte offsets (a held-back turn = "from message i").
harvest::FileResult parse_document(const harvest::FileJob& job, const harvest::Options& o, const std::string& project,
                                   std::int64_t max_bytes) {
  harvest::FileResult r;
  r.end_offset = job.file.size;
  if (job.file.size > max_bytes) {
    r.issues.push_back({job.file.path, harvest::FileProblem::kOversizeLines,
                        "a " + std::to_string(job.file.size) + "-byte document is over max_document_bytes"});
    r.skip_reason = "oversize_document";
    return r;
  }
  const auto text = read_file(job.file.path);
  if (!text) {
    r.error = "cannot read the file";
    return r;
  }
  const JsonView doc = JsonView::parse(*text);
  // Usually a rewrite caught half way: the unchanged cursor makes the next run retry.
  if (!doc.is_object()) {
    r.error = "not a complete JSON document (being rewritten?)";
    return r;
  }
  harvest::SessionBuilder s(job, o, "gemini");
  gemini::Messages messages(s);
  messages.header(doc);
  if (!project.empty() && !s.project_known() && !s.project(project)) {
    r.skip_reason = "out_of_scope";
    return r;
  }
  const JsonView list = doc["messages"];
  std::int64_t n = 0, done = state_int(job, "messages");
  JsonView m;
  for (auto it = list.iter(); list.is_array() && it.next(m);) ++n;
  if (done > n) {  // rewound or replaced: read it again
    ++r.counts["documents_rewound"];
    done = 0;
  }
  std::int64_t i = 0;
  for (auto it = list.iter(); list.is_array() && it.next(m); ++i)
    if (i >= done && m.is_object()) messages.message(m, i);
  s.build(r, n);
  r.state["messages"] = std::to_string(r.end_offset);
  r.end_offset = job.file.size;
  for (auto& [k, v] : s.counts())
    if (v) r.counts[k] += v;
  return r;
}

class GeminiHarvester final : public harvest::HarvesterBase {
 protected:
  std::string_view source() const override { return "gemini"; }
  std::string_view default_home() const override { return "~/.gemini"; }

  void configure_more(const Config& config, Context&) override {
    max_document_bytes_ = config.get_int("max_document_bytes", max_document_bytes_);
  }

  // Main sessions only: tmp/<project>/chats/session-*.jsonl (and legacy .json). Sub-agents
  // write chats/<parent id>/<agent id>.jsonl; tool outputs, checkpoints and memory are not chats.
  harvest::Candidates find_files(Context&) override {
    index_projects();
    return walk("tmp", [](std::string_view name, std::string_view path) {
      return starts_with(name, "session-") && path.find("/chats/") != std::string_view::npos &&
             (ends_with(name, ".jsonl") || ends_with(name, ".jsonl.zst") || ends_with(name, ".json"));
    }, [](std::string_view name, std::string_view) {
      return name != "tool-outputs" && name != "checkpoints" && name != "memory" && name != "plans";
    });
  }

  harvest::FileResult parse(const harvest::FileJob& job) const override {
    std::string project = gemini::project_of(projects_, options().home, job.file.path);
    if (ends_with(job.file.path, ".json")) return parse_document(job, options(), project, max_document_bytes_);
    harvest::FileResult r = GeminiParser(job, options(), std::move(project)).run();
    // A held-back turn is read again whole next run, its model messages with it: they are new
    // then. (What was consumed ends before a new prompt, so its last model message is final.)
    if (r.pending && r.counts.count("turns_held_back")) r.state.erase("last_model");
    return r;
  }

 private:
  // The records name no directory. A project folder tmp/<slug> holds its root in .project_root;
  // projects.json maps roots to slugs; a legacy folder is named sha256(root).
  void index_projects() {
    projects_.clear();
    const std::string tmp = options().home + "/tmp";
    std::vector<std::string> roots = options().projects;
    if (auto text = read_file(options().home + "/projects.json")) {
      const JsonView map = JsonView::parse(*text)["projects"];
      JsonView root, slug;
      for (auto it = map.iter(); map.is_object() && it.next(root, slug);)
        if (slug.is_string()) {
          projects_.emplace(slug.str(), root.str());
          roots.push_back(root.str());
        }
    }
    for (const auto& root : roots) projects_.emplace(sha256_hex(root), root);
    std::error_code ec;
    for (const auto& e : std::filesystem::directory_iterator(tmp, ec))
      if (auto root = read_file(e.path().string() + "/.project_root"); root && !trim(*root).empty())
        projects_[e.path().filename().string()] = trim(*root);
  }

  gemini::ProjectIndex projects_;
  std::int64_t max_document_bytes_ = std::int64_t{64} << 20;
};

}  // namespace
}  // namespace skillpipe

SKILLPIPE_PLUGIN(skillpipe::StageKind::kHarvester, "1.0.0",
                 "Gemini CLI chats (~/.gemini/tmp/*/chats/session-*.jsonl, legacy .json) -> session digests: "
                 "prompts, finals, tools, shell commands with exit codes, rolled-back requests, tokens; cursors, "
                 "redaction, filters",
                 skillpipe::kSchemaJson,
                 [] { return std::unique_ptr<skillpipe::StageBase>(new skillpipe::GeminiHarvester); });
