#include "night_report.hpp"

#include <cstdio>

#include "skillpipe/kit/targets.hpp"
#include "skillpipe/kit/util.hpp"
#include "text_util.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

Proposal make(const DocFile& doc, const std::string& text, ProposalStatus status, const EpochResult& r) {
  Proposal p;
  p.name = doc.name;
  p.target = doc.target;
  p.live_path = doc.path;
  p.base_text = doc.base_text;
  p.base_sha256 = doc.base_sha256;
  p.proposed_text = text;
  p.status = status;
  p.reasons.push_back(std::string("gate: ") + to_string(r.action) + (r.reason.empty() ? "" : " - " + r.reason));
  return p;
}

// The accepted edits replayed onto another target's own text.
bool replay_onto(const DocFile& doc, const std::vector<Edit>& edits, const ApplyOptions& opt, std::string& out,
                 std::string& why) {
  std::vector<Edit> fresh = edits;
  for (auto& e : fresh) e.status = EditStatus::kProposed;
  ApplyResult ar = apply_edits(doc.text, fresh, opt);
  for (const auto& e : ar.edits)
    if (e.status != EditStatus::kApplied && e.status != EditStatus::kDuplicate) {
      why = "edit \"" + excerpt(e.content, 60) + "\" is " + to_string(e.status) + " there" +
            (ar.error.empty() ? "" : " (" + ar.error + ")");
      return false;
    }
  out = ar.text;
  return true;
}

// The gate's terms, stated in every report: which trade-offs the user chose, what the
// statistics can and cannot claim.
void add_gate_terms(NightReport& rep, const GateConfig& g) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%g", g.regression_margin);
  rep.attrs["gate_regression_margin"] = buf;
  rep.attrs["gate_samples"] = std::to_string(g.samples);
  rep.attrs["gate_regression"] = g.regression;
  rep.attrs["gate_min_val"] = std::to_string(g.min_val);
  std::snprintf(buf, sizeof buf, "%g", 1 - g.confidence);
  rep.attrs["gate_alpha"] = buf;
  if (!g.no_regression)
    rep.notes.push_back("Trade-off in force: per-task no-regression is off (gate_no_regression: false), so an "
                        "accepted change may make some val tasks worse.");
  else if (g.regression == "consistent")
    rep.notes.push_back("Trade-off in force: a val task counts as worse only when every candidate sample scores "
                        "below every baseline sample (gate_regression: consistent); a smaller drop may be accepted.");
  if (g.no_regression && g.regression_margin > 0)
    rep.notes.push_back(std::string("Trade-off in force: a val task may drop by up to ") + rep.attrs["gate_regression_margin"] +
                        " without counting as worse (gate_regression_margin).");
  if (g.mode != "statistical")
    rep.notes.push_back("The gate is in strict mode: an accepted change was better on val, but no significance is claimed.");
  const auto val = rep.metrics.find("tasks.val");
  if (g.mode == "statistical" && val != rep.metrics.end() && val->second < g.min_val)
    rep.notes.push_back("Val has " + std::to_string(static_cast<int>(val->second)) + " task(s), fewer than gate_min_val (" +
                        std::to_string(g.min_val) + "): one night's val alone claims no significance; promising edits are carried and "
                        "their evidence pools over later nights until it reaches gate_min_val (carry_nights).");
}

}  // namespace

std::vector<Proposal> build_proposals(const GroupOutcome& g, const Settings& s, const std::string& project,
                                      std::vector<std::string>& notes) {
  std::vector<Proposal> out;
  const EpochResult& r = g.result;
  ProposalStatus status;
  if (r.action == GateAction::kAccept)
    status = ProposalStatus::kAccepted;
  else if (r.action == GateAction::kRejectUnverified && !r.accepted.empty())
    status = ProposalStatus::kUnverified;
  else
    return out;
  ApplyOptions opt;
  opt.bounds = s.bounds;
  if (!g.group.managed) {
    opt.allow_document_ops = false;
    if (r.skill_changed()) out.push_back(make(g.skill, r.skill_text, status, r));
    return out;
  }
  for (const Target& target : s.targets) {
    const bool skill = target.kind == DocKind::kSkill;
    if (skill ? !r.skill_changed() : !r.memory_changed()) continue;
    const DocFile& gated = skill ? g.skill : g.memory;
    if (target == gated.target) {
      out.push_back(make(gated, skill ? r.skill_text : r.memory_text, status, r));
      continue;
    }
    const std::string path = live_path_for(target, s.skill_name, s.claude_skill_root, s.codex_skill_root, project);
    DocFile other = load_document(target, skill ? s.skill_name : targets::memory_name(target.agent), path);
    if (std::string refused = secret_refusal(other); !refused.empty()) {
      notes.push_back("The lesson was not emitted to " + to_string(target) + ": " + refused);
      continue;
    }
    std::string text, why;
    if (!replay_onto(other, skill ? r.accepted_skill : r.accepted_memory, opt, text, why)) {
      notes.push_back("The lesson was not emitted to " + to_string(target) + " (" + path + "): " + why + ".");
      continue;
    }
    if (text == other.base_text) continue;
    Proposal p = make(other, text, status, r);
    p.reasons.push_back("the same accepted edits as " + to_string(gated.target) + " (" + gated.path + ")");
    out.push_back(std::move(p));
  }
  return out;
}

NightReport build_report(const std::vector<GroupOutcome>& groups, const Settings& s) {
  NightReport rep;
  rep.gate_metric = metric_label(s.gate);
  bool any_accept = false;
  std::string accepted_names;
  for (std::size_t i = 0; i < groups.size(); ++i) {
    const auto& g = groups[i];
    const auto& r = g.result;
    for (auto e : r.accepted) rep.accepted_edits.push_back(e);
    for (auto e : r.rejected) rep.rejected_edits.push_back(e);
    for (auto e : r.carried) rep.rejected_edits.push_back(e);  // status carried: re-tested next night
    for (auto e : r.unmatched) rep.unmatched_edits.push_back(e);
    for (const auto& d : r.deltas) rep.deltas.push_back(d);
    const std::string prefix = g.group.managed ? "" : "skill " + g.group.name + ": ";
    for (const auto& n : r.notes) rep.notes.push_back(prefix + n);
    for (const auto& t : r.trials)
      rep.notes.push_back(prefix + "trial " + t.target + " (" + std::to_string(t.edits) + " edit" +
                          (t.edits == 1 ? "" : "s") + "): " + (t.accepted ? "kept" : "rejected") + " - " + t.reason);
    if (r.action == GateAction::kAccept) {
      any_accept = true;
      accepted_names += (accepted_names.empty() ? "" : ", ") + g.group.name;
    }
    if (i == 0) {
      rep.baseline_val = r.baseline_val;
      rep.candidate_val = r.candidate_val;
      rep.baseline_test = r.baseline_test;
      rep.candidate_test = r.candidate_test;
      rep.gate_action = r.action;
      rep.gate_reason = r.reason;
      for (const auto& [k, v] : r.metrics) rep.metrics[k] = v;
    } else {
      const std::string m = "skill." + g.group.name + ".";
      if (r.baseline_val) rep.metrics[m + "baseline_val"] = *r.baseline_val;
      if (r.candidate_val) rep.metrics[m + "candidate_val"] = *r.candidate_val;
      rep.notes.push_back("skill " + g.group.name + " (" + std::to_string(g.group.tasks.size()) +
                          " tasks): " + to_string(r.action) + (r.reason.empty() ? "" : " - " + r.reason));
    }
  }
  if (any_accept && rep.gate_action != GateAction::kAccept) {
    rep.gate_reason = "accepted for " + accepted_names + "; " + (groups.empty() ? "" : groups[0].group.name) + ": " +
                      to_string(rep.gate_action) + (rep.gate_reason.empty() ? "" : " - " + rep.gate_reason);
    rep.gate_action = GateAction::kAccept;
  }
  rep.attrs["gate_formula"] = score_formula(s.gate);
  rep.attrs["gate_mode"] = s.gate.mode + (s.gate.mode == "statistical" ? "/" + s.gate.test : "");
  rep.attrs["gate_no_regression"] = s.gate.no_regression ? "true" : "false";
  add_gate_terms(rep, s.gate);
  return rep;
}

}  // namespace skillpipe::consolidate_reflect
