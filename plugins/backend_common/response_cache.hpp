// response_cache.hpp - answers kept in the store's content-addressed cache.
//
// A resumed or repeated night asks the same questions; answering them from the cache makes
// re-scoring free and means a killed run never pays twice. Keys are sha256 of everything
// that shapes the answer (provider, endpoint, model, the request body sent, sample index)
// and the night that draws it: a replay belongs to one night's measurement, so a later night
// never compares a cached baseline with a fresh candidate.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "skillpipe/backend.hpp"

namespace skillpipe::backend_common {

// "<kind>:<sha256 of material>".
std::string cache_key(std::string_view kind, std::string_view material);

// "\ndraw=<night>" for a request whose meta names the night drawing it (replays), else "".
std::string draw_of(const ChatRequest& request);

std::string encode_cached_response(const ChatResponse& r);
std::optional<ChatResponse> decode_cached_response(std::string_view text);

// nullopt when there is no store, no entry, or an unreadable entry (treated as a miss).
std::optional<ChatResponse> cache_lookup(Context& ctx, const std::string& key);
// Stores `r`; a store error is logged, never fatal (the answer is already paid for).
void cache_save(Context& ctx, const std::string& key, const ChatResponse& r);

}  // namespace skillpipe::backend_common
