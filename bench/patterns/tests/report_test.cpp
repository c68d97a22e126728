// The benchmark's outputs: the JSON and CSV carry every row and column (text quoted where
// needed), the table prints failures, and the SVG plot has a marker and a label per run
// that did not fail, its axes and its legend.
#include "report.hpp"

#include <catch2/catch.hpp>
#include <nlohmann/json.hpp>

#include <string>
#include <vector>

#include "svg_plot.hpp"

using coact::bench::result_row;

namespace {

std::vector<result_row> sample_rows() {
  result_row sim{.runtime = "sim",
                 .topology = "3 nodes, 1 DC",
                 .policy = "quorum R=ONE W=ONE",
                 .family = "quorum"};
  sim.summary.reads = {
      .ok_count = 90, .failed_count = 1, .p50_ms = 0.5, .p99_ms = 2.25, .p999_ms = 3, .max_ms = 4};
  sim.summary.writes = {.ok_count = 10, .p50_ms = 0.6, .p99_ms = 0.7, .p999_ms = 0.8};
  sim.summary.stale_fraction = 0.0125;
  sim.summary.throughput_per_s = 2000;
  result_row tcp = sim;
  tcp.runtime = "tcp";
  tcp.family = "strong";
  tcp.policy = "strong (Raft)";
  tcp.summary.stale_fraction = 0;
  result_row failed{.runtime = "tcp",
                    .topology = "5 nodes, 2 DCs",
                    .policy = "dynamo eventual",
                    .family = "dynamo",
                    .error = "timeout"};
  return {sim, tcp, failed};
}

std::size_t count(const std::string& text, const std::string& what) {
  std::size_t n = 0;
  for (auto at = text.find(what); at != std::string::npos; at = text.find(what, at + 1)) ++n;
  return n;
}

}  // namespace

// Proves the JSON holds one object per row with numbers as numbers and text as text.
TEST_CASE("the JSON output has every row and column", "[bench]") {
  const auto parsed = nlohmann::json::parse(coact::bench::format_json(sample_rows()));
  REQUIRE(parsed.size() == 3);
  CHECK(parsed[0]["policy"] == "quorum R=ONE W=ONE");
  CHECK(parsed[0]["read_p99_ms"].get<double>() == Approx(2.25));
  CHECK(parsed[0]["stale_fraction"].get<double>() == Approx(0.0125));
  CHECK(parsed[0]["reads_failed"].get<double>() == 1);
  CHECK(parsed[1]["runtime"] == "tcp");
  CHECK(parsed[2]["error"] == "timeout");
}

// Proves the CSV has a header and one line per row, with commas in text quoted.
TEST_CASE("the CSV output quotes its text", "[bench]") {
  const std::string csv = coact::bench::format_csv(sample_rows());
  CHECK(count(csv, "\n") == 4);
  CHECK(csv.starts_with("runtime,topology,policy,family,read_p50_ms,"));
  CHECK(count(csv, "\"3 nodes, 1 DC\"") == 2);
  CHECK(count(csv, ",2.250,") == 2);
}

// Proves the table names a failed run and its reason.
TEST_CASE("the table shows failures", "[bench]") {
  const std::string table = coact::bench::format_table(sample_rows());
  CHECK(count(table, "FAILED: timeout") == 1);
  CHECK(count(table, "quorum R=ONE W=ONE") == 1);
}

// Proves a partial run (interrupted) shows what it measured, followed by why it is partial,
// and its JSON row carries that reason as its error.
TEST_CASE("the table shows a partial run's numbers", "[bench]") {
  auto rows = sample_rows();
  rows[1].partial = true;
  rows[1].error = "partial: interrupted after 100 operations";
  const std::string table = coact::bench::format_table(rows);
  CHECK(count(table, "FAILED") == 1);
  CHECK(count(table, "2.250") == 2);
  CHECK(count(table, "\n        partial: interrupted after 100 operations\n") == 1);
  const auto parsed = nlohmann::json::parse(coact::bench::format_json(rows));
  CHECK(parsed[1]["error"] == "partial: interrupted after 100 operations");
}

// Proves the plot: a circle for the simulator run, a square for the TCP run (and one of
// each in the legend), no marker for the failed run, each run listed by number, both
// axis titles and the family legend.
TEST_CASE("the SVG plot marks and labels each run", "[bench]") {
  const std::string svg = coact::bench::format_svg(sample_rows(), "title <&>");
  CHECK(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  CHECK(count(svg, "<circle") == 1 + 2 + 1);  // the run, two family entries, the sim key
  CHECK(count(svg, "<rect x=") == 1 + 1);     // the run, the tcp key
  CHECK(count(svg, "1  quorum R=ONE W=ONE (3 nodes, 1 DC, sim)") == 1);
  CHECK(count(svg, "2  strong (Raft) (3 nodes, 1 DC, tcp)") == 1);
  CHECK(count(svg, "font-size=\"10\">1</text>") == 1);
  CHECK(count(svg, "font-size=\"10\">2</text>") == 1);
  CHECK(count(svg, "dynamo") == 0);
  CHECK(count(svg, "stale reads (% of reads)") == 1);
  CHECK(count(svg, "read latency p99 (ms, log scale)") == 1);
  CHECK(count(svg, "title &lt;&amp;&gt;") == 1);
  CHECK(svg.ends_with("</svg>\n"));
}
