// Main of the network benchmarks: the usual console output (and the --benchmark_out file),
// then a table setting coact's transport beside raw Asio with the targets. A result is
// net/<throughput|rtt>/<coact|asio>; with repetitions the median stands for it.

#include <benchmark/benchmark.h>

#include <cstdio>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace benchmark::internal {
// How the stock main honours --benchmark_color and --benchmark_counters_tabular; exported by
// the library but not declared in its public header.
ConsoleReporter::OutputOptions GetOutputOptions(bool force_no_color);
}  // namespace benchmark::internal

namespace coact::bench {
namespace {

using run_report = benchmark::BenchmarkReporter::Run;

/// One row of the table: a metric of one benchmark, and the bar coact's standing should
/// clear (none for the rows shown for information).
struct row {
  const char* benchmark;
  const char* metric;
  /// Rates grow with speed; latencies shrink with it.
  bool higher_is_better;
  std::optional<double> target;
  const char* target_text;
};

/// The standing is coact/asio for rates and asio/coact for latencies: above 1, coact ahead.
constexpr row rows[] = {
    {"throughput", "items_per_second", true, 0.20, ">= 0.20"},
    {"rtt", "items_per_second", true, std::nullopt, "-"},
    {"rtt", "p50_ns", false, 1.0 / 1.3, ">= 0.77 (p50 <= 1.3x asio)"},
    {"rtt", "p99_ns", false, std::nullopt, "-"},
};

/// What one side reported for one benchmark: its counters, and whether a median.
struct side_result {
  std::map<std::string, double> values;
  bool from_median = false;
};

/// "12.3M"-style, as the console output prints rates.
std::string human(double value) {
  static constexpr std::pair<double, const char*> units[] = {{1e9, "G"}, {1e6, "M"}, {1e3, "k"}};
  char text[32];
  for (const auto& [size, suffix] : units) {
    if (value >= size) {
      std::snprintf(text, sizeof text, "%.4g%s", value / size, suffix);
      return text;
    }
  }
  std::snprintf(text, sizeof text, "%.4g", value);
  return text;
}

/// Forwards everything to the console and keeps each result's counters.
class ratio_reporter : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<run_report>& reports) override {
    ConsoleReporter::ReportRuns(reports);
    for (const run_report& report : reports) collect(report);
  }

  void print_ratios(std::ostream& out) const {
    bool median = false;
    for (const auto& [name, result] : results_) median = median || result.from_median;
    out << "\ncoact transport vs raw Asio (" << (median ? "medians" : "single runs")
        << "); ratio > 1: coact ahead (rates coact/asio, latencies asio/coact)\n";
    print_row(out, "benchmark", "metric", "coact", "asio", "ratio", "target", "");
    for (const row& r : rows) {
      const auto coact = value_of(r.benchmark, "coact", r.metric);
      const auto asio = value_of(r.benchmark, "asio", r.metric);
      std::string ratio = "-";
      std::string verdict;
      if (coact && asio && *coact > 0 && *asio > 0) {
        const double standing = r.higher_is_better ? *coact / *asio : *asio / *coact;
        char text[32];
        std::snprintf(text, sizeof text, "%.2f", standing);
        ratio = text;
        if (r.target) verdict = standing >= *r.target ? "met" : "missed";
      }
      print_row(out, r.benchmark, r.metric, coact ? human(*coact) : "-", asio ? human(*asio) : "-",
                ratio, r.target_text, verdict);
    }
  }

 private:
  void collect(const run_report& report) {
    if (report.error_occurred) return;
    const bool median =
        report.run_type == run_report::RT_Aggregate && report.aggregate_name == "median";
    if (report.run_type == run_report::RT_Aggregate && !median) return;
    side_result& slot = results_[report.run_name.function_name];
    // Repetitions report each run before their aggregates; the median then replaces them.
    if (slot.from_median && !median) return;
    slot.from_median = median;
    slot.values.clear();
    for (const auto& [name, counter] : report.counters) slot.values[name] = counter.value;
  }

  std::optional<double> value_of(const std::string& benchmark, const std::string& side,
                                 const std::string& metric) const {
    const auto result = results_.find("net/" + benchmark + "/" + side);
    if (result == results_.end()) return std::nullopt;
    const auto found = result->second.values.find(metric);
    if (found == result->second.values.end()) return std::nullopt;
    return found->second;
  }

  static void print_row(std::ostream& out, const std::string& benchmark, const std::string& metric,
                        const std::string& coact, const std::string& asio, const std::string& ratio,
                        const std::string& target, const std::string& verdict) {
    char line[256];
    std::snprintf(line, sizeof line, "%-11s %-17s %10s %10s %7s  %-27s %s\n", benchmark.c_str(),
                  metric.c_str(), coact.c_str(), asio.c_str(), ratio.c_str(), target.c_str(),
                  verdict.c_str());
    out << line;
  }

  /// By function name, e.g. "net/rtt/coact".
  std::map<std::string, side_result> results_;
};

}  // namespace
}  // namespace coact::bench

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  coact::bench::ratio_reporter reporter{benchmark::internal::GetOutputOptions(false)};
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios(reporter.GetOutputStream());
  benchmark::Shutdown();
  return 0;
}
