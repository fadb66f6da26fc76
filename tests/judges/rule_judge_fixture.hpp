// rule_judge_fixture.hpp - judge_rule loaded as a plugin, and checks written the way task
// files write them (judge_rule_test.cpp, judge_rule_trajectory_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "skillpipe/config.hpp"
#include "test_support.hpp"

namespace skillpipe::judges_test {

// Ops are written as their text, as task files do; an unknown text stays unknown.
inline RuleCheck with_op(const std::string& op) {
  RuleCheck c;
  c.op = parse_rule_op(op).value_or(RuleOp::kUnknown);
  if (c.op == RuleOp::kUnknown) c.unknown_op = op;
  return c;
}

inline RuleCheck chk(std::string op, std::string arg = "", std::string arg2 = "", bool ci = false) {
  RuleCheck c = with_op(op);
  c.arg = std::move(arg);
  c.arg2 = std::move(arg2);
  c.case_insensitive = ci;
  return c;
}

inline RuleCheck group(std::string op, std::vector<RuleCheck> kids) {
  RuleCheck c = with_op(op);
  c.children = std::move(kids);
  return c;
}

class RuleJudge : public ::testing::Test {
 protected:
  void SetUp() override { configure("{}"); }
  void configure(const std::string& cfg) {
    judge_ = reg_->create_as<Judge>("judge_rule");
    judge_->configure(Config::parse(cfg), ctx_);
  }
  // Judges replay `r` of a task "t1" with these checks.
  Verdict judge_replay(std::vector<RuleCheck> checks, ReplayResult r) {
    TaskRecord t;
    t.id = "t1";
    t.judge.kind = ReferenceKind::kRule;
    t.judge.checks = std::move(checks);
    r.task_id = "t1";
    return judge_->judge(t, r, ctx_);
  }
  Verdict run(std::vector<RuleCheck> checks, const std::string& response, std::vector<std::string> tools = {}) {
    ReplayResult r;
    r.response = response;
    r.tools_called = std::move(tools);
    return judge_replay(std::move(checks), std::move(r));
  }
  bool passes(const RuleCheck& c, const std::string& response, std::vector<std::string> tools = {}) {
    return run({c}, response, std::move(tools)).hard == 1.0;
  }
  std::vector<std::string> validate(std::vector<RuleCheck> checks, const std::string& id = "task-42") {
    TaskRecord t;
    t.id = id;
    t.judge.kind = ReferenceKind::kRule;
    t.judge.checks = std::move(checks);
    return judge_->validate(t);
  }
  std::string validation_error(std::vector<RuleCheck> checks) {
    try {
      validate(std::move(checks));
    } catch (const RecordError& e) {
      EXPECT_EQ(e.record_id(), "task-42");
      return e.what();
    }
    return "";
  }

  std::unique_ptr<host::PluginRegistry> reg_ = skillpipe::testing::make_registry();
  host::Services svc_;
  host::BasicContext ctx_{"judge", RunInfo{}, &svc_};
  std::shared_ptr<Judge> judge_;
};

}  // namespace skillpipe::judges_test
