// The recorder: events get consecutive indexes and the clock's time, from any thread.
#include "coact/check/recorder.hpp"

#include <catch2/catch.hpp>

#include <thread>
#include <vector>

#include "coact/runtime/sim/clocks.hpp"

using namespace std::chrono_literals;
using namespace coact::check;

// Proves index and time are the recorder's, and pairing works on what it recorded.
TEST_CASE("the recorder stamps index and time", "[check]") {
  auto clock = std::make_shared<coact::sim::virtual_clock>();
  recorder log{clock};
  log.invoke(1, op_kind::write, "k", std::int64_t{5});
  clock->advance_to(coact::time_point{3ms});
  log.complete(1, event_type::ok, op_kind::write, "k", std::int64_t{5});
  const history h = log.snapshot();
  REQUIRE(h.size() == 2);
  CHECK(h[0].index == 0);
  CHECK(h[1].index == 1);
  CHECK(h[0].time_ns == 0);
  CHECK(h[1].time_ns == 3'000'000);
  auto ops = pair_operations(h);
  REQUIRE(ops);
  CHECK(ops.value()[0].outcome == event_type::ok);
}

// Proves concurrent clients lose no event and share one index sequence.
TEST_CASE("the recorder takes events from many threads", "[check]") {
  recorder log{std::make_shared<coact::real_clock>()};
  std::vector<std::thread> clients;
  for (std::int64_t p = 0; p < 4; ++p) {
    clients.emplace_back([&log, p] {
      for (int i = 0; i < 500; ++i) {
        log.invoke(p, op_kind::read, "k");
        log.complete(p, event_type::ok, op_kind::read, "k");
      }
    });
  }
  for (auto& t : clients) t.join();
  const history h = log.snapshot();
  REQUIRE(h.size() == 4000);
  for (std::size_t i = 0; i < h.size(); ++i) CHECK(h[i].index == i);
  CHECK(pair_operations(h));
}

// Proves a streaming recorder hands every event to its sink, stamped and in index order
// whichever thread recorded it, and keeps none.
TEST_CASE("a streaming recorder keeps nothing and streams in index order", "[check]") {
  history seen;
  recorder log{std::make_shared<coact::real_clock>(),
               [&seen](const event& e) { seen.push_back(e); }};
  std::vector<std::thread> clients;
  for (std::int64_t p = 0; p < 4; ++p) {
    clients.emplace_back([&log, p] {
      for (int i = 0; i < 500; ++i) {
        log.invoke(p, op_kind::read, "k");
        log.complete(p, event_type::ok, op_kind::read, "k");
      }
    });
  }
  for (auto& t : clients) t.join();
  CHECK(log.snapshot().empty());
  CHECK(log.size() == 4000);
  REQUIRE(seen.size() == 4000);
  for (std::size_t i = 0; i < seen.size(); ++i) CHECK(seen[i].index == i);
  CHECK(pair_operations(seen));
}
