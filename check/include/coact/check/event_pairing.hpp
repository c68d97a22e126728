#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "coact/check/history.hpp"

namespace coact::check {

/// The rules by which a history's events pair up into operations (see pair_operations),
/// applied one event at a time: pair_operations builds on it, the readers apply it as they
/// read so that a broken history is refused at the line that breaks it, and whoever
/// consumes a history as it is recorded (a recorder's event_sink) applies it to each event.
class event_pairing {
 public:
  /// Takes the next event. Returns why it cannot follow the events taken before (naming
  /// its process), or an empty string when it can.
  [[nodiscard]] std::string add(const event& e);

  /// After add() took a completion: the operation it completed, numbered from 0 in
  /// invocation order.
  [[nodiscard]] std::size_t completed() const noexcept { return completed_; }

 private:
  /// What a process's open operation must be completed with.
  struct open_operation {
    std::size_t number = 0;
    op_kind f = op_kind::read;
    std::string key;
    std::int64_t time_ns = 0;
  };

  std::unordered_map<std::int64_t, open_operation> open_;
  std::optional<std::uint64_t> last_index_;
  std::size_t invoked_ = 0;
  std::size_t completed_ = 0;
};

}  // namespace coact::check
