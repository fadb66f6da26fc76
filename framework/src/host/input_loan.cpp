#include "host/input_loan.hpp"

#include <iterator>
#include <memory>
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

// Several upstreams' digests, one stream after another.
class ChainedDigests final : public DigestStream {
 public:
  explicit ChainedDigests(std::vector<std::shared_ptr<const DigestStream>> parts) : parts_(std::move(parts)) {
    for (const auto& p : parts_) size_ += p->size();
  }
  std::size_t size() const override { return size_; }
  void for_each(const std::function<void(const SessionDigest&)>& fn) const override {
    for (const auto& p : parts_) p->for_each(fn);
  }

 private:
  std::vector<std::shared_ptr<const DigestStream>> parts_;
  std::size_t size_ = 0;
};

}  // namespace

InputLoan::InputLoan(std::map<std::string, StageOutput>& outputs, const ComponentSpec& consumer) {
  std::set<std::string> seen;
  std::vector<std::shared_ptr<const DigestStream>> digests;
  for (const auto& [in, mark] : consumer.inputs) {
    const auto it = outputs.find(in);
    if (it == outputs.end() || !seen.insert(in).second) continue;
    StageOutput& o = it->second;
    if (o.digests) digests.push_back(o.digests);
    Lent l{&o, 0, 0};
    l.tasks = lend(o.tasks, input_.tasks);
    l.verdicts = lend(o.verdicts, input_.observed);
    lent_.push_back(l);
  }
  if (digests.size() == 1) input_.digests = digests.front();
  else if (!digests.empty()) input_.digests = std::make_shared<ChainedDigests>(std::move(digests));
}

InputLoan::~InputLoan() {
  std::size_t tasks = 0, verdicts = 0;
  for (const Lent& l : lent_) {
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
    it->second.digests.reset();
    std::vector<TaskRecord>().swap(it->second.tasks);
    std::vector<Verdict>().swap(it->second.verdicts);
  }
}

}  // namespace skillpipe::host
