// The YCSB client loop off the simulator: clients on the shards of a threaded actor system
// share one group, every insert takes a key number no other takes, each client's
// exponential think time makes it pause, and every client counts itself done.
#include "coact/workload/client_loop.hpp"

#include <catch2/catch.hpp>

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "coact/actors/kv_errc.hpp"
#include "coact/runtime/actor_system.hpp"
#include "local_store.hpp"

using namespace coact::workload;
using namespace std::chrono_literals;

TEST_CASE("clients on several threads share one group", "[workload]") {
  constexpr int clients = 4;
  constexpr std::uint32_t operations = 100;
  // Workload D: 5% inserts. Each client has a store of its own, so the stores together
  // hold every key inserted, once.
  work w{.requests = ycsb("D").value(), .record_count = 10, .operations = operations};
  w.think = think_distribution::exponential;
  w.think_mean = 200us;
  REQUIRE(validate(w));
  std::vector<std::unique_ptr<workload_test::local_store>> stores;
  client_group group{.record_count = w.record_count};
  std::atomic<std::uint32_t> latencies{0};
  group.on_latency = [&latencies](coact::duration) { latencies.fetch_add(1); };
  const auto started = std::chrono::steady_clock::now();
  {
    coact::actor_system system{coact::system_config{.shard_count = 2}};
    for (int i = 0; i < clients; ++i) {
      stores.push_back(std::make_unique<workload_test::local_store>(10us));
      auto keys = key_chooser::make(w.requests.distribution).value();
      const coact::prng random{static_cast<std::uint64_t>(i)};
      REQUIRE(system.spawn(&run_client, stores.back()->make_client(0), w, keys, i, random, &group));
    }
    const auto deadline = started + 60s;
    while (group.done.load() < clients && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(1ms);
    }
  }
  REQUIRE(group.done.load() == clients);
  CHECK(latencies.load() == clients * operations);
  // Each client pauses 100 times, 0.2 ms on average: about 20 ms.
  CHECK(std::chrono::steady_clock::now() - started >= 10ms);
  std::vector<int> inserted(group.record_count.load(), 0);
  for (const auto& store : stores) {
    for (std::uint64_t k = w.record_count; k < inserted.size(); ++k) {
      inserted[k] += store->holds("k" + std::to_string(k)) ? 1 : 0;
    }
  }
  CHECK(inserted.size() > w.record_count);
  for (std::uint64_t k = w.record_count; k < inserted.size(); ++k) CHECK(inserted[k] == 1);
}

TEST_CASE("a negative think time is refused", "[workload]") {
  std::string why;
  CHECK(validate({.think_max = -1ms}, &why).error() == coact::errc::invalid_argument);
  CHECK(why ==
        "a negative weight, rate or think time, no positive weight, or a bad zipfian "
        "constant");
  CHECK(validate({.think_mean = -1ms}).error() == coact::errc::invalid_argument);
  CHECK(validate({.requests = ycsb("E").value()}).error() == coact::kv::kv_errc::unsupported);
  CHECK(validate({}));
}
