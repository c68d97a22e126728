// coact-pattern-bench: one workload against every consistency policy and level, on the
// same topologies, in the simulator and over loopback TCP; latency, throughput and
// stale reads side by side.
#include <CLI/CLI.hpp>

#include <atomic>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <system_error>
#include <vector>

#include "bench_topology.hpp"
#include "client_load.hpp"
#include "delay_model.hpp"
#include "history_file.hpp"
#include "interrupt_flag.hpp"
#include "output_path.hpp"
#include "policy_catalog.hpp"
#include "policy_selection.hpp"
#include "progress_report.hpp"
#include "report.hpp"
#include "run_meter.hpp"
#include "run_slug.hpp"
#include "sim_run.hpp"
#include "svg_plot.hpp"
#include "tcp_run.hpp"

namespace {

using namespace coact::bench;

constexpr int exit_ok = 0;
constexpr int exit_run_failed = 1;
constexpr int exit_bad_input = 2;
/// As a shell reports a program that SIGINT ended: 128 + SIGINT.
constexpr int exit_interrupted = 130;

struct settings {
  std::vector<std::string> runtimes{"sim", "tcp"};
  std::vector<std::uint32_t> node_counts{3, 5};
  std::vector<std::uint32_t> datacenter_counts{1, 2};
  std::vector<std::string> policies;
  std::string delay = "lnkd-ssd";
  double wan_ms = 20;
  double loss = 0;
  std::uint64_t seed = 1;
  double tcp_time_limit_s = 60;
  double think_ms = 0;
  double read_fraction = 0.9;
  std::string skew = "zipf";
  double zipf_s = 0.99;
  client_load load;
  std::string json_path;
  std::string csv_path;
  std::string svg_path;
  std::string histories_dir;
  bool list = false;
};

/// The run's failure, or empty: a run that did not finish, a history that does not add up,
/// a read the checker cannot judge, or no operation completed at all. An interrupted run
/// is partial: its summary is what it measured.
std::string failure_of(const coact::result<void>& ran, const run_meter& meter, result_row* row) {
  const bool interrupted = !ran && ran.error() == std::errc::interrupted;
  if (!ran && !interrupted) return ran.error().message();
  auto s = meter.summary();
  if (!s) return "the history does not pair up: " + meter.failure();
  row->summary = s.value();
  if (interrupted) {
    row->partial = true;
    return "partial: interrupted after " + std::to_string(meter.completed_count()) + " operations";
  }
  if (row->summary.unjudged_reads > 0) {
    return std::to_string(row->summary.unjudged_reads) + " reads returned a value no write wrote";
  }
  if (row->summary.reads.ok_count + row->summary.writes.ok_count == 0) {
    return "no operation completed";
  }
  return {};
}

bool write_file(const std::string& path, const std::string& content) {
  std::ofstream out{path, std::ios::binary};
  out << content;
  out.close();
  if (!out) std::fprintf(stderr, "coact-pattern-bench: cannot write %s\n", path.c_str());
  return static_cast<bool>(out);
}

/// Every variant: its slug, whether its histories must be linearizable, its name and what
/// its descriptor promises (as deployed on 3 nodes in 1 datacenter).
void list(const std::vector<policy_variant>& catalog) {
  const auto where = bench_topology::make(3, 1).value();
  for (const policy_variant& v : catalog) {
    auto deployed = v.deploy(where);
    const std::string promise = deployed ? deployed.value()->describe().guarantees
                                         : "(cannot deploy: " + deployed.error().message() + ")";
    std::printf("%-36s %-12s %s: %s\n", v.slug.c_str(), v.linearizable ? "linearizable" : "-",
                v.name.c_str(), promise.c_str());
  }
}

/// The --policies error: the unknown entry, and what would have been valid.
void report_unknown_policy(const std::vector<policy_variant>& catalog, const std::string& entry) {
  std::string slugs;
  std::string families;
  const policy_variant* previous = nullptr;
  for (const policy_variant& v : catalog) {
    slugs += (slugs.empty() ? "" : ", ") + v.slug;
    // The catalog lists each family's variants together.
    if (previous == nullptr || previous->family != v.family) {
      families += (families.empty() ? "" : ", ") + v.family;
    }
    previous = &v;
  }
  std::fprintf(stderr,
               "coact-pattern-bench: --policies: unknown policy '%s'; expected a slug (%s), a "
               "family (%s) or a name as --list prints it\n",
               entry.c_str(), slugs.c_str(), families.c_str());
}

/// Whether every output path can be written, before anything runs; says why not on stderr.
bool outputs_writable(const settings& s) {
  bool ok = true;
  const auto check_file = [&](const char* option, const std::string& path) {
    if (path.empty()) return;
    std::filesystem::path culprit;
    if (auto checked = check_writable_file(path, &culprit); !checked) {
      std::fprintf(stderr, "coact-pattern-bench: %s %s: %s: %s\n", option, path.c_str(),
                   culprit.c_str(), checked.error().message().c_str());
      ok = false;
    }
  };
  check_file("--json", s.json_path);
  check_file("--csv", s.csv_path);
  check_file("--svg", s.svg_path);
  if (!s.histories_dir.empty()) {
    if (auto checked = check_writable_directory(s.histories_dir); !checked) {
      std::fprintf(stderr, "coact-pattern-bench: --histories %s: %s\n", s.histories_dir.c_str(),
                   checked.error().message().c_str());
      ok = false;
    }
  }
  return ok;
}

/// One run, measured as it goes and, with --histories, its history written as it goes.
result_row measure(const settings& s, const std::string& runtime, const bench_topology& t,
                   const policy_variant& v, const client_load& load, const delay_model& model,
                   const std::string& progress_label, const std::atomic<bool>& stop) {
  result_row row{.runtime = runtime, .topology = t.label(), .policy = v.name, .family = v.family};
  run_meter meter;
  std::optional<history_file> file;
  if (!s.histories_dir.empty()) {
    const auto path = std::filesystem::path{s.histories_dir} / (run_slug(runtime, t, v) + ".jsonl");
    auto created = history_file::create(path);
    if (!created) {
      row.error = "cannot write " + path.string();
      return row;
    }
    file.emplace(std::move(created).value());
  }
  const auto sink = [&meter, &file](const coact::check::event& e) {
    meter.add(e);
    if (file) file->write(e);
  };
  const std::uint64_t total =
      std::uint64_t{load.client_count} * std::uint64_t{load.work.operations};
  coact::result<void> ran = coact::success();
  {
    const progress_report progress{progress_label, total,
                                   [&meter] { return meter.completed_count(); }};
    ran = runtime == "sim" ? run_in_sim(v, t, load,
                                        {.delays = model,
                                         .wan_delay_ms = s.wan_ms,
                                         .loss_probability = s.loss,
                                         .seed = s.seed,
                                         .stop = &stop},
                                        sink)
                           : run_over_tcp(v, t, load,
                                          {.time_limit = coact::duration{static_cast<std::int64_t>(
                                               s.tcp_time_limit_s * 1e9)},
                                           .seed = s.seed,
                                           .stop = &stop},
                                          sink);
  }
  row.error = failure_of(ran, meter, &row);
  if (file && !file->close() && row.error.empty()) {
    row.error = "cannot write " + file->path().string();
  }
  return row;
}

int run(const settings& s) {
  const auto catalog = policy_catalog();
  if (s.list) {
    list(catalog);
    return exit_ok;
  }
  auto model = parse_delay_model(s.delay);
  if (!model) {
    std::fprintf(stderr, "coact-pattern-bench: --delay %s: expected one of %s\n", s.delay.c_str(),
                 delay_model_help);
    return exit_bad_input;
  }
  // YCSB's zipfian (Gray et al.'s method) needs its constant below 1.
  if (!(s.zipf_s > 0 && s.zipf_s < 1)) {
    std::fprintf(stderr,
                 "coact-pattern-bench: --zipf-s %g: expected a zipfian constant in (0, 1), both "
                 "excluded (default 0.99)\n",
                 s.zipf_s);
    return exit_bad_input;
  }
  client_load load = s.load;
  load.work.requests.read = s.read_fraction;
  load.work.requests.update = 1 - s.read_fraction;
  load.work.requests.distribution = s.skew == "uniform"
                                        ? coact::workload::request_distribution::uniform
                                        : coact::workload::request_distribution::zipfian;
  load.work.requests.zipfian_constant = s.zipf_s;
  load.work.think_mean = coact::duration{static_cast<std::int64_t>(s.think_ms * 1e6)};
  std::string unknown;
  auto variants = select_policies(catalog, s.policies, &unknown);
  if (!variants) {
    report_unknown_policy(catalog, unknown);
    return exit_bad_input;
  }
  std::vector<bench_topology> topologies;
  for (const std::uint32_t n : s.node_counts) {
    for (const std::uint32_t d : s.datacenter_counts) {
      auto t = bench_topology::make(n, d);
      if (!t) {
        std::fprintf(stderr, "coact-pattern-bench: %u nodes in %u datacenters: invalid\n", n, d);
        return exit_bad_input;
      }
      topologies.push_back(std::move(t).value());
    }
  }
  if (!outputs_writable(s)) return exit_bad_input;
  const std::atomic<bool>& interrupted = catch_interrupt();

  char skew[64];
  std::snprintf(skew, sizeof skew, s.skew == "uniform" ? "uniform" : "zipfian %.3g", s.zipf_s);
  std::printf(
      "workload: %u clients x %u ops, %.0f%% reads, %llu keys (%s), think %.3g ms; "
      "simulator delays %s within a DC, %.3g ms between DCs\n\n",
      load.client_count, load.work.operations, 100 * s.read_fraction,
      static_cast<unsigned long long>(load.work.record_count), skew, s.think_ms, s.delay.c_str(),
      s.wan_ms);
  std::fflush(stdout);
  const std::size_t run_count = s.runtimes.size() * topologies.size() * variants.value().size();
  std::vector<result_row> rows;
  bool failed = false;
  for (const std::string& runtime : s.runtimes) {
    for (const bench_topology& t : topologies) {
      for (const policy_variant* v : variants.value()) {
        if (interrupted.load()) break;
        const std::string label = "run " + std::to_string(rows.size() + 1) + " of " +
                                  std::to_string(run_count) + ", " + run_slug(runtime, t, *v);
        rows.push_back(measure(s, runtime, t, *v, load, model.value(), label, interrupted));
        failed = failed || !rows.back().error.empty();
      }
    }
  }
  std::fputs(format_table(rows).c_str(), stdout);
  bool written = true;
  if (!s.json_path.empty()) written = write_file(s.json_path, format_json(rows)) && written;
  if (!s.csv_path.empty()) written = write_file(s.csv_path, format_csv(rows)) && written;
  if (!s.svg_path.empty()) {
    written = write_file(s.svg_path, format_svg(rows,
                                                "coact: read latency p99 against stale "
                                                "reads, delays " +
                                                    s.delay)) &&
              written;
  }
  if (interrupted.load()) {
    std::fflush(stdout);
    std::fprintf(stderr, "coact-pattern-bench: interrupted: %zu of %zu runs reported\n",
                 rows.size(), run_count);
    return exit_interrupted;
  }
  return failed || !written ? exit_run_failed : exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"coact-pattern-bench: one workload against every consistency policy and level"};
  app.add_option("--runtime", s.runtimes,
                 "where to run: sim (the simulator), tcp (threads, loopback TCP)")
      ->delimiter(',')
      ->check(CLI::IsMember({"sim", "tcp"}))
      ->capture_default_str();
  app.add_option("--nodes", s.node_counts, "replica node counts")
      ->delimiter(',')
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--dcs", s.datacenter_counts, "datacenter counts (at most the node count)")
      ->delimiter(',')
      ->check(CLI::Range(1, 64))
      ->capture_default_str();
  app.add_option("--policies", s.policies,
                 "variants to run, by slug, family or name (default: all; see --list)")
      ->delimiter(',');
  app.add_flag("--list", s.list,
               "list every variant (slug, whether its histories must be linearizable, name, "
               "what it promises), then exit");
  app.add_option("--delay", s.delay,
                 std::string{"simulator delays within a datacenter: "} + delay_model_help)
      ->capture_default_str();
  app.add_option("--wan-ms", s.wan_ms, "simulator: mean one-way delay between datacenters")
      ->check(CLI::Range(0.0, 1e6))
      ->capture_default_str();
  app.add_option("--loss", s.loss, "simulator: probability that a message is lost")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--clients", s.load.client_count, "client actors")
      ->check(CLI::Range(1, 4096))
      ->capture_default_str();
  app.add_option("--ops", s.load.work.operations, "operations per client")
      ->check(CLI::Range(1, 10'000'000))
      ->capture_default_str();
  app.add_option("--keys", s.load.work.record_count, "distinct keys")
      ->check(CLI::Range(1, 1 << 24))
      ->capture_default_str();
  app.add_option("--read-fraction", s.read_fraction, "fraction of operations that are gets")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--skew", s.skew, "key popularity: zipf or uniform")
      ->check(CLI::IsMember({"zipf", "uniform"}))
      ->capture_default_str();
  app.add_option("--zipf-s", s.zipf_s, "zipfian constant (YCSB's), in (0, 1)")
      ->capture_default_str();
  app.add_option("--think-ms", s.think_ms, "mean pause before each operation (exponential)")
      ->check(CLI::Range(0.0, 60'000.0))
      ->capture_default_str();
  app.add_option("--seed", s.seed, "seed of the simulator and of the clients' draws")
      ->capture_default_str();
  app.add_option("--tcp-time-limit-s", s.tcp_time_limit_s, "TCP: seconds a run may take")
      ->check(CLI::Range(0.1, 3600.0))
      ->capture_default_str();
  app.add_option("--json", s.json_path, "write the results as JSON here");
  app.add_option("--csv", s.csv_path, "write the results as CSV here");
  app.add_option("--svg", s.svg_path, "plot p99 read latency against stale reads here");
  app.add_option("--histories", s.histories_dir,
                 "write each run's client history here as Jepsen JSON lines, one file per run: "
                 "<runtime>-<nodes>n-<dcs>dc-<variant slug>.jsonl");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_bad_input;
  }
  return run(s);
}
