#include "coact/net/sim/network.hpp"

#include <algorithm>
#include <cassert>
#include <cmath>
#include <utility>

namespace coact::net::sim {
namespace {

bool is_probability(double p) noexcept { return p >= 0 && p <= 1; }  // false for NaN

result<void> validate(const link_settings& s) {
  if (!is_probability(s.loss_probability) || !is_probability(s.duplication_probability)) {
    return errc::invalid_argument;
  }
  return success();
}

}  // namespace

const delay_distribution& link_settings::delay_of(std::uint64_t type_id) const {
  const auto it = delay_by_type.find(type_id);
  return it == delay_by_type.end() ? delay : it->second;
}

link_settings pbs_link(const pbs_model& model, std::uint64_t write_request_type) {
  return {
      .delay = model.other, .delay_by_type = {{write_request_type, model.write}}, .fifo = false};
}

network::network(coact::prng random, datacenter_function datacenter_of)
    : random_(random), chaos_random_(random.split("chaos")),
      datacenter_of_(std::move(datacenter_of)) {}

result<void> network::set_defaults(link_settings settings) {
  BOOST_OUTCOME_TRY(validate(settings));
  defaults_ = std::move(settings);
  return success();
}

result<void> network::set_link(node_id from, node_id to, link_settings settings) {
  BOOST_OUTCOME_TRY(validate(settings));
  links_.insert_or_assign(key(from, to), std::move(settings));
  return success();
}

void network::reset_link(node_id from, node_id to) { links_.erase(key(from, to)); }

const link_settings& network::settings(node_id from, node_id to) const {
  const auto it = links_.find(key(from, to));
  return it == links_.end() ? defaults_ : it->second;
}

void network::set_datacenters(datacenter_function datacenter_of) {
  datacenter_of_ = std::move(datacenter_of);
  cuts_changed();
}

result<void> network::check(const partition& p) const {
  if (p.needs_datacenters() && !datacenter_of_) return errc::invalid_argument;
  return success();
}

result<partition_id> network::block(partition p) {
  BOOST_OUTCOME_TRY(check(p));
  const partition_id id = next_id_++;
  active_.emplace(id, std::move(p));
  ++counters_.partitions_started;
  cuts_changed();
  return id;
}

bool network::heal(partition_id id) {
  if (scheduled_.erase(id) != 0) return true;
  if (active_.erase(id) == 0) return false;
  ++counters_.partitions_healed;
  cuts_changed();
  return true;
}

void network::heal_all() {
  counters_.partitions_healed += active_.size();
  active_.clear();
  scheduled_.clear();
  cuts_changed();
}

bool network::cuts(node_id from, node_id to) const {
  return std::any_of(active_.begin(), active_.end(), [&](const auto& entry) {
    return entry.second.blocks(from, to, datacenter_of_);
  });
}

void network::start(partition_id id) {
  auto it = scheduled_.find(id);
  if (it == scheduled_.end()) return;  // healed before it started
  active_.insert(scheduled_.extract(it));
  ++counters_.partitions_started;
  cuts_changed();
}

result<partition_id> network::partition_at(coact::sim::world& w, time_point start_time,
                                           duration heal_after, partition p) {
  BOOST_OUTCOME_TRY(check(p));
  if (heal_after < duration{0}) return errc::invalid_argument;
  const partition_id id = next_id_++;
  scheduled_.emplace(id, std::move(p));
  const time_point begin = std::max(start_time, w.now());
  w.at(begin, [this, id] { start(id); });
  w.at(begin + heal_after, [this, id] { heal(id); });
  return id;
}

duration network::chaos_draw(duration mean) {
  const double ns = chaos_random_.exponential(1.0 / static_cast<double>(mean.count()));
  // Capped like message delays, so that adding it to the clock cannot overflow.
  return duration{std::llround(std::min(ns, delay_distribution::sample_ms_max * 1e6))};
}

result<void> network::start_chaos(coact::sim::world& w, chaos_options options) {
  if (chaos_ || options.mean_between <= duration{0} || options.mean_length <= duration{0} ||
      options.kinds.empty()) {
    return errc::invalid_argument;
  }
  const bool needs_datacenters =
      std::any_of(options.kinds.begin(), options.kinds.end(), [](partition::kind k) {
        return k == partition::kind::datacenter_split || k == partition::kind::datacenters_apart;
      });
  if (needs_datacenters && !datacenter_of_) return errc::invalid_argument;
  chaos_ = std::move(options);
  const time_point first = w.now() + chaos_draw(chaos_->mean_between);
  if (first < chaos_->until) w.at(first, [this, &w] { chaos_start(w); });
  return success();
}

void network::chaos_start(coact::sim::world& w) {
  assert(chaos_);
  const auto node_count = static_cast<std::uint64_t>(w.node_count());
  const partition::kind kind = chaos_->kinds[chaos_random_.below(chaos_->kinds.size())];
  std::optional<partition> p;
  // A pair needs two distinct nodes: draw the second among the others.
  const auto pair = [&]() -> std::pair<node_id, node_id> {
    const auto a = static_cast<node_id>(chaos_random_.below(node_count));
    auto b = static_cast<node_id>(chaos_random_.below(node_count - 1));
    if (b >= a) ++b;
    return {a, b};
  };
  switch (kind) {
    case partition::kind::one_way:
      if (node_count >= 2) {
        const auto [a, b] = pair();
        p = partition::one_way(a, b);
      }
      break;
    case partition::kind::symmetric:
      if (node_count >= 2) {
        const auto [a, b] = pair();
        p = partition::between(a, b);
      }
      break;
    case partition::kind::isolate:
      if (node_count >= 1)
        p = partition::isolate(static_cast<node_id>(chaos_random_.below(node_count)));
      break;
    case partition::kind::datacenter_split:
      if (node_count >= 1 && datacenter_of_) {
        p = partition::split(
            {datacenter_of_(static_cast<node_id>(chaos_random_.below(node_count)))});
      }
      break;
    case partition::kind::datacenters_apart:
      p = partition::datacenters_apart();
      break;
  }
  const time_point end = std::min(w.now() + chaos_draw(chaos_->mean_length), chaos_->until);
  std::optional<partition_id> id;
  if (p) {
    // Fails only if the datacenters were unset since start_chaos: that fault is skipped.
    if (auto r = block(std::move(*p))) id = r.value();
  }
  w.at(end, [this, &w, id] {
    if (id) heal(*id);
    const time_point next = w.now() + chaos_draw(chaos_->mean_between);
    if (next < chaos_->until) w.at(next, [this, &w] { chaos_start(w); });
  });
}

void network::plan(node_id from, node_id to, std::uint64_t type_id, time_point now,
                   std::vector<duration>& arrivals) {
  ++counters_.planned;
  if (cuts(from, to)) {
    ++counters_.lost_to_partition;
    return;
  }
  const link_settings& s = settings(from, to);
  if (random_.chance(s.loss_probability)) {
    ++counters_.lost_to_loss;
    return;
  }
  const int copies = random_.chance(s.duplication_probability) ? 2 : 1;
  if (copies == 2) ++counters_.duplicated;
  const delay_distribution& delay = s.delay_of(type_id);
  time_point& last = last_arrival_[key(from, to)];
  for (int i = 0; i < copies; ++i) {
    time_point arrival = now + delay.sample(random_);
    if (s.fifo) arrival = std::max(arrival, last);
    last = std::max(last, arrival);
    arrivals.push_back(arrival - now);
  }
  counters_.delivered += static_cast<std::uint64_t>(copies);
}

}  // namespace coact::net::sim
