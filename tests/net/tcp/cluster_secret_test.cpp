// The cluster secret: read from a file (one trailing newline stripped) or an environment
// variable, refused with a reason when missing, empty or too short, and move-only.
#include "coact/net/tcp/cluster_secret.hpp"

#include <catch2/catch.hpp>
#include <stdlib.h>
#include <unistd.h>

#include <cstddef>
#include <filesystem>
#include <fstream>
#include <span>
#include <string>
#include <string_view>
#include <utility>

using namespace std::string_literals;
using coact::errc;
using coact::net::tcp::cluster_secret;
namespace fs = std::filesystem;

namespace {

/// A fresh directory under the system's temporary directory, removed with its files.
class temp_dir {
 public:
  temp_dir() {
    static int count = 0;
    path_ = fs::temp_directory_path() / ("coact_cluster_secret_test_" + std::to_string(::getpid()) +
                                         "_" + std::to_string(count++));
    fs::create_directories(path_);
  }
  temp_dir(const temp_dir&) = delete;
  temp_dir& operator=(const temp_dir&) = delete;
  ~temp_dir() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }

  /// Writes `contents` (bytes as they are) to the file `name` and returns its path.
  fs::path write(const std::string& name, std::string_view contents) const {
    auto file = path_ / name;
    std::ofstream out{file, std::ios::binary};
    out.write(contents.data(), static_cast<std::streamsize>(contents.size()));
    return file;
  }

  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string text_of(const cluster_secret& secret) {
  const auto bytes = secret.bytes();
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

std::span<const std::byte> bytes_of(std::string_view text) {
  return {reinterpret_cast<const std::byte*>(text.data()), text.size()};
}

constexpr std::string_view sixteen = "0123456789abcdef";

}  // namespace

// Proves a secret file is read whole, byte for byte, with one trailing newline stripped.
TEST_CASE("cluster secret from a file", "[net]") {
  const temp_dir dir;
  std::string why;
  SECTION("exactly the file's bytes") {
    const std::string contents = std::string{sixteen} + " with\0binary\r bytes"s;
    auto secret = cluster_secret::from_file(dir.write("s", contents), &why);
    REQUIRE(secret);
    CHECK(text_of(secret.value()) == contents);
    CHECK(why.empty());
  }
  SECTION("one trailing newline stripped") {
    auto secret = cluster_secret::from_file(dir.write("s", std::string{sixteen} + "\n"));
    REQUIRE(secret);
    CHECK(text_of(secret.value()) == sixteen);
  }
  SECTION("one trailing CRLF stripped") {
    auto secret = cluster_secret::from_file(dir.write("s", std::string{sixteen} + "\r\n"));
    REQUIRE(secret);
    CHECK(text_of(secret.value()) == sixteen);
  }
  SECTION("only one newline stripped") {
    auto secret = cluster_secret::from_file(dir.write("s", std::string{sixteen} + "\n\n"));
    REQUIRE(secret);
    CHECK(text_of(secret.value()) == std::string{sixteen} + "\n");
  }
  SECTION("a large file") {
    const std::string contents(100'000, 'x');
    auto secret = cluster_secret::from_file(dir.write("s", contents));
    REQUIRE(secret);
    CHECK(text_of(secret.value()) == contents);
  }
}

// Proves a missing, unreadable, empty or too short secret file is refused with a reason.
TEST_CASE("cluster secret file refused", "[net]") {
  const temp_dir dir;
  std::string why;
  fs::path file;
  SECTION("missing") { file = dir.path() / "absent"; }
  SECTION("unreadable (a directory)") { file = dir.path(); }
  SECTION("empty") { file = dir.write("s", ""); }
  SECTION("only a newline") { file = dir.write("s", "\n"); }
  SECTION("too short") { file = dir.write("s", sixteen.substr(1)); }
  SECTION("too short once the newline is stripped") {
    file = dir.write("s", std::string{sixteen.substr(1)} + "\n");
  }
  const auto secret = cluster_secret::from_file(file, &why);
  REQUIRE_FALSE(secret);
  CHECK(secret.error() == errc::invalid_argument);
  CHECK_THAT(why, Catch::Contains(file.string()));
  CHECK_FALSE(cluster_secret::from_file(file));
}

// Proves a secret comes whole from an environment variable, and unset, empty or short ones
// are refused with a reason that names the variable.
TEST_CASE("cluster secret from the environment", "[net]") {
  constexpr const char* variable = "COACT_TEST_CLUSTER_SECRET";
  std::string why;
  SECTION("set") {
    const std::string value = std::string{sixteen} + "\n";
    REQUIRE(::setenv(variable, value.c_str(), 1) == 0);
    auto secret = cluster_secret::from_env(variable, &why);
    REQUIRE(secret);
    CHECK(text_of(secret.value()) == value);
  }
  SECTION("refused") {
    SECTION("unset") { REQUIRE(::unsetenv(variable) == 0); }
    SECTION("empty") { REQUIRE(::setenv(variable, "", 1) == 0); }
    SECTION("too short") {
      REQUIRE(::setenv(variable, std::string{sixteen.substr(1)}.c_str(), 1) == 0);
    }
    const auto secret = cluster_secret::from_env(variable, &why);
    REQUIRE_FALSE(secret);
    CHECK(secret.error() == errc::invalid_argument);
    CHECK_THAT(why, Catch::Contains(variable));
  }
  REQUIRE(::unsetenv(variable) == 0);
}

// Proves from_bytes keeps the bytes as given, and a move leaves one owner.
TEST_CASE("cluster secret from bytes, moved", "[net]") {
  auto a = cluster_secret::from_bytes(bytes_of("short"));
  CHECK(text_of(a) == "short");
  auto b = std::move(a);
  CHECK(text_of(b) == "short");
  CHECK(a.size() == 0);  // NOLINT(bugprone-use-after-move): a moved-from secret is empty
  auto c = cluster_secret::from_bytes(bytes_of(sixteen));
  c = std::move(b);
  CHECK(text_of(c) == "short");
  CHECK(b.size() == 0);  // NOLINT(bugprone-use-after-move): a moved-from secret is empty
}
