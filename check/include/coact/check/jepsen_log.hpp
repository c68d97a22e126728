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
/// `INFO  jepsen.util - P :TYPE :F VALUE`, fields separated by tabs or spaces. A line whose
/// P is a keyword (`:nemesis`) is an event of a process that is not a client: it is
/// skipped, and counted in `*skipped_count` when that is not null. Every other line that
/// does not start with `INFO jepsen.util - <integer process>` is ignored.
///
/// `:fail :cas [a b]` becomes an ok cas with `matched == false` (the cas ran and its
/// compare failed); `:fail :read` and every `:info` become `info` (the outcome is
/// unknown); `nil` becomes the nil datum. The lines are the history's order: each event's
/// `index` is its position, and so is its `time_ns` (the logs carry no clock).
///
/// Returns errc::parse_error, and fills `*error` when it is not null, when a line of that
/// form has an unknown type or f, a value that does not suit its f, or breaks the pairing
/// of invocations and completions (see pair_operations; the message names the process).
[[nodiscard]] result<history> parse_jepsen_etcd_log(std::string_view text,
                                                    load_error* error = nullptr,
                                                    std::size_t* skipped_count = nullptr);

/// parse_jepsen_etcd_log() of a file's contents. Also fails with the std::errc of the
/// file system when the file cannot be read (then `error->line` is 0).
[[nodiscard]] result<history> read_jepsen_etcd_log(const std::filesystem::path& path,
                                                   load_error* error = nullptr,
                                                   std::size_t* skipped_count = nullptr);

/// Reads a key-value history in EDN, one map per line, as in Porcupine's kv test data:
/// `{:process 0, :type :invoke, :f :append, :key "0", :value "x 0 0 y"}`. `:get` becomes
/// read, `:put` write, `:append` append; `:value` is a string or nil. Other keys of the map
/// are read and ignored; blank lines are skipped. Each event's `index` and `time_ns` are its
/// position (a map's `:index` and `:time` are ignored). A map whose `:process` is a keyword
/// or string (`:nemesis`) is an event of a process that is not a client: it is skipped (its
/// other keys may hold anything, nested collections included) and counted in
/// `*skipped_count` when that is not null.
///
/// Also reads Jepsen's and Elle's transaction histories: `:f :txn` (no `:key` needed) with
/// a `:value` of micro-operations `[[:append 1 2] [:r 2 [1 3]] [:w :x 5]]`, as
/// read_json_lines reads `"f": "txn"`: f `:r`, `:w` or `:append` (a keyword or a string);
/// keys and values nil (values only), integers, strings or keywords (kept as their names);
/// a read's value a scalar (a register), or a vector of scalars (a list, into
/// `micro_op::list`). Without a `:value` a txn has no micro-operations. `:version`, a
/// non-negative integer below 2^64 or nil, is the event's `version` (on any event, as in
/// JSON lines; `coact check external` reads it as the commit timestamp).
///
/// Returns errc::parse_error, and fills `*error` when it is not null, at the first line
/// that is not such a map (bad syntax, a missing or mistyped field, an unknown type or f;
/// for a txn, a `:value` that is not a vector, a micro-operation that is not a vector of
/// three, an unknown micro-operation, a key that is nil or not a scalar, a value that is
/// not a scalar, a list read holding a collection) or that breaks the pairing of
/// invocations and completions (see pair_operations).
[[nodiscard]] result<history> parse_kv_edn(std::string_view text, load_error* error = nullptr,
                                           std::size_t* skipped_count = nullptr);

/// parse_kv_edn() of a file's contents; fails as read_jepsen_etcd_log() does when the file
/// cannot be read.
[[nodiscard]] result<history> read_kv_edn(const std::filesystem::path& path,
                                          load_error* error = nullptr,
                                          std::size_t* skipped_count = nullptr);

}  // namespace coact::check
