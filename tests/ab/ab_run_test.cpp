// Whole A/B runs over the real plugins: backend_mock replays the tasks in tests/data/ab,
// judge_rule / judge_exact / judge_llm score them, store_files holds the response cache.
// Expected numbers are worked out by hand in the comments.
#include <gtest/gtest.h>
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "host/ab/report.hpp"
#include "host/ab/runner.hpp"
#include "host/ab/spec.hpp"
#include "skillpipe/config.hpp"
#include "test_support.hpp"

using namespace skillpipe::host::ab;
using skillpipe::host::Diagnostic;
using skillpipe::testing::TempDir;

namespace {

std::string data(const std::string& f) { return skillpipe::testing::test_data_dir() + "/ab/" + f; }

std::string joined(const std::vector<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += s + "\n";
  return out;
}

std::string joined(const std::vector<Diagnostic>& v) {
  std::string out;
  for (const auto& d : v) out += d.format() + "\n";
  return out;
}

AbRun run_file(const std::string& file, const std::string& store) {
  std::vector<Diagnostic> errors;
  auto spec = parse_ab_spec(file, errors);
  EXPECT_TRUE(spec) << joined(errors);
  if (!spec) return {};
  RunOptions o;
  o.plugin_dirs = {skillpipe::testing::plugin_dir()};
  o.store_root = store;
  return run_ab(*spec, o);
}

// An OpenAI-compatible grader on loopback that gives every response 0.9.
class Grader {
 public:
  Grader() {
    server_.Post("/v1/chat/completions", [this](const httplib::Request&, httplib::Response& res) {
      ++requests;
      res.set_content(
          R"({"id":"x","object":"chat.completion","model":"grader","choices":[{"index":0,"message":{"role":"assistant",)"
          R"("content":"{\"score\": 0.9, \"reason\": \"meets the rubric\", \"failed\": []}"},"finish_reason":"stop"}],)"
          R"("usage":{"prompt_tokens":100,"completion_tokens":10,"total_tokens":110}})",
          "application/json");
    });
    port_ = server_.bind_to_any_port("127.0.0.1");
    thread_ = std::thread([this] { server_.listen_after_bind(); });
    while (!server_.is_running()) std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  ~Grader() {
    server_.stop();
    thread_.join();
  }
  int port() const { return port_; }
  std::atomic<int> requests{0};

 private:
  httplib::Server server_;
  int port_ = 0;
  std::thread thread_;
};

}  // namespace

TEST(AbRun, RuleJudgeVersusExactJudgeOnSharedReplays) {
  TempDir store;
  const AbRun run = run_file(data("rule_vs_exact.yaml"), store.path());
  ASSERT_TRUE(run.errors.empty()) << joined(run.errors);
  ASSERT_EQ(run.tasks.size(), 5u);
  ASSERT_EQ(run.arms.size(), 2u);
  const ArmResult& rule = run.arms[0];
  const ArmResult& exact = run.arms[1];
  // One replay pass, scored by both judges.
  EXPECT_EQ(rule.replays_from, "");
  EXPECT_EQ(exact.replays_from, "rule");
  EXPECT_EQ(rule.replay_fingerprint, exact.replay_fingerprint);
  EXPECT_EQ(rule.replay.calls, 5);
  EXPECT_EQ(rule.replay.tokens, exact.replay.tokens);
  EXPECT_GT(rule.replay.tokens.input, 0);
  EXPECT_EQ(rule.judging.calls, 0);  // neither judge calls a model
  EXPECT_EQ(exact.judging.calls, 0);
  EXPECT_EQ(rule.judges, (std::vector<std::string>{"judge (judge_rule)"}));
  EXPECT_EQ(exact.judges, (std::vector<std::string>{"judge (judge_exact)"}));

  // The skill holds the "cite" rule: t1, t2, t5 are answered with their reference, t3 and t4
  // ("terse") with "approximately <reference minus 2 chars> (format not applied)".
  // judge_rule (one check each): t1 contains alpha 1, t2 1, t3 contains gamma-thr 1,
  //   t4 contains delta-four 0, t5 starts_with Here 0               -> hard = soft = 0.6
  // judge_exact: t1 1, t2 1, t3 0 (soft: "gamma" of gamma/three = 0.5), t4 0 (0.5), t5 1
  //                                                                -> hard 0.6, soft 0.8
  const AbReport rep = compare(run);
  EXPECT_NEAR(rep.arms[0].hard, 0.6, 1e-12);
  EXPECT_NEAR(rep.arms[0].soft, 0.6, 1e-12);
  EXPECT_NEAR(rep.arms[1].hard, 0.6, 1e-12);
  EXPECT_NEAR(rep.arms[1].soft, 0.8, 1e-12);
  EXPECT_NEAR(rep.arms[0].pass_rate, 0.6, 1e-12);
  EXPECT_LE(rep.arms[0].hard_ci.lo, 0.6);
  EXPECT_GE(rep.arms[0].hard_ci.hi, 0.6);
  ASSERT_EQ(rep.pairs.size(), 1u);
  const PairSummary& p = rep.pairs[0];
  EXPECT_EQ(p.n, 5);
  EXPECT_TRUE(p.same_replays);
  // exact - rule per task, hard: {0, 0, -1, 0, +1}; soft: {0, 0, -0.5, +0.5, +1}.
  EXPECT_NEAR(p.hard_diff, 0.0, 1e-12);
  EXPECT_NEAR(p.soft_diff, 0.2, 1e-12);
  EXPECT_EQ(p.hard_sign.positive, 1);
  EXPECT_EQ(p.hard_sign.negative, 1);
  EXPECT_DOUBLE_EQ(p.hard_sign.p_value, 1.0);      // 2 * (1 + 2) / 4, capped at 1
  EXPECT_DOUBLE_EQ(p.hard_wilcoxon.p_value, 1.0);  // ranks 1.5 and 1.5: W+ is at the centre
  // Pass/fail: both pass t1 t2, only rule t3, only exact t5, both fail t4.
  // po = 3/5; pe = 0.6*0.6 + 0.4*0.4 = 0.52; kappa = 0.08 / 0.48 = 1/6.
  EXPECT_EQ(p.agreement.both_pass, 2);
  EXPECT_EQ(p.agreement.a_only, 1);
  EXPECT_EQ(p.agreement.b_only, 1);
  EXPECT_EQ(p.agreement.both_fail, 1);
  EXPECT_NEAR(p.agreement.percent, 0.6, 1e-12);
  EXPECT_NEAR(p.agreement.kappa, 1.0 / 6, 1e-12);
  // Soft: rule {1,1,1,0,0}, exact {1,1,.5,.5,1}: sum dadb = 0.1, sum da^2 = 1.2,
  // sum db^2 = 0.3 -> r = 0.1 / 0.6.
  ASSERT_TRUE(p.soft_pearson);
  EXPECT_NEAR(*p.soft_pearson, 1.0 / 6, 1e-12);
  ASSERT_EQ(p.disagreements.size(), 2u);
  EXPECT_EQ(run.tasks[p.disagreements[0]].id, "t3");
  EXPECT_EQ(run.tasks[p.disagreements[1]].id, "t5");

  const std::string md = report_markdown(run, rep);
  EXPECT_NE(md.find("### Tasks where they disagree (2 of 2)"), std::string::npos) << md;
  EXPECT_NE(md.find("| `t3` |"), std::string::npos) << md;
  EXPECT_NE(md.find("Cohen's kappa 0.167"), std::string::npos) << md;
  const auto js = skillpipe::Config::parse(report_json(run, rep));
  const auto pairs = js.get_object_list("pairs");
  ASSERT_EQ(pairs.size(), 1u);
  EXPECT_NEAR(pairs[0].get_object("agreement").get_double("kappa"), 1.0 / 6, 1e-12);
  EXPECT_EQ(pairs[0].get_object_list("disagreements").size(), 2u);
}

TEST(AbRun, IdenticalArmsAgreeCompletelyWithZeroDifference) {
  TempDir store;
  const AbRun run = run_file(data("identical.yaml"), store.path());
  ASSERT_TRUE(run.errors.empty()) << joined(run.errors);
  const AbReport rep = compare(run);
  ASSERT_EQ(rep.pairs.size(), 1u);
  const PairSummary& p = rep.pairs[0];
  EXPECT_TRUE(p.same_replays);
  EXPECT_EQ(p.n, 5);
  EXPECT_DOUBLE_EQ(p.agreement.percent, 1.0);
  EXPECT_DOUBLE_EQ(p.agreement.kappa, 1.0);
  EXPECT_FALSE(p.agreement.kappa_degenerate);  // 3 pass and 2 fail on each side
  EXPECT_DOUBLE_EQ(p.hard_diff, 0.0);
  EXPECT_DOUBLE_EQ(p.soft_diff, 0.0);
  EXPECT_EQ(p.hard_diff_ci, (Interval{0, 0}));
  EXPECT_EQ(p.soft_diff_ci, (Interval{0, 0}));
  EXPECT_EQ(p.hard_sign.n, 0);
  EXPECT_DOUBLE_EQ(p.hard_sign.p_value, 1.0);
  EXPECT_DOUBLE_EQ(p.hard_wilcoxon.p_value, 1.0);
  ASSERT_TRUE(p.soft_pearson);
  EXPECT_NEAR(*p.soft_pearson, 1.0, 1e-12);
  EXPECT_TRUE(p.disagreements.empty());
  EXPECT_EQ(rep.arms[0].hard, rep.arms[1].hard);
  EXPECT_EQ(rep.arms[0].hard_ci, rep.arms[1].hard_ci);
  EXPECT_NE(report_markdown(run, rep).find("Pass/fail verdicts agree on every task"), std::string::npos);
}

TEST(AbRun, RecordedReplaysAreScoredWithoutReplaying) {
  TempDir tmp;
  // t1..t5 answered as recorded; t4 failed to replay and has no score in either arm.
  skillpipe::testing::write_text(tmp.file("replays.jsonl"),
                                 R"({"task_id":"t1","variant":"baseline","response":"alpha-one"}
{"task_id":"t2","variant":"baseline","response":"no idea"}
{"task_id":"t3","variant":"baseline","response":"Here: gamma-three"}
{"task_id":"t4","variant":"baseline","error":"timeout"}
{"task_id":"t5","variant":"baseline","response":"Here it is: eps-five"}
{"task_id":"t1","variant":"candidate","response":"something else"}
)");
  skillpipe::testing::write_text(tmp.file("exp.yaml"), "skillpipe_ab: 1\npipeline: " + data("pipeline.yaml") +
                                                           "\ntasks: " + data("tasks.jsonl") +
                                                           "\nreplays: replays.jsonl\nreplay_variant: baseline\n"
                                                           "arms:\n  - name: rule\n  - name: exact\n"
                                                           "    set: [stages.judge.plugin=judge_exact]\n");
  const AbRun run = run_file(tmp.file("exp.yaml"), tmp.file("store"));
  ASSERT_TRUE(run.errors.empty()) << joined(run.errors);
  EXPECT_EQ(run.arms[0].replays_from, "file");
  EXPECT_EQ(run.arms[0].replay.calls, 5);  // the candidate line is filtered out
  EXPECT_EQ(run.arms[0].backend, "");
  // rule: t1 1, t2 0, t3 1, t5 1; exact: t1 1, t2 0, t3 1, t5 1. t4 has no score.
  ASSERT_FALSE(run.arms[0].tasks[3].hard);
  EXPECT_EQ(run.arms[0].tasks[3].errors, 1);
  const AbReport rep = compare(run);
  EXPECT_EQ(rep.arms[0].scored, 4);
  EXPECT_EQ(rep.arms[0].missing, 1);
  EXPECT_NEAR(rep.arms[0].hard, 0.75, 1e-12);
  EXPECT_NEAR(rep.arms[1].hard, 0.75, 1e-12);
  EXPECT_EQ(rep.pairs[0].n, 4);
  EXPECT_DOUBLE_EQ(rep.pairs[0].agreement.percent, 1.0);
}

TEST(AbRun, LlmJudgeArmIsMeteredAndItsCallsAreCached) {
  TempDir tmp;
  Grader grader;
  skillpipe::testing::write_text(tmp.file("pipeline.yaml"),
                                 R"(skillpipe: 1
store: {plugin: store_files, config: {fsync: false}}
backends:
  replay:
    plugin: backend_mock
    config: {rules: {cite: "Always cite the source.", terse: "Answer in one line."}}
  grader:
    plugin: backend_llm
    config: {provider: openai, base_url: "http://127.0.0.1:)" +
                                     std::to_string(grader.port()) +
                                     R"(/v1", model: grader, auth_header: none, max_retries: 0}
stages:
  - {id: judge, plugin: judge_rule}
)");
  skillpipe::testing::write_text(tmp.file("exp.yaml"), "skillpipe_ab: 1\npipeline: pipeline.yaml\ntasks: " +
                                                           data("tasks.jsonl") + "\nskill: " + data("skill.md") +
                                                           "\nbackend: replay\narms:\n  - name: rule\n  - name: llm\n"
                                                           "    set:\n      stages.judge.plugin: judge_llm\n"
                                                           "      stages.judge.config: {backend: grader}\n");
  AbRun run = run_file(tmp.file("exp.yaml"), tmp.file("store"));
  ASSERT_TRUE(run.errors.empty()) << joined(run.errors);
  EXPECT_TRUE(run.warnings.empty()) << joined(run.warnings);
  EXPECT_EQ(grader.requests.load(), 5);
  const ArmResult& llm = run.arms[1];
  EXPECT_EQ(llm.replays_from, "rule");
  EXPECT_EQ(llm.judging.calls, 5);
  EXPECT_EQ(llm.judging.cached_calls, 0);
  EXPECT_EQ(llm.judging.tokens.input, 500);
  EXPECT_EQ(llm.judging.tokens.output, 50);
  EXPECT_EQ(run.arms[0].judging.calls, 0);
  AbReport rep = compare(run);
  EXPECT_NEAR(rep.arms[1].hard, 1.0, 1e-12);  // 0.9 >= judge_llm's default threshold 0.8
  EXPECT_NEAR(rep.arms[1].soft, 0.9, 1e-12);
  EXPECT_EQ(rep.pairs[0].disagreements.size(), 2u);  // t4 and t5 fail the rule judge only

  // Again with the same store: every grading comes from the response cache.
  run = run_file(tmp.file("exp.yaml"), tmp.file("store"));
  ASSERT_TRUE(run.errors.empty()) << joined(run.errors);
  EXPECT_EQ(grader.requests.load(), 5);
  EXPECT_EQ(run.arms[1].judging.calls, 5);
  EXPECT_EQ(run.arms[1].judging.cached_calls, 5);
  rep = compare(run);
  EXPECT_NEAR(rep.arms[1].soft, 0.9, 1e-12);
}

TEST(AbRun, ABrokenArmStopsEverythingBeforeAnyReplay) {
  TempDir tmp;
  skillpipe::testing::write_text(
      tmp.file("exp.yaml"), "skillpipe_ab: 1\npipeline: " + data("pipeline.yaml") + "\ntasks: " + data("tasks.jsonl") +
                                "\narms:\n  - name: good\n  - name: bad\n"
                                "    set: [stages.judge.plugin=no_such_judge]\n"
                                "  - name: typo\n    set: [\"stages.judge.config={colour: red}\"]\n");
  const AbRun run = run_file(tmp.file("exp.yaml"), tmp.file("store"));
  EXPECT_TRUE(run.arms.empty());
  EXPECT_EQ(run.exit_code, 2);
  const std::string all = joined(run.errors);
  // Each error is located at the arm's own override in the experiment file, not in the pipeline.
  EXPECT_NE(all.find(tmp.file("exp.yaml") + ":7:11: arm 'bad' set 'stages.judge.plugin=no_such_judge': /stages/0/plugin: "
                                             "unknown plugin 'no_such_judge'"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find(tmp.file("exp.yaml") + ":9:11: arm 'typo' set 'stages.judge.config={colour: red}': "),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("unknown key 'colour'"), std::string::npos) << all;
  EXPECT_EQ(all.find("pipeline.yaml:"), std::string::npos) << all;
}

TEST(AbRun, CommandLineWritesMarkdownJsonAndVerdicts) {
  TempDir tmp;
  auto r = skillpipe::testing::run_skillpipe({"ab", data("rule_vs_exact.yaml"), "--store", tmp.file("store"), "--json",
                                              "--markdown", tmp.file("ab.md"), "--out", tmp.file("out")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto js = skillpipe::Config::parse(r.out);
  EXPECT_EQ(js.get_object_list("arms").size(), 2u);
  EXPECT_EQ(js.get_object_list("arms")[1].get_string("replays_from"), "rule");
  const std::string md = skillpipe::testing::read_text(tmp.file("ab.md"));
  EXPECT_NE(md.find("## exact vs rule"), std::string::npos) << md;
  EXPECT_EQ(skillpipe::testing::read_text(tmp.file("out/report.md")), md);
  const std::string verdicts = skillpipe::testing::read_text(tmp.file("out/verdicts.exact.jsonl"));
  EXPECT_EQ(std::count(verdicts.begin(), verdicts.end(), '\n'), 5);
  // The HTML page: self-contained, an interval plot per arm, and the disagreeing tasks.
  const std::string html = skillpipe::testing::read_text(tmp.file("out/report.html"));
  EXPECT_NE(html.find("<svg viewBox="), std::string::npos);
  EXPECT_EQ(std::count(html.begin(), html.end(), '\0'), 0);
  EXPECT_EQ(html.find("http://"), std::string::npos);
  EXPECT_EQ(html.find("https://"), std::string::npos);
  EXPECT_EQ(html.find("<script"), std::string::npos);
  EXPECT_NE(html.find("<circle"), std::string::npos);
  EXPECT_NE(html.find("disagree on pass/fail (2)"), std::string::npos) << html;  // t3 and t5, as computed by hand above

  auto bad = skillpipe::testing::run_skillpipe({"ab", tmp.file("missing.yaml")});
  EXPECT_EQ(bad.exit_code, 2);
  // A missing file is resolved like every pipeline argument: named, with the bundled ones listed.
  EXPECT_NE(bad.err.find("missing.yaml\" does not exist"), std::string::npos) << bad.err;
  EXPECT_NE(bad.err.find("usable by name: ab_gate ab_judge"), std::string::npos) << bad.err;
}

TEST(AbRun, AJudgeThatThrowsCostsItsTasksNotTheRun) {
  TempDir tmp;
  // judge_llm grading through a backend whose server is not there: every judge() throws.
  // That arm replays first, so the throws happen inside the evaluation service's workers.
  skillpipe::testing::write_text(tmp.file("pipeline.yaml"), R"(skillpipe: 1
store: {plugin: store_files, config: {fsync: false}}
backends:
  replay:
    plugin: backend_mock
    config: {rules: {cite: "Always cite the source.", terse: "Answer in one line."}}
  grader:
    plugin: backend_llm
    config: {provider: openai, base_url: "http://127.0.0.1:1/v1", model: grader, auth_header: none, max_retries: 0, connect_timeout_s: 2}
stages:
  - {id: judge, plugin: judge_llm, config: {backend: grader}}
)");
  skillpipe::testing::write_text(tmp.file("exp.yaml"),
                                 "skillpipe_ab: 1\npipeline: pipeline.yaml\ntasks: " + data("tasks.jsonl") +
                                     "\nskill: " + data("skill.md") +
                                     "\nbackend: replay\narms:\n  - name: llm\n  - name: rule\n"
                                     "    set: {stages.judge.plugin: judge_rule, stages.judge.config: {}}\n");
  const AbRun run = run_file(tmp.file("exp.yaml"), tmp.file("store"));
  ASSERT_TRUE(run.errors.empty()) << joined(run.errors);
  ASSERT_EQ(run.arms.size(), 2u);
  EXPECT_EQ(run.warnings.size(), 5u) << joined(run.warnings);
  EXPECT_NE(joined(run.warnings).find("arm 'llm': judging task t1 (sample 0) failed"), std::string::npos)
      << joined(run.warnings);
  const AbReport rep = compare(run);
  EXPECT_EQ(rep.arms[0].scored, 0);
  EXPECT_EQ(rep.arms[0].missing, 5);
  EXPECT_EQ(rep.arms[1].scored, 5);
  EXPECT_NEAR(rep.arms[1].hard, 0.6, 1e-12);
  EXPECT_EQ(rep.pairs[0].n, 0);
  const auto js = skillpipe::Config::parse(report_json(run, rep));
  EXPECT_EQ(js.get_object_list("arms")[0].get_json("hard"), "");  // null: no score, not a zero
}

// pipelines/ab_judge.yaml, as shipped: the skill has both researcher rules, so researcher
// answers are "Here is the result. <answer>REF</answer>" (5 words) and pass rule and exact
// judges; programmer tasks need a rule the skill lacks and fail both. The terse house style
// (at most 3 words) fails every researcher answer the plain rule judge passes.
TEST(AbRun, ShippedJudgeExperimentRuns) {
  TempDir store;
  const AbRun run = run_file(skillpipe::testing::source_dir() + "/pipelines/ab_judge.yaml", store.path());
  ASSERT_TRUE(run.errors.empty()) << joined(run.errors);
  ASSERT_EQ(run.arms.size(), 3u);
  EXPECT_EQ(run.tasks.size(), 20u);
  const AbReport rep = compare(run);
  ASSERT_EQ(rep.pairs.size(), 3u);  // exact-rule, terse-rule, terse-exact
  EXPECT_TRUE(rep.pairs[0].same_replays && rep.pairs[1].same_replays && rep.pairs[2].same_replays);
  EXPECT_DOUBLE_EQ(rep.pairs[0].agreement.percent, 1.0);
  EXPECT_EQ(rep.pairs[1].agreement.a_only, 12);
  EXPECT_EQ(rep.pairs[1].disagreements.size(), 12u);
  EXPECT_DOUBLE_EQ(rep.arms[2].pass_rate, 0.0);
}
