// Level arithmetic: the acknowledgements every level needs in one and two datacenters,
// which level pairs always overlap (R + W > N), and the unmet-level error's code, message
// and equivalence to kv_errc::level_unmet.
#include "coact/policies/quorum/level.hpp"

#include <catch2/catch.hpp>

#include <map>
#include <string>
#include <utility>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/quorum/unmet_level.hpp"

namespace quorum = coact::policies::quorum;
using quorum::level;

namespace {

/// What `l` needs under `factors` from a coordinator in `local`: (total, per datacenter).
std::pair<std::uint32_t, std::map<std::string, std::uint32_t>> need(
    level l, const quorum::replication& factors, const std::string& local) {
  const auto r = quorum::required(l, factors, local);
  CHECK(r.wanted == l);
  return {r.total, r.per_datacenter};
}

using per_dc = std::map<std::string, std::uint32_t>;

bool overlap(level read, const std::string& reader, level write, const std::string& writer,
             const quorum::replication& factors) {
  return quorum::always_overlap(quorum::required(read, factors, reader),
                                quorum::required(write, factors, writer), factors);
}

}  // namespace

// Proves every level's need for RF {dc1: 3}: QUORUM is floor(3/2)+1 = 2, LOCAL_ and EACH_
// count in the one datacenter.
TEST_CASE("levels under one datacenter of three replicas", "[policies][quorum]") {
  const quorum::replication rf{{"dc1", 3}};
  CHECK(quorum::replica_count(rf) == 3);
  CHECK(need(level::one, rf, "dc1") == std::pair{1u, per_dc{}});
  CHECK(need(level::two, rf, "dc1") == std::pair{2u, per_dc{}});
  CHECK(need(level::three, rf, "dc1") == std::pair{3u, per_dc{}});
  CHECK(need(level::quorum, rf, "dc1") == std::pair{2u, per_dc{}});
  CHECK(need(level::all, rf, "dc1") == std::pair{3u, per_dc{}});
  CHECK(need(level::local_one, rf, "dc1") == std::pair{0u, per_dc{{"dc1", 1}}});
  CHECK(need(level::local_quorum, rf, "dc1") == std::pair{0u, per_dc{{"dc1", 2}}});
  CHECK(need(level::each_quorum, rf, "dc1") == std::pair{0u, per_dc{{"dc1", 2}}});
  for (level l : {level::one, level::two, level::three, level::quorum, level::all, level::local_one,
                  level::local_quorum, level::each_quorum}) {
    CHECK(quorum::required(l, rf, "dc1").needed() <= 3);
  }
}

// Proves the needs for RF {3, 3}: QUORUM is 4 of all 6, LOCAL_QUORUM 2 in the
// coordinator's datacenter, EACH_QUORUM 2 in each.
TEST_CASE("levels under two datacenters of three replicas each", "[policies][quorum]") {
  const quorum::replication rf{{"dc1", 3}, {"dc2", 3}};
  CHECK(need(level::one, rf, "dc1") == std::pair{1u, per_dc{}});
  CHECK(need(level::two, rf, "dc2") == std::pair{2u, per_dc{}});
  CHECK(need(level::three, rf, "dc1") == std::pair{3u, per_dc{}});
  CHECK(need(level::quorum, rf, "dc1") == std::pair{4u, per_dc{}});
  CHECK(need(level::all, rf, "dc1") == std::pair{6u, per_dc{}});
  CHECK(need(level::local_one, rf, "dc2") == std::pair{0u, per_dc{{"dc2", 1}}});
  CHECK(need(level::local_quorum, rf, "dc1") == std::pair{0u, per_dc{{"dc1", 2}}});
  CHECK(need(level::local_quorum, rf, "dc2") == std::pair{0u, per_dc{{"dc2", 2}}});
  CHECK(need(level::each_quorum, rf, "dc1") == std::pair{0u, per_dc{{"dc1", 2}, {"dc2", 2}}});
  CHECK(quorum::required(level::each_quorum, rf, "dc2").needed() == 4);
}

// Proves the needs for RF {2, 1}: N = 3, QUORUM 2, LOCAL_QUORUM 2 in dc1 but 1 in dc2,
// EACH_QUORUM 2 + 1.
TEST_CASE("levels under two datacenters of two and one replicas", "[policies][quorum]") {
  const quorum::replication rf{{"dc1", 2}, {"dc2", 1}};
  CHECK(quorum::replica_count(rf) == 3);
  CHECK(need(level::one, rf, "dc1") == std::pair{1u, per_dc{}});
  CHECK(need(level::two, rf, "dc1") == std::pair{2u, per_dc{}});
  CHECK(need(level::three, rf, "dc2") == std::pair{3u, per_dc{}});
  CHECK(need(level::quorum, rf, "dc1") == std::pair{2u, per_dc{}});
  CHECK(need(level::all, rf, "dc1") == std::pair{3u, per_dc{}});
  CHECK(need(level::local_one, rf, "dc2") == std::pair{0u, per_dc{{"dc2", 1}}});
  CHECK(need(level::local_quorum, rf, "dc1") == std::pair{0u, per_dc{{"dc1", 2}}});
  CHECK(need(level::local_quorum, rf, "dc2") == std::pair{0u, per_dc{{"dc2", 1}}});
  CHECK(need(level::each_quorum, rf, "dc2") == std::pair{0u, per_dc{{"dc1", 2}, {"dc2", 1}}});
}

// Proves a tally counts toward a level only what the level asks for, per datacenter.
TEST_CASE("a tally meets a level once its datacenters answered", "[policies][quorum]") {
  const quorum::replication rf{{"dc1", 3}, {"dc2", 3}};
  const auto each = quorum::required(level::each_quorum, rf, "dc1");
  const auto local = quorum::required(level::local_quorum, rf, "dc1");
  const auto all = quorum::required(level::quorum, rf, "dc1");
  quorum::tally t;
  for (int i = 0; i < 3; ++i) t.add("dc1");
  CHECK(t.met(local));
  CHECK(t.counted(each) == 2);  // dc1's third answer is beyond its quorum
  CHECK_FALSE(t.met(each));
  CHECK(t.counted(all) == 3);
  t.add("dc2");
  CHECK(t.met(all));
  CHECK(t.counted(each) == 3);
  t.add("dc2");
  CHECK(t.met(each));
}

// Proves which level pairs always share a replica: R + W > N in one datacenter; across
// two, LOCAL_QUORUM pairs only within one datacenter, EACH_QUORUM writes with any
// LOCAL_QUORUM read; an impossible level overlaps vacuously.
TEST_CASE("level pairs that always overlap", "[policies][quorum]") {
  const quorum::replication one_dc{{"dc1", 3}};
  CHECK(overlap(level::quorum, "dc1", level::quorum, "dc1", one_dc));
  CHECK(overlap(level::one, "dc1", level::all, "dc1", one_dc));
  CHECK(overlap(level::two, "dc1", level::two, "dc1", one_dc));
  CHECK_FALSE(overlap(level::one, "dc1", level::one, "dc1", one_dc));
  CHECK_FALSE(overlap(level::one, "dc1", level::two, "dc1", one_dc));
  CHECK_FALSE(overlap(level::one, "dc1", level::quorum, "dc1", one_dc));

  const quorum::replication two_dc{{"dc1", 3}, {"dc2", 3}};
  CHECK(overlap(level::quorum, "dc1", level::quorum, "dc2", two_dc));
  CHECK(overlap(level::local_quorum, "dc1", level::local_quorum, "dc1", two_dc));
  CHECK_FALSE(overlap(level::local_quorum, "dc1", level::local_quorum, "dc2", two_dc));
  CHECK(overlap(level::local_quorum, "dc2", level::each_quorum, "dc1", two_dc));
  CHECK_FALSE(overlap(level::quorum, "dc1", level::local_quorum, "dc1", two_dc));
  CHECK_FALSE(overlap(level::local_one, "dc1", level::each_quorum, "dc1", two_dc));

  const quorum::replication two{{"dc1", 2}};
  CHECK(quorum::required(level::three, two, "dc1").needed() == 3);
  CHECK(overlap(level::one, "dc1", level::three, "dc1", two));
}

// Proves an unmet level's error carries (level, needed, answered), prints them, is the
// kv level_unmet condition, and is not "certainly not applied" (histories record info).
TEST_CASE("an unmet level's error names the level and the counts", "[policies][quorum]") {
  const quorum::unmet_level u{.wanted = level::quorum, .needed = 2, .answered = 1};
  const std::error_code e = quorum::make_error_code(u);
  CHECK(e.category().name() == std::string{"coact.quorum"});
  CHECK(e.message() == "QUORUM not met: 1 of 2 required replicas answered");
  CHECK(quorum::unmet_level_of(e) == u);
  const std::error_condition level_unmet{static_cast<int>(coact::kv::kv_errc::level_unmet),
                                         coact::kv::kv_category()};
  CHECK(e == level_unmet);
  CHECK(e.default_error_condition() == level_unmet);
  CHECK(e != std::error_condition{static_cast<int>(coact::kv::kv_errc::unavailable),
                                  coact::kv::kv_category()});
  CHECK_FALSE(coact::kv::certainly_not_applied(e));
  CHECK_FALSE(quorum::unmet_level_of(make_error_code(coact::kv::kv_errc::level_unmet)));

  const quorum::unmet_level each{.wanted = level::each_quorum, .needed = 4, .answered = 2};
  CHECK(quorum::make_error_code(each).message() ==
        "EACH_QUORUM not met: 2 of 4 required replicas answered");
  CHECK(quorum::unmet_level_of(quorum::make_error_code(each)) == each);
  const quorum::unmet_level huge{.wanted = level::all, .needed = 100'000, .answered = 9'999};
  CHECK(quorum::unmet_level_of(quorum::make_error_code(huge)) ==
        quorum::unmet_level{.wanted = level::all,
                            .needed = quorum::error_count_max,
                            .answered = quorum::error_count_max});
}
