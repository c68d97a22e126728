// libFuzzer target for what `coact check` reads: any file, through the history reader of
// each format (JSON lines, Jepsen's etcd log, EDN lines). A reader must either return a
// history whose events pair up into operations, or errc::parse_error with a reason and the
// number of a line the input has. Anything else is a finding: a crash, an uncaught
// exception, a leak, undefined behaviour, or a history the checkers would refuse.
//
// Input: byte 0 picks the reader (its value modulo 3: '0' JSON lines, '1' the etcd log,
// '2' EDN); the rest is the file. The seeds in corpus/ follow that layout.
#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <sstream>
#include <string>
#include <string_view>

#include "coact/check/history.hpp"
#include "coact/check/history_json.hpp"
#include "coact/check/jepsen_log.hpp"

namespace {

using namespace coact::check;

/// What a reader answered, in the terms every reader shares.
struct answer {
  coact::result<history> h = history{};
  std::size_t line = 0;
  std::string reason;
  std::size_t skipped = 0;
};

answer read(std::uint8_t format, std::string_view text) {
  answer a;
  if (format % 3 == 0) {
    std::istringstream in{std::string{text}};
    parse_failure failure;
    a.h = read_json_lines(in, &failure, &a.skipped);
    a.line = failure.line;
    a.reason = failure.reason;
    return a;
  }
  load_error error;
  a.h = format % 3 == 1 ? parse_jepsen_etcd_log(text, &error, &a.skipped)
                        : parse_kv_edn(text, &error, &a.skipped);
  a.line = error.line;
  a.reason = error.message;
  return a;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string_view text{reinterpret_cast<const char*>(data + 1), size - 1};
  const answer a = read(data[0], text);
  const auto lines = static_cast<std::size_t>(std::count(text.begin(), text.end(), '\n')) + 1;
  if (!a.h) {
    const bool named = a.h.error() == coact::errc::parse_error && !a.reason.empty() &&
                       a.line >= 1 && a.line <= lines;
    if (!named) __builtin_trap();  // a refusal that does not say what and where
    return 0;
  }
  // Every event, client's or skipped, is on a line of its own.
  if (a.h.value().size() + a.skipped > lines) __builtin_trap();
  // The readers promise what the checkers assume: the events pair up.
  if (!pair_operations(a.h.value())) __builtin_trap();
  return 0;
}
