#include "host/pipeline_spec.hpp"

#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>
#include <yaml-cpp/yaml.h>

#include <cctype>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <set>

#include "host/pipeline_overrides.hpp"
#include "host/yaml_load.hpp"
#include "sdk/suggest.hpp"
#include "skillpipe/kit/util.hpp"

namespace fs = std::filesystem;

namespace skillpipe::host {

const std::set<std::string> kStageKeys = {"id", "plugin", "config", "inputs", "on_record_error",
                                          "max_record_errors", "observe", "description"};
const std::set<std::string> kComponentKeys = {"plugin", "config", "description"};

Mark mark_of(const YAML::Node& n) {
  const auto m = n.Mark();
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

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

// Plain YAML scalars that look like numbers (YAML 1.2 core schema), told apart by hand: a
// std::regex over a 100,000-digit value recursed until the stack overflowed.
enum class NumberKind { kNone, kInt, kFloat };

NumberKind number_kind(std::string_view s) {
  std::size_t i = 0;
  if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
  const auto digits = [&] {
    const std::size_t from = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    return i - from;
  };
  const std::size_t whole = digits();
  bool is_float = false;
  std::size_t frac = 0;
  if (i < s.size() && s[i] == '.') {
    ++i;
    frac = digits();
    is_float = true;
  }
  if (whole == 0 && frac == 0) return NumberKind::kNone;
  if (i < s.size() && (s[i] == 'e' || s[i] == 'E')) {
    ++i;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) ++i;
    if (digits() == 0) return NumberKind::kNone;
    is_float = true;
  }
  if (i != s.size()) return NumberKind::kNone;
  const std::size_t sign = (s[0] == '-' || s[0] == '+') ? 1 : 0;
  // "007" is not a YAML 1.2 int; it is read as the float 7, as before.
  if (!is_float && whole > 1 && s[sign] == '0') return NumberKind::kFloat;
  return is_float ? NumberKind::kFloat : NumberKind::kInt;
}

// Letters, digits, _ / -; starts with a letter; at most 64 characters.
bool valid_stage_id(const std::string& id) {
  if (id.empty() || id.size() > 64 || !std::isalpha(static_cast<unsigned char>(id[0]))) return false;
  for (char ch : id)
    if (!std::isalnum(static_cast<unsigned char>(ch)) && ch != '_' && ch != '/' && ch != '-') return false;
  return true;
}

std::string shown(const std::string& s) { return s.size() <= 40 ? s : s.substr(0, 32) + "... (" + std::to_string(s.size()) + " characters)"; }

class Parser {
 public:
  Parser(std::string file, ParseResult& r, std::vector<OverrideSite> overrides = {})
      : file_(std::move(file)), r_(r), overrides_(std::move(overrides)) {}

  // A node an override put in the tree has no mark: the error names the override instead.
  void error(const YAML::Node& n, std::string pointer, std::string msg) {
    const Mark m = n ? mark_of(n) : Mark{};
    std::string file = file_;
    if (m.line == 0)
      for (const auto& o : overrides_)
        if (pointer == o.pointer || pointer.starts_with(o.pointer + "/")) file = "override '" + o.text + "'";
    r_.errors.push_back({std::move(file), m, std::move(pointer), std::move(msg), false});
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
        scalar(n, w, ptr);
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

  void scalar(const YAML::Node& n, rapidjson::Writer<rapidjson::StringBuffer>& w, const std::string& ptr) {
    const std::string& s = n.Scalar();
    // Quoted scalars carry the "!" tag and are always strings; plain ones are typed.
    if (n.Tag() != "!") {
      if (s == "true" || s == "True" || s == "TRUE") return void(w.Bool(true));
      if (s == "false" || s == "False" || s == "FALSE") return void(w.Bool(false));
      if (s == "null" || s == "Null" || s == "~" || s.empty()) return void(w.Null());
      if (const NumberKind k = number_kind(s); k != NumberKind::kNone) return number(n, k, w, ptr);
    }
    const std::string v = expand_path(s);
    w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
  }

  // A number out of range is an error at its place, never a silent infinity or a crash.
  void number(const YAML::Node& n, NumberKind kind, rapidjson::Writer<rapidjson::StringBuffer>& w,
              const std::string& ptr) {
    const std::string& s = n.Scalar();
    if (kind == NumberKind::kInt) {
      std::int64_t v = 0;
      const char* first = s.data() + (s[0] == '+' ? 1 : 0);
      const auto [end, ec] = std::from_chars(first, s.data() + s.size(), v);
      if (ec == std::errc() && end == s.data() + s.size()) return void(w.Int64(v));
      // Past int64: a float, as YAML 1.2 allows, unless it is out of double's range too.
    }
    errno = 0;
    const double d = std::strtod(s.c_str(), nullptr);
    if (errno == ERANGE && std::isinf(d)) {
      error(n, config_pointer_ + ptr,
            "the number " + shown(s) + " is out of range (at most about 1.8e308); write a smaller number, "
            "or quote it to pass it as a string");
      return void(w.Null());
    }
    w.Double(d);
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
        error(kv.first, ptr + "/" + key,
              "unknown key '" + key + "'" + detail::did_you_mean(key, {allowed.begin(), allowed.end()}) +
                  " (expected one of: " + list + ")");
      }
    }
    if (!n["plugin"]) error(n, ptr + "/plugin", "missing required key 'plugin'");
    else {
      c.plugin = scalar_string(n["plugin"], ptr + "/plugin", "a plugin name");
      c.plugin_mark = mark_of(n["plugin"]);
      // What an override put here has no place in the file: errors about it name the override.
      for (const auto& o : overrides_) {
        if (ptr + "/plugin" == o.pointer) {
          c.plugin_override = o.text;
          c.plugin_mark = {};
        }
        if (o.pointer == ptr + "/config" || o.pointer.starts_with(ptr + "/config/"))
          c.config_overrides.emplace_back(o.pointer.substr(ptr.size() + 7), o.text);
      }
      if (c.plugin.empty() && n["plugin"].IsScalar())
        error(n["plugin"], ptr + "/plugin", "the plugin name is empty; name an installed plugin (`skillpipe plugins` lists them)");
    }
    if (const auto cfg = n["config"]) {
      if (!cfg.IsMap() && !cfg.IsNull()) {
        error(cfg, ptr + "/config", "expected a mapping");
      } else if (cfg.IsMap()) {
        rapidjson::StringBuffer buf;
        rapidjson::Writer<rapidjson::StringBuffer> w(buf);
        config_pointer_ = ptr + "/config";
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
      if (!kTopKeys.count(key))
        error(kv.first, "/" + key,
              "unknown top-level key '" + key + "'" + detail::did_you_mean(key, {kTopKeys.begin(), kTopKeys.end()}));
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
    if (!s["id"]) {
      error(s, ptr + "/id", "missing required key 'id'");
    } else {
      c.id = scalar_string(s["id"], ptr + "/id", "a stage id");
      if (!c.id.empty() && !valid_stage_id(c.id))
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
  std::vector<OverrideSite> overrides_;
  std::string config_pointer_;  // the config block to_json is writing, for its errors
};

}  // namespace

ParseResult parse_pipeline(const std::string& path, const std::vector<std::string>& overrides) {
  const FileText file = read_regular_file(path, kMaxPipelineBytes);
  if (!file.text) {
    ParseResult r;
    r.errors.push_back({path, {}, "", "cannot read the pipeline file: it " + file.error, false});
    return r;
  }
  return parse_pipeline_text(*file.text, path, overrides);
}

ParseResult parse_pipeline_text(const std::string& text, const std::string& path,
                                const std::vector<std::string>& overrides) {
  ParseResult r;
  std::error_code ec;
  r.spec.path = fs::absolute(path, ec).lexically_normal().string();
  r.spec.dir = fs::path(r.spec.path).parent_path().string();
  std::optional<YAML::Node> root = load_yaml_strict(text, path, r.errors);
  if (!root) return r;
  if (!root->IsMap()) {
    r.errors.push_back({path, mark_of(*root), "", "expected a mapping at the top of the pipeline file", false});
    return r;
  }
  std::vector<OverrideSite> sites = apply_overrides(*root, path, overrides, r.errors);
  try {
    Parser p(path, r, std::move(sites));
    p.header(*root, r.spec);
    p.sections(*root, r.spec);
    p.stages(*root, r.spec);
  } catch (const YAML::Exception& e) {
    // The parser checks every node's type before use; this is the net under that promise.
    r.errors.push_back({path, {e.mark.line + 1, e.mark.column + 1}, "", std::string("cannot read this pipeline: ") + e.what(), false});
  }
  return r;
}

}  // namespace skillpipe::host
