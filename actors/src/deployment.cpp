#include "coact/actors/deployment.hpp"

#include <set>

namespace coact::kv {

const char* to_string(availability a) noexcept {
  switch (a) {
    case availability::total:
      return "total";
    case availability::sticky:
      return "sticky";
    case availability::unavailable:
      return "unavailable";
  }
  return "unknown";
}

bool distinct_replicas(const topology& t) {
  std::set<std::uint32_t> seen;
  for (const member& m : t.replicas) {
    if (!seen.insert(m.node).second) return false;
  }
  return !seen.empty();
}

}  // namespace coact::kv
