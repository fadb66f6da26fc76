// Out-of-line destructors give each SDK exception one authoritative typeinfo, in this
// library, so plugins and host catch the same type.
#include "skillpipe/errors.hpp"

namespace skillpipe {

Error::Error(const std::string& what) : std::runtime_error(what) {}
Error::~Error() = default;

ConfigError::ConfigError(const std::string& what, std::string pointer)
    : Error(what), pointer_(std::move(pointer)) {}
ConfigError::~ConfigError() = default;

RecordError::RecordError(const std::string& what, std::string record_id)
    : Error(what), record_id_(std::move(record_id)) {}
RecordError::~RecordError() = default;

RetryableError::RetryableError(const std::string& what) : Error(what) {}
RetryableError::~RetryableError() = default;

BudgetExceeded::BudgetExceeded(const std::string& what) : Error(what) {}
BudgetExceeded::~BudgetExceeded() = default;

HandoffPending::HandoffPending(const std::string& what, std::string dir, std::vector<std::string> pending_ids)
    : Error(what), dir_(std::move(dir)), pending_ids_(std::move(pending_ids)) {}
HandoffPending::~HandoffPending() = default;

}  // namespace skillpipe
