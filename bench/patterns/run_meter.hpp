#pragma once

#include <atomic>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>

#include "coact/check/event_pairing.hpp"
#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"
#include "latency_histogram.hpp"
#include "run_summary.hpp"

namespace coact::bench {

/// Measures a run from its events as they are recorded (a check::recorder's sink), so that
/// no run keeps its history: latencies go into histograms, and stale reads are judged as
/// check::measure_staleness judges them from a few numbers per key and one entry per write
/// (its key and value hashed, its version and when it was first seen; about 60 bytes) —
/// nothing per read. Not thread-safe but for completed_count(): a recorder calls its sink
/// under its lock.
///
/// Staleness, as check::write_order defines it: a read is stale when a write of its key
/// acknowledged before the read began is newer than the write it returned; newer by
/// version while every acknowledged or read write of the key has one, else by real time
/// (the history's order). Here a key's basis is decided by the events so far, where
/// measure_staleness looks at the whole history: the two agree whenever a policy reports
/// versions always or never (the bench's tests compare them on every policy). A read is
/// matched to the write of its key and value (the benchmark's values are unique); a read
/// of a value no write still standing wrote (none, or one that failed) is unjudged.
class run_meter {
 public:
  /// Takes the next event, in index order. After an event that breaks check::event_pairing's
  /// rules the meter ignores the rest (summary() says why).
  void add(const check::event& e);

  /// What the events so far measured; an operation still open counts as failed.
  /// errc::parse_error when the events did not pair up; failure() has the reason.
  [[nodiscard]] result<run_summary> summary() const;
  /// Why the events did not pair up; empty while they do.
  [[nodiscard]] const std::string& failure() const noexcept { return failure_; }
  /// Operations completed so far (ok, fail or info). Safe from any thread.
  [[nodiscard]] std::uint64_t completed_count() const noexcept {
    return completed_.load(std::memory_order_relaxed);
  }

 private:
  /// What a read must be compared with: the acknowledged writes of its key so far.
  struct key_state {
    bool acknowledged = false;      ///< some write of the key was acknowledged
    std::uint64_t version_max = 0;  ///< the newest of their versions
    std::uint64_t invoked_max = 0;  ///< the latest of their invocations (an index)
    bool by_real_time = false;      ///< a write that matters lacked a version
  };
  struct open_operation {
    check::op_kind f = check::op_kind::read;
    std::int64_t invoke_ns = 0;
    std::uint64_t invoke_index = 0;
    /// Reads: the key as the read began.
    key_state before;
  };
  /// A write that may have taken effect (invoked, not failed).
  struct write_state {
    /// Its version: its own, else that of the first read that returned it.
    std::optional<std::uint64_t> version;
    /// The index of its acknowledgement or of the first read that returned it, whichever
    /// came first: the end of its span in real time.
    std::uint64_t effective_index = check::never_index;
  };

  void invoke(const check::event& e);
  void complete(const check::event& e, const open_operation& op);
  void acknowledge_write(const check::event& e, const open_operation& op);
  void judge_read(const check::event& e, const open_operation& op);

  check::event_pairing pairing_;
  std::string failure_;
  std::unordered_map<std::int64_t, open_operation> open_;
  std::unordered_map<std::string, key_state> keys_;
  /// By a hash of (key, value).
  std::unordered_map<std::uint64_t, write_state> written_;
  latency_histogram read_latency_;
  latency_histogram write_latency_;
  std::uint64_t failed_reads_ = 0;
  std::uint64_t failed_writes_ = 0;
  std::int64_t first_invoke_ns_ = 0;
  std::int64_t last_ok_ns_ = 0;
  bool any_invoked_ = false;
  bool any_ok_ = false;
  std::uint64_t judged_reads_ = 0;
  std::uint64_t stale_reads_ = 0;
  std::uint64_t unjudged_reads_ = 0;
  std::atomic<std::uint64_t> completed_{0};
};

}  // namespace coact::bench
