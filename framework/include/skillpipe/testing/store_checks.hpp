// store_checks.hpp - the lifecycle every Store must honour, as one GoogleTest check a store
// author (and the conformance harness) runs against any store: create -> open -> write ->
// stage -> close twice; a second night left unfinished; a new instance resumes it.
//
//   auto make = [&] { return my_configured_store(); };   // a fresh, configured instance
//   EXPECT_TRUE(skillpipe::testing::check_store_lifecycle(make, ctx, "/some/project"));
//
// Instances made by `make` must share their backing storage (files, or shared memory): the
// resume step is a new instance finding the unfinished night of the one before.
#pragma once

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "skillpipe/store.hpp"

namespace skillpipe::testing {

namespace store_detail {

inline ::testing::AssertionResult check_streams_and_state(Store& s, const NightHandle& n) {
  auto fail = [&] { return ::testing::AssertionFailure() << "store night " << n.night_id << ": "; };
  if (n.night_id.empty()) return fail() << "open_night() gave no night id";
  if (s.night().night_id != n.night_id) return fail() << "night() differs from what open_night() returned";
  const std::vector<std::string> lines = {R"({"a":1})", R"({"b":"two"})"};
  s.append("conformance", lines);
  if (s.read("conformance") != lines) return fail() << "read() does not return what append() wrote";
  s.write_artifact("conformance/a.txt", "artifact\n");
  if (s.read_artifact("conformance/a.txt") != std::optional<std::string>("artifact\n"))
    return fail() << "read_artifact() does not return what write_artifact() wrote";
  if (s.read_artifact("conformance/missing.txt")) return fail() << "a missing artifact reads as present";
  s.put_state("conformance.state", "value-1");
  s.put_state("conformance.state", "value-2");
  if (s.get_state("conformance.state") != std::optional<std::string>("value-2"))
    return fail() << "get_state() does not return the last put_state()";
  s.cache_put("conformance-key", "cached answer");
  if (s.cache_get("conformance-key") != std::optional<std::string>("cached answer"))
    return fail() << "cache_get() does not return what cache_put() stored";
  return ::testing::AssertionSuccess();
}

// stage() publishes the night: listed as published, its report among the past reports, and
// nothing of it writable any more.
inline ::testing::AssertionResult check_staged(Store& s, const NightHandle& n, const std::string& project) {
  auto fail = [&] { return ::testing::AssertionFailure() << "store night " << n.night_id << ": "; };
  NightReport report;
  report.project = project;
  report.night_id = n.night_id;
  report.gate_action = GateAction::kNoEdits;
  s.stage({}, report);
  const auto nights = s.nights(project);
  const auto it = std::find_if(nights.begin(), nights.end(), [&](const NightInfo& i) { return i.id == n.night_id; });
  if (it == nights.end() || !it->published) return fail() << "a staged night is not listed as published by nights()";
  const auto past = s.past_reports(project);
  if (std::none_of(past.begin(), past.end(), [&](const NightReport& r) { return r.night_id == n.night_id; }))
    return fail() << "past_reports() does not include the staged night's report";
  try {
    s.write_artifact("conformance/late.txt", "too late\n");
    return fail() << "write_artifact() after stage() succeeded; a published night must be final";
  } catch (const std::exception&) {
  }
  return ::testing::AssertionSuccess();
}

}  // namespace store_detail

inline ::testing::AssertionResult check_store_lifecycle(const std::function<std::unique_ptr<Store>()>& make,
                                                        Context& ctx, const std::string& project) {
  std::unique_ptr<Store> s = make();
  const NightHandle first = s->open_night(project, ctx);
  if (first.resumed) return ::testing::AssertionFailure() << "the first night of a fresh store claims to be resumed";
  if (auto r = store_detail::check_streams_and_state(*s, first); !r) return r;
  if (auto r = store_detail::check_staged(*s, first, project); !r) return r;
  s->close_night(true);
  s->close_night(true);  // closing twice is harmless

  const NightHandle second = s->open_night(project, ctx);
  if (second.night_id == first.night_id || second.resumed)
    return ::testing::AssertionFailure() << "after a staged night, open_night() must start a new one (got "
                                         << second.night_id << (second.resumed ? ", resumed" : "") << ")";
  s->write_artifact("conformance/resume.txt", "half way\n");
  s->close_night(false);  // unfinished: a killed run
  s.reset();

  std::unique_ptr<Store> again = make();
  const NightHandle resumed = again->open_night(project, ctx);
  auto fail = [&] { return ::testing::AssertionFailure() << "resume: "; };
  if (!resumed.resumed || resumed.night_id != second.night_id)
    return fail() << "a new instance must resume unfinished night " << second.night_id << ", got "
                  << resumed.night_id << (resumed.resumed ? " (resumed)" : " (new)");
  if (again->read_artifact("conformance/resume.txt") != std::optional<std::string>("half way\n"))
    return fail() << "the resumed night lost what was written before";
  if (again->get_state("conformance.state") != std::optional<std::string>("value-2"))
    return fail() << "state did not survive a new instance";
  if (again->cache_get("conformance-key") != std::optional<std::string>("cached answer"))
    return fail() << "the response cache did not survive a new instance";
  again->close_night(false);
  return ::testing::AssertionSuccess();
}

}  // namespace skillpipe::testing
