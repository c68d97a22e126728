#include "coact/net/tcp/log_line.hpp"

#include <catch2/catch.hpp>

#include <cstdio>
#include <memory>
#include <regex>
#include <string>

namespace {

/// What log_line writes, read back from a temporary file.
std::string written(std::string_view program, std::string_view node, std::string_view text) {
  const std::unique_ptr<std::FILE, int (*)(std::FILE*)> file{std::tmpfile(), &std::fclose};
  REQUIRE(file);
  coact::net::tcp::log_line(file.get(), program, node, text);
  std::rewind(file.get());
  std::string out;
  for (int c = std::fgetc(file.get()); c != EOF; c = std::fgetc(file.get())) {
    out.push_back(static_cast<char>(c));
  }
  return out;
}

}  // namespace

TEST_CASE("a log line starts with the UTC time to the millisecond, then program and node",
          "[net][tcp][log]") {
  const std::string line = written("coact-node", "a", "up on 127.0.0.1:7011 (node 1 of cluster c)");
  const std::regex shape{
      R"(^20[0-9]{2}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9]:[0-6][0-9]\.[0-9]{3}Z )"
      R"(coact-node a: up on 127\.0\.0\.1:7011 \(node 1 of cluster c\)\n$)"};
  CHECK(std::regex_match(line, shape));
}

TEST_CASE("a log line keeps its text whole, even with a NUL or a percent sign", "[net][tcp][log]") {
  using namespace std::string_literals;
  const std::string line = written("coact-net", "b", "100% of \0x"s);
  CHECK(line.substr(25) == "coact-net b: 100% of "s + '\0' + "x\n");
}
