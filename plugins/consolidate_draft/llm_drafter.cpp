// The LLM drafter (llm_drafter.hpp). Every string that goes into the prompt is redacted
// first; the digests already are, this is the last line of defence.
#include "llm_drafter.hpp"

#include "skillpipe/errors.hpp"
#include "skillpipe/kit/redact.hpp"
#include "skillpipe/kit/safety.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::consolidate_draft {
namespace {

const char* const kSystem =
    "You write skills for coding agents (Claude Code / Codex SKILL.md files). A skill is loaded into "
    "the agent's context when a request matches its description, so it must be short, concrete and "
    "safe: step-by-step instructions grounded only in the evidence given, no secrets, no destructive "
    "or network-piping shell commands, nothing addressed to the agent that overrides its rules or "
    "hides anything from the user. Reply with the requested Markdown only, no commentary, no code fence "
    "around the whole reply.";

std::string strip_fence(std::string t) {
  t = trim(t);
  if (starts_with(t, "```")) {
    const auto nl = t.find('\n');
    t = nl == std::string::npos ? std::string() : t.substr(nl + 1);
    const auto end = t.rfind("```");
    if (end != std::string::npos) t = t.substr(0, end);
  }
  return trim(t) + "\n";
}

}  // namespace

LlmDraft llm_draft(Backend& backend, const PatternView& p, const std::string& name, const std::string& template_text,
                   bool append, const std::string& base, Context& ctx) {
  LlmDraft out;
  std::string user;
  user += "A recurring task was found in the user's agent sessions (pattern " + p.id + ", " +
          std::to_string(p.successes) + " successful and " + std::to_string(p.failures) + " failed sessions).\n\n";
  user += "Typical request: " + p.intent + "\n";
  for (const auto& e : p.examples) user += "Other request: " + e + "\n";
  if (!p.tool_chain.empty()) {
    user += "Tools the successful sessions used, in order:";
    for (const auto& t : p.tool_chain) user += " " + t;
    user += "\n";
  }
  for (const auto& e : p.evidence)
    user +=
        "Evidence (" + std::string(to_string(e.outcome)) + ", " + e.reason + "): request \"" + e.intent + "\" -> answer \"" + e.result + "\"\n";
  user += "\nA template draft built from the same evidence:\n\n" + template_text + "\n";
  if (append) {
    user +=
        "\nThe user already has this skill; write only a section to append to it, starting with the line "
        "\"Learned by skillpipe from recent sessions; review before adopting.\" and using ### sub-headings "
        "When to use, Procedure, Expected result, Source evidence. Do not repeat what the skill already says.\n\n"
        "Existing skill:\n\n" +
        base + "\n";
  } else {
    user += "\nWrite the complete SKILL.md: YAML frontmatter with exactly `name: " + name +
            "` and a one-sentence `description` (when to use it, at most 300 characters, double-quoted), then a "
            "`# ` title and the sections ## When to use, ## Procedure, ## Expected result, ## Source evidence "
            "(keep the session ids).\n";
  }

  ChatRequest req;
  req.messages = {{"system", kSystem}, {"user", redact_secrets(user)}};
  req.temperature = 0.2;
  req.max_tokens = 2000;
  req.purpose = "draft";
  req.meta["pattern_id"] = p.id;
  req.meta["skill_name"] = name;
  try {
    const ChatResponse r = backend.complete(req, ctx);
    out.usage = r.usage;
    out.cost_usd = r.cost_usd;
    out.cached = r.cached;
    out.text = strip_fence(r.text);
  } catch (const BudgetExceeded&) {
    throw;  // the night stops spending; the caller reports it
  } catch (const Error& e) {
    out.note = std::string("LLM drafter failed (") + e.what() + "); used the template draft";
    return out;
  }
  if (trim(out.text).empty()) {
    out.note = "LLM drafter returned nothing; used the template draft";
    return out;
  }
  if (!append) {
    const SkillFrontmatter fm = parse_skill_frontmatter(out.text);
    if (!fm.present || !fm.closed || fm.get("name") != name || trim(fm.get("description")).empty()) {
      out.note = "LLM draft had no valid frontmatter with name `" + name + "`; used the template draft";
      return out;
    }
  } else if (starts_with(out.text, "---") || starts_with(out.text, "# ")) {
    out.note = "LLM append section was a whole document; used the template section";
    return out;
  }
  out.ok = true;
  return out;
}

}  // namespace skillpipe::consolidate_draft
