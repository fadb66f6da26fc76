#include "host/input_loan.hpp"

#include <iterator>
#include <set>

namespace skillpipe::host {
namespace {

template <class T>
std::size_t lend(std::vector<T>& from, std::vector<T>& to) {
  const std::size_t n = from.size();
  if (to.capacity() == 0) {
    to.swap(from);  // one upstream: no element moves at all
  } else {
    to.insert(to.end(), std::make_move_iterator(from.begin()), std::make_move_iterator(from.end()));
    std::vector<T>().swap(from);  // its moved-from array is not kept beside the input
  }
  return n;
}

// Gives back the `n` records lent at `offset` of `lent`.
template <class T>
void give_back(std::vector<T>& lent, std::size_t& offset, std::size_t n, std::vector<T>& to) {
  if (n == 0) return;  // `to` was left empty by lend()
  if (offset == 0 && n == lent.size()) {
    to.swap(lent);
  } else {
    const auto first = lent.begin() + static_cast<std::ptrdiff_t>(offset);
    to.assign(std::make_move_iterator(first), std::make_move_iterator(first + static_cast<std::ptrdiff_t>(n)));
  }
  offset += n;
}

}  // namespace

InputLoan::InputLoan(std::map<std::string, StageOutput>& outputs, const ComponentSpec& consumer) {
  std::vector<StageOutput*> from;
  std::set<std::string> seen;
  std::size_t digests = 0;
  for (const auto& [in, mark] : consumer.inputs) {
    const auto it = outputs.find(in);
    if (it == outputs.end() || !seen.insert(in).second) continue;
    from.push_back(&it->second);
    digests += it->second.digests.size();
  }
  // Sized once when several upstreams lend digests (growing would hold two arrays at once).
  if (from.size() > 1) input_.digests.reserve(digests);
  for (StageOutput* o_ptr : from) {
    StageOutput& o = *o_ptr;
    Lent l{&o, 0, 0, 0};
    l.digests = lend(o.digests, input_.digests);
    l.tasks = lend(o.tasks, input_.tasks);
    l.verdicts = lend(o.verdicts, input_.observed);
    lent_.push_back(l);
  }
}

InputLoan::~InputLoan() {
  std::size_t digests = 0, tasks = 0, verdicts = 0;
  for (const Lent& l : lent_) {
    give_back(input_.digests, digests, l.digests, l.from->digests);
    give_back(input_.tasks, tasks, l.tasks, l.from->tasks);
    give_back(input_.observed, verdicts, l.verdicts, l.from->verdicts);
  }
}

void release_read_inputs(std::map<std::string, StageOutput>& outputs, const ComponentSpec& done,
                         const std::map<std::string, std::size_t>& last_reader, std::size_t done_position) {
  for (const auto& [in, mark] : done.inputs) {
    const auto reader = last_reader.find(in);
    const auto it = outputs.find(in);
    if (reader == last_reader.end() || reader->second != done_position || it == outputs.end()) continue;
    // Swapped with empty vectors: clear() would keep the capacity.
    std::vector<SessionDigest>().swap(it->second.digests);
    std::vector<TaskRecord>().swap(it->second.tasks);
    std::vector<Verdict>().swap(it->second.verdicts);
  }
}

}  // namespace skillpipe::host
