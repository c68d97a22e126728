#include "coact/net/tcp/log_line.hpp"

#include <chrono>
#include <ctime>
#include <string>

namespace coact::net::tcp {

void log_line(std::FILE* to, std::string_view program, std::string_view node,
              std::string_view text) {
  const auto now = std::chrono::system_clock::now();
  const std::time_t seconds = std::chrono::system_clock::to_time_t(now);
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm utc{};
  gmtime_r(&seconds, &utc);
  char time[32];
  const std::size_t n = std::strftime(time, sizeof time, "%Y-%m-%dT%H:%M:%S", &utc);
  std::snprintf(time + n, sizeof time - n, ".%03dZ", static_cast<int>(ms.count()));
  std::string line{time};
  line.append(" ").append(program).append(" ").append(node).append(": ").append(text);
  line.push_back('\n');
  // One write per line: the lines of several threads do not interleave.
  std::fwrite(line.data(), 1, line.size(), to);
  std::fflush(to);
}

}  // namespace coact::net::tcp
