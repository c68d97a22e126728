// The durable log keeps every synced record across crashes, ignores and cuts off a torn
// tail of any length (so later appends replay after it), refuses a file damaged before
// its last record, and stops trusting storage whose sync or append failed.
#include "coact/actors/durable_log.hpp"

#include <catch2/catch.hpp>

#include <cstddef>
#include <optional>
#include <string>
#include <vector>

#include "coact/runtime/sim/disk.hpp"
#include "test_bytes.hpp"

using coact::testing::bytes_of;
using coact::testing::text_of;
namespace kv = coact::kv;
namespace sim = coact::sim;

namespace {

constexpr std::size_t header_bytes = 8;  // length and checksum, before each payload

using records = std::vector<std::string>;

/// Opens the log in `disk`'s file "log", collecting the replayed records in `replayed`.
coact::result<kv::durable_log> open_on(sim::disk& disk, records& replayed) {
  return kv::durable_log::open(kv::sim_file(disk, "log"), [&](std::span<const std::byte> r) {
    replayed.push_back(text_of(r));
  });
}

/// What a fresh open of `disk`'s log replays; fails the test if it cannot open.
records replay(sim::disk& disk) {
  records replayed;
  REQUIRE(open_on(disk, replayed));
  return replayed;
}

void append_all(kv::durable_log& log, const records& rs) {
  for (const auto& r : rs) REQUIRE(log.append(bytes_of(r)));
}

/// A log file holding `rs`, synced.
sim::disk disk_with(const records& rs) {
  sim::disk disk;
  records none;
  auto log = open_on(disk, none);
  REQUIRE(log);
  append_all(log.value(), rs);
  REQUIRE(log.value().sync());
  return disk;
}

/// A disk whose file "log" holds exactly `bytes`.
sim::disk disk_holding(std::span<const std::byte> bytes) {
  sim::disk disk;
  disk.replace("log", bytes);
  return disk;
}

/// Storage in memory whose operations fail on request, to see what the log does then.
class failing_storage final : public kv::log_storage {
 public:
  std::vector<std::byte> bytes;
  bool fail_sync = false;
  /// The next append writes this many bytes, then fails (none: it succeeds).
  std::optional<std::size_t> fail_append_after;
  std::error_code error = std::make_error_code(std::errc::io_error);

  coact::result<std::vector<std::byte>> read_all() override { return bytes; }
  coact::result<void> append(std::span<const std::byte> b) override {
    if (fail_append_after) {
      bytes.insert(bytes.end(), b.begin(), b.begin() + static_cast<long>(*fail_append_after));
      fail_append_after.reset();
      return error;
    }
    bytes.insert(bytes.end(), b.begin(), b.end());
    return coact::success();
  }
  coact::result<void> sync() override {
    if (fail_sync) return error;
    return coact::success();
  }
  coact::result<void> truncate(std::size_t size) override {
    bytes.resize(size);
    return coact::success();
  }
};

}  // namespace

TEST_CASE("a durable log replays what it synced, in order, across reopenings", "[actors]") {
  sim::disk disk;
  records replayed;
  auto log = open_on(disk, replayed);
  REQUIRE(log);
  CHECK(replayed.empty());
  CHECK(log.value().size() == 0);
  append_all(log.value(), {"a", "bb", std::string(300, 'c')});
  REQUIRE(log.value().sync());
  CHECK(log.value().size() == 3);

  replayed.clear();
  auto again = open_on(disk, replayed);
  REQUIRE(again);
  CHECK(replayed == records{"a", "bb", std::string(300, 'c')});
  CHECK(again.value().size() == 3);
  append_all(again.value(), {"d"});
  REQUIRE(again.value().sync());
  CHECK(again.value().size() == 4);
  CHECK(replay(disk) == records{"a", "bb", std::string(300, 'c'), "d"});
}

TEST_CASE("a crash loses the unsynced records of a durable log and keeps the synced", "[actors]") {
  sim::disk disk;
  records none;
  auto log = open_on(disk, none);
  REQUIRE(log);
  append_all(log.value(), {"kept-1", "kept-2"});
  REQUIRE(log.value().sync());
  append_all(log.value(), {"lost"});
  coact::prng random{1};
  disk.crash(random, false);
  CHECK(replay(disk) == records{"kept-1", "kept-2"});
}

// Every prefix of the unsynced bytes is a possible torn write: at every cut, the synced
// records and the unsynced ones that are whole come back, the torn rest is cut off, and a
// record appended after reopening replays after them.
TEST_CASE("a torn tail of any length is ignored and cut off", "[actors]") {
  const records synced{"first", "second", "third"};
  const records unsynced{"fourth-record", "v5"};
  sim::disk disk = disk_with(synced);
  const std::size_t synced_bytes = disk.read("log").size();
  {
    records none;
    auto log = open_on(disk, none);
    REQUIRE(log);
    append_all(log.value(), unsynced);
  }
  const std::vector<std::byte> full(disk.read("log").begin(), disk.read("log").end());
  const std::size_t first_unsynced_end = synced_bytes + header_bytes + unsynced[0].size();
  REQUIRE(full.size() == first_unsynced_end + header_bytes + unsynced[1].size());

  for (std::size_t cut = synced_bytes; cut < full.size(); ++cut) {
    INFO("cut at byte " << cut << " of " << full.size());
    sim::disk torn = disk_holding(std::span{full}.first(cut));
    records expected = synced;
    std::size_t intact_bytes = synced_bytes;
    if (cut >= first_unsynced_end) {
      expected.push_back(unsynced[0]);
      intact_bytes = first_unsynced_end;
    }

    records replayed;
    auto log = open_on(torn, replayed);
    REQUIRE(log);
    CHECK(replayed == expected);
    CHECK(log.value().size() == expected.size());
    CHECK(torn.read("log").size() == intact_bytes);

    append_all(log.value(), {"after"});
    REQUIRE(log.value().sync());
    expected.push_back("after");
    CHECK(replay(torn) == expected);
  }
}

// Damage before the last record is not a torn write: opening refuses it rather than
// silently dropping the intact records after it. Damage to the last record looks exactly
// like a torn write, so it is cut off like one.
TEST_CASE("a durable log damaged before its last record fails to open", "[actors]") {
  const records rs{"alpha", "bravo", "charlie"};
  const sim::disk clean = disk_with(rs);
  const std::vector<std::byte> bytes(clean.read("log").begin(), clean.read("log").end());
  const std::size_t last_start = bytes.size() - header_bytes - rs.back().size();

  for (std::size_t at = 0; at < bytes.size(); ++at) {
    INFO("byte " << at << " flipped");
    auto damaged = bytes;
    damaged[at] ^= std::byte{0x5A};
    sim::disk disk = disk_holding(damaged);
    records replayed;
    auto log = open_on(disk, replayed);
    if (at < last_start) {
      REQUIRE_FALSE(log);
      CHECK(log.error() == coact::errc::parse_error);
      CHECK(replayed.empty());
    } else {
      REQUIRE(log);
      CHECK(replayed == records{"alpha", "bravo"});
      CHECK(disk.read("log").size() == last_start);
    }
  }
}

TEST_CASE("a durable log refuses empty records", "[actors]") {
  sim::disk disk;
  records none;
  auto log = open_on(disk, none);
  REQUIRE(log);
  const auto empty = log.value().append({});
  REQUIRE_FALSE(empty);
  CHECK(empty.error() == coact::errc::invalid_argument);
  REQUIRE(log.value().append(bytes_of("x")));
  REQUIRE(log.value().sync());
  CHECK(replay(disk) == records{"x"});
}

// A failed fsync may have dropped the unsynced pages, so a later success would lie.
TEST_CASE("a durable log fails for good after a failed sync", "[actors]") {
  auto storage = std::make_unique<failing_storage>();
  failing_storage& raw = *storage;
  auto log = kv::durable_log::open(std::move(storage), [](std::span<const std::byte>) {});
  REQUIRE(log);
  REQUIRE(log.value().append(bytes_of("a")));
  raw.fail_sync = true;
  const auto failed = log.value().sync();
  REQUIRE_FALSE(failed);
  CHECK(failed.error() == raw.error);
  raw.fail_sync = false;
  CHECK(log.value().append(bytes_of("b")).error() == raw.error);
  CHECK(log.value().sync().error() == raw.error);
}

// An append that wrote part of a frame before failing must not leave it in the middle
// of the file, where it would make the next open fail.
TEST_CASE("a durable log cuts off the part of a frame a failed append wrote", "[actors]") {
  auto storage = std::make_unique<failing_storage>();
  failing_storage& raw = *storage;
  auto log = kv::durable_log::open(std::move(storage), [](std::span<const std::byte>) {});
  REQUIRE(log);
  REQUIRE(log.value().append(bytes_of("one")));
  raw.fail_append_after = 5;
  CHECK(log.value().append(bytes_of("two")).error() == raw.error);
  REQUIRE(log.value().append(bytes_of("three")));
  REQUIRE(log.value().sync());
  CHECK(log.value().size() == 2);

  sim::disk disk = disk_holding(raw.bytes);
  CHECK(replay(disk) == records{"one", "three"});
}
