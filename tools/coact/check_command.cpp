#include "check_command.hpp"

#include <CLI/CLI.hpp>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <iomanip>
#include <iostream>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <system_error>
#include <utility>
#include <vector>

#include "coact/check/bank.hpp"
#include "coact/check/causal.hpp"
#include "coact/check/convergence.hpp"
#include "coact/check/external_consistency.hpp"
#include "coact/check/history_json.hpp"
#include "coact/check/jepsen_log.hpp"
#include "coact/check/linearizability.hpp"
#include "coact/check/serializability.hpp"
#include "coact/check/session_guarantees.hpp"
#include "coact/check/staleness.hpp"
#include "replica_states_file.hpp"

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
                  "log) or jepsen-kv (EDN lines: key-value maps, or Jepsen's and Elle's "
                  "transactions, :f :txn)")
      ->transform(CLI::CheckedTransformer(
          std::map<std::string, history_format>{{"jsonl", history_format::jsonl},
                                                {"jepsen-etcd", history_format::jepsen_etcd},
                                                {"jepsen-kv", history_format::jepsen_kv}},
          CLI::ignore_case));
}

/// The history, or a message on stderr naming the file, the line and what is wrong. A
/// file without operations is refused too: it is surely not the history meant (an empty
/// file, or a file of another format). Events of processes that are not clients (Jepsen's
/// nemesis) are skipped, and their count printed on stdout.
std::optional<history> load(const history_source& source) {
  std::size_t line = 0;
  std::string reason;
  std::size_t skipped = 0;
  result<history> h = history{};
  if (source.format == history_format::jsonl) {
    check::parse_failure failure;
    h = check::load_history(source.file, &failure, &skipped);
    line = failure.line;
    reason = failure.reason;
  } else {
    check::load_error failure;
    h = source.format == history_format::jepsen_etcd
            ? check::read_jepsen_etcd_log(source.file, &failure, &skipped)
            : check::read_kv_edn(source.file, &failure, &skipped);
    line = failure.line;
    reason = failure.message;
  }
  if (h && h.value().empty()) {
    reason = "no operations in the file";
    if (skipped != 0) reason += " (only events of processes that are not clients)";
    // That reader ignores every line of another form, so say what the form is.
    if (source.format == history_format::jepsen_etcd) {
      reason += "; a Jepsen etcd log's events read `INFO jepsen.util - PROCESS :TYPE :F VALUE`";
    }
  } else if (h) {
    if (skipped != 0) {
      std::cout << "skipped " << skipped
                << " events of processes that are not clients (e.g. the nemesis)\n";
    }
    return std::move(h).value();
  }
  std::cerr << "coact check: " << source.file;
  if (line != 0) std::cerr << ':' << line;
  std::cerr << ": " << (reason.empty() ? h.error().message() : reason) << '\n';
  return std::nullopt;
}

/// Loads the history, runs `checker` on it and returns what `judge` makes of the report;
/// exit_bad_input, with the reason on stderr, when the history cannot be read or the
/// checker refuses it (the readers refuse what the checkers would, at its line, so this is
/// only ever an option the checker refused).
template <class Checker, class Judge>
int run_check(const history_source& source, Checker checker, Judge judge) {
  auto h = load(source);
  if (!h) return exit_bad_input;
  const auto is_txn = [](const check::event& e) { return e.f == check::op_kind::txn; };
  if (const auto txn = std::find_if(h->begin(), h->end(), is_txn); txn != h->end()) {
    std::cerr << "coact check: " << source.file << ": the event at index " << txn->index
              << " is a transaction (f txn): `coact check serializable` and `coact check "
                 "external` judge transactions\n";
    return exit_bad_input;
  }
  auto report = checker(*h);
  if (!report) {
    std::cerr << "coact check: " << source.file << ": " << report.error().message() << '\n';
    return exit_bad_input;
  }
  return judge(report.value());
}

/// Prints `counts: holds`, or `counts: N violations` and one line per violation (its
/// session when it has one, its key, then its reason, which names its kind; a divergent
/// key also lists each replica's value); returns exit_pass or exit_violation.
template <class Violation>
int print_verdict(const std::string& counts, const char* holds,
                  const std::vector<Violation>& violations) {
  std::cout << counts << ": "
            << (violations.empty() ? holds : std::to_string(violations.size()) + " violations")
            << '\n';
  for (const Violation& v : violations) {
    std::cout << "  ";
    if constexpr (requires { v.session; }) std::cout << "session " << v.session << ", ";
    std::cout << "key \"" << v.key << "\": " << v.reason << '\n';
    if constexpr (requires { v.values; }) {
      for (const auto& [replica, value] : v.values) {
        std::cout << "    " << replica << ": " << check::to_string(value.value);
        if (value.version) std::cout << " (version " << *value.version << ')';
        std::cout << '\n';
      }
    }
  }
  return violations.empty() ? exit_pass : exit_violation;
}

/// "N sessions, R reads, W writes", for the session and causal reports.
template <class Report>
std::string session_counts(const Report& r) {
  return std::to_string(r.session_count) + " sessions, " + std::to_string(r.read_count) +
         " reads, " + std::to_string(r.write_count) + " writes";
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
    check::linearizability_options options;
    const bool empty = command->count("--initial") != 0
                           ? o->initial == "empty"
                           : o->source.format == history_format::jepsen_kv;
    if (empty) options.initial = std::string{};
    options.time_limit = std::chrono::milliseconds{o->time_limit_ms};
    options.step_limit = o->step_limit;
    *status = run_check(
        o->source, [&](const history& h) { return check::check_linearizability(h, options); },
        [](const check::linearizability_report& r) {
          std::cout << r.explanation << '\n';
          switch (r.outcome) {
            case check::verdict::linearizable:
              return int{exit_pass};
            case check::verdict::not_linearizable:
              return int{exit_violation};
            case check::verdict::unknown:
              break;
          }
          return int{exit_unknown};
        });
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
    check::session_guarantee_set which{false, false, false, false};
    for (const std::string& g : o->guarantees) {
      if (g == "ryw") which.read_your_writes = true;
      if (g == "mr") which.monotonic_reads = true;
      if (g == "mw") which.monotonic_writes = true;
      if (g == "wfr") which.writes_follow_reads = true;
    }
    *status = run_check(
        o->source, [&](const history& h) { return check::check_session_guarantees(h, which); },
        [](const check::session_report& r) {
          return print_verdict(session_counts(r), "every guarantee held", r.violations);
        });
  });
}

void add_causal(CLI::App& parent, int* status) {
  auto source = std::make_shared<history_source>();
  CLI::App* command = parent.add_subcommand(
      "causal", "does every read see the writes its session's causal past depends on?");
  add_source_options(*command, *source);
  command->callback([source, status] {
    *status = run_check(
        *source, [](const history& h) { return check::check_causal(h); },
        [](const check::causal_report& r) {
          return print_verdict(session_counts(r), "causally consistent", r.violations);
        });
  });
}

void add_convergence(CLI::App& parent, int* status) {
  struct options {
    history_source source;
    std::string replicas;
  };
  auto o = std::make_shared<options>();
  CLI::App* command = parent.add_subcommand(
      "convergence",
      "once quiet, do all replicas hold the same state, with no acknowledged write lost?");
  add_source_options(*command, o->source);
  command
      ->add_option("--replicas", o->replicas,
                   "JSON file of every replica's final state: {\"replica\": {\"key\": "
                   "{\"value\": null|int|string, \"version\": uint (optional)}}}")
      ->required()
      ->check(CLI::ExistingFile);
  command->callback([o, status] {
    std::string reason;
    auto states = load_replica_states(o->replicas, &reason);
    if (!states) {
      std::cerr << "coact check: " << o->replicas << ": " << reason << '\n';
      *status = exit_bad_input;
      return;
    }
    *status = run_check(
        o->source, [&](const history& h) { return check::check_convergence(h, states.value()); },
        [](const check::convergence_report& r) {
          const std::string counts = std::to_string(r.replica_count) + " replicas, " +
                                     std::to_string(r.key_count) + " keys, " +
                                     std::to_string(r.write_count) + " acknowledged writes";
          return print_verdict(counts, "converged, no write lost", r.violations);
        });
  });
}

/// CLI11 reads "-1" into an unsigned option as 2^64 - 1: a count must not be negative.
const CLI::Validator non_negative{
    [](const std::string& text) {
      return text.starts_with('-') ? "a count cannot be negative, not " + text : std::string{};
    },
    "UINT"};

/// Milliseconds as whole nanoseconds.
std::int64_t to_ns(double ms) { return std::llround(ms * 1e6); }

/// Nanoseconds as milliseconds, for people.
double to_ms(std::int64_t ns) { return static_cast<double>(ns) / 1e6; }

void print_staleness(const check::staleness_report& r) {
  const check::staleness_summary& s = r.summary;
  std::cout << "stale fraction " << s.stale_fraction << "\n"
            << "version lag: max " << s.version_lag_max << ", p50 " << s.version_lag_p50 << ", p99 "
            << s.version_lag_p99 << "\n"
            << "time lag (ms): max " << to_ms(s.time_lag_ns_max) << ", p50 "
            << to_ms(s.time_lag_ns_p50) << ", p99 " << to_ms(s.time_lag_ns_p99) << "\n"
            << "t-visibility:\n"
            << std::setw(12) << "delay (ms)" << std::setw(10) << "reads" << std::setw(13)
            << "probability" << '\n';
  for (const check::visibility_point& p : r.visibility) {
    std::cout << std::setw(12) << to_ms(p.delay_ns) << std::setw(10) << p.read_count
              << std::setw(13) << std::fixed << std::setprecision(3) << p.probability
              << std::defaultfloat << std::setprecision(6) << '\n';
  }
}

void add_staleness(CLI::App& parent, int* status) {
  struct options {
    history_source source;
    std::vector<double> delays_ms;
    std::optional<std::uint64_t> version_lag_max;
    std::optional<double> time_lag_ms_max;
  };
  auto o = std::make_shared<options>();
  CLI::App* command = parent.add_subcommand(
      "staleness",
      "how far behind the acknowledged writes do reads lag, and how soon is a write visible?");
  add_source_options(*command, o->source);
  // A day bounds every delay: far beyond any history, and far from overflowing ns.
  const auto day_ms = CLI::Range(0.0, 86'400'000.0);
  command
      ->add_option("--delays-ms", o->delays_ms,
                   "delays of the t-visibility curve, comma-separated (default: 0, then 1, 2, "
                   "5 times each power of ten from 0.001 to 10000)")
      ->delimiter(',')
      ->check(day_ms);
  command
      ->add_option("--version-lag-max", o->version_lag_max,
                   "exit 1 if a read lags by more versions than this")
      ->check(non_negative);
  command
      ->add_option("--time-lag-ms-max", o->time_lag_ms_max,
                   "exit 1 if a read lags by more time than this (e.g. a cache's TTL)")
      ->check(day_ms);
  command->callback([o, status] {
    check::staleness_options options;
    for (double ms : o->delays_ms) options.delays_ns.push_back(to_ns(ms));
    options.version_lag_max = o->version_lag_max;
    if (o->time_lag_ms_max) options.time_lag_ns_max = to_ns(*o->time_lag_ms_max);
    *status = run_check(
        o->source, [&](const history& h) { return check::measure_staleness(h, options); },
        [](const check::staleness_report& r) {
          print_staleness(r);
          const std::string counts = std::to_string(r.read_count) + " reads, " +
                                     std::to_string(r.write_count) + " acknowledged writes";
          return print_verdict(counts, "every read within bounds", r.violations);
        });
  });
}

/// The transactions of the history in `source`, or a message on stderr naming the file and
/// what is wrong: the file cannot be read, or holds an operation that is not a transaction.
std::optional<std::vector<check::transaction>> load_transactions(const history_source& source) {
  auto h = load(source);
  if (!h) return std::nullopt;
  std::string why;
  auto txns = check::transactions_of(*h, &why);
  if (!txns) {
    std::cerr << "coact check: " << source.file << ": "
              << (why.empty() ? txns.error().message() : why) << '\n';
    return std::nullopt;
  }
  return std::move(txns).value();
}

void add_serializable(CLI::App& parent, int* status) {
  auto source = std::make_shared<history_source>();
  CLI::App* command = parent.add_subcommand(
      "serializable",
      "are the transactions serializable? (Adya's G0, G1a, G1b, G1c, G-single, G2, as Elle "
      "infers them from list appends)");
  add_source_options(*command, *source);
  command->callback([source, status] {
    const auto txns = load_transactions(*source);
    if (!txns) {
      *status = exit_bad_input;
      return;
    }
    const auto report = check::check_serializability(*txns);
    std::cout << check::explain(report, *txns);
    *status = report.valid() ? exit_pass : exit_violation;
  });
}

void add_bank(CLI::App& parent, int* status) {
  struct options {
    history_source source;
    std::uint64_t accounts = 0;
    std::int64_t total = 0;
  };
  auto o = std::make_shared<options>();
  CLI::App* command = parent.add_subcommand(
      "bank",
      "does a bank keep its money? (Jepsen's bank: no balance below zero, and every audit, a "
      "transaction reading every account, sums to the total)");
  add_source_options(*command, o->source);
  command->add_option("--accounts", o->accounts, "how many accounts the bank has")
      ->required()
      ->check(CLI::Range(std::uint64_t{1}, std::uint64_t{1} << 32));
  command->add_option("--total", o->total, "the money in the bank")->required();
  command->callback([o, status] {
    const auto h = load(o->source);
    if (!h) {
      *status = exit_bad_input;
      return;
    }
    const auto report = check::check_bank(*h, o->accounts, o->total);
    if (!report) {
      std::cerr << "coact check: " << o->source.file << ": " << report.error().message() << '\n';
      *status = exit_bad_input;
      return;
    }
    std::cout << report.value().audits << " audits: "
              << (report.value().valid()
                      ? "the money held"
                      : std::to_string(report.value().violations.size()) + " violations")
              << '\n';
    for (const auto& v : report.value().violations) {
      std::cout << "process " << v.txn.process << ": " << v.reason << '\n';
    }
    *status = report.value().valid() ? exit_pass : exit_violation;
  });
}

void add_external(CLI::App& parent, int* status) {
  auto source = std::make_shared<history_source>();
  CLI::App* command = parent.add_subcommand(
      "external",
      "are the transactions externally consistent? (Spanner's guarantee; each completion's "
      "version is its commit or snapshot timestamp: timestamps agree with real time, reads "
      "return exactly their snapshot)");
  add_source_options(*command, *source);
  command->callback([source, status] {
    const auto txns = load_transactions(*source);
    if (!txns) {
      *status = exit_bad_input;
      return;
    }
    std::string why;
    const auto report = check::check_external_consistency(*txns, &why);
    if (!report) {
      std::cerr << "coact check: " << source->file << ": "
                << (why.empty() ? report.error().message() : why) << '\n';
      *status = exit_bad_input;
      return;
    }
    std::cout << check::explain(report.value());
    *status = report.value().valid() ? exit_pass : exit_violation;
  });
}

}  // namespace

void add_check_command(CLI::App& app, int* status) {
  CLI::App* check = app.add_subcommand("check", "judge a recorded history");
  check->require_subcommand(1);
  add_linearizability(*check, status);
  add_session(*check, status);
  add_causal(*check, status);
  add_convergence(*check, status);
  add_staleness(*check, status);
  add_serializable(*check, status);
  add_bank(*check, status);
  add_external(*check, status);
}

}  // namespace coact::tools
