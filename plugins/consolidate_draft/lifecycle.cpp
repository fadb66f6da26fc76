// Skill lifecycle (lifecycle.hpp).
#include "lifecycle.hpp"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <cmath>
#include <filesystem>

#include "skillpipe/errors.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"
#include "skillpipe/store.hpp"

namespace fs = std::filesystem;

namespace skillpipe::consolidate_draft {
namespace {

constexpr double kDayMs = 86400000.0;
constexpr std::size_t kMaxCounted = 500;

double half_life_ms(const Settings& s) { return std::max(0.01, s.half_life_days) * kDayMs; }

// Adds a use of weight `w` at time `t` to the decayed sum (exact for any arrival order).
void add_weight(Profile& p, double w, std::int64_t t, const Settings& s) {
  if (p.strength_at_ms == 0) {
    p.strength = w;
    p.strength_at_ms = t;
  } else if (t >= p.strength_at_ms) {
    p.strength = p.strength * std::exp2(-(static_cast<double>(t - p.strength_at_ms)) / half_life_ms(s)) + w;
    p.strength_at_ms = t;
  } else {
    p.strength += w * std::exp2(-(static_cast<double>(p.strength_at_ms - t)) / half_life_ms(s));
  }
}

void add_version(Profile& p, const std::string& action, const std::string& night, const std::string& note,
                 std::int64_t now) {
  const int next = p.versions.empty() ? 1 : p.versions.back().version + 1;
  p.versions.push_back({next, action, format_iso8601_s(now), night, p.sha256, note});
}

std::string fmt(double v, int decimals) {
  char b[32];
  std::snprintf(b, sizeof b, "%.*f", decimals, v);
  return b;
}

std::string label(const Profile& p) { return "`" + p.name + "` (" + to_string(p.target) + ")"; }

// A skill name as a digest records it may carry a plugin prefix ("plugin:skill").
std::string bare_skill(const std::string& s) {
  const auto colon = s.rfind(':');
  return colon == std::string::npos ? s : s.substr(colon + 1);
}

std::string archive_key(const Profile& p) { return "offline/archive/" + to_string(p.target) + "/" + p.name; }

std::string archive_json(const Profile& p, const std::string& text, const std::string& night, std::int64_t now) {
  return "{\"name\":" + json_quote(p.name) + ",\"target\":" + json_quote(to_string(p.target)) +
         ",\"live_path\":" + json_quote(p.live_path) + ",\"sha256\":" + json_quote(sha256_hex(text)) +
         ",\"archived_at\":" + json_quote(format_iso8601_s(now)) + ",\"night\":" + json_quote(night) +
         ",\"text\":" + json_quote(text) + "}";
}

// Removes SKILL.md and then its directory when that is left empty.
void remove_live(const Profile& p) {
  std::error_code ec;
  fs::remove(p.live_path, ec);
  if (ec) throw Error("cannot remove " + p.live_path + ": " + ec.message());
  const fs::path dir = fs::path(p.live_path).parent_path();
  if (fs::is_empty(dir, ec)) fs::remove(dir, ec);
}

}  // namespace

double retention(const Profile& p, std::int64_t now, const Settings& s) {
  if (p.strength_at_ms == 0) return 0;
  const double age = static_cast<double>(std::max<std::int64_t>(0, now - p.strength_at_ms));
  return 1.0 - std::exp(-p.strength * std::exp2(-age / half_life_ms(s)));
}

namespace {

// One night of the lifecycle; its phases are the numbered steps of run_lifecycle.
class LifecycleNight {
 public:
  LifecycleNight(Store& store, const std::vector<StagedDraft>& staged, const Settings& s, bool dry_run)
      : store_(store), staged_(staged), s_(s), dry_run_(dry_run), now_(now_ms()), night_(store.night().night_id) {}

  // Reads the profiles; unreadable state is kept aside and the profiles start over.
  void load() {
    auto text = store_.get_state(kProfilesKey);
    if (!text || text->empty()) return;
    try {
      st_ = parse_profiles(*text);
    } catch (const Error& e) {
      store_.put_state(std::string(kProfilesKey) + ".corrupt", *text);
      rep_.notes.push_back(std::string("lifecycle: ") + e.what() + "; profiles start over (old state kept)");
    }
  }

  // 1. What is live now.
  void track_live(const std::vector<ExistingSkill>& live) {
    for (const auto& l : live) {
      Profile* p = st_.find(l.target, l.name);
      const StagedDraft* adopted = staged_match(l.target, l.name, l.sha256);
      if (!p)
        discover(l, adopted);
      else
        update_live(*p, l, adopted);
    }
  }

  // Live files that disappeared (deleted by the user, or by an adoption rollback).
  void mark_removed(const std::vector<ExistingSkill>& live, const std::vector<Target>& scanned_targets) {
    for (auto& p : st_.profiles) {
      if (std::find(scanned_targets.begin(), scanned_targets.end(), p.target) == scanned_targets.end()) continue;
      if (p.status != "active" && p.status != "cold") continue;
      const bool present = std::any_of(live.begin(), live.end(),
                                       [&](const auto& l) { return l.target == p.target && l.name == p.name; });
      if (!present) {
        p.status = "removed";
        p.sha256.clear();
        add_version(p, "removed", night_, "no longer in the skill root", now_);
      }
    }
  }

  // 2. Usage from tonight's digests.
  void count_usage(const DigestStream& digests) {
    digests.for_each([&](const SessionDigest& d) {
      if (d.skills_used.empty()) return;
      const SessionJudgement j = judge_session(d, s_.judge);
      std::int64_t t = now_;
      if (auto e = parse_iso8601_ms(!d.ended_at.empty() ? d.ended_at : d.started_at)) t = std::min(*e, now_);
      for (const auto& used : d.skills_used)
        for (auto& p : st_.profiles)
          if (p.name == bare_skill(used)) count_use(p, d, j.outcome, t);
    });
  }

  // 3. Transitions, evolved skills only.
  void transition(const std::vector<ExistingSkill>& live) {
    for (auto& p : st_.profiles) {
      ++rep_.counts["skills_tracked"];
      if (p.origin != "evolved" || p.user_modified) continue;
      const double score = retention(p, now_, s_);
      const double idle = static_cast<double>(now_ - std::max(p.last_used_ms, p.created_ms)) / kDayMs;
      const std::string why = "unused " + fmt(idle, 0) + " days, retention " + fmt(score, 2);
      if (p.status == "active" && idle >= s_.cold_after_days && score < s_.cold_score) {
        p.status = "cold";
        add_version(p, "lifecycle:cold", night_, why, now_);
        note("evolved skill " + label(p) + " went cold (" + why + "); it will be archived if it stays unused");
        ++rep_.counts["skills_cold"];
      } else if (p.status == "cold" && idle >= s_.archive_after_days && score < s_.archive_score) {
        const auto l = std::find_if(live.begin(), live.end(),
                                    [&](const auto& x) { return x.target == p.target && x.name == p.name; });
        if (l != live.end()) maybe_archive(p, *l, why);
      }
    }
  }

  Report finish(Context& ctx) {
    for (const auto& p : st_.profiles) {
      if (p.status == "cold") ++rep_.counts["skills_cold_total"];
      if (p.origin == "evolved") ++rep_.counts["skills_evolved"];
    }
    store_.put_state(kProfilesKey, profiles_to_json(st_));
    ctx.logger().debug("lifecycle: {} profiles", st_.profiles.size());
    return std::move(rep_);
  }

 private:
  const StagedDraft* staged_match(Target target, const std::string& name, const std::string& sha) const {
    for (const auto& d : staged_)
      if (d.target == target && d.name == name && d.sha256 == sha) return &d;
    return nullptr;
  }
  void note(const std::string& n) { rep_.notes.push_back("lifecycle: " + n); }

  // A live skill with no profile yet: adopted from a staged draft, or written by hand.
  void discover(const ExistingSkill& l, const StagedDraft* adopted) {
    Profile np;
    np.target = l.target;
    np.name = l.name;
    np.live_path = l.path;
    np.origin = adopted ? "evolved" : "manual";
    np.status = "active";
    np.created_ms = now_;
    np.sha256 = l.sha256;
    if (adopted) add_weight(np, 1.0, now_, s_);
    add_version(np, adopted ? "adopted" : "discovered", night_, adopted ? "draft from night " + adopted->night : "",
                now_);
    if (adopted) note("skill " + label(np) + " was adopted from night " + adopted->night + "; tracking it as evolved");
    st_.profiles.push_back(std::move(np));
  }

  void update_live(Profile& p, const ExistingSkill& l, const StagedDraft* adopted) {
    p.live_path = l.path;
    if (p.status == "archiving" && l.sha256 == p.sha256) {
      if (dry_run_) return;
      remove_live(p);  // a previous night saved it and was stopped before removing it
      p.status = "archived";
      add_version(p, "lifecycle:archived", night_, "finished an interrupted archive", now_);
      return;
    }
    if (p.status == "archived" || p.status == "removed" || p.status == "archiving") {
      p.status = "active";
      p.sha256 = l.sha256;
      add_weight(p, 1.0, now_, s_);
      add_version(p, "restored", night_, "", now_);
      note("skill " + label(p) + " is back in its skill root; active again");
      return;
    }
    if (l.sha256 == p.sha256) return;
    p.sha256 = l.sha256;
    if (adopted) {
      add_weight(p, 1.0, now_, s_);
      add_version(p, "adopted", night_, "draft from night " + adopted->night, now_);
      return;
    }
    add_version(p, "edited", night_, "changed outside skillpipe", now_);
    if (p.origin == "evolved" && !p.user_modified) {
      p.user_modified = true;
      note("skill " + label(p) + " was edited by hand; the lifecycle leaves it alone from now on");
    }
  }

  void count_use(Profile& p, const SessionDigest& d, skillpipe::Outcome outcome, std::int64_t t) {
    // A session loads only its own agent's skills (a Claude Code session, Claude's).
    if (const auto agent = parse_agent(d.source); agent && *agent != p.target.agent) return;
    auto& seen = p.counted_sessions;
    if (std::find(seen.begin(), seen.end(), d.session_id) != seen.end()) return;
    seen.push_back(d.session_id);
    if (seen.size() > kMaxCounted) seen.erase(seen.begin());
    const double w = outcome == skillpipe::Outcome::kSuccess ? 1.0 : outcome == skillpipe::Outcome::kFail ? 0.25 : 0.5;
    ++p.uses;
    p.successes += outcome == skillpipe::Outcome::kSuccess;
    p.failures += outcome == skillpipe::Outcome::kFail;
    p.last_used_ms = std::max(p.last_used_ms, t);
    add_weight(p, w, t, s_);
    if (p.status == "cold") {
      p.status = "active";
      add_version(p, "lifecycle:active", night_, "used again", now_);
      note("skill " + label(p) + " was used again; active");
      ++rep_.counts["skills_reactivated"];
    }
  }

  void maybe_archive(Profile& p, const ExistingSkill& l, const std::string& why) {
    if (!s_.archive || dry_run_) {
      note("evolved skill " + label(p) + " would be archived (" + why + "); archiving is off" +
           (dry_run_ ? " in a dry run" : ""));
      return;
    }
    if (l.symlink || !l.only_skill_md) {
      note("evolved skill " + label(p) + " is cold (" + why +
           ") but not archived: " + (l.symlink ? "it is a symlink" : "its directory holds other files"));
      return;
    }
    // Save first (state, then a night artifact), mark, remove: a crash leaves a copy.
    store_.put_state(archive_key(p), archive_json(p, l.text, night_, now_));
    const std::string rel = "archive/" + to_string(p.target) + "/" + p.name + "/SKILL.md";
    store_.write_artifact(rel, l.text);
    p.status = "archiving";
    store_.put_state(kProfilesKey, profiles_to_json(st_));
    remove_live(p);
    p.status = "archived";
    add_version(p, "lifecycle:archived", night_, why, now_);
    const std::string saved = store_.night().dir.empty() ? rel : store_.night().dir + "/" + rel;
    note("archived evolved skill " + label(p) + " (" + why + "); restore with: mkdir -p " +
         shell_quote(fs::path(p.live_path).parent_path().string()) + " && cp " + shell_quote(saved) + " " +
         shell_quote(p.live_path) + " (the text is also kept in the store state '" + archive_key(p) + "')");
    ++rep_.counts["skills_archived"];
  }

  Store& store_;
  const std::vector<StagedDraft>& staged_;
  const Settings& s_;
  const bool dry_run_;
  const std::int64_t now_;
  const std::string night_;
  ProfileState st_;
  Report rep_;
};

}  // namespace

Report run_lifecycle(Store& store, const std::vector<consolidate_draft::ExistingSkill>& live,
                     const std::vector<Target>& scanned_targets, const DigestStream& digests,
                     const std::vector<StagedDraft>& staged, const Settings& s, bool dry_run, Context& ctx) {
  if (!s.enabled) return {};
  LifecycleNight n(store, staged, s, dry_run);
  n.load();
  n.track_live(live);
  n.mark_removed(live, scanned_targets);
  n.count_usage(digests);
  n.transition(live);
  return n.finish(ctx);
}

}  // namespace skillpipe::consolidate_draft
