// score_parse.hpp - reading a grader's reply: {"score": 0..1, "reason": ..., "failed": [...]}
// written strictly or loosely (fenced JSON, "Score: 4/5", "85%", a bare "0.7").
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace skillpipe::judge_llm {

struct GraderReply {
  double score = 0;                    // 0..1
  std::string reason;
  std::vector<std::string> failed;     // unmet requirements, as the grader wrote them
};

// nullopt when no score in 0..1 can be read; *why then says what was wrong.
std::optional<GraderReply> parse_grader_reply(std::string_view reply, std::string* why = nullptr);

}  // namespace skillpipe::judge_llm
