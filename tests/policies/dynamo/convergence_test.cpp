// After the faults stop and the run goes quiet, every replica of every partition holds
// the same state, no acknowledged write is lost, and an eventually consistent read at
// any replica returns what a consistent read at the leader does.
#include "coact/check/convergence.hpp"

#include <catch2/catch.hpp>

#include <algorithm>

#include "family.hpp"

using namespace dynamo_test;
namespace check = coact::check;

namespace {

check::replica_state state_of(const dynamo::replica_status& s) {
  check::replica_state state;
  for (const auto& [key, stored] : s.items) {
    state[key] = {.value = check::datum{stored.value}, .version = stored.version.counter};
  }
  return state;
}

/// kv::stored_value has no equality of its own.
bool same_items(const std::map<std::string, kv::stored_value>& a,
                const std::map<std::string, kv::stored_value>& b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end(), [](const auto& x, const auto& y) {
    return x.first == y.first && x.second.value == y.second.value &&
           x.second.version == y.second.version;
  });
}

}  // namespace

// Proves convergence after quiescence: equal replica states (compared directly and with
// check_convergence against the history), every entry committed and applied everywhere,
// and reads at every replica equal to the consistent read.
SCENARIO("replicas converge once the faults stop", "[dynamo][sim]") {
  GIVEN("faulty runs followed by two quiet seconds") {
    THEN("each partition's replicas agree with each other and with the history") {
      const auto layout = test_layout(5);
      for (const std::uint64_t seed : seeds(8, 201)) {
        INFO(rerun_hint(seed));
        const outcome out = run({.seed = seed});
        REQUIRE(out.collected);
        for (std::uint32_t p = 0; p < layout.count(); ++p) {
          INFO("partition " << p);
          const auto found = out.statuses.find(p);
          REQUIRE(found != out.statuses.end());
          const auto& replicas = found->second;
          REQUIRE(replicas.size() == 3);
          std::size_t leaders = 0;
          check::replica_states states;
          for (const auto& s : replicas) {
            INFO("replica r" << s.node << " term " << s.term);
            if (s.role == dynamo::replica_role::leader) ++leaders;
            CHECK(s.term == replicas.front().term);
            CHECK(s.serving);
            CHECK(s.last_seq == replicas.front().last_seq);
            CHECK(s.commit_seq == s.last_seq);
            CHECK(s.applied_seq == s.commit_seq);
            CHECK(same_items(s.items, replicas.front().items));
            states[replica_name(s.node)] = state_of(s);
          }
          CHECK(leaders == 1);
          auto report = check::check_convergence(partition_part(out.history, layout, p), states);
          REQUIRE(report);
          for (const auto& v : report.value().violations) UNSCOPED_INFO(v.reason);
          CHECK(report.value().valid());
        }
        for (const auto& [key, reads] : out.replica_reads) {
          INFO("key " << key);
          const auto& leader_read = out.consistent_reads.at(key);
          REQUIRE(leader_read.has_value());
          const auto& stored = out.statuses.at(layout.partition_of(key)).front().items;
          const auto item = stored.find(key);
          const std::optional<std::string> expected =
              item == stored.end() ? std::nullopt : std::optional{item->second.value};
          CHECK(leader_read->value == expected);
          REQUIRE(reads.size() == 3);
          for (const auto& [node, read] : reads) {
            INFO("at r" << node);
            REQUIRE(read.has_value());
            CHECK(read->value == expected);
            CHECK(read->version == leader_read->version);
          }
        }
      }
    }
  }
}
