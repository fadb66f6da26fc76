// errors.hpp - the exception types that cross the plugin boundary.
//
// Which to throw:
//  - ConfigError from configure(): the user's configuration is wrong (exit 2).
//  - RecordError from per-record work: this record is bad; the stage's policy decides
//    whether to skip it (counted) or fail.
//  - RetryableError from backends: a transient failure (timeout, 5xx) worth retrying.
//  - BudgetExceeded from backends: a per-night cap is reached; the night finishes what it
//    can honestly finish and reports it.
//  - HandoffPending from a hand-off backend: prompts wait for answers a person provides;
//    the host stops the night cleanly and exits with kHandoffExitCode.
//  - Error for anything else that should stop the stage (exit 1).
#pragma once

#include <stdexcept>
#include <string>
#include <vector>

#include "skillpipe/abi.hpp"

namespace skillpipe {

class SKILLPIPE_VISIBLE Error : public std::runtime_error {
 public:
  explicit Error(const std::string& what);
  ~Error() override;
};

class SKILLPIPE_VISIBLE ConfigError : public Error {
 public:
  // `pointer` is the JSON pointer of the offending key inside the stage config ("" if none).
  ConfigError(const std::string& what, std::string pointer = {});
  ~ConfigError() override;
  const std::string& pointer() const { return pointer_; }

 private:
  std::string pointer_;
};

class SKILLPIPE_VISIBLE RecordError : public Error {
 public:
  RecordError(const std::string& what, std::string record_id = {});
  ~RecordError() override;
  const std::string& record_id() const { return record_id_; }

 private:
  std::string record_id_;
};

class SKILLPIPE_VISIBLE RetryableError : public Error {
 public:
  explicit RetryableError(const std::string& what);
  ~RetryableError() override;
};

class SKILLPIPE_VISIBLE BudgetExceeded : public Error {
 public:
  explicit BudgetExceeded(const std::string& what);
  ~BudgetExceeded() override;
};

// backend_handoff throws this when a prompt has no answer yet, after writing it to PROMPTS.md
// and pending.json. Nothing is staged; rerunning the same command resumes the night and
// picks up answers/<id>.md.
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
