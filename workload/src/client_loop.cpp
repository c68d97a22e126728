#include "coact/workload/client_loop.hpp"

#include <algorithm>
#include <cmath>
#include <optional>
#include <utility>

#include "coact/actors/kv_errc.hpp"

namespace coact::workload {
namespace {

/// A closed-loop client's pause before its next request.
duration think_time(const work& w, prng& random) {
  if (w.think == think_distribution::uniform) {
    return duration{random.between(0, w.think_max.count())};
  }
  if (w.think_mean <= duration{0}) return duration{0};
  return duration{
      std::llround(random.exponential(1.0 / static_cast<double>(w.think_mean.count())))};
}

}  // namespace

result<void> validate(const work& w, std::string* why) {
  const core_workload& r = w.requests;
  if (r.scan > 0) {
    if (why) *why = "YCSB workload " + r.name + " asks for scans, and no client has them";
    return kv::kv_errc::unsupported;
  }
  const bool weights_valid =
      r.read >= 0 && r.update >= 0 && r.insert >= 0 && r.read_modify_write >= 0 &&
      r.compare_and_set >= 0 &&
      r.read + r.update + r.insert + r.read_modify_write + r.compare_and_set > 0;
  const bool times_valid =
      w.rate_per_s >= 0 && w.think_max >= duration{0} && w.think_mean >= duration{0};
  if (!weights_valid || !times_valid || !key_chooser::make(r.distribution, r.zipfian_constant)) {
    if (why) {
      *why = "a negative weight, rate or think time, no positive weight, or a bad zipfian constant";
    }
    return errc::invalid_argument;
  }
  return success();
}

task<void> run_client(actor_context& self, std::unique_ptr<kv::client> client, work w,
                      key_chooser keys, std::int64_t process, prng random, client_group* group) {
  const bool open_loop = w.rate_per_s > 0;
  const duration interval{open_loop ? static_cast<std::int64_t>(1e9 / w.rate_per_s) : 0};
  // A random phase, so that open-loop clients are not all due at the same instants.
  time_point due = self.now() + duration{random.between(0, interval.count())};
  for (std::uint32_t i = 0; i < w.operations; ++i) {
    if (open_loop) {
      if (self.now() < due) co_await self.sleep(due - self.now());
    } else {
      const duration pause = think_time(w, random);
      if (pause > duration{0}) {
        co_await self.sleep(pause);
      } else {
        // A failed ask can return without suspending: let the rest of the shard run.
        co_await self.yield();
      }
      due = self.now();
    }
    const request r = next_request(w.requests, random);
    // Relaxed: an insert needs a number no other takes, not an order among them.
    const std::uint64_t k =
        r == request::insert
            ? group->record_count.fetch_add(1, std::memory_order_relaxed)
            : keys.next(random, std::max<std::uint64_t>(
                                    group->record_count.load(std::memory_order_relaxed), 1));
    std::string key = "k" + std::to_string(k);
    std::string value = "p" + std::to_string(process) + "-" + std::to_string(i);
    std::optional<std::string> got;
    if (r == request::read || r == request::read_modify_write || r == request::compare_and_set) {
      auto answer = co_await client->get(self, key);
      if (answer) got = std::move(answer).value().value;
    }
    // A cas after a failed get expects no value: any expectation is a request worth checking.
    if (r == request::compare_and_set) {
      (void)co_await client->cas(self, std::move(key), std::move(got), std::move(value));
    } else if (r != request::read) {
      (void)co_await client->put(self, std::move(key), std::move(value));
    }
    if (group->on_latency) group->on_latency(self.now() - due);
    due = due + interval;
  }
  group->done.fetch_add(1, std::memory_order_release);
}

}  // namespace coact::workload
