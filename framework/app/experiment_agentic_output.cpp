// experiment_agentic_output.cpp - what the agentic experiment proved (or not), for people
// (text) and programs (--json).
#include <rapidjson/prettywriter.h>
#include <rapidjson/stringbuffer.h>

#include <cmath>
#include <cstdio>

#include "experiment_agentic.hpp"

namespace skillpipe::app::agentic_experiment {

std::optional<double> RoleStats::pass_rate() const {
  return replays > 0 ? std::optional<double>(passed / replays) : std::nullopt;
}

const RoleStats* Arm::role(const std::string& r) const {
  for (const auto& s : roles)
    if (s.role == r) return &s;
  return nullptr;
}

namespace {

bool better(const std::optional<double>& a, const std::optional<double>& b) { return a && b && *a > *b + 1e-9; }
bool is(const std::optional<double>& v, double x) { return v && std::fabs(*v - x) < 1e-9; }

void check_learned(const Arm& a, std::vector<std::string>& why) {
  const std::string p = "learned seed: ";
  const RoleStats* base = a.role("baseline");
  if (!base || !base->recall) why.push_back(p + "the gate measured no triggering on the baseline");
  if (base && base->invoked.value_or(0) > 0) why.push_back(p + "the seed description already triggered");
  if (a.gate_action != "accept") why.push_back(p + "the gate did not accept the learned edits (" + a.gate_reason + ")");
  if (a.learned_description.empty()) why.push_back(p + "no learned description was accepted");
  if (!better(a.candidate_val, a.baseline_val)) why.push_back(p + "val did not improve");
  if (!better(a.candidate_test, a.baseline_test)) why.push_back(p + "the held-out test split did not improve");
  for (const char* role : {"candidate", "candidate_test"}) {
    const RoleStats* cand = a.role(role);
    const std::string on = std::string(" (") + role + ")";
    if (!cand || !is(cand->recall, 1.0)) why.push_back(p + "the candidate did not trigger on every task it should" + on);
    if (!cand || !is(cand->precision, 1.0)) why.push_back(p + "the candidate triggered on a task of another cluster" + on);
  }
}

void check_never(const Arm& a, std::vector<std::string>& why) {
  const std::string p = "never-matching seed: ";
  for (const auto& s : a.roles)
    if (s.invoked.value_or(0) > 0) why.push_back(p + "the agent invoked it in " + s.role + " replays");
  if (a.gate_action == "accept") why.push_back(p + "the gate accepted a skill that never triggers");
  if (better(a.candidate_val, a.baseline_val)) why.push_back(p + "val improved although the skill never triggered");
}

}  // namespace

std::vector<std::string> Result::unproven() const {
  std::vector<std::string> why;
  if (arms.size() != 2) return {"the experiment did not run both seeds"};
  check_learned(arms[0], why);
  check_never(arms[1], why);
  return why;
}

namespace {

using Writer = rapidjson::PrettyWriter<rapidjson::StringBuffer>;

void num(Writer& w, const char* k, const std::optional<double>& v) {
  w.Key(k);
  if (v)
    w.Double(std::round(*v * 10000) / 10000);
  else
    w.Null();
}
void str(Writer& w, const char* k, const std::string& v) {
  w.Key(k);
  w.String(v.c_str(), static_cast<rapidjson::SizeType>(v.size()));
}

void role_json(Writer& w, const RoleStats& s) {
  w.StartObject();
  str(w, "role", s.role);
  w.Key("replays");
  w.Int(s.replays);
  num(w, "pass_rate", s.pass_rate());
  num(w, "trigger_recall", s.recall);
  num(w, "trigger_precision", s.precision);
  w.Key("invoked");
  if (s.invoked)
    w.Int(*s.invoked);
  else
    w.Null();
  num(w, "tool_calls_per_replay", s.replays ? std::optional<double>(double(s.tool_calls) / s.replays) : std::nullopt);
  num(w, "seconds_per_replay", s.replays ? std::optional<double>(s.seconds / s.replays) : std::nullopt);
  num(w, "cost_usd", s.cost_usd);
  w.EndObject();
}

void arm_json(Writer& w, const Arm& a) {
  w.StartObject();
  const std::pair<const char*, const std::string*> fields[] = {
      {"seed", &a.name},         {"description", &a.description}, {"store", &a.store},
      {"night_id", &a.night_id}, {"night_dir", &a.night_dir},     {"gate_action", &a.gate_action},
      {"gate_reason", &a.gate_reason}, {"learned_description", &a.learned_description}};
  for (const auto& [k, v] : fields) str(w, k, *v);
  num(w, "baseline_val", a.baseline_val);
  num(w, "candidate_val", a.candidate_val);
  num(w, "baseline_test", a.baseline_test);
  num(w, "candidate_test", a.candidate_test);
  w.Key("accepted_edits");
  w.StartArray();
  for (const auto& e : a.accepted) w.String(e.c_str());
  w.EndArray();
  w.Key("replays");
  w.StartArray();
  for (const auto& s : a.roles) role_json(w, s);
  w.EndArray();
  w.EndObject();
}

std::string fmt(const std::optional<double>& v, const char* f = "%.2f") {
  if (!v) return "n/a";
  char b[32];
  std::snprintf(b, sizeof b, f, *v);
  return b;
}

}  // namespace

std::string result_json(const Result& r) {
  rapidjson::StringBuffer sb;
  Writer w(sb);
  w.SetIndent(' ', 2);
  w.StartObject();
  const std::pair<const char*, const std::string*> fields[] = {
      {"agent", &r.agent}, {"skill", &r.skill}, {"fixture", &r.fixture}, {"pipeline", &r.pipeline}, {"project", &r.project}};
  for (const auto& [k, v] : fields) str(w, k, *v);
  w.Key("arms");
  w.StartArray();
  for (const auto& a : r.arms) arm_json(w, a);
  w.EndArray();
  const auto why = r.unproven();
  w.Key("proven");
  w.Bool(r.exit_code == 0 && why.empty());
  w.Key("unproven");
  w.StartArray();
  for (const auto& s : why) w.String(s.c_str());
  w.EndArray();
  num(w, "seconds", r.seconds);
  w.EndObject();
  return std::string(sb.GetString()) + "\n";
}

std::string result_text(const Result& r) {
  std::string o = "agentic proof experiment: " + r.agent + ", skill " + r.skill + " (" + r.project + ")\n";
  for (const auto& a : r.arms) {
    o += "\n" + a.name + " seed (description: " + a.description + ")\n";
    if (!a.learned_description.empty()) o += "  learned description: " + a.learned_description + "\n";
    o += "  gate: " + a.gate_action + " - " + a.gate_reason + "\n";
    o += "  val " + fmt(a.baseline_val) + " -> " + fmt(a.candidate_val) + ", test " + fmt(a.baseline_test) + " -> " +
         fmt(a.candidate_test) + "\n";
    o += "  role            replays  pass  recall  precision  calls/replay  s/replay\n";
    for (const auto& s : a.roles) {
      char line[160];
      std::snprintf(line, sizeof line, "  %-15s %7d  %4s  %6s  %9s  %12s  %8s\n", s.role.c_str(), s.replays,
                    fmt(s.pass_rate()).c_str(), fmt(s.recall).c_str(), fmt(s.precision).c_str(),
                    fmt(s.replays ? std::optional<double>(double(s.tool_calls) / s.replays) : std::nullopt, "%.1f").c_str(),
                    fmt(s.replays ? std::optional<double>(s.seconds / s.replays) : std::nullopt, "%.1f").c_str());
      o += line;
    }
  }
  const auto why = r.unproven();
  o += "\n" + std::string(why.empty() && r.exit_code == 0 ? "proven" : "NOT proven") + " in " + fmt(r.seconds, "%.0f") + " s\n";
  for (const auto& w : why) o += "  - " + w + "\n";
  return o;
}

}  // namespace skillpipe::app::agentic_experiment
