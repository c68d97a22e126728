// Embedding: an actor system hosted on io_contexts that the program owns and runs works
// like one with its own threads, and shuts down while those io_contexts keep running.
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <asio/post.hpp>
#include <catch2/catch.hpp>

#include <thread>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

/// On Ping: sleeps 20 ms, has a Go sent to itself 10 ms later, waits for it, and answers
/// Pong{the nanoseconds all that took}. Publishes the thread it runs on first.
coact::task<void> timed(coact::actor_context& self, slot<std::thread::id> thread) {
  thread->set_value(std::this_thread::get_id());
  for (;;) {
    coact::envelope e = co_await self.receive();
    if (!e.is<coact::test::Ping>()) continue;
    const coact::time_point start = self.now();
    co_await self.sleep(20ms);
    (void)self.send_after(self.ref(), 10ms, empty<coact::test::Go>());
    auto go = co_await self.receive<coact::test::Go>(wait_max);
    coact::message<coact::test::Pong> pong;
    pong->setN(go ? static_cast<std::uint64_t>((self.now() - start).count()) : 0);
    self.reply(e, std::move(pong));
  }
}

/// Holds `token` in its frame and answers Pings until stopped.
coact::task<void> holder(coact::actor_context& self, std::shared_ptr<int> token) {
  (void)token;
  co_await responder(self);
}

/// An io_context run by the test on its own thread, kept running by a work guard.
struct hosted_thread {
  asio::io_context io{1};
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::thread runner{[this] { io.run(); }};

  hosted_thread() = default;
  hosted_thread(const hosted_thread&) = delete;
  hosted_thread& operator=(const hosted_thread&) = delete;
  ~hosted_thread() {
    work.reset();
    runner.join();
  }
};

}  // namespace

// Proves actors run on the program's io_context thread, answer ask_blocking from the main
// thread, talk across hosted shards, and use timers; and that shutdown works while the
// io_contexts keep running other work.
TEST_CASE("a system hosted on the program's io_contexts works and shuts down", "[runtime]") {
  hosted_thread first;
  hosted_thread second;
  {
    coact::actor_system system{coact::hosted_on{{&first.io, &second.io}}};
    REQUIRE(system.shard_count() == 2);
    CHECK(&system.io_context(0) == &first.io);

    auto thread = make_slot<std::thread::id>();
    auto thread_future = thread->get_future();
    auto actor = system.spawn(coact::spawn_options{.shard = 1}, &timed, thread);
    REQUIRE(actor);
    CHECK(await(thread_future) == second.runner.get_id());

    auto r = system.ask_blocking<coact::test::Pong>(actor.value(), ping(), wait_max);
    REQUIRE(r);
    CHECK(std::chrono::nanoseconds{r.value().get<coact::test::Pong>().getN()} >= 30ms);

    auto echo = system.spawn(coact::spawn_options{.shard = 0}, &responder);
    REQUIRE(echo);
    auto across = ask_from<coact::test::Pong>(system, 1, echo.value(), ping(1));
    REQUIRE(across);
    CHECK(across.value().get<coact::test::Pong>().getN() == 2);

    system.shutdown();
    CHECK_FALSE(first.io.stopped());
    CHECK_FALSE(second.io.stopped());
    CHECK(system.spawn(&responder).error() == coact::errc::shutting_down);
  }
  // The program's io_contexts still run its own handlers after the system is gone.
  for (hosted_thread* h : {&first, &second}) {
    std::promise<void> ran;
    auto ran_future = ran.get_future();
    asio::post(h->io, [&ran] { ran.set_value(); });
    await(ran_future);
  }
}

// Proves a hosted system can be destroyed without an explicit shutdown: its actors'
// frames are destroyed while the io_context goes on.
TEST_CASE("destroying a hosted system stops its actors", "[runtime]") {
  hosted_thread host;
  auto token = std::make_shared<int>(0);
  {
    coact::actor_system system{coact::hosted_on{{&host.io}}};
    auto actor = system.spawn(&holder, token);
    REQUIRE(actor);
    REQUIRE(system.ask_blocking<coact::test::Pong>(actor.value(), ping(), wait_max));
    CHECK(token.use_count() == 2);
  }
  CHECK(token.use_count() == 1);
  std::promise<void> ran;
  auto ran_future = ran.get_future();
  asio::post(host.io, [&ran] { ran.set_value(); });
  await(ran_future);
}
