#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <string_view>

#include "coact/check/history.hpp"
#include "coact/runtime/result.hpp"

namespace coact::check {

/// Why a log could not be loaded, for the person who has to fix it.
struct load_error {
  /// 1-based line of the problem; 0 when it is not tied to a line (an unreadable file).
  std::size_t line = 0;
  std::string message;
};

/// Reads the text log Jepsen's etcd test writes (one register, no key): lines
/// `INFO  jepsen.util - P :TYPE :F VALUE`, fields separated by tabs or spaces. Every line
/// that does not start with `INFO jepsen.util - <integer process>` is ignored.
///
/// `:fail :cas [a b]` becomes an ok cas with `matched == false` (the cas ran and its
/// compare failed); `:fail :read` and every `:info` become `info` (the outcome is
/// unknown); `nil` becomes the nil datum. The logs carry no clock: each event's `time_ns`
/// is its position in the history, which keeps the real-time order.
///
/// Returns errc::parse_error, and fills `*error` when it is not null, when a line of that
/// form has an unknown type or f, a value that does not suit its f, or breaks the pairing
/// of invocations and completions (a completion without an invocation, a second
/// invocation while one is open, a completion of another f).
[[nodiscard]] result<history> parse_jepsen_etcd_log(std::string_view text,
                                                    load_error* error = nullptr);

/// parse_jepsen_etcd_log() of a file's contents. Also fails with the std::errc of the
/// file system when the file cannot be read (then `error->line` is 0).
[[nodiscard]] result<history> read_jepsen_etcd_log(const std::filesystem::path& path,
                                                   load_error* error = nullptr);

/// Reads a key-value history in EDN, one map per line, as in Porcupine's kv test data:
/// `{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}`. `:get` becomes
/// read, `:put` write, `:append` append; `:value` is a string or nil. Other keys of the map
/// are read and ignored; blank lines are skipped. Each event's `time_ns` is its position.
///
/// Returns errc::parse_error, and fills `*error` when it is not null, at the first line
/// that is not such a map (bad syntax, a missing or mistyped field, an unknown type or f)
/// or that breaks the pairing of invocations and completions.
[[nodiscard]] result<history> parse_kv_edn(std::string_view text, load_error* error = nullptr);

/// parse_kv_edn() of a file's contents; fails as read_jepsen_etcd_log() does when the file
/// cannot be read.
[[nodiscard]] result<history> read_kv_edn(const std::filesystem::path& path,
                                          load_error* error = nullptr);

}  // namespace coact::check
