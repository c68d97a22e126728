#pragma once

#include <cstddef>
#include <filesystem>
#include <iosfwd>
#include <string>

#include "coact/check/history.hpp"

namespace coact::check {

/// Where and why a history file could not be read.
struct parse_failure {
  std::size_t line = 0;  ///< 1-based; 0 when the file itself could not be opened
  std::string reason;
};

/// One event as one JSON object, with Jepsen's field names: `index`, `time` (ns),
/// `process`, `type` ("invoke", "ok", "fail", "info"), `f` ("read", "write", "cas",
/// "append"), `key` (omitted for a single register), `value` (null, an integer, a string;
/// `[expected, new]` for a cas). coact's own fields follow when set: `matched` (false for a
/// cas whose compare did not match), `version`, `node`, `session`.
[[nodiscard]] std::string to_json_line(const event& e);

/// Writes the history as JSON lines: one event per line, in order.
void write_json_lines(std::ostream& out, const history& h);

/// Reads JSON lines as written by write_json_lines (unknown fields are ignored, so files
/// of other Jepsen-style tools load too; blank lines are skipped). The lines are the
/// history's order: an `index` must be greater than the previous event's, and a missing
/// one is the previous event's plus one (0 first). Integers must fit a std::int64_t
/// (`version` a std::uint64_t): a value of 2^64 - 1 is refused, not read as -1. An event
/// whose `process` is a string (Jepsen's `"nemesis"`) is not a client's: it is skipped, and
/// counted in `*skipped_count` when that is not null. Fails with errc::parse_error, and
/// fills `failure` when given, at the first line that is not valid JSON, lacks a required
/// field (`process`, `type`, `f`), has a field of the wrong type or out of range, or breaks
/// the pairing of invocations and completions (see pair_operations; the reason names the
/// process).
[[nodiscard]] result<history> read_json_lines(std::istream& in, parse_failure* failure = nullptr,
                                              std::size_t* skipped_count = nullptr);

/// write_json_lines to a file; errc::invalid_argument if it cannot be written.
[[nodiscard]] result<void> save_history(const std::filesystem::path& file, const history& h);
/// read_json_lines from a file; errc::invalid_argument if it cannot be opened.
[[nodiscard]] result<history> load_history(const std::filesystem::path& file,
                                           parse_failure* failure = nullptr,
                                           std::size_t* skipped_count = nullptr);

}  // namespace coact::check
