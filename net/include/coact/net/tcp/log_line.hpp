#pragma once

#include <cstdio>
#include <string_view>

namespace coact::net::tcp {

/// Writes `2026-12-07T04:40:01.123Z PROGRAM NODE: TEXT` and a newline to `to`, flushed:
/// the time in UTC to the millisecond, so that the lines of several nodes merge in order.
/// The transport's default log sink and coact-node's own lines.
void log_line(std::FILE* to, std::string_view program, std::string_view node,
              std::string_view text);

}  // namespace coact::net::tcp
