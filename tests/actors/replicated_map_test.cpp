// The replicated key-value state: puts and cases apply in log order with the log index as version,
// and a request applied twice (a client's retry) takes effect once.
#include "coact/actors/replication/replicated_map.hpp"

#include <catch2/catch.hpp>

namespace replication = coact::replication;
using replication::command;

namespace {

command put(std::uint64_t client, std::uint64_t sequence, std::string key, std::string value) {
  return {.what = command::kind::put,
          .client = client,
          .sequence = sequence,
          .key = std::move(key),
          .value = std::move(value)};
}

command cas(std::uint64_t client, std::uint64_t sequence, std::string key,
            std::optional<std::string> expected, std::string value) {
  return {.what = command::kind::cas,
          .client = client,
          .sequence = sequence,
          .key = std::move(key),
          .value = std::move(value),
          .expected = std::move(expected)};
}

}  // namespace

// Proves a put stores its value at its log index, and a cas writes only on a match,
// reporting the version it found otherwise.
TEST_CASE("replicated map: put and cas apply with the log index as version",
          "[actors][replication]") {
  replication::replicated_map s;
  CHECK_FALSE(s.apply(1, command{}).has_value());  // the no-op
  CHECK(s.find("k") == nullptr);

  const auto first = s.apply(2, cas(1, 1, "k", std::nullopt, "x"));
  REQUIRE(first);
  CHECK(first->matched);
  CHECK(first->version.counter == 2);
  REQUIRE(s.find("k") != nullptr);
  CHECK(s.find("k")->value == "x");

  const auto missed = s.apply(3, cas(1, 2, "k", std::string{"y"}, "z"));
  REQUIRE(missed);
  CHECK_FALSE(missed->matched);
  CHECK(missed->version.counter == 2);  // the version found
  CHECK(s.find("k")->value == "x");

  const auto absent = s.apply(4, cas(2, 1, "k", std::nullopt, "w"));
  REQUIRE(absent);
  CHECK_FALSE(absent->matched);

  const auto written = s.apply(5, put(2, 2, "k", "v"));
  REQUIRE(written);
  CHECK(written->version.counter == 5);
  CHECK(s.find("k")->value == "v");
  CHECK(s.find("k")->version.counter == 5);
}

// Proves a request appended twice takes effect once: the second copy gets the first's
// outcome, and a copy older than the client's latest request gets none.
TEST_CASE("replicated map: a retried request takes effect once", "[actors][replication]") {
  replication::replicated_map s;
  REQUIRE(s.apply(1, put(7, 1, "k", "a")));
  REQUIRE(s.apply(2, put(8, 1, "k", "b")));
  const auto retry = s.apply(3, put(7, 1, "k", "a"));
  REQUIRE(retry);
  CHECK(retry->version.counter == 1);  // the first copy's outcome
  CHECK(s.find("k")->value == "b");    // not written again over the later put
  REQUIRE(s.apply(4, put(7, 2, "k", "c")));
  CHECK_FALSE(s.apply(5, put(7, 1, "k", "a")).has_value());
  CHECK(s.find("k")->value == "c");
}
