#include "coact/net/sim/partition.hpp"

#include <algorithm>
#include <cassert>
#include <utility>

namespace coact::net::sim {

datacenter_function datacenters_of(const coact::sim::world& w) {
  return [&w](node_id n) { return w.options(n).datacenter; };
}

partition partition::one_way(node_id from, node_id to) { return {kind::one_way, from, to}; }

partition partition::between(node_id a, node_id b) { return {kind::symmetric, a, b}; }

partition partition::isolate(node_id n) { return {kind::isolate, n, n}; }

partition partition::split(std::vector<std::string> datacenters) {
  partition p{kind::datacenter_split, 0, 0};
  p.datacenters_ = std::move(datacenters);
  return p;
}

partition partition::datacenters_apart() { return {kind::datacenters_apart, 0, 0}; }

bool partition::in_split(const std::string& datacenter) const {
  return std::find(datacenters_.begin(), datacenters_.end(), datacenter) != datacenters_.end();
}

bool partition::blocks(node_id from, node_id to, const datacenter_function& datacenter_of) const {
  switch (kind_) {
    case kind::one_way:
      return from == first_ && to == second_;
    case kind::symmetric:
      return (from == first_ && to == second_) || (from == second_ && to == first_);
    case kind::isolate:
      return from != to && (from == first_ || to == first_);
    case kind::datacenter_split:
      assert(datacenter_of);
      return in_split(datacenter_of(from)) != in_split(datacenter_of(to));
    case kind::datacenters_apart:
      assert(datacenter_of);
      return datacenter_of(from) != datacenter_of(to);
  }
  assert(false && "unknown partition kind");
  return false;
}

}  // namespace coact::net::sim
