#include "host/yaml_load.hpp"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/parser.h>

#include <map>
#include <sstream>

namespace skillpipe::host {
namespace {

Mark located(const YAML::Mark& m) {
  if (m.is_null()) return {};
  return {m.line + 1, m.column + 1};
}

std::string where(const Mark& m) { return std::to_string(m.line) + ":" + std::to_string(m.col); }

// Thrown by the checker to end the pre-scan at the first problem (its diagnostic is recorded).
struct StopScan {};

// Walks the parser's events once, before any tree is built: counts documents, finds repeated
// keys, and tracks how many nodes the tree has once every alias is expanded.
class StrictChecker : public YAML::EventHandler {
 public:
  StrictChecker(std::string file, const YamlLimits& limits, std::vector<Diagnostic>& errors)
      : file_(std::move(file)), limits_(limits), errors_(errors) {}

  void OnDocumentStart(const YAML::Mark& mark) override {
    if (++documents_ > 1)
      fail(mark, "a second YAML document starts here; a pipeline file holds exactly one (remove the `---` "
                 "line and everything after it, or merge the two)");
  }
  void OnDocumentEnd() override {}

  void OnNull(const YAML::Mark& mark, YAML::anchor_t anchor) override { leaf(mark, anchor, nullptr); }
  void OnScalar(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                const std::string& value) override {
    leaf(mark, anchor, &value);
  }
  void OnAlias(const YAML::Mark& mark, YAML::anchor_t anchor) override {
    const auto it = sizes_.find(anchor);
    grow(mark, it == sizes_.end() ? 1 : it->second);
    completed(mark, nullptr);
  }

  void OnSequenceStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                       YAML::EmitterStyle::value) override {
    open(mark, anchor, false);
  }
  void OnSequenceEnd() override { close(); }
  void OnMapStart(const YAML::Mark& mark, const std::string&, YAML::anchor_t anchor,
                  YAML::EmitterStyle::value) override {
    open(mark, anchor, true);
  }
  void OnMapEnd() override { close(); }

 private:
  struct Frame {
    bool map = false;
    bool next_is_key = true;
    YAML::anchor_t anchor = 0;
    std::int64_t start = 0;  // nodes_ when the collection began
    YAML::Mark mark;
    std::map<std::string, Mark> keys;  // scalar keys seen so far, with where they were
  };

  [[noreturn]] void fail(const YAML::Mark& mark, std::string message) {
    errors_.push_back({file_, located(mark), "", std::move(message), false});
    throw StopScan{};
  }

  void grow(const YAML::Mark& mark, std::int64_t n) {
    nodes_ += n;
    if (nodes_ > limits_.max_nodes)
      fail(mark, "this document has more than " + std::to_string(limits_.max_nodes) +
                     " nodes once its aliases (*name) are expanded; a pipeline needs far fewer - "
                     "an alias that repeats another alias many times (a \"billion laughs\") is refused");
  }

  void leaf(const YAML::Mark& mark, YAML::anchor_t anchor, const std::string* text) {
    grow(mark, 1);
    if (anchor) sizes_[anchor] = 1;
    completed(mark, text);
  }

  void open(const YAML::Mark& mark, YAML::anchor_t anchor, bool map) {
    if (static_cast<int>(stack_.size()) >= limits_.max_depth)
      fail(mark, "mappings and lists nest deeper than " + std::to_string(limits_.max_depth) +
                     " levels here; a pipeline needs far fewer");
    const std::int64_t start = nodes_;
    grow(mark, 1);
    Frame f;
    f.map = map;
    f.anchor = anchor;
    f.start = start;
    f.mark = mark;
    stack_.push_back(std::move(f));
  }

  void close() {
    Frame f = std::move(stack_.back());
    stack_.pop_back();
    if (f.anchor) sizes_[f.anchor] = nodes_ - f.start;
    completed(f.mark, nullptr);
  }

  // A node ended inside the current collection: in a mapping, keys and values alternate, and
  // a scalar key must not repeat (yaml-cpp would keep the first and drop the second).
  void completed(const YAML::Mark& mark, const std::string* text) {
    if (stack_.empty() || !stack_.back().map) return;
    Frame& f = stack_.back();
    const bool key = f.next_is_key;
    f.next_is_key = !f.next_is_key;
    if (!key || !text) return;
    const auto [it, fresh] = f.keys.emplace(*text, located(mark));
    if (!fresh)
      fail(mark, "duplicate key '" + *text + "' (first at " + where(it->second) +
                     "); YAML would silently keep only one of them - merge the two into one");
  }

  std::string file_;
  const YamlLimits& limits_;
  std::vector<Diagnostic>& errors_;
  int documents_ = 0;
  std::int64_t nodes_ = 0;
  std::vector<Frame> stack_;
  std::map<YAML::anchor_t, std::int64_t> sizes_;
};

}  // namespace

std::optional<YAML::Node> load_yaml_strict(const std::string& text, const std::string& file,
                                           std::vector<Diagnostic>& errors, const YamlLimits& limits) {
  try {
    std::istringstream in(text);
    YAML::Parser parser(in);
    StrictChecker checker(file, limits, errors);
    while (parser.HandleNextDocument(checker)) {
    }
    return YAML::Load(text);
  } catch (const StopScan&) {
    return std::nullopt;
  } catch (const YAML::Exception& e) {
    errors.push_back({file, located(e.mark), "", "malformed YAML: " + e.msg, false});
  } catch (const std::exception& e) {
    errors.push_back({file, {}, "", std::string("cannot read this YAML: ") + e.what(), false});
  }
  return std::nullopt;
}

}  // namespace skillpipe::host
