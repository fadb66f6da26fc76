// handoff.hpp - the outcome "prompts are waiting for answers" (the hand-off backend).
//
// backend_handoff throws HandoffPending when a prompt has no answer yet, after writing it to
// PROMPTS.md and pending.json. The host stops the night cleanly (nothing is staged), prints
// where the prompts are and exits with kHandoffExitCode; rerunning the same command resumes
// the night and picks up answers/<id>.md.
#pragma once

#include <string>
#include <vector>

#include "skillpipe/errors.hpp"

namespace skillpipe {

inline constexpr int kHandoffExitCode = 4;

class SKILLPIPE_VISIBLE HandoffPending : public Error {
 public:
  HandoffPending(const std::string& what, std::string dir, std::vector<std::string> pending_ids);
  ~HandoffPending() override;
  // The folder holding PROMPTS.md, pending.json and answers/.
  const std::string& dir() const { return dir_; }
  // Every prompt id still waiting, in the order they were handed off.
  const std::vector<std::string>& pending_ids() const { return pending_ids_; }

 private:
  std::string dir_;
  std::vector<std::string> pending_ids_;
};

}  // namespace skillpipe
