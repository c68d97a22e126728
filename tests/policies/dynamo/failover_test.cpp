// No acknowledged write is lost when partition leaders crash: with durable logs even when
// a leader and a follower of its partition crash together, with volatile replicas when
// one replica fails at a time.
#include <catch2/catch.hpp>

#include <map>

#include "coact/check/convergence.hpp"
#include "coact/check/linearizability.hpp"
#include "family.hpp"

using namespace dynamo_test;
namespace check = coact::check;

namespace {

/// A write-heavy workload: puts, cases and consistent reads only.
client_work writes_and_consistent_reads() {
  client_work w;
  w.put_share = 0.5;
  w.cas_share = 0.15;
  w.consistent_read_share = 0.35;
  return w;
}

/// Checks that every acknowledged write survived in `out`: the replicas' final version of
/// each key is at least that of every write acknowledged on it (versions are the
/// partition's write sequence), with the same value when it is that write; no
/// convergence violation; and the writes and consistent reads linearizable.
void check_no_acknowledged_write_lost(const outcome& out) {
  const auto layout = test_layout(5);
  REQUIRE(out.collected);
  auto ops = check::pair_operations(out.history);
  REQUIRE(ops);
  // The newest acknowledged write of each key: version, value.
  std::map<std::string, std::pair<std::uint64_t, std::string>> newest;
  std::size_t acknowledged = 0;
  for (const auto& op : ops.value()) {
    const bool wrote =
        op.outcome == check::event_type::ok &&
        (op.f == check::op_kind::write || (op.f == check::op_kind::cas && op.matched));
    if (!wrote) continue;
    ++acknowledged;
    REQUIRE(op.version.has_value());
    auto& best = newest[op.key];
    if (*op.version > best.first) best = {*op.version, std::get<std::string>(op.argument)};
  }
  // Needs acknowledged writes on most keys for a lost one to show; the crashes must not
  // have stalled the clients.
  CHECK(acknowledged > 50);
  for (const auto& [key, write] : newest) {
    INFO("key " << key << ": newest acknowledged write " << write.second << " at version "
                << write.first);
    const auto& replicas = out.statuses.at(layout.partition_of(key));
    REQUIRE(replicas.size() == 3);
    for (const auto& s : replicas) {
      INFO("replica r" << s.node);
      const auto item = s.items.find(key);
      REQUIRE(item != s.items.end());
      CHECK(item->second.version.counter >= write.first);
      if (item->second.version.counter == write.first) CHECK(item->second.value == write.second);
    }
  }
  for (std::uint32_t p = 0; p < layout.count(); ++p) {
    check::replica_states states;
    for (const auto& s : out.statuses.at(p)) {
      auto& state = states[replica_name(s.node)];
      for (const auto& [key, stored] : s.items) {
        state[key] = {.value = check::datum{stored.value}, .version = stored.version.counter};
      }
    }
    auto report = check::check_convergence(partition_part(out.history, layout, p), states);
    REQUIRE(report);
    for (const auto& v : report.value().violations) UNSCOPED_INFO(v.reason);
    CHECK(report.value().valid());
  }
  auto linear = check::check_linearizability(strong_part(out.history));
  REQUIRE(linear);
  INFO(linear.value().explanation);
  CHECK(linear.value().outcome == check::verdict::linearizable);
}

}  // namespace

// Proves durability across leader crashes: a crashed leader (and, in a third of the
// crashes, a follower of its partition with it, leaving one replica up) loses no write it
// or its successor acknowledged, because a write is acknowledged only once two replicas
// have it on disk and only a replica with every committed entry can win an election.
SCENARIO("no acknowledged write is lost across leader crashes", "[dynamo][sim]") {
  GIVEN(
      "durable replicas whose partition leaders crash every 250 ms, sometimes with a "
      "follower") {
    THEN("every acknowledged write survives on every replica") {
      int leader_crashes = 0;
      int follower_crashes = 0;
      const auto all = seeds(8, 301);
      for (const std::uint64_t seed : all) {
        INFO(rerun_hint(seed));
        run_settings settings{.seed = seed, .work = writes_and_consistent_reads()};
        settings.chaos = false;
        settings.crash_mean_between = 250ms;
        settings.double_crash_share = 0.35;
        const outcome out = run(settings);
        leader_crashes += out.leader_crashes;
        follower_crashes += out.follower_crashes;
        check_no_acknowledged_write_lost(out);
      }
      // Over all the seeds (one replayed seed need not have them): the crashes happened.
      if (all.size() > 1) {
        CHECK(leader_crashes > 0);
        CHECK(follower_crashes > 0);
      }
    }
  }
}

// Proves volatile replicas keep every acknowledged write when one replica fails at a time
// (the other two hold it, and a restarted replica neither votes nor campaigns until it
// has caught up with a leader).
SCENARIO("volatile replicas lose no acknowledged write to one crash at a time", "[dynamo][sim]") {
  GIVEN(
      "volatile replicas whose partition leaders crash one at a time, each restarted node "
      "given 400 ms to catch up") {
    THEN("every acknowledged write survives on every replica") {
      int leader_crashes = 0;
      const auto all = seeds(6, 401);
      for (const std::uint64_t seed : all) {
        INFO(rerun_hint(seed));
        run_settings settings{.seed = seed, .work = writes_and_consistent_reads()};
        settings.chaos = false;
        settings.durable = false;
        settings.settle = 400ms;
        const outcome out = run(settings);
        leader_crashes += out.leader_crashes;
        check_no_acknowledged_write_lost(out);
      }
      if (all.size() > 1) CHECK(leader_crashes > 0);
    }
  }
}
