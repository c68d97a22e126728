#include "coact/check/event_pairing.hpp"

#include <limits>
#include <utility>

namespace coact::check {
namespace {

std::string on_key(const std::string& key) {
  return key.empty() ? std::string{} : " on key " + to_string(datum{key});
}

}  // namespace

std::string event_pairing::add(const event& e) {
  // Indices order the history, so they must agree with its order; below 2^63 so that the
  // checkers can hold a position and a version in one signed span.
  constexpr auto index_max = static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
  if (e.index > index_max) return "index " + std::to_string(e.index) + " is beyond 2^63 - 1";
  if (last_index_ && e.index <= *last_index_) {
    return "index " + std::to_string(e.index) + " does not come after the previous event's " +
           std::to_string(*last_index_) + ": events must be in index order";
  }
  last_index_ = e.index;

  const std::string process = "process " + std::to_string(e.process);
  const auto it = open_.find(e.process);
  if (e.type == event_type::invoke) {
    if (it != open_.end()) {
      return process + " invokes " + to_string(e.f) + " while its " + to_string(it->second.f) +
             " is still open";
    }
    open_.emplace(e.process, open_operation{invoked_++, e.f, e.key, e.time_ns});
    return {};
  }
  if (it == open_.end()) {
    return process + " completes a " + to_string(e.f) + on_key(e.key) + " it never invoked";
  }
  const open_operation& op = it->second;
  if (op.f != e.f || op.key != e.key) {
    return process + " completes a " + to_string(e.f) + on_key(e.key) + " but invoked a " +
           to_string(op.f) + on_key(op.key);
  }
  if (e.time_ns < op.time_ns) {
    return process + " completes its " + to_string(e.f) + " at time " + std::to_string(e.time_ns) +
           ", before its invocation at time " + std::to_string(op.time_ns);
  }
  completed_ = op.number;
  open_.erase(it);
  return {};
}

}  // namespace coact::check
