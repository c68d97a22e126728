#include "workload.hpp"

#include <cmath>
#include <utility>

#include "coact/actors/recording_client.hpp"

namespace coact::bench {
namespace {

/// An exponentially distributed pause of mean `mean` (none when the mean is 0).
duration pause(coact::prng& random, duration mean) {
  if (mean <= duration{0}) return duration{0};
  return duration{std::llround(random.exponential(1.0 / static_cast<double>(mean.count())))};
}

task<void> run_client(actor_context& self, std::unique_ptr<kv::recording_client> client,
                      const workload* w, std::int64_t process, coact::prng random,
                      std::atomic<std::uint32_t>* finished) {
  const workload_options& o = w->options();
  if (const duration first = pause(random, o.think_time); first > duration{0}) {
    co_await self.sleep(first);
  }
  for (std::uint32_t i = 0; i < o.ops_per_client; ++i) {
    const bool read = random.chance(o.read_fraction);
    std::string key = key_name(w->keys().next(random));
    // The outcome is in the history: a failed operation is recorded, not retried.
    if (read) {
      (void)co_await client->get(self, std::move(key));
    } else {
      std::string value = std::to_string(process) + "-" + std::to_string(i);
      (void)co_await client->put(self, std::move(key), std::move(value));
    }
    if (const duration p = pause(random, o.think_time); p > duration{0}) {
      co_await self.sleep(p);
    } else {
      // A failed ask returns without yielding: let the rest of the shard run.
      co_await self.yield();
    }
  }
  finished->fetch_add(1, std::memory_order_release);
}

}  // namespace

std::string key_name(std::uint64_t k) { return "k" + std::to_string(k); }

result<workload> workload::make(const workload_options& options) {
  if (!(options.read_fraction >= 0 && options.read_fraction <= 1) ||
      options.think_time < duration{0}) {
    return errc::invalid_argument;
  }
  BOOST_OUTCOME_TRY(auto keys, key_chooser::make(options.key_count, options.skew, options.zipf_s));
  return workload{options, std::move(keys)};
}

result<actor_ref> workload::spawn_client(actor_system& system, std::unique_ptr<kv::client> client,
                                         check::recorder& log, std::int64_t process,
                                         coact::prng random,
                                         std::atomic<std::uint32_t>& finished) const {
  auto recorded = std::make_unique<kv::recording_client>(std::move(client), log, process);
  return system.spawn(&run_client, std::move(recorded), this, process, random, &finished);
}

}  // namespace coact::bench
