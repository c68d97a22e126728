#include "run_meter.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <utility>

namespace coact::bench {
namespace {

using check::event_type;
using check::op_kind;

/// Names a write by its key and value; two writes collide with probability 2^-64.
std::uint64_t fingerprint(const std::string& key, const check::datum& value) {
  const std::uint64_t k = std::hash<std::string>{}(key);
  const std::uint64_t v = std::hash<check::datum>{}(value);
  return k ^ (v + 0x9e3779b97f4a7c15 + (k << 6) + (k >> 2));
}

bool is_write(op_kind f) { return f == op_kind::write || f == op_kind::cas; }

latency_stats stats_of(const latency_histogram& h, std::uint64_t failed) {
  const auto ms = [](std::uint64_t ns) { return static_cast<double>(ns) / 1e6; };
  return {.ok_count = h.count(),
          .failed_count = failed,
          .p50_ms = ms(h.quantile(0.5)),
          .p99_ms = ms(h.quantile(0.99)),
          .p999_ms = ms(h.quantile(0.999)),
          .max_ms = ms(h.max())};
}

}  // namespace

void run_meter::add(const check::event& e) {
  if (!failure_.empty()) return;
  if (std::string reason = pairing_.add(e); !reason.empty()) {
    failure_ = std::move(reason);
    return;
  }
  if (e.type == event_type::invoke) {
    invoke(e);
    return;
  }
  const auto it = open_.find(e.process);
  assert(it != open_.end() && "the pairing rules let only open operations complete");
  const open_operation op = it->second;
  open_.erase(it);
  complete(e, op);
  completed_.fetch_add(1, std::memory_order_relaxed);
}

void run_meter::invoke(const check::event& e) {
  first_invoke_ns_ = any_invoked_ ? std::min(first_invoke_ns_, e.time_ns) : e.time_ns;
  any_invoked_ = true;
  open_operation op{.f = e.f, .invoke_ns = e.time_ns, .invoke_index = e.index};
  if (e.f == op_kind::read) {
    if (const auto k = keys_.find(e.key); k != keys_.end()) op.before = k->second;
  } else if (is_write(e.f)) {
    // As check::write_order does, a later write of the same key and value replaces an
    // earlier one (the benchmark never writes a value twice).
    written_[fingerprint(e.key, e.value)] = write_state{};
  }
  open_.emplace(e.process, op);
}

void run_meter::complete(const check::event& e, const open_operation& op) {
  const bool read = e.f == op_kind::read;
  if (e.type != event_type::ok) {
    ++(read ? failed_reads_ : failed_writes_);
  } else {
    (read ? read_latency_ : write_latency_)
        .record(static_cast<std::uint64_t>(e.time_ns - op.invoke_ns));
    last_ok_ns_ = any_ok_ ? std::max(last_ok_ns_, e.time_ns) : e.time_ns;
    any_ok_ = true;
  }
  if (read) {
    if (e.type == event_type::ok) judge_read(e, op);
    return;
  }
  if (!is_write(e.f)) return;
  // A failed write, or a cas whose compare did not match, wrote nothing; an info write may
  // have, at any time, so it stays unacknowledged.
  if (e.type == event_type::fail || (e.type == event_type::ok && !e.matched)) {
    written_.erase(fingerprint(e.key, e.value));
  } else if (e.type == event_type::ok) {
    acknowledge_write(e, op);
  }
}

void run_meter::acknowledge_write(const check::event& e, const open_operation& op) {
  key_state& k = keys_[e.key];
  k.acknowledged = true;
  k.invoked_max = std::max(k.invoked_max, op.invoke_index);
  if (e.version) {
    k.version_max = std::max(k.version_max, *e.version);
  } else {
    k.by_real_time = true;
  }
  write_state& w = written_[fingerprint(e.key, e.value)];
  if (e.version) w.version = e.version;
  w.effective_index = std::min(w.effective_index, e.index);
}

void run_meter::judge_read(const check::event& e, const open_operation& op) {
  // Every acknowledged write is newer than the initial state.
  bool stale = op.before.acknowledged;
  if (!std::holds_alternative<std::monostate>(e.value)) {
    const auto it = written_.find(fingerprint(e.key, e.value));
    if (it == written_.end()) {
      ++unjudged_reads_;
      return;
    }
    write_state& w = it->second;
    // A write without a version takes that of the first read that returned it.
    if (!w.version) w.version = e.version;
    key_state& k = keys_[e.key];
    if (!w.version) k.by_real_time = true;
    if (k.by_real_time) {
      // Newer in real time: invoked after this write was known to have taken effect.
      stale = stale && op.before.invoked_max > w.effective_index;
    } else {
      stale = stale && op.before.version_max > e.version.value_or(*w.version);
    }
    w.effective_index = std::min(w.effective_index, e.index);
  }
  ++judged_reads_;
  stale_reads_ += stale ? 1 : 0;
}

result<run_summary> run_meter::summary() const {
  if (!failure_.empty()) return errc::parse_error;
  std::uint64_t open_reads = 0;
  for (const auto& [process, op] : open_) open_reads += op.f == op_kind::read ? 1 : 0;
  run_summary s;
  s.reads = stats_of(read_latency_, failed_reads_ + open_reads);
  s.writes = stats_of(write_latency_, failed_writes_ + (open_.size() - open_reads));
  if (any_ok_ && last_ok_ns_ > first_invoke_ns_) {
    s.span_s = static_cast<double>(last_ok_ns_ - first_invoke_ns_) / 1e9;
    s.throughput_per_s = static_cast<double>(s.reads.ok_count + s.writes.ok_count) / s.span_s;
  }
  if (judged_reads_ > 0) {
    s.stale_fraction = static_cast<double>(stale_reads_) / static_cast<double>(judged_reads_);
  }
  s.unjudged_reads = unjudged_reads_;
  return s;
}

}  // namespace coact::bench
