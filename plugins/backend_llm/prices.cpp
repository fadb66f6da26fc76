#include "prices.hpp"

#include <algorithm>

namespace skillpipe::backend_llm {

PriceTable PriceTable::defaults() {
  // Public list prices (USD per million tokens) as of late 2025. They change; a pipeline
  // that caps cost should pin its model's price under `prices`.
  PriceTable t;
  t.set("gpt-4o-mini", {0.15, 0.60, 0.075, std::nullopt});
  t.set("gpt-4o", {2.50, 10.00, 1.25, std::nullopt});
  t.set("gpt-4.1", {2.00, 8.00, 0.50, std::nullopt});
  t.set("gpt-4.1-mini", {0.40, 1.60, 0.10, std::nullopt});
  t.set("gpt-4.1-nano", {0.10, 0.40, 0.025, std::nullopt});
  t.set("claude-3-5-haiku", {0.80, 4.00, 0.08, 1.00});
  t.set("claude-haiku-4-5", {1.00, 5.00, 0.10, 1.25});
  t.set("claude-3-5-sonnet", {3.00, 15.00, 0.30, 3.75});
  t.set("claude-3-7-sonnet", {3.00, 15.00, 0.30, 3.75});
  t.set("claude-sonnet-4", {3.00, 15.00, 0.30, 3.75});
  t.set("claude-opus-4", {15.00, 75.00, 1.50, 18.75});
  t.set("claude-opus-4-5", {5.00, 25.00, 0.50, 6.25});
  return t;
}

std::optional<Price> PriceTable::find(const std::string& model) const {
  auto exact = by_model_.find(model);
  if (exact != by_model_.end()) return exact->second;
  const Price* best = nullptr;
  std::size_t best_len = 0;
  for (const auto& [name, price] : by_model_) {
    if (name.size() > best_len && model.compare(0, name.size(), name) == 0) {
      best = &price;
      best_len = name.size();
    }
  }
  if (best) return *best;
  return std::nullopt;
}

double cost_usd(const Price& p, const TokenUsage& usage) {
  std::int64_t uncached = std::max<std::int64_t>(0, usage.input - usage.cache_read - usage.cache_write);
  double c = static_cast<double>(uncached) * p.input + static_cast<double>(usage.output) * p.output +
             static_cast<double>(usage.cache_read) * p.cache_read.value_or(p.input) +
             static_cast<double>(usage.cache_write) * p.cache_write.value_or(p.input);
  return c / 1e6;
}

}  // namespace skillpipe::backend_llm
