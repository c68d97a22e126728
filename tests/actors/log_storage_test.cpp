// Both storages behave as log_storage says: a real file (created, appended, truncated
// durably, read back whole, errors from the OS) and a file on a simulated disk.
#include "coact/actors/log_storage.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <filesystem>
#include <string>
#include <vector>

#include "coact/actors/durable_log.hpp"
#include "coact/runtime/sim/disk.hpp"
#include "test_bytes.hpp"

using coact::testing::bytes_of;
using coact::testing::text_of;
namespace fs = std::filesystem;
namespace kv = coact::kv;
namespace sim = coact::sim;

namespace {

/// A fresh directory under the system's temporary directory, removed with everything in it.
class temp_dir {
 public:
  temp_dir() {
    static std::atomic<int> count{0};
    path_ = fs::temp_directory_path() /
            ("coact-actors-test-" + std::to_string(::getpid()) + "-" + std::to_string(count++));
    fs::create_directories(path_);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  [[nodiscard]] std::string file(const std::string& name) const { return (path_ / name).string(); }

 private:
  fs::path path_;
};

std::vector<std::string> replay_file(const std::string& path) {
  std::vector<std::string> replayed;
  auto storage = kv::posix_file(path);
  REQUIRE(storage);
  auto log = kv::durable_log::open(std::move(storage).value(), [&](std::span<const std::byte> r) {
    replayed.push_back(text_of(r));
  });
  REQUIRE(log);
  return replayed;
}

}  // namespace

TEST_CASE("a durable log on a real file round-trips and drops a torn tail", "[actors]") {
  const temp_dir dir;
  const std::string path = dir.file("replica.log");
  // More than one 64 KiB read, to read the file in pieces.
  std::vector<std::string> written;
  for (int i = 0; i < 100; ++i) written.push_back(std::to_string(i) + std::string(1000, 'x'));
  {
    auto storage = kv::posix_file(path);
    REQUIRE(storage);
    auto log = kv::durable_log::open(std::move(storage).value(), [](std::span<const std::byte>) {});
    REQUIRE(log);
    for (const auto& r : written) REQUIRE(log.value().append(bytes_of(r)));
    REQUIRE(log.value().sync());
  }
  CHECK(replay_file(path) == written);
  const auto intact_bytes = fs::file_size(path);

  {  // A crash in the middle of a frame: its first 6 bytes made it.
    auto storage = kv::posix_file(path);
    REQUIRE(storage);
    REQUIRE(storage.value()->append(bytes_of(std::string_view{"\x10\0\0\0\xAB\xCD", 6})));
    REQUIRE(storage.value()->sync());
  }
  CHECK(fs::file_size(path) == intact_bytes + 6);
  CHECK(replay_file(path) == written);
  CHECK(fs::file_size(path) == intact_bytes);

  {
    auto storage = kv::posix_file(path);
    REQUIRE(storage);
    auto log = kv::durable_log::open(std::move(storage).value(), [](std::span<const std::byte>) {});
    REQUIRE(log);
    REQUIRE(log.value().append(bytes_of("last")));
    REQUIRE(log.value().sync());
  }
  written.push_back("last");
  CHECK(replay_file(path) == written);
}

TEST_CASE("a real file that cannot be opened fails with the OS's error", "[actors]") {
  const temp_dir dir;
  const auto storage = kv::posix_file(dir.file("missing/replica.log"));
  REQUIRE_FALSE(storage);
  CHECK(storage.error() == std::error_code{ENOENT, std::system_category()});
}

TEST_CASE("a real file is truncated to a prefix and appended after it", "[actors]") {
  const temp_dir dir;
  auto storage = kv::posix_file(dir.file("f"));
  REQUIRE(storage);
  auto& file = *storage.value();
  REQUIRE(file.append(bytes_of("hello world")));
  REQUIRE(file.truncate(5));
  REQUIRE(file.append(bytes_of("!")));
  const auto all = file.read_all();
  REQUIRE(all);
  CHECK(text_of(all.value()) == "hello!");
}

TEST_CASE("a simulated file keeps a truncated prefix across a crash", "[actors]") {
  sim::disk disk;
  auto file = kv::sim_file(disk, "f");
  REQUIRE(file->append(bytes_of("synced-and-unsynced")));
  REQUIRE(file->truncate(6));
  const auto too_long = file->truncate(7);
  REQUIRE_FALSE(too_long);
  CHECK(too_long.error() == coact::errc::invalid_argument);
  REQUIRE(file->append(bytes_of("-lost")));
  coact::prng random{3};
  disk.crash(random, false);
  const auto all = file->read_all();
  REQUIRE(all);
  CHECK(text_of(all.value()) == "synced");
}
