// experiment_output.cpp - the experiment's result for people (text) and programs (--json).
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <cstdio>

#include "experiment_protocol.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::app::experiment {
namespace {

std::string fmt4(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.4f", v);
  return b;
}

std::string opt_str(const std::optional<double>& v) { return v ? fmt4(*v) : "n/a"; }

}  // namespace

namespace {

// A pretty JSON writer with the few shapes the result needs.
class Out {
 public:
  Out() : w_(sb_) { w_.SetIndent(' ', 2); }
  rapidjson::PrettyWriter<rapidjson::StringBuffer>& w() { return w_; }
  Out& key(const char* k) { return w_.Key(k), *this; }
  void str(const std::string& v) { w_.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size())); }
  void num(const std::optional<double>& v) {  // 4 decimals, null when unmeasured
    if (v)
      w_.Double(std::round(*v * 10000) / 10000);
    else
      w_.Null();
  }
  void strs(const std::vector<std::string>& v) {
    w_.StartArray();
    for (const auto& s : v) str(s);
    w_.EndArray();
  }
  void edits(const std::vector<Edit>& v) {
    w_.StartArray();
    for (const auto& e : v) {
      w_.StartObject();
      key("target").w().String(to_string(e.target));
      key("op").w().String(to_string(e.op));
      key("content").str(e.content);
      key("status").w().String(to_string(e.status));
      if (e.rejection != RejectionReason::kNone) {
        key("rejection").w().String(to_string(e.rejection));
        key("rejection_detail").str(e.rejection_detail);
      }
      w_.EndObject();
    }
    w_.EndArray();
  }
  std::string text() const { return std::string(sb_.GetString(), sb_.GetSize()) + "\n"; }

 private:
  rapidjson::StringBuffer sb_;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w_;
};

void write_trace(Out& o, const std::vector<NightRow>& trace) {
  o.w().StartArray();
  for (const auto& n : trace) {
    o.w().StartObject();
    o.key("night").w().Int(n.night);
    o.key("night_id").str(n.night_id);
    o.key("action").str(n.action);
    o.key("reason").str(n.reason);
    o.key("baseline_val").num(n.baseline);
    o.key("candidate_val").num(n.candidate);
    o.key("adopted").w().Bool(n.adopted);
    o.key("accepted_edits").edits(n.accepted);
    o.key("rejected_edits").edits(n.rejected);
    o.key("unmatched_edits").w().Int(n.unmatched);
    o.w().EndObject();
  }
  o.w().EndArray();
}

void write_probes(Out& o, const std::vector<ProbeRow>& probes) {
  o.w().StartArray();
  for (const auto& p : probes) {
    o.w().StartObject();
    o.key("kind").str(p.kind);
    o.key("night_id").str(p.night_id);
    o.key("action").str(p.action);
    o.key("reason").str(p.reason);
    o.key("harmful_proposed").strs(p.proposed);
    o.key("harmful_accepted").strs(p.accepted);
    o.w().EndObject();
  }
  o.w().EndArray();
}

}  // namespace

std::string result_json(const Result& r) {
  Out o;
  o.w().StartObject();
  o.key("ok").w().Bool(r.exit_code == 0);
  o.key("persona").str(r.persona);
  o.key("fixture").str(r.fixture);
  o.key("pipeline").str(r.pipeline);
  o.key("store").str(r.store);
  o.key("project").str(r.project);
  o.key("n_tasks").w().Int(r.n_tasks);
  o.key("n_train").w().Int(r.n_train);
  o.key("n_val").w().Int(r.n_val);
  o.key("baseline").num(r.baseline);
  o.key("after").num(r.after);
  o.key("lift").num(r.baseline && r.after ? std::optional<double>(*r.after - *r.baseline) : std::nullopt);
  o.key("improved").w().Bool(r.improved());
  o.key("nights_run").w().Int(static_cast<int>(r.trace.size()));
  o.key("trace");
  write_trace(o, r.trace);
  o.key("probes");
  write_probes(o, r.probes);
  o.key("probe_exercised").w().Bool(r.probe_exercised);
  o.key("harmful_blocked").w().Bool(r.harmful_blocked);
  o.key("harmful_accepted").strs(r.harmful_accepted);
  o.key("seconds").w().Double(std::round(r.seconds * 1000) / 1000);
  o.key("errors").strs(r.errors);
  o.w().EndObject();
  return o.text();
}

std::string result_text(const Result& r) {
  if (r.trace.empty())
    return "experiment: persona " + r.persona + ": no night ran (see the errors below); store " + r.store + "\n";
  std::string s = "experiment: persona " + r.persona + " (" + std::to_string(r.n_tasks) +
                  " tasks: " + std::to_string(r.n_train) + " train, " + std::to_string(r.n_val) + " val)\n";
  s += "baseline val  " + opt_str(r.baseline) + "\n";
  s += "after         " + opt_str(r.after);
  if (r.baseline && r.after)
    s += "   (lift " + std::string(*r.after >= *r.baseline ? "+" : "") + fmt4(*r.after - *r.baseline) + ")";
  s += "\n";
  for (const auto& n : r.trace) {
    s += "  night " + std::to_string(n.night) + ": " + n.action + "  " + opt_str(n.baseline) + " -> " +
         opt_str(n.candidate) + "  (+" + std::to_string(n.accepted.size()) + " kept, " +
         std::to_string(n.rejected.size()) + " rejected)" + (n.adopted ? " adopted" : "") + "\n";
    for (const auto& e : n.accepted)
      s += std::string("      kept (") + to_string(e.target) + "): " + truncate_utf8(e.content, 100) + "\n";
    for (const auto& e : n.rejected)
      s += std::string("      rejected (") + to_string(e.target) + "): " + truncate_utf8(e.content, 100) + "\n";
  }
  for (const auto& p : r.probes) {
    s += "  probe (" + p.kind + "): " + p.action + "; harmful rule " +
         (p.proposed.empty() ? "not proposed"
                             : std::string("proposed, ") + (p.accepted.empty() ? "refused" : "ACCEPTED")) +
         "\n";
  }
  s += std::string("harmful rule blocked: ") + (r.harmful_blocked ? "yes" : "NO") + "\n";
  for (const auto& h : r.harmful_accepted) s += "  accepted harmful rule: " + h + "\n";
  s += "store " + r.store + ", project " + r.project + "\n";
  s += "inspect: skillpipe status --project " + r.project + " --store " + r.store + "\n";
  return s;
}

}  // namespace skillpipe::app::experiment
