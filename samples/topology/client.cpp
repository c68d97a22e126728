#include "client.hpp"

#include <bit>
#include <charconv>

#include "coact/runtime/actor_system.hpp"
#include "keyspace.hpp"
#include "topology.capnp.h"

namespace topology {

void latency_histogram::record(std::uint64_t ns) noexcept {
  const int magnitude = std::bit_width(ns);  // 0 for 0
  std::size_t index;
  if (magnitude <= sub_bits) {
    index = static_cast<std::size_t>(ns);
  } else {
    const int shift = magnitude - 1 - sub_bits;
    const std::uint64_t sub = (ns >> shift) & ((1u << sub_bits) - 1);
    index = (static_cast<std::size_t>(shift + 1) << sub_bits) + sub;
  }
  ++buckets_[index];
  ++count_;
}

void latency_histogram::merge(const latency_histogram& other) noexcept {
  for (std::size_t i = 0; i < buckets_.size(); ++i) buckets_[i] += other.buckets_[i];
  count_ += other.count_;
}

std::uint64_t latency_histogram::quantile(double q) const noexcept {
  if (count_ == 0) return 0;
  const auto rank = static_cast<std::uint64_t>(q * static_cast<double>(count_ - 1));
  std::uint64_t seen = 0;
  for (std::size_t i = 0; i < buckets_.size(); ++i) {
    seen += buckets_[i];
    if (seen <= rank) continue;
    if (i < (std::size_t{1} << sub_bits)) return i;
    const std::size_t shift = (i >> sub_bits) - 1;
    const std::uint64_t sub = i & ((1u << sub_bits) - 1);
    return ((std::uint64_t{1} << sub_bits) | sub) << shift;
  }
  return 0;
}

namespace {

std::uint64_t pick_key(splitmix64& rng, std::uint64_t key_count) {
  const std::uint64_t hot = key_count / 5 == 0 ? 1 : key_count / 5;
  return rng.next() % 10 < 8 ? rng.next() % hot : rng.next() % key_count;
}

}  // namespace

coact::task<void> client(coact::actor_context& self, client_config config, client_report* report,
                         std::atomic<std::uint32_t>* done) {
  splitmix64 rng{config.index};
  coact::actor_ref cache = self.system().whereis(cache_name);
  const coact::time_point end = self.now() + config.run_for;
  for (std::uint64_t n = 0; self.now() < end; ++n) {
    const bool put = rng.next() % 10 == 0;
    const std::uint64_t key = pick_key(rng, config.key_count);
    const coact::time_point start = self.now();
    coact::result<coact::envelope> answer = coact::errc::invalid_argument;
    if (put) {
      char value[32] = "c";
      auto written = std::to_chars(value + 1, value + sizeof value - 1, config.index);
      *written.ptr++ = '-';
      written = std::to_chars(written.ptr, value + sizeof value - 1, n);
      *written.ptr = '\0';
      coact::message<msg::PutRequest> request;
      request->setKey(key);
      request->setValue(capnp::Text::Reader{value, static_cast<std::size_t>(written.ptr - value)});
      answer = co_await self.ask<msg::PutReply>(cache, std::move(request), config.ask_deadline);
      ++report->puts;
    } else {
      coact::message<msg::GetRequest> request;
      request->setKey(key);
      answer = co_await self.ask<msg::GetReply>(cache, std::move(request), config.ask_deadline);
      ++report->gets;
    }
    if (answer) {
      report->latency.record(static_cast<std::uint64_t>((self.now() - start).count()));
      continue;
    }
    ++report->errors;
    if (answer.error() == coact::errc::timeout) ++report->timeouts;
    // The supervisor may have restarted the cache under the same name.
    if (answer.error() == coact::errc::actor_gone) cache = self.system().whereis(cache_name);
    // An ask that fails at once completes without suspending, so retrying at once would
    // keep the shard from running anything else, such as the supervisor's restart.
    co_await self.sleep(std::chrono::milliseconds{1});
  }
  done->fetch_add(1, std::memory_order_release);
}

}  // namespace topology
