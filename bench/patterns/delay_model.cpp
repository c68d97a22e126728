#include "delay_model.hpp"

#include <charconv>
#include <optional>
#include <vector>

namespace coact::bench {
namespace {

/// The numbers after the model's name, separated by ':'; nothing if one does not parse.
std::optional<std::vector<double>> parameters(std::string_view rest) {
  std::vector<double> out;
  while (!rest.empty()) {
    const auto colon = rest.find(':');
    const std::string_view item = rest.substr(0, colon);
    double v = 0;
    const auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), v);
    if (ec != std::errc{} || end != item.data() + item.size()) return std::nullopt;
    out.push_back(v);
    rest = colon == std::string_view::npos ? std::string_view{} : rest.substr(colon + 1);
  }
  return out;
}

}  // namespace

result<delay_model> parse_delay_model(std::string_view spec) {
  using net::sim::delay_distribution;
  using net::sim::pbs_model;
  if (spec == "lnkd-ssd") return delay_model{std::string{spec}, pbs_model::lnkd_ssd()};
  if (spec == "lnkd-disk") return delay_model{std::string{spec}, pbs_model::lnkd_disk()};
  if (spec == "ymmr") return delay_model{std::string{spec}, pbs_model::ymmr()};
  const auto colon = spec.find(':');
  if (colon == std::string_view::npos) return errc::invalid_argument;
  const std::string_view kind = spec.substr(0, colon);
  const auto p = parameters(spec.substr(colon + 1));
  if (!p) return errc::invalid_argument;
  result<delay_distribution> d = errc::invalid_argument;
  if (kind == "constant" && p->size() == 1) d = delay_distribution::constant((*p)[0]);
  if (kind == "uniform" && p->size() == 2) d = delay_distribution::uniform((*p)[0], (*p)[1]);
  if (kind == "exponential" && p->size() == 1) d = delay_distribution::exponential((*p)[0]);
  if (!d) return d.error();
  return delay_model{std::string{spec}, pbs_model{d.value(), d.value()}};
}

}  // namespace coact::bench
