#include "reflect_reply.hpp"

#include <rapidjson/document.h>

#include "skillpipe/kit/util.hpp"
#include "skillpipe_internal/json_parse.hpp"

namespace skillpipe::consolidate_reflect {
namespace {

std::string str_member(const rapidjson::Value& o, const char* key) {
  auto it = o.FindMember(key);
  if (it == o.MemberEnd() || !it->value.IsString()) return {};
  return std::string(it->value.GetString(), it->value.GetStringLength());
}

// op text -> EditOp; false when unknown.
bool parse_op(std::string op, EditOp& out) {
  op = to_lower_ascii(trim(op));
  for (char& c : op)
    if (c == '-' || c == ' ') c = '_';
  if (op.empty() || op == "add")
    out = EditOp::kAdd;
  else if (op == "replace" || op == "update" || op == "edit")
    out = EditOp::kReplace;
  else if (op == "delete" || op == "remove")
    out = EditOp::kDelete;
  else if (op == "append")
    out = EditOp::kAppend;
  else if (op == "insert_after" || op == "insertafter" || op == "insert")
    out = EditOp::kInsertAfter;
  else if (op == "set_description" || op == "description" || op == "update_description" ||
           op == "replace_description")
    out = EditOp::kSetDescription;
  else
    return false;
  return true;
}

EditKind parse_kind(std::string k) {
  k = to_lower_ascii(trim(k));
  for (char& c : k)
    if (c == '-' || c == ' ') c = '_';
  return k == "execution_lapse" || k == "lapse" ? EditKind::kExecutionLapse : EditKind::kSkillDefect;
}

// Candidate JSON texts, most specific first: fenced blocks, the whole reply, then from each
// '{' / '[' that could start the payload.
std::vector<std::string_view> candidates(std::string_view r) {
  std::vector<std::string_view> out;
  std::size_t i = 0;
  while ((i = r.find("```", i)) != std::string_view::npos) {
    std::size_t body = r.find('\n', i);
    if (body == std::string_view::npos) break;
    const std::size_t close = r.find("```", body);
    if (close == std::string_view::npos) break;
    out.push_back(r.substr(body + 1, close - body - 1));
    i = close + 3;
  }
  out.push_back(r);
  int starts = 0;
  for (std::size_t k = 0; k < r.size() && starts < 16; ++k)
    if (r[k] == '{' || r[k] == '[') {
      out.push_back(r.substr(k));
      ++starts;
    }
  return out;
}

bool usable(const rapidjson::Value& v) {
  if (v.IsArray()) return true;
  if (!v.IsObject()) return false;
  auto e = v.FindMember("edits");
  if (e != v.MemberEnd()) return e->value.IsArray();
  return v.HasMember("op") || v.HasMember("content");
}

}  // namespace

ParsedReply parse_reflect_reply(std::string_view reply, EditTarget target, int edit_budget) {
  ParsedReply out;
  rapidjson::Document doc;
  bool found = false;
  for (auto text : candidates(reply)) {
    std::string t = trim(text);
    if (t.empty()) continue;
    if (!skillpipe::detail::parse_json<rapidjson::kParseStopWhenDoneFlag>(doc, t) && usable(doc)) {
      found = true;
      break;
    }
  }
  if (!found) {
    out.error = trim(reply).empty() ? "the reply was empty" : "no JSON edit list found in the reply";
    return out;
  }
  out.ok = true;
  std::vector<const rapidjson::Value*> items;
  if (doc.IsArray()) {
    for (const auto& v : doc.GetArray()) items.push_back(&v);
  } else if (doc.HasMember("edits")) {
    for (const auto& v : doc["edits"].GetArray()) items.push_back(&v);
  } else {
    items.push_back(&doc);
  }
  const char* target_name = target == EditTarget::kSkill ? "skill" : "memory";
  int taken = 0;
  for (const auto* v : items) {
    if (!v->IsObject()) {
      ++out.dropped;
      continue;
    }
    Edit e;
    e.target = target;
    const std::string op_text = str_member(*v, "op");
    e.content = str_member(*v, "content");
    e.anchor = str_member(*v, "anchor");
    e.rationale = str_member(*v, "rationale");
    e.kind = parse_kind(str_member(*v, "kind"));
    const std::string t = to_lower_ascii(trim(str_member(*v, "target")));
    if (!t.empty() && t != target_name) ++out.retargeted;
    if (!parse_op(op_text, e.op)) {
      e.status = EditStatus::kUnknownOp;
      e.rationale += (e.rationale.empty() ? "" : " ") + std::string("(op \"") + op_text + "\")";
    }
    if (trim(e.content).empty() && !(e.op == EditOp::kDelete && !trim(e.anchor).empty())) {
      ++out.dropped;
      continue;
    }
    if (taken >= edit_budget)
      e.status = EditStatus::kOverBudget;
    else
      ++taken;
    out.edits.push_back(std::move(e));
  }
  return out;
}

}  // namespace skillpipe::consolidate_reflect
