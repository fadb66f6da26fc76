// `--set` overrides on a pipeline tree (pipeline_overrides.hpp).
#include "host/pipeline_overrides.hpp"

#include <optional>

#include "host/yaml_load.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::host {
namespace {

const char* type_name(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Sequence: return "a list";
    case YAML::NodeType::Scalar: return "a scalar";
    case YAML::NodeType::Map: return "a mapping";
    default: return "null";
  }
}

// A copy without marks: an override's value did not come from the file, and errors inside it
// must name the override rather than a line of the file. Quoting (the "!" tag) is kept.
YAML::Node unmarked(const YAML::Node& n) {
  switch (n.Type()) {
    case YAML::NodeType::Scalar: {
      YAML::Node c(n.Scalar());
      c.SetTag(n.Tag());
      return c;
    }
    case YAML::NodeType::Sequence: {
      YAML::Node c(YAML::NodeType::Sequence);
      for (const auto& e : n) c.push_back(unmarked(e));
      return c;
    }
    case YAML::NodeType::Map: {
      YAML::Node c(YAML::NodeType::Map);
      for (const auto& kv : n) c[kv.first.Scalar()] = unmarked(kv.second);
      return c;
    }
    default: return YAML::Node(YAML::NodeType::Null);
  }
}

// The value of KEY=VALUE as YAML (a number, a list, ...), else as the plain string it is.
YAML::Node override_value(const std::string& text) {
  std::vector<Diagnostic> ignored;
  if (auto v = load_yaml_strict(text, "--set", ignored)) return unmarked(*v);
  YAML::Node s(text);
  s.SetTag("!");
  return s;
}

class OverrideApplier {
 public:
  OverrideApplier(YAML::Node root, std::string file, std::vector<Diagnostic>& errors)
      : root_(std::move(root)), file_(std::move(file)), errors_(errors) {}

  // Applies one KEY=VALUE override to the tree; returns where the value landed. An override
  // never replaces a part of the file that has the wrong shape: that would hide its error.
  std::optional<OverrideSite> apply(const std::string& ov) {
    const auto eq = ov.find('=');
    if (eq == std::string::npos) return fail(ov, {}, "", "is not KEY=VALUE (e.g. stages.harvest.lookback_hours=24)");
    keys_ = split(ov.substr(0, eq), '.');
    for (const auto& k : keys_)
      if (k.empty()) return fail(ov, {}, "", "has an empty key in '" + ov.substr(0, eq) + "'");
    try {
      YAML::Node cur;
      std::string ptr;
      std::size_t i = 0;
      if (!start(ov, cur, ptr, i)) return std::nullopt;
      for (; i + 1 < keys_.size(); ++i) {
        const YAML::Node& ccur = cur;  // const lookup: a missing key is not inserted
        const YAML::Node next = ccur[keys_[i]];
        ptr += "/" + keys_[i];
        if (next && !next.IsMap() && !next.IsNull())
          return fail(ov, next, ptr, std::string("sets a key inside ") + ptr + ", which is " + type_name(next) +
                                         " in the file; fix the file first (a mapping is expected there)");
        if (!next || next.IsNull()) cur[keys_[i]] = YAML::Node(YAML::NodeType::Map);
        YAML::Node child = cur[keys_[i]];
        cur.reset(child);
      }
      cur[keys_.back()] = override_value(ov.substr(eq + 1));
      return OverrideSite{ptr + "/" + keys_.back(), ov};
    } catch (const YAML::Exception& e) {
      return fail(ov, {}, "", std::string("cannot be applied: ") + e.what());
    }
  }

 private:
  // The node the keys walk from: a stage by id, a backend, the store, or the top level.
  bool start(const std::string& ov, YAML::Node& cur, std::string& ptr, std::size_t& i) {
    const YAML::Node& root = root_;
    cur.reset(root_);
    if (keys_.size() >= 3 && keys_[0] == "stages") {
      const YAML::Node stages = root["stages"];
      std::optional<std::size_t> found;
      if (stages && stages.IsSequence())
        for (std::size_t k = 0; k < stages.size(); ++k)
          if (stages[k].IsMap() && stages[k]["id"] && stages[k]["id"].IsScalar() && stages[k]["id"].Scalar() == keys_[1])
            found = k;
      if (!found) {
        fail(ov, stages, "/stages", "names no stage: there is no stage with id '" + keys_[1] + "'");
        return false;
      }
      cur.reset(root_["stages"][*found]);
      ptr = "/stages/" + std::to_string(*found);
      i = 2;
      if (!kStageKeys.count(keys_[2])) keys_.insert(keys_.begin() + 2, "config");
    } else if ((keys_.size() >= 3 && keys_[0] == "backends") || (keys_.size() >= 2 && keys_[0] == "store")) {
      const std::size_t depth = keys_[0] == "store" ? 1 : 2;
      if (!kComponentKeys.count(keys_[depth])) keys_.insert(keys_.begin() + static_cast<long>(depth), "config");
      i = 0;  // walked like any path: a scalar `store:` or `backends:` is refused on the way
    }
    return true;
  }

  std::nullopt_t fail(const std::string& ov, const YAML::Node& at, const std::string& ptr, const std::string& msg) {
    const Mark m = at ? mark_of(at) : Mark{};
    errors_.push_back({m.line > 0 ? file_ : "--set", m, ptr, "override '" + ov + "' " + msg, false});
    return std::nullopt;
  }

  YAML::Node root_;
  std::string file_;
  std::vector<Diagnostic>& errors_;
  std::vector<std::string> keys_;
};

}  // namespace

std::vector<OverrideSite> apply_overrides(YAML::Node root, const std::string& file,
                                          const std::vector<std::string>& overrides, std::vector<Diagnostic>& errors) {
  std::vector<OverrideSite> sites;
  OverrideApplier applier(std::move(root), file, errors);
  for (const auto& ov : overrides)
    if (auto site = applier.apply(ov)) sites.push_back(std::move(*site));
  return sites;
}

}  // namespace skillpipe::host
