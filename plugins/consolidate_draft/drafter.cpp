// Drafting one pattern into reviewed proposals (drafter.hpp).
#include "drafter.hpp"

#include <algorithm>

#include "draft_template.hpp"
#include "llm_drafter.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_draft {
namespace {

bool same_finding(const SafetyFinding& a, const SafetyFinding& b) {
  return a.kind == b.kind && a.rule == b.rule && a.excerpt == b.excerpt;
}

// The same key the store uses to refuse a document proposed twice (case-insensitive).
std::string doc_key(Target target, const std::string& name) { return to_lower_ascii(to_string(target) + "/" + name); }

// `base`, or the first of base-2, base-3, ... that no proposal claims tonight.
std::string unclaimed_name(const NameClaims& claims, const DraftSettings& s, Target target,
                           const std::string& project, const std::string& base) {
  for (int n = 1; n < 1000; ++n) {
    const std::string name = n == 1 ? base : base + "-" + std::to_string(n);
    if (!claims.taken(target, name, new_skill_path(s.roots, target, project, s.scope, name))) return name;
  }
  return base + "-" + sha256_hex(base).substr(0, 8);
}

// The targets a pattern is drafted for: the configured ones, else its agents' skill targets.
std::vector<Target> targets_for(const PatternView& p, const DraftSettings& s, std::vector<std::string>& notes) {
  if (!s.targets.empty()) return s.targets;
  std::vector<Target> out;
  for (Agent a : p.agents) {
    if (a == Agent::kClaude || a == Agent::kCodex) {
      out.push_back(Target{a, DocKind::kSkill});
    } else {
      notes.push_back("pattern `" + p.label + "`: sessions of " + to_string(a) +
                      " are evidence, but skillpipe cannot draft " + to_string(a) + " skills yet");
    }
  }
  if (out.empty() && p.agents.empty()) out.push_back(Target{Agent::kClaude, DocKind::kSkill});  // evidence from before agents were kept
  return out;
}

// The existing skills a draft may extend: a project pattern only those of the project.
std::vector<ExistingSkill> in_place(const std::vector<ExistingSkill>& skills, bool project_skill,
                                    const std::string& project) {
  std::vector<ExistingSkill> out;
  for (const auto& sk : skills)
    if (!project_skill || starts_with(sk.path, project + "/")) out.push_back(sk);
  return out;
}


// What a draft starts from: the live text it extends, and whether it is our own earlier draft.
struct DraftBase {
  std::string text;
  bool ours = false;    // our earlier draft, live and untouched since adoption: rewritten whole
  bool append = false;  // someone else's skill: the draft appends a section
};

DraftBase base_of(const ExistingSkill* existing, const Proposal& prop, const DraftRecord* previous) {
  DraftBase b;
  if (existing) {
    b.text = existing->text;
  } else if (auto live = read_file(prop.live_path)) {
    b.text = *live;  // a file the catalog skipped (e.g. an unreadable root listing)
  }
  if (previous && !b.text.empty())
    for (const auto& t : previous->targets)
      b.ours = b.ours || (t.target == prop.target && t.name == prop.name && t.sha256 == sha256_hex(b.text));
  b.append = (existing || !b.text.empty()) && !b.ours;
  return b;
}

// The draft's text from the template, rewritten by the LLM when one is configured;
// returns who wrote it.
std::string write_text(const PatternView& p, const Proposal& prop, const DraftBase& base, const DraftFor& draft_for,
                       Backend* llm, PatternDraft& out, std::string& text, Context& ctx) {
  text = base.append ? render_append(p, base.text, draft_for) : render_new_skill(p, prop.name, draft_for);
  if (!llm) return "template";
  const std::string tmpl = base.append ? render_append(p, "", draft_for) : text;
  LlmDraft d = llm_draft(*llm, p, prop.name, tmpl, base.append, base.text, ctx);
  ++out.llm_calls;
  out.cached_calls += d.cached;
  out.usage += d.usage;
  out.cost_usd += d.cost_usd;
  if (!d.ok) {
    out.notes.push_back("pattern `" + p.label + "`: " + d.note);
    return "template";
  }
  text = base.append ? append_section(p, base.text, d.text) : d.text;
  return "LLM (" + llm->identity() + ")";
}

// The safety findings of a draft; when it appends to the user's own skill, only what the
// draft adds counts (the skill may already contain things the scanner flags).
std::vector<SafetyFinding> review_draft(const std::string& text, const DraftBase& base, SafetyOptions so,
                                        const std::string& name) {
  so.expected_name = name;
  std::vector<SafetyFinding> findings = review_skill_document(text, so);
  if (!base.append) return findings;
  const auto before = review_skill_document(base.text, so);
  findings.erase(std::remove_if(findings.begin(), findings.end(),
                                [&](const SafetyFinding& f) {
                                  return std::any_of(before.begin(), before.end(),
                                                     [&](const auto& b) { return same_finding(f, b); });
                                }),
                 findings.end());
  return findings;
}

// The one-line note a drafted target leaves, with up to three blocking findings.
std::string draft_note(const PatternView& p, const Proposal& prop, const DraftBase& base, const std::string& tname,
                       const std::vector<SafetyFinding>& findings, bool quarantined, const std::string& threshold) {
  std::string n = "pattern `" + p.label + "` (" + p.id + "): " +
                  (base.append ? "appended to" : base.ours ? "updated its" : "drafted new") + " skill `" + prop.name +
                  "` for " + tname + " — " + to_string(prop.status);
  if (!quarantined) return n;
  int shown = 0;
  n += " (";
  for (const auto& f : findings) {
    if (severity_rank(f.severity) < severity_rank(threshold) || shown == 3) continue;
    n += std::string(shown++ ? "; " : "") + f.kind + "/" + f.rule + (f.line ? " line " + std::to_string(f.line) : "");
  }
  return n + ")";
}

}  // namespace

bool NameClaims::taken(Target target, const std::string& name, const std::string& live_path) const {
  return keys_.count(doc_key(target, name)) || (!live_path.empty() && keys_.count("path:" + live_path));
}

void NameClaims::claim(Target target, const std::string& name, const std::string& live_path) {
  keys_.insert(doc_key(target, name));
  if (!live_path.empty()) keys_.insert("path:" + live_path);
}

PatternDraft draft_pattern(const PatternView& p, const DraftSettings& s,
                           const std::map<Target, std::vector<ExistingSkill>>& catalog, Backend* llm,
                           const std::string& project, const std::string& night, const DraftRecord* previous,
                           NameClaims& claims, Context& ctx) {
  PatternDraft out;
  out.record.pattern = p.id;
  out.record.evidence_sig = p.evidence_sig;
  out.record.night = night;
  out.record.at = format_iso8601_s(now_ms());
  bool any_quarantined = false;

  const bool one_project = p.projects.empty() ? p.project == project  // older records: the main project
                                               : p.projects.size() == 1 && p.projects.front() == project;
  const bool project_skill = s.scope == "project" && one_project && project != "all";
  DraftSettings placed = s;
  placed.scope = project_skill ? "project" : "user";
  for (const Target& target : targets_for(p, s, out.notes)) {
    const std::string tname = to_string(target);
    const DraftFor draft_for{target.agent, where_from(p, project)};
    const auto cit = catalog.find(target);
    const auto skills = cit == catalog.end() ? std::vector<ExistingSkill>{} : in_place(cit->second, project_skill, project);
    const ExistingSkill* existing = match_skill(skills, skill_name_for(p), p.label, p.skill_hint, s.match_threshold);
    if (existing && claims.taken(target, existing->name, existing->path)) {
      out.notes.push_back("pattern `" + p.label + "` (" + p.id + "): another pattern extends skill `" +
                          existing->name + "` for " + tname + " tonight; this one waits for the next night");
      continue;
    }
    const std::string own_name =
        existing ? existing->name : unclaimed_name(claims, placed, target, project, skill_name_for(p));

    Proposal prop;
    prop.target = target;
    prop.name = existing ? existing->name : own_name;
    prop.live_path = existing ? existing->path : new_skill_path(s.roots, target, project, placed.scope, own_name);
    if (prop.live_path.empty()) {
      out.notes.push_back("pattern `" + p.label + "`: no " + tname + " root available for this project; not drafted");
      continue;
    }
    const DraftBase base = base_of(existing, prop, previous);
    // A draft keeps the text it extends in the store; a secret never goes there.
    if (const std::string at = first_secret_at(base.text); !at.empty()) {
      out.notes.push_back("pattern `" + p.label + "`: " + prop.live_path + " holds what looks like a secret at " + at +
                          "; skillpipe never copies a secret into its store, so it drafts nothing into this skill "
                          "tonight. Move the secret out of the file and the next night can.");
      continue;
    }
    if (!base.text.empty()) {
      prop.base_text = base.text;
      prop.base_sha256 = sha256_hex(base.text);
    }
    std::string text;
    const std::string author = write_text(p, prop, base, draft_for, llm, out, text, ctx);
    const std::vector<SafetyFinding> findings = review_draft(text, base, s.safety, prop.name);
    const bool quarantined = findings_block(findings, s.quarantine_severity);
    any_quarantined = any_quarantined || quarantined;

    prop.status = quarantined ? ProposalStatus::kQuarantined : ProposalStatus::kDraft;
    prop.reasons.push_back("offline draft (" + author + ") from pattern " + p.id + ": " + std::to_string(p.successes) +
                           " successful, " + std::to_string(p.failures) + " failed sessions (success ratio " + p.ratio +
                           "); not replayed or gated");
    prop.reasons.push_back(base.append ? "appends a section to the existing skill " + prop.live_path
                           : base.ours ? "updates the skill drafted on night " + previous->night + " at " + prop.live_path
                                       : "new skill at " + prop.live_path);
    for (const auto& f : findings) prop.reasons.push_back("safety: " + format_finding(f));
    // A quarantined draft is kept for review, never with a live secret in it.
    prop.proposed_text = quarantined ? redact_secrets(text) : text;

    claims.claim(target, prop.name, prop.live_path);
    out.record.targets.push_back({target, prop.name, prop.live_path, sha256_hex(prop.proposed_text)});
    out.notes.push_back(draft_note(p, prop, base, tname, findings, quarantined, s.quarantine_severity));
    for (const auto& f : findings)
      if (severity_rank(f.severity) >= severity_rank(s.quarantine_severity))
        out.record.reasons.push_back(tname + ": " + format_finding(f));
    out.proposals.push_back(std::move(prop));
  }
  out.record.status = any_quarantined ? ProposalStatus::kQuarantined : ProposalStatus::kDraft;
  return out;
}

}  // namespace skillpipe::consolidate_draft
