// The read-concern replica set under faults: which read and write concerns keep which
// guarantees, checked on recorded histories over many seeds. Seeds print on failure and
// replay exactly with COACT_SIM_SEED.
#include <catch2/catch.hpp>

#include <algorithm>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "coact/check/linearizability.hpp"
#include "coact/check/session_guarantees.hpp"
#include "replica_set.hpp"

using namespace std::chrono_literals;
namespace check = coact::check;
namespace rt = coact::test::read_concern;
namespace rc = coact::policies::read_concern;

namespace {

rt::session_plan session(rc::read_level read, rc::write_level write, rc::read_preference preference,
                         double read_share = 0.5) {
  return {.options = {.read = read, .write = write, .preference = preference},
          .read_share = read_share};
}

/// The ok writes (puts, and cas that matched) of the given processes, by value.
std::map<std::string, check::operation> ok_writes(const check::history& h,
                                                  const std::set<std::int64_t>& processes) {
  std::map<std::string, check::operation> by_value;
  auto ops = check::pair_operations(h);
  REQUIRE(ops);
  for (const auto& op : ops.value()) {
    if (op.outcome != check::event_type::ok || !processes.contains(op.process)) continue;
    if (op.f == check::op_kind::write || (op.f == check::op_kind::cas && op.matched)) {
      by_value.emplace(std::get<std::string>(op.argument), op);
    }
  }
  return by_value;
}

}  // namespace

// Proves that causal sessions with majority reads and w:majority writes keep read-your-writes,
// monotonic reads, monotonic writes and writes-follow-reads in every seed, although their
// reads go to secondaries (at random, or the nearest) and the primary crashes and fails over.
SCENARIO("majority/majority causal sessions keep all four session guarantees",
         "[read_concern][sim]") {
  GIVEN("four sessions reading from secondaries under partitions, loss, reordering and crashes") {
    rt::scenario s;
    s.sessions = {
        session(rc::read_level::majority, rc::write_level::majority,
                rc::read_preference::secondary),
        session(rc::read_level::majority, rc::write_level::majority,
                rc::read_preference::secondary),
        session(rc::read_level::majority, rc::write_level::majority, rc::read_preference::nearest),
        session(rc::read_level::majority, rc::write_level::majority, rc::read_preference::nearest),
    };
    s.crash_primary_at = {400ms, 1000ms};
    THEN("no session guarantee is broken in any seed") {
      std::size_t reads = 0;
      std::size_t crashes = 0;
      for (const std::uint64_t seed : rt::seeds(30)) {
        INFO(rt::rerun_hint(seed));
        s.seed = seed;
        const auto out = rt::run_scenario(s);
        const auto report = rt::check_sessions(out.history);
        std::set<std::string> serving;
        for (const auto& e : out.history) {
          if (e.type == check::event_type::ok && e.f == check::op_kind::read)
            serving.insert(e.node);
        }
        CHECK(serving.size() >= 2);
        reads += report.read_count;
        crashes += out.crashes;
      }
      CHECK(reads > 0);
      CHECK(crashes > 0);
      WARN("majority/majority: " << reads << " ok reads checked, " << crashes
                                 << " primary crashes, no session violation");
    }
  }
}

// Proves that linearizable reads with w:majority writes (and cas) give linearizable histories
// in every seed while the primary crashes, pauses or is cut off and a new one is elected.
SCENARIO("linearizable reads with majority writes are linearizable under failover",
         "[read_concern][sim]") {
  GIVEN("four sessions reading and writing at the primary, with cas, under faults") {
    rt::scenario s;
    for (int i = 0; i < 4; ++i) {
      s.sessions.push_back(session(rc::read_level::linearizable, rc::write_level::majority,
                                   rc::read_preference::primary));
    }
    s.cas_share = 0.3;
    s.crash_primary_at = {400ms, 1000ms};
    s.cut_primary_at = {700ms};
    s.pause_primary_at = {250ms, 550ms, 850ms, 1200ms};
    THEN("every seed's history is linearizable, whether cut-off primaries step down or not") {
      for (const std::uint64_t seed : rt::seeds(30)) {
        INFO(rt::rerun_hint(seed));
        s.seed = seed;
        // Odd seeds: a cut-off primary stays primary (and goes on answering) until it hears
        // of a higher term; its majority rounds and its commit point keep it honest.
        s.set.timing.step_down_after =
            seed % 2 == 1 ? std::nullopt : rc::options{}.timing.step_down_after;
        const auto out = rt::run_scenario(s);
        rt::check_linearizable(out.history);
        CHECK(out.crashes > 0);
        CHECK(out.max_term >= 2);  // the crash forced at least one more election
        for (const auto& member : out.members) CHECK(member.voter);  // durable: all still vote
      }
    }
  }
}

// Proves that volatile members (no disk) stay safe across a crash: the restarted member comes
// back empty and never votes again, the others elect a new primary, and the history stays
// linearizable.
SCENARIO("a volatile member restarted empty never votes again", "[read_concern][sim]") {
  GIVEN("linearizable sessions on volatile members while the primary crashes once") {
    rt::scenario s;
    for (int i = 0; i < 4; ++i) {
      s.sessions.push_back(session(rc::read_level::linearizable, rc::write_level::majority,
                                   rc::read_preference::primary));
    }
    s.durable = false;
    s.crash_primary_at = {500ms};
    THEN("the history is linearizable and only the restarted member lost its vote") {
      for (const std::uint64_t seed : rt::seeds(15)) {
        INFO(rt::rerun_hint(seed));
        s.seed = seed;
        const auto out = rt::run_scenario(s);
        rt::check_linearizable(out.history);
        REQUIRE(out.crashes == 1);
        CHECK(std::count_if(out.members.begin(), out.members.end(),
                            [](const rc::member_status& m) { return !m.voter; }) == 1);
        CHECK(out.max_term >= 2);
        CHECK(out.final_reads.size() == static_cast<std::size_t>(s.keys));  // still available
      }
    }
  }
}

// Proves that a primary cut off from the majority (and from the writers) answers no stale
// linearizable read, even when it never steps down and nothing is left for it to commit:
// the majority round it needs before each such read is what stops it.
SCENARIO("a cut-off primary that stays primary serves no stale linearizable read",
         "[read_concern][sim]") {
  GIVEN("a writer that fails over to the new primary, and readers that still reach the old") {
    rt::scenario s;
    s.sessions = {session(rc::read_level::linearizable, rc::write_level::majority,
                          rc::read_preference::primary, 0)};
    for (int i = 0; i < 3; ++i) {
      s.sessions.push_back(session(rc::read_level::linearizable, rc::write_level::majority,
                                   rc::read_preference::primary, 1));
    }
    s.set.timing.step_down_after = std::nullopt;
    s.chaos = false;
    s.cut_primary_at = {300ms, 900ms};
    s.cut_sessions = {0};
    THEN("every seed's history is linearizable") {
      for (const std::uint64_t seed : rt::seeds(20)) {
        INFO(rt::rerun_hint(seed));
        s.seed = seed;
        const auto out = rt::run_scenario(s);
        rt::check_linearizable(out.history);
        CHECK(out.cuts > 0);
      }
    }
  }
}

// Proves that w:1 writes acknowledged by a primary that is then cut off are rolled back when
// it rejoins the new primary (and reported), while no w:majority write ever is: each key's
// final majority read returns its last acknowledged majority write or a later one.
SCENARIO("w:1 writes are rolled back after a failover but majority writes never are",
         "[read_concern][sim]") {
  GIVEN("two w:1 and two w:majority sessions while the primary is cut off twice") {
    rt::scenario s;
    s.sessions = {
        session(rc::read_level::majority, rc::write_level::one, rc::read_preference::primary),
        session(rc::read_level::majority, rc::write_level::one, rc::read_preference::primary),
        session(rc::read_level::majority, rc::write_level::majority, rc::read_preference::primary),
        session(rc::read_level::majority, rc::write_level::majority, rc::read_preference::primary),
    };
    const std::set<std::int64_t> w1_sessions{0, 1};
    const std::set<std::int64_t> majority_sessions{2, 3};
    s.cut_primary_at = {300ms, 1000ms};
    THEN("some acknowledged w:1 writes are rolled back, no majority write is") {
      std::size_t rolled_back = 0;
      std::size_t acknowledged_rolled_back = 0;
      std::vector<std::string> examples;
      for (const std::uint64_t seed : rt::seeds(30)) {
        INFO(rt::rerun_hint(seed));
        s.seed = seed;
        const auto out = rt::run_scenario(s);
        CHECK(out.cuts > 0);
        const auto majority_acked = ok_writes(out.history, majority_sessions);
        const auto w1_acked = ok_writes(out.history, w1_sessions);
        std::set<std::string> lost;
        for (const auto& r : out.rolled_back) {
          INFO("rolled back " << r.key << "=" << r.value);
          CHECK_FALSE(majority_acked.contains(r.value));
          lost.insert(r.value);
          if (!w1_acked.contains(r.value)) continue;
          ++acknowledged_rolled_back;
          if (examples.size() < 3) {
            examples.push_back("seed " + std::to_string(seed) + ": node " + std::to_string(r.node) +
                               " rolled back " + r.key + "=" + r.value + " at (term " +
                               std::to_string(r.position.term) + ", index " +
                               std::to_string(r.position.index) + ")");
          }
        }
        rolled_back += out.rolled_back.size();
        // The last majority write of each key survives, or a later write replaced it.
        std::map<std::string, check::operation> last_majority;
        for (const auto& [value, op] : majority_acked) {
          auto [it, fresh] = last_majority.try_emplace(op.key, op);
          if (!fresh && *op.version > *it->second.version) it->second = op;
        }
        for (const auto& [key, op] : last_majority) {
          INFO("key " << key << ": last majority write " << std::get<std::string>(op.argument)
                      << " at version " << *op.version);
          REQUIRE(out.final_reads.contains(key));
          const auto& final_read = out.final_reads.at(key);
          REQUIRE(final_read.value);
          CHECK(final_read.version.counter >= *op.version);
          if (final_read.version.counter == *op.version) {
            CHECK(*final_read.value == std::get<std::string>(op.argument));
          }
          CHECK_FALSE(lost.contains(*final_read.value));
        }
      }
      CHECK(rolled_back > 0);
      CHECK(acknowledged_rolled_back > 0);
      std::string lines;
      for (const auto& e : examples) lines += "\n  " + e;
      WARN("rolled back "
           << rolled_back << " writes (" << acknowledged_rolled_back
           << " of them acknowledged with w:1), no majority write. Acknowledged and lost:"
           << lines);
    }
  }
}

// Proves the guarantees depend on the concerns: causal sessions with local reads on
// secondaries and w:1 writes break session guarantees in some seed under the same faults.
SCENARIO("local reads with w:1 writes break session guarantees", "[read_concern][sim]") {
  GIVEN("four local/w:1 sessions reading from secondaries while the primary is cut off") {
    rt::scenario s;
    for (int i = 0; i < 4; ++i) {
      s.sessions.push_back(
          session(rc::read_level::local, rc::write_level::one, rc::read_preference::secondary));
    }
    s.cut_primary_at = {300ms, 1000ms};
    THEN("some seed shows a violation") {
      std::optional<std::uint64_t> caught;
      std::string found;
      for (const std::uint64_t seed : rt::seeds(30)) {
        s.seed = seed;
        const auto out = rt::run_scenario(s);
        auto report = check::check_session_guarantees(out.history);
        REQUIRE(report);
        if (!report.value().valid()) {
          caught = seed;
          found = rt::describe(report.value());
          break;
        }
      }
      REQUIRE(caught);
      WARN("local/w:1 broke session guarantees in " << rt::rerun_hint(*caught) << ": " << found);
    }
  }
}

// Proves what the guarantee table says of the mixed combinations, under the faults that break
// local/w:1: majority reads with w:1 writes keep monotonic reads and writes-follow-reads (and
// do break read-your-writes or monotonic writes); local reads with w:majority writes keep
// read-your-writes and monotonic writes.
SCENARIO("mixed concerns keep the guarantees the table gives them", "[read_concern][sim]") {
  GIVEN("sessions reading from secondaries while the primary is cut off") {
    rt::scenario s;
    s.cut_primary_at = {300ms, 1000ms};
    // The seeds (of `count`, all of them unless `first_only`) whose history breaks `which`.
    const auto broken = [&](rc::read_level read, rc::write_level write,
                            check::session_guarantee_set which, std::uint64_t count,
                            bool first_only) {
      s.sessions.clear();
      for (int i = 0; i < 4; ++i) {
        s.sessions.push_back(session(read, write, rc::read_preference::secondary));
      }
      std::vector<std::string> found;
      for (const std::uint64_t seed : rt::seeds(count)) {
        s.seed = seed;
        const auto out = rt::run_scenario(s);
        auto report = check::check_session_guarantees(out.history, which);
        REQUIRE(report);
        if (report.value().valid()) continue;
        found.push_back(rt::rerun_hint(seed) + " (" + rc::to_string(read) + "/" +
                        rc::to_string(write) + "): " + rt::describe(report.value()));
        if (first_only) break;
      }
      return found;
    };
    THEN("majority/w:1 keeps monotonic reads and writes-follow-reads") {
      const auto found = broken(rc::read_level::majority, rc::write_level::one,
                                {.read_your_writes = false, .monotonic_writes = false}, 15, false);
      INFO((found.empty() ? std::string{} : found.front()));
      CHECK(found.empty());
    }
    THEN("majority/w:1 breaks read-your-writes or monotonic writes in some seed") {
      const auto found = broken(rc::read_level::majority, rc::write_level::one,
                                {.monotonic_reads = false, .writes_follow_reads = false}, 15, true);
      REQUIRE_FALSE(found.empty());
      WARN(found.front());
    }
    THEN("local/w:majority keeps read-your-writes and monotonic writes") {
      const auto found =
          broken(rc::read_level::local, rc::write_level::majority,
                 {.monotonic_reads = false, .writes_follow_reads = false}, 15, false);
      INFO((found.empty() ? std::string{} : found.front()));
      CHECK(found.empty());
    }
  }
}

namespace {

/// The median latency of the ok operations of kind `f` in `h`, in ms of virtual time.
double median_ms(const check::history& h, check::op_kind f) {
  auto ops = check::pair_operations(h);
  REQUIRE(ops);
  std::vector<double> ms;
  for (const auto& op : ops.value()) {
    if (op.outcome == check::event_type::ok && op.f == f) {
      ms.push_back(static_cast<double>(op.complete_ns - op.invoke_ns) / 1e6);
    }
  }
  REQUIRE(!ms.empty());
  std::nth_element(ms.begin(), ms.begin() + static_cast<std::ptrdiff_t>(ms.size() / 2), ms.end());
  return ms[ms.size() / 2];
}

}  // namespace

// Proves each concern costs the round trips its descriptor states, over links of exactly
// 1 ms: w:1 and local or majority reads at the primary one round trip (2 ms), w:majority
// writes and linearizable reads two (4 ms).
SCENARIO("each concern costs the round trips it states", "[read_concern][sim]") {
  GIVEN("one session at the primary over 1 ms links without faults") {
    rt::scenario s;
    s.delay = coact::net::sim::delay_distribution::constant(1.0).value();
    s.loss = 0;
    s.fifo = true;
    s.chaos = false;
    s.ops_per_session = 60;
    s.seed = 1;
    const auto latency = [&](rc::read_level read, rc::write_level write) {
      s.sessions = {session(read, write, rc::read_preference::primary)};
      const auto out = rt::run_scenario(s);
      return std::pair{median_ms(out.history, check::op_kind::read),
                       median_ms(out.history, check::op_kind::write)};
    };
    THEN("the medians are 2 ms per round trip") {
      const auto [local_read, w1_write] = latency(rc::read_level::local, rc::write_level::one);
      const auto [majority_read, majority_write] =
          latency(rc::read_level::majority, rc::write_level::majority);
      const auto [linearizable_read, write] =
          latency(rc::read_level::linearizable, rc::write_level::majority);
      CHECK(local_read == Approx(2.0).margin(0.1));
      CHECK(w1_write == Approx(2.0).margin(0.1));
      CHECK(majority_read == Approx(2.0).margin(0.1));
      CHECK(majority_write == Approx(4.0).margin(0.1));
      CHECK(linearizable_read == Approx(4.0).margin(0.1));
      CHECK(write == Approx(4.0).margin(0.1));
      WARN("median ms: local read " << local_read << ", w:1 write " << w1_write
                                    << ", majority read " << majority_read << ", w:majority write "
                                    << majority_write << ", linearizable read "
                                    << linearizable_read);
    }
  }
}
