#include "coact/workload/nemesis.hpp"

#include <algorithm>

#include "coact/workload/simulation.hpp"

namespace coact::workload {
namespace {

/// Node `n`'s life changed by `begin` at `start`, then by `end` after `length`.
result<void> node_fault(simulation& s, time_point start, duration length, sim::node_id n,
                        void (sim::world::*begin)(sim::node_id),
                        void (sim::world::*end)(sim::node_id)) {
  sim::world* w = &s.world();
  if (length.count() < 0 || n >= w->node_count()) return errc::invalid_argument;
  w->at(start, [=] { (w->*begin)(n); });
  w->at(start + length, [=] { (w->*end)(n); });
  return success();
}

/// A field of the default link settings set to `p` at `start`, then back after `length`:
/// field by field, so that overlapping loss and duplication compose.
result<void> link_fault(simulation& s, time_point start, duration length, double p,
                        double net::sim::link_settings::*field) {
  if (length.count() < 0 || !(p >= 0 && p <= 1)) return errc::invalid_argument;
  const auto set = [&s, field](double value) {
    auto settings = s.links();
    settings.*field = value;
    (void)s.set_links(std::move(settings));  // valid: checked above, the rest accepted before
  };
  s.world().at(start, [=] { set(p); });
  s.world().at(start + length, [=, before = s.links().*field] { set(before); });
  return success();
}

}  // namespace

nemesis& nemesis::add(std::function<result<void>(simulation&)> fault) {
  faults_.push_back(std::move(fault));
  return *this;
}

nemesis& nemesis::partition(time_point start, duration length, net::sim::partition p) {
  return add([=](simulation& s) -> result<void> {
    BOOST_OUTCOME_TRY(s.network().partition_at(s.world(), start, length, p));
    return success();
  });
}

nemesis& nemesis::split(time_point start, duration length, std::vector<sim::node_id> side) {
  return add([=](simulation& s) -> result<void> {
    for (sim::node_id n = 0; n < s.world().node_count(); ++n) {
      if (std::find(side.begin(), side.end(), n) != side.end()) continue;
      for (const sim::node_id inside : side) {
        BOOST_OUTCOME_TRY(s.network().partition_at(s.world(), start, length,
                                                   net::sim::partition::between(inside, n)));
      }
    }
    return success();
  });
}

nemesis& nemesis::crash(time_point start, duration length, sim::node_id n) {
  return add([=](simulation& s) {
    return node_fault(s, start, length, n, &sim::world::crash, &sim::world::restart);
  });
}

nemesis& nemesis::pause(time_point start, duration length, sim::node_id n) {
  return add([=](simulation& s) {
    return node_fault(s, start, length, n, &sim::world::pause, &sim::world::resume);
  });
}

nemesis& nemesis::loss(time_point start, duration length, double p) {
  return add([=](simulation& s) {
    return link_fault(s, start, length, p, &net::sim::link_settings::loss_probability);
  });
}

nemesis& nemesis::duplication(time_point start, duration length, double p) {
  return add([=](simulation& s) {
    return link_fault(s, start, length, p, &net::sim::link_settings::duplication_probability);
  });
}

nemesis& nemesis::random_partitions(net::sim::chaos_options options) {
  return add([=](simulation& s) { return s.network().start_chaos(s.world(), options); });
}

nemesis& nemesis::skew(sim::node_id n, duration offset, double drift_ppm) {
  skews_[n] = {offset, drift_ppm};
  return *this;
}

result<void> nemesis::apply(simulation& s) const {
  for (const auto& fault : faults_) {
    BOOST_OUTCOME_TRY(fault(s));
  }
  return success();
}

std::pair<duration, double> nemesis::skew_of(sim::node_id n) const {
  const auto it = skews_.find(n);
  return it == skews_.end() ? std::pair{duration{0}, 0.0} : it->second;
}

}  // namespace coact::workload
