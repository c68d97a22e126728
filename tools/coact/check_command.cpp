#include "check_command.hpp"

#include <CLI/CLI.hpp>

#include <chrono>
#include <cstdint>
#include <iostream>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "coact/check/causal.hpp"
#include "coact/check/history_json.hpp"
#include "coact/check/jepsen_log.hpp"
#include "coact/check/linearizability.hpp"
#include "coact/check/session_guarantees.hpp"

namespace coact::tools {
namespace {

using check::history;

enum class history_format { jsonl, jepsen_etcd, jepsen_kv };

/// What every check subcommand takes: the history file and its format.
struct history_source {
  std::string file;
  history_format format = history_format::jsonl;
};

void add_source_options(CLI::App& command, history_source& source) {
  command.add_option("file", source.file, "history file")->required()->check(CLI::ExistingFile);
  command
      .add_option("--format", source.format,
                  "jsonl (coact's and Jepsen's JSON lines), jepsen-etcd (Jepsen's etcd text "
                  "log) or jepsen-kv (EDN lines)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, history_format>{{"jsonl", history_format::jsonl},
                                                {"jepsen-etcd", history_format::jepsen_etcd},
                                                {"jepsen-kv", history_format::jepsen_kv}},
          CLI::ignore_case));
}

/// The history, or a message on stderr naming the file, the line and what is wrong.
std::optional<history> load(const history_source& source) {
  std::size_t line = 0;
  std::string reason;
  result<history> h = history{};
  if (source.format == history_format::jsonl) {
    check::parse_failure failure;
    h = check::load_history(source.file, &failure);
    line = failure.line;
    reason = failure.reason;
  } else {
    check::load_error failure;
    h = source.format == history_format::jepsen_etcd
            ? check::read_jepsen_etcd_log(source.file, &failure)
            : check::read_kv_edn(source.file, &failure);
    line = failure.line;
    reason = failure.message;
  }
  if (h) return std::move(h).value();
  std::cerr << "coact check: " << source.file;
  if (line != 0) std::cerr << ':' << line;
  std::cerr << ": " << (reason.empty() ? h.error().message() : reason) << '\n';
  return std::nullopt;
}

/// The operations of a history, or a message on stderr when its events do not pair up.
bool pairs_up(const history_source& source, const history& h) {
  if (auto ops = check::pair_operations(h); !ops) {
    std::cerr << "coact check: " << source.file
              << ": events do not pair up into operations (a completion without its "
                 "invocation, or two operations in flight on one process)\n";
    return false;
  }
  return true;
}

void add_linearizability(CLI::App& parent, int* status) {
  struct options {
    history_source source;
    std::string initial = "nil";
    std::int64_t time_limit_ms = 30'000;
    std::uint64_t step_limit = 50'000'000;
  };
  auto o = std::make_shared<options>();
  CLI::App* command = parent.add_subcommand(
      "linearizability", "is the history of a register or key-value map linearizable?");
  add_source_options(*command, o->source);
  command
      ->add_option("--initial", o->initial,
                   "every key's value before its first write: nil, or empty (\"\", for "
                   "appends); default nil, empty for --format jepsen-kv")
      ->check(CLI::IsMember({"nil", "empty"}));
  command->add_option("--time-limit-ms", o->time_limit_ms, "give up (exit 3) after this long")
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86'400'000}));
  command->add_option("--step-limit", o->step_limit, "give up (exit 3) after this many steps")
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 40));
  command->callback([o, status, command] {
    auto h = load(o->source);
    if (!h) {
      *status = exit_bad_input;
      return;
    }
    check::linearizability_options options;
    const bool empty = command->count("--initial") != 0
                           ? o->initial == "empty"
                           : o->source.format == history_format::jepsen_kv;
    if (empty) options.initial = std::string{};
    options.time_limit = std::chrono::milliseconds{o->time_limit_ms};
    options.step_limit = o->step_limit;
    auto report = check::check_linearizability(*h, options);
    if (!report) {
      (void)pairs_up(o->source, *h);
      *status = exit_bad_input;
      return;
    }
    std::cout << report.value().explanation << '\n';
    switch (report.value().outcome) {
      case check::verdict::linearizable:
        *status = exit_pass;
        break;
      case check::verdict::not_linearizable:
        *status = exit_violation;
        break;
      case check::verdict::unknown:
        *status = exit_unknown;
        break;
    }
  });
}

void add_session(CLI::App& parent, int* status) {
  struct options {
    history_source source;
    std::vector<std::string> guarantees{"ryw", "mr", "mw", "wfr"};
  };
  auto o = std::make_shared<options>();
  CLI::App* command = parent.add_subcommand(
      "session",
      "does every session get read-your-writes, monotonic reads, monotonic writes "
      "and writes-follow-reads?");
  add_source_options(*command, o->source);
  command
      ->add_option("--guarantees", o->guarantees,
                   "which to check, comma-separated: ryw, mr, mw, wfr (default: all)")
      ->delimiter(',')
      ->check(CLI::IsMember({"ryw", "mr", "mw", "wfr"}));
  command->callback([o, status] {
    auto h = load(o->source);
    if (!h) {
      *status = exit_bad_input;
      return;
    }
    check::session_guarantee_set which{false, false, false, false};
    for (const std::string& g : o->guarantees) {
      if (g == "ryw") which.read_your_writes = true;
      if (g == "mr") which.monotonic_reads = true;
      if (g == "mw") which.monotonic_writes = true;
      if (g == "wfr") which.writes_follow_reads = true;
    }
    auto report = check::check_session_guarantees(*h, which);
    if (!report) {
      (void)pairs_up(o->source, *h);
      *status = exit_bad_input;
      return;
    }
    const check::session_report& r = report.value();
    std::cout << r.session_count << " sessions, " << r.read_count << " reads, " << r.write_count
              << " writes: "
              << (r.valid() ? "every guarantee held"
                            : std::to_string(r.violations.size()) + " violations")
              << '\n';
    for (const check::session_violation& v : r.violations) {
      std::cout << "  " << to_string(v.kind) << ": session " << v.session << ", key \"" << v.key
                << "\": " << v.reason << '\n';
    }
    *status = r.valid() ? exit_pass : exit_violation;
  });
}

void add_causal(CLI::App& parent, int* status) {
  auto source = std::make_shared<history_source>();
  CLI::App* command = parent.add_subcommand(
      "causal", "does every read see the writes its session's causal past depends on?");
  add_source_options(*command, *source);
  command->callback([source, status] {
    auto h = load(*source);
    if (!h) {
      *status = exit_bad_input;
      return;
    }
    auto report = check::check_causal(*h);
    if (!report) {
      (void)pairs_up(*source, *h);
      *status = exit_bad_input;
      return;
    }
    const check::causal_report& r = report.value();
    std::cout << r.session_count << " sessions, " << r.read_count << " reads, " << r.write_count
              << " writes: "
              << (r.valid() ? "causally consistent"
                            : std::to_string(r.violations.size()) + " violations")
              << '\n';
    for (const check::causal_violation& v : r.violations) {
      std::cout << "  " << to_string(v.kind) << ": session " << v.session << ", key \"" << v.key
                << "\": " << v.reason << '\n';
    }
    *status = r.valid() ? exit_pass : exit_violation;
  });
}

}  // namespace

void add_check_command(CLI::App& app, int* status) {
  CLI::App* check = app.add_subcommand("check", "judge a recorded history");
  check->require_subcommand(1);
  add_linearizability(*check, status);
  add_session(*check, status);
  add_causal(*check, status);
}

}  // namespace coact::tools
