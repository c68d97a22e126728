#include "coact/runtime/fan_out.hpp"

#include "coact/runtime/assert.hpp"
#include "detail/suspension.hpp"

namespace coact {

fan_out::fan_out(detail::cell& c, std::span<const actor_ref> targets, envelope request,
                 duration timeout, std::uint64_t reply_type)
    : cell_(&c), timeout_(timeout), reply_type_(reply_type), size_(targets.size()),
      slots_(inline_slots_.data()), pending_(targets.size()) {
  if (size_ > inline_targets) {
    COACT_ASSERT(size_ < (std::size_t{1} << 32));  // targets are numbered by 32 bits
    heap_slots_ = std::make_unique<slot[]>(size_);
    slots_ = heap_slots_.get();
  }
  for (std::uint32_t i = 0; i < size_; ++i) {
    // The last target takes the request itself; the others get copies.
    start(i, targets[i], i + 1 < size_ ? request.clone() : std::move(request));
  }
}

fan_out::~fan_out() {
  for (std::uint32_t i = 0; i < size_; ++i) {
    if (slots_[i].pending != 0) detail::shard_of(cell_).abandon_ask(slots_[i].pending);
  }
}

void fan_out::start(std::uint32_t i, actor_ref target, envelope request) {
  auto started = detail::shard_of(cell_).start_ask(cell_, target, std::move(request), timeout_,
                                                   {.group = this, .target = i});
  if (started) {
    slots_[i].pending = started.value();
  } else {
    store(i, started.error());
  }
}

result<envelope>* fan_out::outcome(std::size_t i) noexcept {
  COACT_ASSERT(i < size_);
  auto& o = slots_[i].outcome;
  return o ? &*o : nullptr;
}

fan_out::next_awaiter fan_out::next() noexcept { return next_awaiter{*this}; }
fan_out::count_awaiter fan_out::first(std::size_t n) noexcept {
  return count_awaiter{*this, wait::first, n};
}
fan_out::count_awaiter fan_out::all() noexcept { return count_awaiter{*this, wait::all, size_}; }

bool fan_out::satisfied(wait w, std::size_t n) const noexcept {
  switch (w) {
    case wait::next:
      return arrivals_head_ != no_slot || pending_ == 0;
    case wait::first:
      return successes_ >= n || successes_ + pending_ < n;
    case wait::all:
    case wait::none:
      break;
  }
  return pending_ == 0;
}

bool fan_out::park(wait w, std::size_t n, std::coroutine_handle<> h) {
  // Outcomes that fail at once (a gone local target) may have decided it already.
  if (satisfied(w, n)) return false;
  COACT_ASSERT(waiting_ == wait::none);
  waiting_ = w;
  want_ = n;
  waiter_ = detail::suspend(cell_, h);
  return true;
}

void fan_out::store(std::uint32_t i, result<envelope> outcome) noexcept {
  slot& s = slots_[i];
  COACT_ASSERT(!s.outcome.has_value());
  s.pending = 0;
  if (outcome && reply_type_ != 0 && outcome.value().type_id() != reply_type_) {
    outcome = make_error_code(errc::malformed_message);
  }
  if (outcome) ++successes_;
  s.outcome.emplace(std::move(outcome));
  --pending_;
  if (arrivals_tail_ != no_slot) {
    slots_[arrivals_tail_].next_arrival = i;
  } else {
    arrivals_head_ = i;
  }
  arrivals_tail_ = i;
}

void fan_out::complete(std::uint32_t i, result<envelope> outcome) noexcept {
  store(i, std::move(outcome));
  if (waiting_ != wait::none && satisfied(waiting_, want_)) {
    waiting_ = wait::none;
    detail::wake(cell_, waiter_);
  }
}

std::optional<std::size_t> fan_out::next_awaiter::await_resume() noexcept {
  fan_out& f = *fan_;
  if (f.arrivals_head_ == no_slot) return std::nullopt;
  const std::uint32_t i = f.arrivals_head_;
  f.arrivals_head_ = f.slots_[i].next_arrival;
  if (f.arrivals_head_ == no_slot) f.arrivals_tail_ = no_slot;
  return i;
}

all_replies ask_all_awaiter::await_resume() {
  all_replies replies;
  replies.reserve(fan_.size());
  for (std::size_t i = 0; i < fan_.size(); ++i) replies.push_back(std::move(*fan_.outcome(i)));
  return replies;
}

first_replies ask_first_awaiter::await_resume() {
  first_replies answer;
  answer.met = first_.await_resume();
  // Arrival order: nobody else takes this fan-out's arrivals.
  for (auto next = fan_.next().await_resume(); next; next = fan_.next().await_resume()) {
    result<envelope>& o = *fan_.outcome(*next);
    if (o) {
      // More may have arrived before this coroutine ran: the first n are the answer.
      if (answer.replies.size() < n_) answer.replies.push_back({*next, std::move(o).value()});
    } else {
      answer.errors.push_back({*next, o.error()});
    }
  }
  return answer;
}

}  // namespace coact
