// Shutdown: it returns promptly even with asks in flight, fails blocked askers with
// actor_gone, joins the shard threads, frees everything, and refuses work afterwards.
#include <catch2/catch.hpp>
#include <unistd.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// Keeps every request it gets without ever answering; says when it holds `expected`.
coact::task<void> black_hole(coact::actor_context& self, int expected, slot<void> full) {
  std::vector<coact::envelope> held;
  for (;;) {
    held.push_back(co_await self.receive());
    if (static_cast<int>(held.size()) == expected) full->set_value();
  }
}

/// Asks `target` and waits (forever, in practice) for the answer. `alive` lives in the
/// frame: once every frame is destroyed, only the test holds it.
coact::task<void> stuck_asker(coact::actor_context& self, coact::actor_ref target,
                              std::shared_ptr<int> alive) {
  (void)alive;
  (void)co_await self.ask<coact::test::Pong>(target, ping(), 60s);
}

/// Yields forever: never waits for anything.
coact::task<void> spinner(coact::actor_context& self) {
  for (;;) co_await self.yield();
}

/// Answers Ping with Pong{the kernel id of the thread it runs on}.
coact::task<void> thread_reporter(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    coact::message<coact::test::Pong> pong;
    pong->setN(static_cast<std::uint64_t>(gettid()));
    self.reply(e, std::move(pong));
  }
}

bool thread_exists(pid_t tid) {
  return std::filesystem::exists("/proc/self/task/" + std::to_string(tid));
}

/// Whether thread `tid` has left the process; a joined thread leaves /proc a moment after
/// join returns, so give it a bounded time.
bool thread_gone_settled(pid_t tid) {
  const auto deadline = std::chrono::steady_clock::now() + wait_max;
  while (thread_exists(tid)) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::sleep_for(1ms);
  }
  return true;
}

}  // namespace

// Proves shutdown returns promptly while actors and outside threads are blocked in asks to
// an actor that never answers, the outside askers get actor_gone, and the blocked actors'
// frames are destroyed.
TEST_CASE("shutdown with asks in flight returns promptly and fails the askers", "[runtime]") {
  constexpr int outside_askers = 4;
  constexpr int inside_askers = 4;
  auto system = std::make_unique<coact::actor_system>(coact::system_config{.shard_count = 2});
  auto full = make_slot<void>();
  auto full_future = full->get_future();
  auto hole = system->spawn(coact::spawn_options{.shard = 1}, &black_hole,
                            outside_askers + inside_askers, full);
  REQUIRE(hole);

  auto alive = std::make_shared<int>(0);
  for (int i = 0; i < inside_askers; ++i) {
    REQUIRE(system->spawn(coact::spawn_options{.shard = static_cast<std::uint32_t>(i % 2)},
                          &stuck_asker, hole.value(), alive));
  }
  std::vector<std::error_code> outside(outside_askers);
  std::vector<std::thread> threads;
  for (int i = 0; i < outside_askers; ++i) {
    threads.emplace_back([&, i] {
      auto r = system->ask_blocking<coact::test::Pong>(hole.value(), ping(), 60s);
      outside[i] = r ? std::error_code{} : r.error();
    });
  }
  await(full_future);  // every ask has reached the black hole

  const auto start = std::chrono::steady_clock::now();
  system->shutdown();
  const auto took = std::chrono::steady_clock::now() - start;
  for (auto& t : threads) t.join();
  CHECK(took < 2s);
  for (const auto& error : outside) CHECK(error == coact::errc::actor_gone);
  CHECK(alive.use_count() == 1);
  system.reset();
}

// Proves shutdown stops actors that never wait (they only yield), within a bounded time.
TEST_CASE("shutdown stops actors that never wait", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  for (std::uint32_t i = 0; i < 4; ++i) {
    REQUIRE(system.spawn(coact::spawn_options{.shard = i % 2}, &spinner));
  }
  auto r =
      system.ask_blocking<coact::test::Pong>(system.spawn(&responder).value(), ping(), wait_max);
  CHECK(r);  // the busy actors leave room for others
  const auto start = std::chrono::steady_clock::now();
  system.shutdown();
  CHECK(std::chrono::steady_clock::now() - start < 2s);
}

// Proves shutdown joins the shard threads (each shard's thread is gone from the process
// afterwards), is idempotent, and that the system refuses work afterwards.
TEST_CASE("shutdown joins the shard threads and refuses work afterwards", "[runtime]") {
  coact::actor_system system{{.shard_count = 3}};
  std::vector<pid_t> shard_threads;
  coact::actor_ref actor;
  for (std::uint32_t shard = 0; shard < 3; ++shard) {
    auto ref = system.spawn(coact::spawn_options{.shard = shard}, &thread_reporter);
    REQUIRE(ref);
    auto r = system.ask_blocking<coact::test::Pong>(ref.value(), ping(), wait_max);
    REQUIRE(r);
    shard_threads.push_back(static_cast<pid_t>(r.value().get<coact::test::Pong>().getN()));
    CHECK(thread_exists(shard_threads.back()));
    actor = ref.value();
  }
  system.shutdown();
  for (const pid_t tid : shard_threads) CHECK(thread_gone_settled(tid));
  system.shutdown();  // idempotent
  CHECK(system.spawn(&responder).error() == coact::errc::shutting_down);
  CHECK(system.tell(actor, ping()).error() == coact::errc::shutting_down);
}

// Proves shutdown is safe while other threads keep spawning, telling and asking: every
// call returns (with a value or an error), and nothing leaks or hangs.
TEST_CASE("shutdown races cleanly with outside threads still sending", "[runtime]") {
  constexpr int threads_max = 4;
  auto system = std::make_unique<coact::actor_system>(coact::system_config{.shard_count = 2});
  auto target = system->spawn(&responder);
  REQUIRE(target);
  std::atomic<int> answered{0};
  std::atomic<int> finished{0};
  std::vector<std::error_code> last(threads_max);
  std::vector<std::thread> threads;
  for (int i = 0; i < threads_max; ++i) {
    threads.emplace_back([&, i] {
      for (;;) {
        auto r = system->ask_blocking<coact::test::Pong>(target.value(), ping(), wait_max);
        if (!r) {
          last[i] = r.error();
          break;
        }
        (void)system->tell(target.value(), add(1));
        answered.fetch_add(1);
      }
      finished.fetch_add(1);
    });
  }
  const auto warm = std::chrono::steady_clock::now() + wait_max;
  while (answered.load() < 200 && finished.load() == 0 && std::chrono::steady_clock::now() < warm) {
    std::this_thread::yield();
  }
  CHECK(finished.load() == 0);  // nobody failed before the shutdown
  system->shutdown();
  // A thread that hangs in ask_blocking would never finish: give them a bounded time.
  const auto deadline = std::chrono::steady_clock::now() + wait_max;
  while (finished.load() < threads_max && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(1ms);
  }
  REQUIRE(finished.load() == threads_max);
  for (auto& t : threads) t.join();
  for (const auto& error : last) {
    CHECK((error == coact::errc::shutting_down || error == coact::errc::actor_gone));
  }
  system.reset();
}
