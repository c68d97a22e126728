#include "svg_plot.hpp"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>

namespace coact::bench {
namespace {

constexpr double left = 80;
constexpr double top = 50;
constexpr double plot_width = 640;
constexpr double plot_height = 490;
constexpr double bottom = 60;
/// The legend's column, right of the plot: families, runtimes, then every run by number.
constexpr double legend_x = left + plot_width + 30;
constexpr double legend_width = 380;
constexpr double width = legend_x + legend_width;
constexpr double legend_line = 13;
/// The smallest latency plotted: a log scale cannot show 0.
constexpr double latency_floor_ms = 0.001;

/// The run numbers beside the markers, at font size 10: a digit's width and a line.
constexpr double digit_width = 6;
constexpr double label_height = 11;
/// How far a number may move from its marker to stay clear of the others: lines above or
/// below, and columns aside.
constexpr int label_lines_max = 8;
constexpr int label_columns_max = 6;

constexpr const char* palette[] = {"#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd",
                                   "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf"};

std::string number(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%.1f", v);
  return buffer;
}

/// Text safe inside an SVG element or attribute.
std::string escaped(const std::string& s) {
  std::string out;
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string text(double x, double y, const std::string& s, const char* extra = "") {
  return "<text x=\"" + number(x) + "\" y=\"" + number(y) + "\" " + extra + ">" + escaped(s) +
         "</text>\n";
}

std::string line(double x1, double y1, double x2, double y2, const char* style) {
  return "<line x1=\"" + number(x1) + "\" y1=\"" + number(y1) + "\" x2=\"" + number(x2) +
         "\" y2=\"" + number(y2) + "\" " + style + "/>\n";
}

/// A run's marker: a circle for the simulator, a square for TCP.
std::string marker(double x, double y, const std::string& runtime, const char* colour) {
  const std::string fill = std::string{"fill=\""} + colour + "\" stroke=\"black\"";
  if (runtime == "tcp") {
    return "<rect x=\"" + number(x - 5) + "\" y=\"" + number(y - 5) +
           "\" width=\"10\" height=\"10\" " + fill + "/>\n";
  }
  return "<circle cx=\"" + number(x) + "\" cy=\"" + number(y) + "\" r=\"5\" " + fill + "/>\n";
}

/// The tick labels of the stale axis: "0", "0.5", ...
std::string percent(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, "%g", v);
  return buffer;
}

/// A round step for about five ticks up to `max`: 1, 2 or 5 times a power of ten.
double tick_step(double max) {
  const double raw = max / 5;
  const double magnitude = std::pow(10, std::floor(std::log10(raw)));
  for (const double m : {1.0, 2.0, 5.0}) {
    if (raw <= m * magnitude) return m * magnitude;
  }
  return 10 * magnitude;
}

/// A rectangle of the plot, for keeping labels apart.
struct box {
  double x0, y0, x1, y1;
  [[nodiscard]] bool overlaps(const box& o) const noexcept {
    return x0 < o.x1 && o.x0 < x1 && y0 < o.y1 && o.y0 < y1;
  }
};

/// Where a label of `label_width` goes near the marker at (x, y): the free slot nearest
/// to it among rows of lines above and below and columns to its right (to its left near
/// the plot's right edge); beside the marker if every slot is taken.
box place_label(double x, double y, double label_width, const std::vector<box>& taken) {
  const bool left_side = x + 8 + label_width * label_columns_max > left + plot_width;
  const double column = label_width + 4;
  std::optional<box> best;
  double best_distance = 0;
  for (int c = 0; c < label_columns_max; ++c) {
    const double x0 = left_side ? x - 8 - label_width - c * column : x + 8 + c * column;
    for (int k = -label_lines_max; k <= label_lines_max; ++k) {
      const double centre = y + k * label_height;
      const box b{x0, centre - label_height / 2, x0 + label_width, centre + label_height / 2};
      if (b.y0 < top || b.y1 > top + plot_height) continue;
      const double distance = c * column + std::abs(k) * label_height;
      if (best && distance >= best_distance) continue;
      if (std::any_of(taken.begin(), taken.end(), [&](const box& t) { return b.overlaps(t); })) {
        continue;
      }
      best = b;
      best_distance = distance;
    }
  }
  if (best) return *best;
  const double x0 = left_side ? x - 8 - label_width : x + 8;
  return {x0, y - label_height / 2, x0 + label_width, y + label_height / 2};
}

}  // namespace

std::string format_svg(const std::vector<result_row>& rows, const std::string& title) {
  std::vector<const result_row*> runs;
  for (const result_row& r : rows) {
    if (r.error.empty()) runs.push_back(&r);
  }
  // The stale axis from 0 to a round step above the largest fraction (at least 1%).
  double stale_max = 1;
  double latency_min = 1e300;
  double latency_max = latency_floor_ms;
  for (const result_row* r : runs) {
    stale_max = std::max(stale_max, 100 * r->summary.stale_fraction);
    const double p99 = std::max(latency_floor_ms, r->summary.reads.p99_ms);
    latency_min = std::min(latency_min, p99);
    latency_max = std::max(latency_max, p99);
  }
  const double step = tick_step(stale_max);
  stale_max = std::ceil(stale_max / step - 1e-9) * step;
  if (runs.empty()) latency_min = 1;
  const double decade_low = std::floor(std::log10(latency_min));
  const double decade_high = std::max(decade_low + 1, std::ceil(std::log10(latency_max)));
  const auto x_of = [&](double stale_percent) {
    return left + plot_width * stale_percent / stale_max;
  };
  const auto y_of = [&](double ms) {
    const double f =
        (std::log10(std::max(latency_floor_ms, ms)) - decade_low) / (decade_high - decade_low);
    return top + plot_height * (1 - f);
  };

  std::map<std::string, const char*> colour_of;
  std::vector<std::string> families;
  for (const result_row* r : runs) {
    if (colour_of.contains(r->family)) continue;
    colour_of[r->family] = palette[families.size() % std::size(palette)];
    families.push_back(r->family);
  }
  const double legend_height = 20 * static_cast<double>(families.size() + 2) + 60 +
                               legend_line * static_cast<double>(runs.size() + 1);
  const double height = std::max(top + plot_height + bottom, top + 10 + legend_height);

  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"" + number(width) +
                    "\" height=\"" + number(height) + "\" viewBox=\"0 0 " + number(width) + " " +
                    number(height) + "\" font-family=\"sans-serif\" font-size=\"12\">\n";
  svg += "<rect width=\"100%\" height=\"100%\" fill=\"white\"/>\n";
  svg += text(left, 28, title, "font-size=\"16\" font-weight=\"bold\"");

  const char* grid = "stroke=\"#dddddd\"";
  const char* axis = "stroke=\"black\"";
  for (double v = 0; v <= stale_max + step / 2; v += step) {
    const double x = x_of(v);
    svg += line(x, top, x, top + plot_height, grid);
    svg += text(x, top + plot_height + 18, percent(v), "text-anchor=\"middle\"");
  }
  for (double d = decade_low; d <= decade_high; ++d) {
    for (const double m : {1.0, 2.0, 5.0}) {
      const double ms = m * std::pow(10, d);
      if (std::log10(ms) > decade_high + 1e-9) break;
      const double y = y_of(ms);
      svg += line(left, y, left + plot_width, y, grid);
      svg += text(left - 6, y + 4, percent(ms), "text-anchor=\"end\"");
    }
  }
  svg += line(left, top + plot_height, left + plot_width, top + plot_height, axis);
  svg += line(left, top, left, top + plot_height, axis);
  svg += text(left + plot_width / 2, top + plot_height + 42, "stale reads (% of reads)",
              "text-anchor=\"middle\"");
  svg += "<text transform=\"translate(22 " + number(top + plot_height / 2) +
         ") rotate(-90)\" text-anchor=\"middle\">read latency p99 (ms, log scale)</text>\n";

  // Markers first, then labels placed around them so that no two overlap.
  std::vector<box> taken;
  for (const result_row* r : runs) {
    const double x = x_of(100 * r->summary.stale_fraction);
    const double y = y_of(r->summary.reads.p99_ms);
    svg += marker(x, y, r->runtime, colour_of[r->family]);
    taken.push_back({x - 5, y - 5, x + 5, y + 5});
  }
  for (std::size_t i = 0; i < runs.size(); ++i) {
    const result_row* r = runs[i];
    const double x = x_of(100 * r->summary.stale_fraction);
    const double y = y_of(r->summary.reads.p99_ms);
    const std::string label = std::to_string(i + 1);
    const box spot = place_label(x, y, static_cast<double>(label.size()) * digit_width, taken);
    taken.push_back(spot);
    if (spot.y1 < y - 5 || spot.y0 > y + 5) {
      svg += line(x, y, spot.x0 < x ? spot.x1 : spot.x0, (spot.y0 + spot.y1) / 2,
                  "stroke=\"#999999\" stroke-width=\"0.5\"");
    }
    svg += text(spot.x0, spot.y1 - 2, label, "font-size=\"10\"");
  }

  double legend_y = top + 10;
  svg += text(legend_x, legend_y, "policy family", "font-weight=\"bold\"");
  for (const std::string& f : families) {
    legend_y += 20;
    svg += marker(legend_x + 6, legend_y - 4, "sim", colour_of[f]);
    svg += text(legend_x + 20, legend_y, f);
  }
  legend_y += 34;
  svg += text(legend_x, legend_y, "runtime", "font-weight=\"bold\"");
  for (const char* runtime : {"sim", "tcp"}) {
    legend_y += 20;
    svg += marker(legend_x + 6, legend_y - 4, runtime, "white");
    svg += text(legend_x + 20, legend_y,
                std::string{runtime} == "sim" ? "simulator" : "threaded, loopback TCP");
  }
  legend_y += 34;
  svg += text(legend_x, legend_y, "runs", "font-weight=\"bold\"");
  for (std::size_t i = 0; i < runs.size(); ++i) {
    legend_y += legend_line;
    svg += text(legend_x, legend_y,
                std::to_string(i + 1) + "  " + runs[i]->policy + " (" + runs[i]->topology + ", " +
                    runs[i]->runtime + ")",
                "font-size=\"10\"");
  }
  svg += "</svg>\n";
  return svg;
}

}  // namespace coact::bench
