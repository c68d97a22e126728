// Supervision: a one-for-one supervisor restarts a failed child under the same name, and
// gives up with restart_limit when children fail too often.
#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "coact/runtime/supervisor.hpp"
#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

struct incarnation {
  std::string name;
  coact::actor_ref ref;
};
using incarnation_log = std::shared_ptr<channel<incarnation>>;

/// Announces each start of the child, then behaves as responder.
coact::task<void> announcing(coact::actor_context& self, std::string name, incarnation_log log) {
  log->push({std::move(name), self.ref()});
  co_await responder(self);
}

/// Counts its start and fails at once.
coact::task<void> failing_at_start(coact::actor_context& self,
                                   std::shared_ptr<std::atomic<int>> starts) {
  starts->fetch_add(1);
  throw std::runtime_error{"fails at start"};
  co_await self.yield();
}

coact::child_spec announced_child(const std::string& name, incarnation_log log,
                                  coact::restart_policy policy = coact::restart_policy::permanent) {
  return {name,
          [name, log](coact::actor_system& system) { return system.spawn(&announcing, name, log); },
          policy};
}

bool answers(coact::actor_system& system, coact::actor_ref ref) {
  return static_cast<bool>(system.ask_blocking<coact::test::Pong>(ref, ping(), wait_max));
}

}  // namespace

// Proves a supervisor restarts a child that failed, and whereis(name) then names the new
// incarnation while the old ref is gone.
TEST_CASE("a supervisor restarts a failed child, found again with whereis", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto log = std::make_shared<channel<incarnation>>();
  std::vector<coact::child_spec> children{announced_child("worker", log)};
  auto sup = system.spawn(coact::spawn_options{.shard = 1}, &coact::supervise,
                          coact::supervisor_options{}, children);
  REQUIRE(sup);

  const auto first = log->pop();
  REQUIRE(first);
  CHECK(first->ref.shard == 1);  // spawned by the supervisor, on its shard
  CHECK(system.whereis("worker") == first->ref);
  CHECK(answers(system, first->ref));

  REQUIRE(system.tell(first->ref, crash("boom")));
  const auto second = log->pop();
  REQUIRE(second);
  CHECK(second->name == "worker");
  CHECK(second->ref != first->ref);
  CHECK(system.whereis("worker") == second->ref);
  CHECK(answers(system, second->ref));
  auto stale = system.ask_blocking<coact::test::Pong>(first->ref, ping(), wait_max);
  REQUIRE_FALSE(stale);
  CHECK(stale.error() == coact::errc::actor_gone);
}

// Proves that beyond restart_count_max restarts within the window the supervisor stops its
// other children and stops itself with restart_limit.
TEST_CASE("too many restarts stop the supervisor with restart_limit", "[runtime]") {
  coact::actor_system system{{.shard_count = 2}};
  auto starts = std::make_shared<std::atomic<int>>(0);
  auto log = std::make_shared<channel<incarnation>>();
  std::vector<coact::child_spec> children{
      announced_child("steady", log),
      {"failing", [starts](coact::actor_system& s) { return s.spawn(&failing_at_start, starts); },
       coact::restart_policy::permanent}};
  const coact::supervisor_options options{.restart_count_max = 2, .restart_window = 60s};
  auto sup = spawn_watched(
      system,
      [options, children](coact::actor_system& s) {
        return s.spawn(&coact::supervise, options, children);
      },
      1);
  const coact::stop_reason reason = await(sup.down);
  CHECK(reason.code == coact::errc::restart_limit);
  CHECK(starts->load() == 3);  // the first start and two restarts
  const auto steady = log->pop();
  REQUIRE(steady);
  CHECK_FALSE(answers(system, steady->ref));
  CHECK_FALSE(log->pop(0ms).has_value());
  CHECK_FALSE(system.whereis("failing").valid());
}

// Proves restart policies on a normal stop: a transient child is not restarted, a
// permanent one is.
TEST_CASE("a transient child that returns is not restarted, a permanent one is", "[runtime]") {
  coact::actor_system system{{.shard_count = 1}};
  auto log = std::make_shared<channel<incarnation>>();
  std::vector<coact::child_spec> children{
      announced_child("transient", log, coact::restart_policy::transient),
      announced_child("permanent", log, coact::restart_policy::permanent)};
  REQUIRE(system.spawn(&coact::supervise, coact::supervisor_options{}, children));
  const auto t = log->pop();
  const auto p = log->pop();
  REQUIRE(t);
  REQUIRE(p);
  REQUIRE(t->name == "transient");
  REQUIRE(p->name == "permanent");
  // Both stop normally, the transient child first: had it been restarted, its new
  // incarnation would be announced before the permanent child's.
  REQUIRE(system.tell(t->ref, empty<coact::test::Quit>()));
  REQUIRE(system.tell(p->ref, empty<coact::test::Quit>()));
  const auto next = log->pop();
  REQUIRE(next);
  CHECK(next->name == "permanent");
  CHECK(next->ref != p->ref);
  CHECK(system.whereis("permanent") == next->ref);
  CHECK_FALSE(system.whereis("transient").valid());
}
