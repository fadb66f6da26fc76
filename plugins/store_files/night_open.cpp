#include "night_open.hpp"

#include <spdlog/spdlog.h>

#include <cstdio>

#include "adoption.hpp"
#include "skillpipe/json.hpp"
#include "skillpipe/kit/util.hpp"

namespace skillpipe::store_files {
namespace {

std::string compact_time(const std::string& iso) {
  std::string out;
  for (char c : iso) {
    if (c != '-' && c != ':') out += c;
  }
  return out;
}

}  // namespace

void recover_adoption(const Layout& layout, FaultInjector& fi, Context& ctx) {
  Adoption adoption(layout, fi);
  if (!adoption.try_lock("recovery before a run")) return;
  try {
    const std::string note = adoption.recover();
    if (!note.empty()) ctx.logger().warn("{}", note);
  } catch (const std::exception& e) {
    // The night pins whatever it reads; `skillpipe status` keeps showing this until resolved.
    ctx.logger().error("{}", e.what());
  }
}

NightHandle pick_night(const Layout& layout, FaultInjector& fi, bool resume, Context& ctx) {
  NightHandle h;
  h.project = layout.project;
  const auto nights = list_nights(layout);
  const NightEntry* unfinished = nullptr;
  for (const auto& n : nights) {
    if (n.published || n.abandoned) continue;
    if (unfinished) write_atomic(fi, unfinished->dir + "/ABANDONED", "superseded by " + n.id + "\n");
    unfinished = &n;
  }
  const bool restart_asked = ctx.run().flags.restart;
  if (unfinished && (!resume || restart_asked)) {
    const std::string why = restart_asked ? "skillpipe run --restart" : "resume: false";
    write_atomic(fi, unfinished->dir + "/ABANDONED", "abandoned by " + why + "\n");
    ctx.logger().warn("abandoned unfinished night {} ({}); its files stay in {}", unfinished->id, why,
                      unfinished->dir);
    unfinished = nullptr;
  }
  if (unfinished) {
    h.night_id = unfinished->id;
    h.dir = unfinished->dir;
    h.resumed = true;
    remove_stale_temps_below(h.dir);
    ctx.logger().info("resuming unfinished night {} of {}", h.night_id, h.project);
  } else {
    long number = nights.empty() ? 1 : nights.back().number + 1;
    const std::string stamp = compact_time(format_iso8601_s(now_ms()));
    for (;; ++number) {
      char num[32];
      std::snprintf(num, sizeof num, "%04ld", number);
      h.night_id = std::string(num) + "-" + stamp;
      h.dir = layout.night_dir(h.night_id);
      if (make_dirs(h.dir)) break;  // mkdir reserves the id
    }
  }
  return h;
}

std::string record_start(const NightHandle& h, FaultInjector& fi) {
  const std::string meta_path = h.dir + "/night.json";
  std::string started_at = format_iso8601_s(now_ms());
  if (const auto meta = read_bytes(meta_path)) {
    const auto at = meta->find("\"started_at\": \"");
    if (at != std::string::npos) started_at = meta->substr(at + 15, meta->find('"', at + 15) - at - 15);
  } else {
    write_atomic(fi, meta_path,
                 "{\"schema\": \"skillpipe-night\", \"project\": " + json_quote(h.project) +
                     ", \"night_id\": " + json_quote(h.night_id) + ", \"started_at\": \"" + started_at + "\"}\n");
  }
  return started_at;
}

}  // namespace skillpipe::store_files
