// The simulated disk: what was synced survives a crash, the rest is lost or torn, and the
// world's crash of a node applies that to the node's disk.
#include "coact/runtime/sim/disk.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "coact/runtime/sim/world.hpp"

using coact::prng;
using coact::sim::disk;

namespace {

std::span<const std::byte> bytes(const std::string& s) {
  return std::as_bytes(std::span{s.data(), s.size()});
}

std::string text(std::span<const std::byte> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

}  // namespace

// Proves synced bytes survive, unsynced ones vanish without torn writes, and a replace is
// durable at once.
TEST_CASE("a crash keeps exactly what was synced", "[runtime][sim]") {
  disk d;
  prng r{1};
  d.append("log", bytes("abc"));
  d.sync("log");
  d.append("log", bytes("def"));
  d.replace("meta", bytes("v1"));
  CHECK(text(d.read("log")) == "abcdef");
  CHECK(d.unsynced_bytes() == 3);
  d.crash(r, false);
  CHECK(text(d.read("log")) == "abc");
  CHECK(text(d.read("meta")) == "v1");
  CHECK(d.unsynced_bytes() == 0);
  CHECK_FALSE(d.exists("other"));
  CHECK(d.read("other").empty());
}

// Proves a torn write keeps a prefix of the unsynced tail, of every length over seeds.
TEST_CASE("a torn write keeps a prefix of what was not synced", "[runtime][sim]") {
  bool saw_none = false;
  bool saw_all = false;
  bool saw_part = false;
  for (std::uint64_t seed = 0; seed < 200; ++seed) {
    disk d;
    prng r{seed};
    d.append("log", bytes("head"));
    d.sync("log");
    d.append("log", bytes("tail"));
    d.crash(r);
    const std::string after = text(d.read("log"));
    REQUIRE(std::string{"headtail"}.starts_with(after));
    REQUIRE(after.size() >= 4);
    saw_none = saw_none || after == "head";
    saw_all = saw_all || after == "headtail";
    saw_part = saw_part || (after.size() > 4 && after.size() < 8);
  }
  CHECK(saw_none);
  CHECK(saw_all);
  CHECK(saw_part);
}

// Proves a node's disk outlives its crash and restart in the world.
TEST_CASE("a node's synced data survives its crash and restart", "[runtime][sim]") {
  coact::sim::world w{5};
  const auto n = w.add_node({}, nullptr);
  w.disk(n).append("log", bytes("kept"));
  w.disk(n).sync("log");
  w.disk(n).append("log", bytes("-maybe"));
  w.crash(n);
  w.restart(n);
  CHECK(text(w.disk(n).read("log")).starts_with("kept"));
  CHECK(w.disk(n).unsynced_bytes() == 0);
}
