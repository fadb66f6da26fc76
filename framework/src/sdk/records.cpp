// Enum <-> text for records. The text forms are the JSON and CLI forms; they never change.
#include <string_view>

#include "skillpipe/records.hpp"

namespace skillpipe {
namespace {

template <class E, std::size_t N>
std::optional<E> lookup(std::string_view s, const std::pair<E, const char*> (&table)[N]) {
  for (const auto& [v, name] : table)
    if (s == name) return v;
  return std::nullopt;
}

template <class E, std::size_t N>
const char* name_of(E v, const std::pair<E, const char*> (&table)[N]) {
  for (const auto& [e, name] : table)
    if (e == v) return name;
  return "unknown";
}

constexpr std::pair<Outcome, const char*> kOutcomes[] = {
    {Outcome::kSuccess, "success"}, {Outcome::kFail, "fail"},
    {Outcome::kMixed, "mixed"}, {Outcome::kUnknown, "unknown"}};
constexpr std::pair<ReferenceKind, const char*> kRefKinds[] = {
    {ReferenceKind::kExact, "exact"}, {ReferenceKind::kRubric, "rubric"},
    {ReferenceKind::kRule, "rule"}, {ReferenceKind::kNone, "none"}};
constexpr std::pair<Split, const char*> kSplits[] = {
    {Split::kTrain, "train"}, {Split::kVal, "val"}, {Split::kTest, "test"}};
constexpr std::pair<Origin, const char*> kOrigins[] = {{Origin::kReal, "real"}, {Origin::kDream, "dream"}};
constexpr std::pair<EditTarget, const char*> kTargets[] = {
    {EditTarget::kSkill, "skill"}, {EditTarget::kMemory, "memory"}};
constexpr std::pair<EditOp, const char*> kOps[] = {
    {EditOp::kAdd, "add"}, {EditOp::kReplace, "replace"}, {EditOp::kDelete, "delete"},
    {EditOp::kAppend, "append"}, {EditOp::kInsertAfter, "insert_after"}};
constexpr std::pair<EditKind, const char*> kKinds[] = {
    {EditKind::kSkillDefect, "skill_defect"}, {EditKind::kExecutionLapse, "execution_lapse"}};

}  // namespace

const char* to_string(Outcome v) { return name_of(v, kOutcomes); }
const char* to_string(ReferenceKind v) { return name_of(v, kRefKinds); }
const char* to_string(Split v) { return name_of(v, kSplits); }
const char* to_string(Origin v) { return name_of(v, kOrigins); }
const char* to_string(EditTarget v) { return name_of(v, kTargets); }
const char* to_string(EditOp v) { return name_of(v, kOps); }
const char* to_string(EditKind v) { return name_of(v, kKinds); }
std::optional<Outcome> parse_outcome(std::string_view s) { return lookup(s, kOutcomes); }
std::optional<ReferenceKind> parse_reference_kind(std::string_view s) { return lookup(s, kRefKinds); }
std::optional<Split> parse_split(std::string_view s) { return lookup(s, kSplits); }
std::optional<Origin> parse_origin(std::string_view s) { return lookup(s, kOrigins); }
std::optional<EditTarget> parse_edit_target(std::string_view s) { return lookup(s, kTargets); }
std::optional<EditOp> parse_edit_op(std::string_view s) { return lookup(s, kOps); }
std::optional<EditKind> parse_edit_kind(std::string_view s) { return lookup(s, kKinds); }

}  // namespace skillpipe
