#include "coact/check/recorder.hpp"

namespace coact::check {

std::uint64_t recorder::record(event e) {
  const time_point now = time_->now();
  std::lock_guard lock{mutex_};
  e.index = next_index_++;
  e.time_ns = now.since_epoch.count();
  if (sink_) {
    sink_(e);
  } else {
    events_.push_back(std::move(e));
  }
  return next_index_ - 1;
}

void recorder::invoke(std::int64_t process, op_kind f, std::string key, datum value,
                      datum expected) {
  add(process, event_type::invoke, f, std::move(key), std::move(value), std::move(expected));
}

void recorder::complete(std::int64_t process, event_type type, op_kind f, std::string key,
                        datum value, datum expected) {
  add(process, type, f, std::move(key), std::move(value), std::move(expected));
}

void recorder::add(std::int64_t process, event_type type, op_kind f, std::string key, datum value,
                   datum expected) {
  event e;
  e.process = process;
  e.type = type;
  e.f = f;
  e.key = std::move(key);
  e.value = std::move(value);
  e.expected = std::move(expected);
  (void)record(std::move(e));
}

history recorder::snapshot() const {
  std::lock_guard lock{mutex_};
  return events_;
}

std::size_t recorder::size() const {
  std::lock_guard lock{mutex_};
  return static_cast<std::size_t>(next_index_);
}

}  // namespace coact::check
