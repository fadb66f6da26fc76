// abi.hpp - the plugin ABI version and build tag.
//
// The plugin interface passes std::string and std::vector across the .so boundary, so it
// is a C++ ABI: host and plugins must share one compiler, one libstdc++ and one C++
// standard. The build tag records all three and the host compares it on load.
#pragma once

// ABI 4.1 (additions only): Lookahead, an optional interface a backend may derive from to be
// told which requests are coming (an agent backend starts its CLIs ahead of their calls). The
// host looks for it with dynamic_cast, so 4.0 plugins are never asked; the descriptor is
// unchanged.
// ABI 4.0 (SDK 0.4): digests stream between stages. Harvester::harvest puts each digest into
// a DigestSink instead of returning them all; Miner::mine and ConsolidateInput::digests read a
// DigestStream (walked one digest at a time, read from the night's store part by part);
// DigestList is both, in memory. kit's run_harvest takes the sink.
// ABI 3.0 (SDK 0.3): Edit::rejection (RejectionReason) and Edit::rejection_detail, typed
// reasons for an edit the night did not keep (Edit schema 3; trigger_regression when a skill
// triggers worse); EditOp::kSetDescription (an edit of a skill's frontmatter description: a
// value a 0.2 plugin was never built to receive); Progress carries units and bytes itself
// (set_unit, set_total_bytes, advance_bytes with do-nothing defaults), replacing the kit's
// ByteProgress side interface.
// ABI 2.0 (SDK 0.2): the typed data model - enums for gate action, edit and proposal status
// and targets, typed session outcome, PatternInfo, Trajectory, RunFlags; the SDK split into
// this contract and the kit (skillpipe/kit/; HandoffPending moved into errors.hpp);
// Component as the root of what a plugin makes (StageBase only for stages),
// Context::record_error, and the Store as NightStore + StateStore + optional AdoptionStore
// with records the CLI renders; agentic replay (ReplaySetup on ChatRequest, TaskRecord.start,
// SessionDigest.git_commit, CheckRecord and the Trajectory's checks/ended/confinement/start/
// events/notes, EvalRequest.skill_name). 2.0 is unreleased until SDK 0.2.0 ships, so these breaks
// are one bump, as are PatternInfo's procedure (ProcedureStep, StepKind), agents and projects.
// ABI 1.0 was SDK 0.1.
// Added to 2.0 before its first release (additions only): JsonWriter::unsigned_integer,
// JsonValue::is_uint64/as_uint64, uint64 fields, json_fields::read_value and
// read_json(text, out, what) for plugins' state files.
#define SKILLPIPE_ABI_MAJOR 4
#define SKILLPIPE_ABI_MINOR 1
// SHA-256 of the contract headers (tests/framework/abi_hash_test.cpp says exactly what is
// hashed: the headers listed there, without comments and blank lines). When the test fails,
// the contract changed: bump SKILLPIPE_ABI_MAJOR (plugins break) or SKILLPIPE_ABI_MINOR
// (additions only), note why above, and record the hash the test prints.
#define SKILLPIPE_ABI_CONTRACT_SHA256 "e2b4d0781bc76bcd0450c34b85e485587dab27e7db7d75c11894ce4b6de111eb"
#define SKILLPIPE_SDK_VERSION "0.4.0"
// The part of the version the ABI follows: in 0.x every minor release may break it, a patch
// release never does (matches the CMake package's SameMinorVersion).
#define SKILLPIPE_SDK_ABI_VERSION "0.4"

#define SKILLPIPE_STR2(x) #x
#define SKILLPIPE_STR(x) SKILLPIPE_STR2(x)

#if defined(__clang__)
#define SKILLPIPE_COMPILER "clang" SKILLPIPE_STR(__clang_major__)
#elif defined(__GNUC__)
#define SKILLPIPE_COMPILER "gcc" SKILLPIPE_STR(__GNUC__)
#else
#define SKILLPIPE_COMPILER "unknown"
#endif

#if defined(_GLIBCXX_USE_CXX11_ABI)
#define SKILLPIPE_CXXABI "cxx11abi=" SKILLPIPE_STR(_GLIBCXX_USE_CXX11_ABI)
#else
#define SKILLPIPE_CXXABI "cxx11abi=none"
#endif

// e.g. "gcc12;cxx11abi=1;std=202002;sdk=0.2"
#define SKILLPIPE_BUILD_TAG \
  SKILLPIPE_COMPILER ";" SKILLPIPE_CXXABI ";std=" SKILLPIPE_STR(__cplusplus) ";sdk=" SKILLPIPE_SDK_ABI_VERSION

// Interfaces and exception types are visible from hidden-visibility plugins so that
// typeinfo (catch, dynamic_cast) has one authoritative definition in libskillpipe.
#define SKILLPIPE_VISIBLE __attribute__((visibility("default")))
