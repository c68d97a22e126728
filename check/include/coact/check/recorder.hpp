#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>

#include "coact/check/history.hpp"
#include "coact/runtime/clock.hpp"

namespace coact::check {

/// Where a streaming recorder sends its events (see recorder).
using event_sink = std::function<void(const event&)>;

/// Records client operations as they happen, into one history for the checkers. Each
/// event gets the next index and the time of `time` (the simulator's true clock, or a real
/// clock for the threaded runtime). Thread-safe: clients on any shard record into one
/// recorder; the lock is held only to append.
class recorder {
 public:
  explicit recorder(std::shared_ptr<const clock> time) noexcept : time_(std::move(time)) {}
  /// A recorder that keeps nothing, so that its memory stays constant however long the
  /// run: each event, its index and time set, goes to `sink` under the recorder's lock,
  /// hence one at a time and in index order whichever thread recorded it. `sink` must not
  /// record into this recorder; snapshot() is empty.
  recorder(std::shared_ptr<const clock> time, event_sink sink) noexcept
      : time_(std::move(time)), sink_(std::move(sink)) {}

  /// Appends `e` (its index and time are set here); returns its index.
  std::uint64_t record(event e);
  /// Records the invocation of an operation by `process`.
  void invoke(std::int64_t process, op_kind f, std::string key, datum value = {},
              datum expected = {});
  /// Records the completion of `process`'s open operation: ok (with what a read
  /// returned, or the value written), fail (certainly did not happen) or info (unknown).
  void complete(std::int64_t process, event_type type, op_kind f, std::string key, datum value = {},
                datum expected = {});

  /// A copy of everything recorded so far, in order (nothing for a streaming recorder).
  [[nodiscard]] history snapshot() const;
  /// How many events were recorded so far, kept or streamed.
  [[nodiscard]] std::size_t size() const;

 private:
  void add(std::int64_t process, event_type type, op_kind f, std::string key, datum value,
           datum expected);

  std::shared_ptr<const clock> time_;
  event_sink sink_;
  mutable std::mutex mutex_;
  std::uint64_t next_index_ = 0;
  history events_;
};

}  // namespace coact::check
