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

std::string result_json(const Result& r) {
  rapidjson::StringBuffer sb;
  rapidjson::PrettyWriter<rapidjson::StringBuffer> w(sb);
  w.SetIndent(' ', 2);
  auto num = [&](const std::optional<double>& v) {
    if (v)
      w.Double(std::round(*v * 10000) / 10000);
    else
      w.Null();
  };
  auto strs = [&](const std::vector<std::string>& v) {
    w.StartArray();
    for (const auto& s : v) w.String(s.c_str());
    w.EndArray();
  };
  auto edits = [&](const std::vector<Edit>& v) {
    w.StartArray();
    for (const auto& e : v) {
      w.StartObject();
      w.Key("target");
      w.String(to_string(e.target));
      w.Key("op");
      w.String(to_string(e.op));
      w.Key("content");
      w.String(e.content.c_str());
      w.Key("status");
      w.String(to_string(e.status));
      w.EndObject();
    }
    w.EndArray();
  };
  w.StartObject();
  w.Key("ok");
  w.Bool(r.exit_code == 0);
  w.Key("persona");
  w.String(r.persona.c_str());
  w.Key("fixture");
  w.String(r.fixture.c_str());
  w.Key("pipeline");
  w.String(r.pipeline.c_str());
  w.Key("store");
  w.String(r.store.c_str());
  w.Key("project");
  w.String(r.project.c_str());
  w.Key("n_tasks");
  w.Int(r.n_tasks);
  w.Key("n_train");
  w.Int(r.n_train);
  w.Key("n_val");
  w.Int(r.n_val);
  w.Key("baseline");
  num(r.baseline);
  w.Key("after");
  num(r.after);
  w.Key("lift");
  if (r.baseline && r.after)
    num(*r.after - *r.baseline);
  else
    w.Null();
  w.Key("improved");
  w.Bool(r.improved());
  w.Key("nights_run");
  w.Int(static_cast<int>(r.trace.size()));
  w.Key("trace");
  w.StartArray();
  for (const auto& n : r.trace) {
    w.StartObject();
    w.Key("night");
    w.Int(n.night);
    w.Key("night_id");
    w.String(n.night_id.c_str());
    w.Key("action");
    w.String(n.action.c_str());
    w.Key("reason");
    w.String(n.reason.c_str());
    w.Key("baseline_val");
    num(n.baseline);
    w.Key("candidate_val");
    num(n.candidate);
    w.Key("adopted");
    w.Bool(n.adopted);
    w.Key("accepted_edits");
    edits(n.accepted);
    w.Key("rejected_edits");
    edits(n.rejected);
    w.Key("unmatched_edits");
    w.Int(n.unmatched);
    w.EndObject();
  }
  w.EndArray();
  w.Key("probes");
  w.StartArray();
  for (const auto& p : r.probes) {
    w.StartObject();
    w.Key("kind");
    w.String(p.kind.c_str());
    w.Key("night_id");
    w.String(p.night_id.c_str());
    w.Key("action");
    w.String(p.action.c_str());
    w.Key("reason");
    w.String(p.reason.c_str());
    w.Key("harmful_proposed");
    strs(p.proposed);
    w.Key("harmful_accepted");
    strs(p.accepted);
    w.EndObject();
  }
  w.EndArray();
  w.Key("probe_exercised");
  w.Bool(r.probe_exercised);
  w.Key("harmful_blocked");
  w.Bool(r.harmful_blocked);
  w.Key("harmful_accepted");
  strs(r.harmful_accepted);
  w.Key("seconds");
  w.Double(std::round(r.seconds * 1000) / 1000);
  w.Key("errors");
  strs(r.errors);
  w.EndObject();
  return std::string(sb.GetString(), sb.GetSize()) + "\n";
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
