#pragma once

// What the benchmark mains share: a console reporter that also keeps the results a ratio
// table is made from, the formatting of that table's values, and the main that runs the
// benchmarks and prints the table after the usual console output.

#include <benchmark/benchmark.h>

#include <cstdio>
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

using run_report = benchmark::BenchmarkReporter::Run;

/// "12.3M"-style, as the console output prints rates.
inline std::string human(double value) {
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

/// human(value), or "-" where there is none.
inline std::string human_or_dash(const std::optional<double>& value) {
  return value ? human(*value) : "-";
}

/// A standing as the ratio column prints it: two decimals.
inline std::string ratio_text(double standing) {
  char text[32];
  std::snprintf(text, sizeof text, "%.2f", standing);
  return text;
}

/// Forwards everything to the console and hands on to collect() each result a table is
/// made from: every run without an error that is not an aggregate, and the medians.
class ratio_reporter_base : public benchmark::ConsoleReporter {
 public:
  using ConsoleReporter::ConsoleReporter;

  void ReportRuns(const std::vector<run_report>& reports) final {
    ConsoleReporter::ReportRuns(reports);
    for (const run_report& report : reports) {
      if (report.error_occurred) continue;
      const bool median =
          report.run_type == run_report::RT_Aggregate && report.aggregate_name == "median";
      if (report.run_type == run_report::RT_Aggregate && !median) continue;
      collect(report, median);
    }
  }

  virtual void print_ratios(std::ostream& out) const = 0;

 protected:
  /// Repetitions report each run before their aggregates; `median` says which this is.
  virtual void collect(const run_report& report, bool median) = 0;
};

/// The body of a benchmark main: runs the benchmarks the arguments select through a
/// `Reporter` (a ratio_reporter_base), then prints its table.
template <class Reporter>
int run_benchmarks_with_ratios(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  Reporter reporter{benchmark::internal::GetOutputOptions(false)};
  benchmark::RunSpecifiedBenchmarks(&reporter);
  reporter.print_ratios(reporter.GetOutputStream());
  benchmark::Shutdown();
  return 0;
}

}  // namespace coact::bench
