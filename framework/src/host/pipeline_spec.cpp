#include "host/pipeline_spec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include <filesystem>
#include <regex>
#include <set>

#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::host {

std::string Diagnostic::format() const {
  std::string out = file;
  if (mark.line > 0) out += ":" + std::to_string(mark.line) + ":" + std::to_string(mark.col);
  out += ": ";
  if (!pointer.empty()) out += pointer + ": ";
  return out + message;
}

namespace {

const std::set<std::string> kTopKeys = {"skillpipe", "name", "project", "plugin_path", "store",
                                        "backends", "stages", "templates", "options", "description"};
const std::set<std::string> kStageKeys = {"id", "plugin", "config", "inputs", "on_record_error",
                                          "max_record_errors", "observe", "description"};
const std::set<std::string> kComponentKeys = {"plugin", "config", "description"};

Mark mark_of(const YAML::Node& n) {
  const auto m = n.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

class Parser {
 public:
  Parser(std::string file, ParseResult& r) : file_(std::move(file)), r_(r) {}

  void error(const YAML::Node& n, std::string pointer, std::string msg) {
    r_.errors.push_back({file_, n ? mark_of(n) : Mark{}, std::move(pointer), std::move(msg), false});
  }

  // Writes a YAML node as JSON, recording the mark of every value by pointer.
  void to_json(const YAML::Node& n, rapidjson::Writer<rapidjson::StringBuffer>& w, const std::string& ptr,
               std::map<std::string, Mark>& marks) {
    marks[ptr.empty() ? "" : ptr] = mark_of(n);
    switch (n.Type()) {
      case YAML::NodeType::Null:
      case YAML::NodeType::Undefined:
        w.Null();
        break;
      case YAML::NodeType::Scalar:
        scalar(n, w);
        break;
      case YAML::NodeType::Sequence: {
        w.StartArray();
        std::size_t i = 0;
        for (const auto& e : n) to_json(e, w, ptr + "/" + std::to_string(i++), marks);
        w.EndArray();
        break;
      }
      case YAML::NodeType::Map: {
        w.StartObject();
        for (const auto& kv : n) {
          const std::string key = kv.first.Scalar();
          w.Key(key.c_str(), static_cast<rapidjson::SizeType>(key.size()));
          to_json(kv.second, w, ptr + "/" + key, marks);
        }
        w.EndObject();
        break;
      }
    }
  }

  static void scalar(const YAML::Node& n, rapidjson::Writer<rapidjson::StringBuffer>& w) {
    const std::string& s = n.Scalar();
    // Quoted scalars carry the "!" tag and are always strings; plain ones are typed.
    if (n.Tag() != "!") {
      static const std::regex kInt(R"([-+]?(0|[1-9][0-9]*))");
      static const std::regex kFloat(R"([-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?)");
      if (s == "true" || s == "True" || s == "TRUE") return void(w.Bool(true));
      if (s == "false" || s == "False" || s == "FALSE") return void(w.Bool(false));
      if (s == "null" || s == "Null" || s == "~" || s.empty()) return void(w.Null());
      if (std::regex_match(s, kInt)) {
        try {
          return void(w.Int64(std::stoll(s)));
        } catch (...) {
        }
      }
      if (std::regex_match(s, kFloat)) return void(w.Double(std::stod(s)));
    }
    const std::string v = expand_path(s);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }

  std::string scalar_string(const YAML::Node& n, const std::string& ptr, const char* what) {
    if (!n || !n.IsScalar()) {
      error(n, ptr, std::string("expected ") + what);
      return {};
    }
    return expand_path(n.Scalar());
  }

  ComponentSpec component(const YAML::Node& n, const std::string& ptr, const std::set<std::string>& allowed) {
    ComponentSpec c;
    c.pointer = ptr;
    c.mark = mark_of(n);
    if (!n.IsMap()) {
      error(n, ptr, "expected a mapping with at least `plugin:`");
      return c;
    }
    for (const auto& kv : n) {
      const std::string key = kv.first.Scalar();
      if (!allowed.count(key)) {
        std::string list;
        for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
        error(kv.first, ptr + "/" + key, "unknown key '" + key + "' (expected one of: " + list + ")");
      }
    }
    if (!n["plugin"]) error(n, ptr + "/plugin", "missing required key 'plugin'");
    else {
      c.plugin = scalar_string(n["plugin"], ptr + "/plugin", "a plugin name");
      c.plugin_mark = mark_of(n["plugin"]);
    }
    if (const auto cfg = n["config"]) {
      if (!cfg.IsMap() && !cfg.IsNull()) {
        error(cfg, ptr + "/config", "expected a mapping");
      } else if (cfg.IsMap()) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        to_json(cfg, w, "", c.config_marks);
        c.config_json.assign(buf.GetString(), buf.GetSize());
      }
    }
    return c;
  }

  // skillpipe (the format version), name, project, plugin_path.
  void header(const YAML::Node& root, PipelineSpec& spec) {
    for (const auto& kv : root) {
      const std::string key = kv.first.Scalar();
      if (!kTopKeys.count(key)) error(kv.first, "/" + key, "unknown top-level key '" + key + "'");
    }
    if (!root["skillpipe"]) {
      error(root, "/skillpipe", "missing the format version key `skillpipe: 1`");
    } else {
      const std::string v = root["skillpipe"].IsScalar() ? root["skillpipe"].Scalar() : "";
      if (v != "1")
        error(root["skillpipe"], "/skillpipe", "unsupported pipeline format '" + v + "' (this skillpipe reads format 1)");
      else
        spec.format = 1;
    }
    if (root["name"]) spec.name = scalar_string(root["name"], "/name", "a string");
    spec.project = root["project"] ? scalar_string(root["project"], "/project", "invoked, all, or a path") : "invoked";
    if (const auto pp = root["plugin_path"]) {
      const auto items = as_list(pp);
      for (std::size_t i = 0; i < items.size(); ++i) {
        std::string d = scalar_string(items[i], "/plugin_path/" + std::to_string(i), "a directory");
        if (d.empty()) continue;
        spec.plugin_path.push_back(fs::path(d).is_absolute() ? d : (fs::path(spec.dir) / d).lexically_normal().string());
      }
    }
  }

  // store, backends, templates, options.
  void sections(const YAML::Node& root, PipelineSpec& spec) {
    if (const auto st = root["store"]) spec.store = component(st, "/store", kComponentKeys);
    if (const auto bs = root["backends"]) {
      if (!bs.IsMap()) error(bs, "/backends", "expected a mapping of backend id to {plugin, config}");
      else
        for (const auto& kv : bs) {
          auto c = component(kv.second, "/backends/" + kv.first.Scalar(), kComponentKeys);
          c.id = kv.first.Scalar();
          c.mark = mark_of(kv.first);
          spec.backends.push_back(std::move(c));
        }
    }
    if (const auto tp = root["templates"]) {
      if (!tp.IsMap()) error(tp, "/templates", "expected a mapping of template name to file");
      else
        for (const auto& kv : tp) {
          std::string f = scalar_string(kv.second, "/templates/" + kv.first.Scalar(), "a file path");
          spec.templates[kv.first.Scalar()] = fs::path(f).is_absolute() ? f : (fs::path(spec.dir) / f).string();
        }
    }
    if (const auto op = root["options"]) {
      if (!op.IsMap()) error(op, "/options", "expected a mapping");
      else
        for (const auto& kv : op)
          spec.options[kv.first.Scalar()] = scalar_string(kv.second, "/options/" + kv.first.Scalar(), "a scalar");
    }
  }

  void stages(const YAML::Node& root, PipelineSpec& spec) {
    const auto stages = root["stages"];
    if (!stages) return error(root, "/stages", "missing required key 'stages'");
    if (!stages.IsSequence()) return error(stages, "/stages", "expected a list of stages");
    std::size_t i = 0;
    for (const auto& s : stages) {
      const std::string ptr = "/stages/" + std::to_string(i++);
      auto c = component(s, ptr, kStageKeys);
      if (!s.IsMap()) continue;
      stage(s, ptr, c);
      spec.stages.push_back(std::move(c));
    }
  }

 private:
  static std::vector<YAML::Node> as_list(const YAML::Node& n) {
    std::vector<YAML::Node> items;
    if (n.IsSequence())
      for (const auto& e : n) items.push_back(e);
    else
      items.push_back(n);
    return items;
  }

  // A stage's own keys: id, inputs, on_record_error, observe, max_record_errors.
  void stage(const YAML::Node& s, const std::string& ptr, ComponentSpec& c) {
    static const std::regex kId(R"([A-Za-z][A-Za-z0-9_/-]{0,63})");
    if (!s["id"]) {
      error(s, ptr + "/id", "missing required key 'id'");
    } else {
      c.id = scalar_string(s["id"], ptr + "/id", "a stage id");
      if (!c.id.empty() && !std::regex_match(c.id, kId))
        error(s["id"], ptr + "/id", "invalid stage id '" + c.id + "' (letters, digits, _ / -; starts with a letter)");
    }
    if (const auto in = s["inputs"]) {
      const auto items = as_list(in);
      for (std::size_t k = 0; k < items.size(); ++k)
        c.inputs.emplace_back(scalar_string(items[k], ptr + "/inputs/" + std::to_string(k), "a stage id"),
                              mark_of(items[k]));
    }
    if (const auto oe = s["on_record_error"]) {
      c.on_record_error = scalar_string(oe, ptr + "/on_record_error", "skip or fail");
      if (c.on_record_error != "skip" && c.on_record_error != "fail")
        error(oe, ptr + "/on_record_error", "expected 'skip' or 'fail', got '" + c.on_record_error + "'");
    }
    if (const auto ob = s["observe"]) {
      const std::string v = scalar_string(ob, ptr + "/observe", "true or false");
      if (v != "true" && v != "false") error(ob, ptr + "/observe", "expected true or false, got '" + v + "'");
      c.observe = v != "false";
    }
    if (const auto me = s["max_record_errors"]) {
      try {
        c.max_record_errors = me.as<long long>();
      } catch (...) {
        error(me, ptr + "/max_record_errors", "expected a whole number");
      }
    }
  }

  std::string file_;
  ParseResult& r_;
};

// Applies one --set override to the YAML tree.
void apply_override(YAML::Node root, const std::string& ov, std::vector<Diagnostic>& errors) {
  const auto eq = ov.find('=');
  if (eq == std::string::npos) {
    errors.push_back({"--set", {}, "", "override '" + ov + "' is not KEY=VALUE", false});
    return;
  }
  std::vector<std::string> keys = split(ov.substr(0, eq), '.');
  YAML::Node value;
  try {
    value = YAML::Load(ov.substr(eq + 1));
  } catch (const YAML::Exception& e) {
    value = YAML::Node(ov.substr(eq + 1));
  }
  YAML::Node cur = root;
  std::size_t i = 0;
  if (keys.size() >= 3 && keys[0] == "stages") {
    YAML::Node stages = root["stages"];
    YAML::Node found;
    bool have = false;
    if (stages && stages.IsSequence())
      for (auto s : stages)
        if (s.IsMap() && s["id"] && s["id"].Scalar() == keys[1]) {
          found.reset(s);
          have = true;
        }
    if (!have) {
      errors.push_back({"--set", {}, "/stages", "override '" + ov + "': no stage with id '" + keys[1] + "'", false});
      return;
    }
    cur.reset(found);
    i = 2;
    if (!kStageKeys.count(keys[2])) keys.insert(keys.begin() + 2, "config");
  } else if (keys.size() >= 3 && keys[0] == "backends") {
    cur.reset(root["backends"][keys[1]]);
    i = 2;
    if (!kComponentKeys.count(keys[2])) keys.insert(keys.begin() + 2, "config");
  } else if (keys.size() >= 2 && keys[0] == "store") {
    cur.reset(root["store"]);
    i = 1;
    if (!kComponentKeys.count(keys[1])) keys.insert(keys.begin() + 1, "config");
  }
  for (; i + 1 < keys.size(); ++i) {
    YAML::Node next = cur[keys[i]];
    if (!next || !next.IsMap()) {
      cur[keys[i]] = YAML::Node(YAML::NodeType::Map);
      next.reset(cur[keys[i]]);
    }
    cur.reset(next);
  }
  cur[keys.back()] = value;
}

}  // namespace

ParseResult parse_pipeline(const std::string& path, const std::vector<std::string>& overrides) {
  auto text = read_file(path);
  if (!text) {
    ParseResult r;
    r.errors.push_back({path, {}, "", "cannot read the pipeline file", false});
    return r;
  }
  return parse_pipeline_text(*text, path, overrides);
}

ParseResult parse_pipeline_text(const std::string& text, const std::string& path,
                                const std::vector<std::string>& overrides) {
  ParseResult r;
  std::error_code ec;
  r.spec.path = fs::absolute(path, ec).lexically_normal().string();
  r.spec.dir = fs::path(r.spec.path).parent_path().string();
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::ParserException& e) {
    r.errors.push_back({path, {e.mark.line + 1, e.mark.column + 1}, "", "malformed YAML: " + e.msg, false});
    return r;
  } catch (const YAML::Exception& e) {
    r.errors.push_back({path, {}, "", std::string("malformed YAML: ") + e.what(), false});
    return r;
  }
  if (!root.IsMap()) {
    r.errors.push_back({path, mark_of(root), "", "expected a mapping at the top of the pipeline file", false});
    return r;
  }
  for (const auto& ov : overrides) apply_override(root, ov, r.errors);
  Parser p(path, r);
  p.header(root, r.spec);
  p.sections(root, r.spec);
  p.stages(root, r.spec);
  return r;
}

}  // namespace skillpipe::host
