// report_fixture.hpp - a realistic night for the report tests, with hostile transcript text
// in every field a transcript or a model can reach.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/kit/util.hpp"
#include "skillpipe/records.hpp"

namespace skillpipe::testing {

inline const char* kHostile = "<script>alert(\"x\")</script> \"quoted\" 'single' & <img src=x onerror=alert(1)>";

inline NightReport fixture_night(const std::string& night_id = "0004-20260105T031700Z") {
  NightReport r;
  r.project = "/home/dev/src/app";
  r.night_id = night_id;
  r.started_at = "2026-01-05T03:17:00Z";
  r.finished_at = "2026-01-05T03:41:09Z";
  r.counts = {{"sessions", 42},
              {"tasks", 17},
              {"harvest.sessions", 42},
              {"harvest.prompts", 311},
              {"harvest.redactions", 5},
              {"harvest.lines_malformed", 2},
              {"harvest.files_unreadable", 1},
              {"harvest.files_read", 40}};
  r.baseline_val = 0.55;
  r.candidate_val = 0.70;
  r.baseline_test = 0.60;
  r.candidate_test = std::nullopt;  // not measured: must never show as 0
  r.gate_metric = "hard";
  r.gate_action = GateAction::kAccept;
  r.gate_reason = std::string("candidate +0.15 on val (CI low 0.02 > 0); ") + kHostile;
  r.deltas = {{"task-<b>bold</b>", Split::kVal, 0.0, 1.0},
              {"task-regress", Split::kVal, 1.0, 0.0},
              {"task-same", Split::kVal, 0.5, 0.5},
              {"task-test-up", Split::kTest, 0.2, 0.6}};
  Edit e;
  e.target = EditTarget::kSkill;
  e.op = EditOp::kAppend;
  e.content = std::string("- Always run `ninja -C build` before **claiming** success\n") + kHostile;
  e.rationale = std::string("Three failed tasks skipped the build. ") + kHostile;
  e.status = EditStatus::kApplied;
  e.document = "build-helper";
  r.accepted_edits = {e};
  Edit rej = e;
  rej.content = "Prefer tabs";
  rej.rationale = "Style nit";
  rej.status = EditStatus::kRejected;
  r.rejected_edits = {rej};
  Edit un = e;
  un.op = EditOp::kInsertAfter;
  un.anchor = "## Missing </section>";
  un.status = EditStatus::kAnchorNotFound;
  r.unmatched_edits = {un};

  Proposal p;
  p.name = "build-helper";
  p.target = {Agent::kClaude, DocKind::kSkill};
  p.live_path = "/home/dev/src/app/.claude/skills/build-helper/SKILL.md";
  p.base_text =
      "---\nname: build-helper\ndescription: builds\n---\n# Build helper\n\n- run cmake\n```sh\ncmake -B build\n```\n";
  p.base_sha256 = sha256_hex(p.base_text);
  p.proposed_text =
      "---\nname: build-helper\ndescription: builds\n---\n# Build helper\n\n- run cmake\n"
      "- Always run `ninja -C build` before **claiming** success\n```sh\ncmake -B build\nninja -C build\n```\n"
      "## Notes from <script>document.cookie</script>\n";
  p.status = ProposalStatus::kAccepted;
  p.reasons = {"gate: accept", std::string("evidence: session abc ") + kHostile};
  Proposal q;
  q.name = "CLAUDE.md";
  q.target = {Agent::kClaude, DocKind::kMemory};
  q.live_path = "/home/dev/src/app/CLAUDE.md";
  q.proposed_text = "# Project memory\nUse ninja.";
  q.status = ProposalStatus::kUnverified;
  q.reasons = {"not checked on held-out tasks"};
  r.proposals = {p, q};
  r.tokens = {120000, 8000, 50000, 2000};
  r.cost_usd = 0.4213;
  r.llm_calls = 80;
  r.cached_calls = 20;
  r.notes = {std::string("note with ") + kHostile};
  r.timings_s = {{"harvest", 3.2}, {"mine", 1.1}, {"replay", 700.5}, {"consolidate", 420.0}, {"total", 1449.0}};
  r.metrics = {{"ci_low", 0.02}, {"ci_high", 0.28}};
  return r;
}

inline std::vector<NightReport> fixture_history() {
  std::vector<NightReport> h;
  const double before[] = {0.40, 0.45, 0.52};
  for (int i = 0; i < 3; ++i) {
    NightReport n;
    n.project = "/home/dev/src/app";
    n.night_id = "000" + std::to_string(i + 1) + "-2026010" + std::to_string(i + 2) + "T031700Z";
    n.finished_at = "2026-01-0" + std::to_string(i + 2) + "T03:40:00Z";
    n.baseline_test = before[i];
    if (i != 1) n.candidate_test = before[i] + 0.05;  // night 2 measured only the baseline
    n.gate_action = i == 0 ? GateAction::kAccept : GateAction::kReject;
    h.push_back(n);
  }
  return h;
}

}  // namespace skillpipe::testing
