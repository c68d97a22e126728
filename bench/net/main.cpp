// Main of the network benchmarks: the usual console output (and the --benchmark_out file),
// then a table setting coact's transport beside raw Asio with the targets. A result is
// net/<throughput|rtt>/<coact|asio>; with repetitions the median stands for it.

#include <cstdio>
#include <map>
#include <optional>
#include <ostream>
#include <string>

#include "common/ratio_reporter.hpp"

namespace coact::bench {
namespace {

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

/// Keeps each result's counters.
class ratio_reporter : public ratio_reporter_base {
 public:
  using ratio_reporter_base::ratio_reporter_base;

  void print_ratios(std::ostream& out) const override {
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
        ratio = ratio_text(standing);
        if (r.target) verdict = standing >= *r.target ? "met" : "missed";
      }
      print_row(out, r.benchmark, r.metric, human_or_dash(coact), human_or_dash(asio), ratio,
                r.target_text, verdict);
    }
  }

 private:
  void collect(const run_report& report, bool median) override {
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
  return coact::bench::run_benchmarks_with_ratios<coact::bench::ratio_reporter>(argc, argv);
}
