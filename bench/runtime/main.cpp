// Main of the runtime benchmarks: the usual console output (and the --benchmark_out file),
// then a table setting every coact result beside its CAF counterpart. A result is
// <workload>/<coact|caf>/threads:N; with repetitions the median stands for it.

#include <algorithm>
#include <cstdio>
#include <map>
#include <optional>
#include <ostream>
#include <string>
#include <string_view>
#include <tuple>
#include <utility>
#include <vector>

#include "common/ratio_reporter.hpp"

namespace coact::bench {
namespace {

struct metric {
  double value = 0;
  /// Rates grow with speed; every other counter here (latency, size) shrinks with it.
  bool higher_is_better = false;
};

using metrics = std::map<std::string, metric>;

struct side_result {
  metrics values;
  bool from_median = false;
};

/// One workload at one thread count, as measured by each implementation.
struct comparison {
  std::string workload;
  std::string threads;
  std::optional<side_result> coact;
  std::optional<side_result> caf;
};

std::vector<std::string> split(std::string_view text) {
  std::vector<std::string> parts;
  for (std::size_t begin = 0;;) {
    const std::size_t end = text.find('/', begin);
    parts.emplace_back(text.substr(begin, end - begin));
    if (end == std::string_view::npos) return parts;
    begin = end + 1;
  }
}

std::string join(const std::vector<std::string>& parts) {
  std::string joined;
  for (const std::string& part : parts) {
    if (part.empty()) continue;
    if (!joined.empty()) joined += '/';
    joined += part;
  }
  return joined;
}

/// Keeps each result's rates and counters.
class ratio_reporter : public ratio_reporter_base {
 public:
  using ratio_reporter_base::ratio_reporter_base;

  void print_ratios(std::ostream& out) const override {
    out << "\ncoact vs CAF (" << (any_median() ? "medians" : "single runs")
        << "); ratio > 1: coact ahead (rates coact/caf, other counters caf/coact)\n";
    print_row(out, "workload", "threads", "metric", "coact", "caf", "ratio");
    // Sorted: with --benchmark_enable_random_interleaving results arrive in random order.
    std::vector<const comparison*> sorted;
    for (const comparison& c : comparisons_) sorted.push_back(&c);
    std::sort(sorted.begin(), sorted.end(), [](const comparison* a, const comparison* b) {
      return std::tie(a->workload, a->threads) < std::tie(b->workload, b->threads);
    });
    bool paired = false;
    for (const comparison* entry : sorted) {
      const comparison& c = *entry;
      paired = paired || (c.coact && c.caf);
      for (const auto& [name, m] : all_metrics(c)) {
        const auto coact = value_of(c.coact, name);
        const auto caf = value_of(c.caf, name);
        std::string ratio = "-";
        if (coact && caf && *coact > 0 && *caf > 0) {
          ratio = ratio_text(m.higher_is_better ? *coact / *caf : *caf / *coact);
        }
        print_row(out, c.workload, c.threads, name, human_or_dash(coact), human_or_dash(caf),
                  ratio);
      }
    }
    if (!paired) out << "no workload has results from both coact and caf\n";
  }

 private:
  void collect(const run_report& report, bool median) override {
    // The implementation is a path segment of the family name; what remains (without the
    // threads argument) names the workload.
    std::vector<std::string> family = split(report.run_name.function_name);
    std::string side;
    for (std::string& part : family) {
      if (part == "coact" || part == "caf") {
        side = std::exchange(part, {});
        break;
      }
    }
    if (side.empty()) return;
    std::string threads;
    std::vector<std::string> args = split(report.run_name.args);
    for (std::string& arg : args) {
      if (arg.starts_with("threads:")) threads = std::exchange(arg, {}).substr(8);
    }
    const std::string workload =
        join({join(family), join(args), report.run_name.min_time, report.run_name.iterations,
              report.run_name.repetitions, report.run_name.threads});

    comparison& c = find_or_add(workload, threads);
    std::optional<side_result>& slot = side == "coact" ? c.coact : c.caf;
    // Repetitions report each run before their aggregates; the median then replaces them.
    if (slot && slot->from_median && !median) return;
    slot = side_result{values_of(report), median};
  }

  static metrics values_of(const run_report& report) {
    metrics values;
    for (const auto& [name, counter] : report.counters) {
      values[name] = metric{counter.value, (counter.flags & benchmark::Counter::kIsRate) != 0};
    }
    return values;
  }

  comparison& find_or_add(const std::string& workload, const std::string& threads) {
    for (comparison& c : comparisons_) {
      if (c.workload == workload && c.threads == threads) return c;
    }
    return comparisons_.emplace_back(comparison{workload, threads, {}, {}});
  }

  bool any_median() const {
    for (const comparison& c : comparisons_) {
      if ((c.coact && c.coact->from_median) || (c.caf && c.caf->from_median)) return true;
    }
    return false;
  }

  /// items_per_second first, then the other counters: those both sides reported, or all of
  /// one side's when the other has no result.
  static std::vector<std::pair<std::string, metric>> all_metrics(const comparison& c) {
    metrics shown = c.coact ? c.coact->values : c.caf->values;
    if (c.coact && c.caf) {
      std::erase_if(shown, [&](const auto& entry) { return !c.caf->values.contains(entry.first); });
    }
    std::vector<std::pair<std::string, metric>> ordered;
    if (const auto items = shown.find("items_per_second"); items != shown.end()) {
      ordered.emplace_back(*items);
      shown.erase(items);
    }
    ordered.insert(ordered.end(), shown.begin(), shown.end());
    return ordered;
  }

  static std::optional<double> value_of(const std::optional<side_result>& side,
                                        const std::string& name) {
    if (!side) return std::nullopt;
    const auto found = side->values.find(name);
    if (found == side->values.end()) return std::nullopt;
    return found->second.value;
  }

  static void print_row(std::ostream& out, const std::string& workload, const std::string& threads,
                        const std::string& name, const std::string& coact, const std::string& caf,
                        const std::string& ratio) {
    char line[256];
    std::snprintf(line, sizeof line, "%-29s %7s  %-22s %12s %12s %8s\n", workload.c_str(),
                  threads.c_str(), name.c_str(), coact.c_str(), caf.c_str(), ratio.c_str());
    out << line;
  }

  std::vector<comparison> comparisons_;
};

}  // namespace
}  // namespace coact::bench

int main(int argc, char** argv) {
  return coact::bench::run_benchmarks_with_ratios<coact::bench::ratio_reporter>(argc, argv);
}
