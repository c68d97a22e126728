#include "report.hpp"

#include <nlohmann/json.hpp>

#include <sstream>

namespace coact::bench {
namespace {

/// One column of the CSV and the JSON objects: text or a number.
struct column {
  const char* name;
  /// Text columns: the row's value; null for a number column.
  std::string (*text)(const result_row&);
  /// Number columns: the row's value, printed with `digits` decimals in CSV.
  double (*number)(const result_row&);
  int digits;
};

std::string fixed(double v, int digits) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.*f", digits, v);
  return buffer;
}

std::string text_of(const column& c, const result_row& r) {
  return c.text != nullptr ? c.text(r) : fixed(c.number(r), c.digits);
}

double count(std::size_t n) { return static_cast<double>(n); }

/// Every column, in order.
const std::vector<column>& columns() {
  using row = const result_row&;
  static const std::vector<column> all{
      {"runtime", [](row r) { return r.runtime; }, nullptr, 0},
      {"topology", [](row r) { return r.topology; }, nullptr, 0},
      {"policy", [](row r) { return r.policy; }, nullptr, 0},
      {"family", [](row r) { return r.family; }, nullptr, 0},
      {"read_p50_ms", nullptr, [](row r) { return r.summary.reads.p50_ms; }, 3},
      {"read_p99_ms", nullptr, [](row r) { return r.summary.reads.p99_ms; }, 3},
      {"read_p999_ms", nullptr, [](row r) { return r.summary.reads.p999_ms; }, 3},
      {"write_p50_ms", nullptr, [](row r) { return r.summary.writes.p50_ms; }, 3},
      {"write_p99_ms", nullptr, [](row r) { return r.summary.writes.p99_ms; }, 3},
      {"write_p999_ms", nullptr, [](row r) { return r.summary.writes.p999_ms; }, 3},
      {"ops_per_s", nullptr, [](row r) { return r.summary.throughput_per_s; }, 0},
      {"stale_fraction", nullptr, [](row r) { return r.summary.stale_fraction; }, 5},
      {"reads_ok", nullptr, [](row r) { return count(r.summary.reads.ok_count); }, 0},
      {"reads_failed", nullptr, [](row r) { return count(r.summary.reads.failed_count); }, 0},
      {"writes_ok", nullptr, [](row r) { return count(r.summary.writes.ok_count); }, 0},
      {"writes_failed", nullptr, [](row r) { return count(r.summary.writes.failed_count); }, 0},
      {"span_s", nullptr, [](row r) { return r.summary.span_s; }, 3},
      {"error", [](row r) { return r.error; }, nullptr, 0},
  };
  return all;
}

/// A CSV field, quoted when it holds a separator, a quote or a line break.
std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\n") == std::string::npos) return s;
  std::string out = "\"";
  for (const char c : s) out += c == '"' ? std::string{"\"\""} : std::string{c};
  return out + "\"";
}

}  // namespace

std::string format_table(const std::vector<result_row>& rows) {
  std::ostringstream out;
  char line[512];
  std::snprintf(line, sizeof line, "%-7s %-16s %-38s %9s %9s %9s %9s %9s %9s %9s %7s %6s\n",
                "runtime", "topology", "policy", "rd p50", "rd p99", "rd p99.9", "wr p50", "wr p99",
                "wr p99.9", "ops/s", "stale%", "failed");
  out << line;
  for (const result_row& r : rows) {
    if (!r.error.empty() && !r.partial) {
      std::snprintf(line, sizeof line, "%-7s %-16s %-38s FAILED: %s\n", r.runtime.c_str(),
                    r.topology.c_str(), r.policy.c_str(), r.error.c_str());
      out << line;
      continue;
    }
    const run_summary& s = r.summary;
    std::snprintf(line, sizeof line,
                  "%-7s %-16s %-38s %9.3f %9.3f %9.3f %9.3f %9.3f %9.3f %9.0f %7.2f %6zu\n",
                  r.runtime.c_str(), r.topology.c_str(), r.policy.c_str(), s.reads.p50_ms,
                  s.reads.p99_ms, s.reads.p999_ms, s.writes.p50_ms, s.writes.p99_ms,
                  s.writes.p999_ms, s.throughput_per_s, 100 * s.stale_fraction,
                  s.reads.failed_count + s.writes.failed_count);
    out << line;
    if (r.partial) out << "        " << r.error << "\n";
  }
  out << "latencies in ms; stale%: reads that missed a write acknowledged before they began; "
         "failed: operations that did not complete ok\n";
  return out.str();
}

std::string format_json(const std::vector<result_row>& rows) {
  nlohmann::json all = nlohmann::json::array();
  for (const result_row& r : rows) {
    nlohmann::json o = nlohmann::json::object();
    for (const column& c : columns()) {
      if (c.text != nullptr) {
        o[c.name] = c.text(r);
      } else {
        o[c.name] = c.number(r);
      }
    }
    all.push_back(std::move(o));
  }
  return all.dump(2) + "\n";
}

std::string format_csv(const std::vector<result_row>& rows) {
  std::string out;
  for (const column& c : columns()) out += std::string{out.empty() ? "" : ","} + c.name;
  out += "\n";
  for (const result_row& r : rows) {
    bool first = true;
    for (const column& c : columns()) {
      out += (first ? "" : ",") + csv_field(text_of(c, r));
      first = false;
    }
    out += "\n";
  }
  return out;
}

}  // namespace coact::bench
