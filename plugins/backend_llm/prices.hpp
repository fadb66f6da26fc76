// prices.hpp - what a call costs, from a per-model price table.
#pragma once

#include <map>
#include <optional>
#include <string>

#include "skillpipe/records.hpp"

namespace skillpipe::backend_llm {

// USD per million tokens. Cache prices default to the input price when unknown.
struct Price {
  double input = 0;
  double output = 0;
  std::optional<double> cache_read;
  std::optional<double> cache_write;
};

class PriceTable {
 public:
  // List prices of common models; users override or extend them with `prices`.
  static PriceTable defaults();
  void set(const std::string& model, Price p) { by_model_[model] = p; }
  // Exact model name first, then the longest known prefix ("gpt-4o-mini-2024-07-18" ->
  // "gpt-4o-mini"), so dated snapshots need no entry of their own.
  std::optional<Price> find(const std::string& model) const;

 private:
  std::map<std::string, Price> by_model_;
};

// `usage.input` counts every prompt token, cache reads and writes included.
double cost_usd(const Price& p, const TokenUsage& usage);

}  // namespace skillpipe::backend_llm
