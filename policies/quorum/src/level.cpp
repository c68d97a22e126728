#include "coact/policies/quorum/level.hpp"

#include <algorithm>

namespace coact::policies::quorum {
namespace {

std::uint32_t majority_of(std::uint32_t n) noexcept { return n / 2 + 1; }

std::uint32_t factor_of(const replication& factors, std::string_view datacenter) {
  const auto it = factors.find(std::string{datacenter});
  return it == factors.end() ? 0 : it->second;
}

/// True when no set of replicas can meet `r`.
bool impossible(const requirement& r, const replication& factors) {
  for (const auto& [datacenter, count] : r.per_datacenter) {
    if (count > factor_of(factors, datacenter)) return true;
  }
  return r.needed() > replica_count(factors);
}

}  // namespace

const char* to_string(level l) noexcept {
  switch (l) {
    case level::one:
      return "ONE";
    case level::two:
      return "TWO";
    case level::three:
      return "THREE";
    case level::quorum:
      return "QUORUM";
    case level::all:
      return "ALL";
    case level::local_one:
      return "LOCAL_ONE";
    case level::local_quorum:
      return "LOCAL_QUORUM";
    case level::each_quorum:
      return "EACH_QUORUM";
  }
  return "UNKNOWN";
}

std::uint32_t replica_count(const replication& factors) noexcept {
  std::uint32_t n = 0;
  for (const auto& [datacenter, factor] : factors) n += factor;
  return n;
}

std::uint32_t requirement::needed() const noexcept {
  std::uint32_t n = total;
  for (const auto& [datacenter, count] : per_datacenter) n += count;
  return n;
}

requirement required(level l, const replication& factors, std::string_view local) {
  requirement r{.wanted = l};
  switch (l) {
    case level::one:
      r.total = 1;
      break;
    case level::two:
      r.total = 2;
      break;
    case level::three:
      r.total = 3;
      break;
    case level::quorum:
      r.total = majority_of(replica_count(factors));
      break;
    case level::all:
      r.total = replica_count(factors);
      break;
    case level::local_one:
      r.per_datacenter.emplace(local, 1);
      break;
    case level::local_quorum:
      r.per_datacenter.emplace(local, majority_of(factor_of(factors, local)));
      break;
    case level::each_quorum:
      for (const auto& [datacenter, factor] : factors) {
        r.per_datacenter.emplace(datacenter, majority_of(factor));
      }
      break;
  }
  return r;
}

bool always_overlap(const requirement& a, const requirement& b, const replication& factors) {
  // A level no set can meet overlaps vacuously: nothing is ever acknowledged at it.
  if (impossible(a, factors) || impossible(b, factors)) return true;
  // Two disjoint sets exist when, in every datacenter, both per-datacenter counts fit side
  // by side, and the counts from anywhere fit in the replicas left over.
  std::uint32_t pinned = 0;
  for (const auto& [datacenter, factor] : factors) {
    const auto count_in = [&, &datacenter = datacenter](const requirement& r) {
      const auto it = r.per_datacenter.find(datacenter);
      return it == r.per_datacenter.end() ? 0u : it->second;
    };
    const std::uint32_t both = count_in(a) + count_in(b);
    if (both > factor) return true;
    pinned += both;
  }
  return pinned + a.total + b.total > replica_count(factors);
}

void tally::add(const std::string& datacenter) {
  ++total_;
  ++per_datacenter_[datacenter];
}

std::uint32_t tally::counted(const requirement& r) const {
  std::uint32_t n = std::min(total_, r.total);
  for (const auto& [datacenter, count] : r.per_datacenter) {
    const auto it = per_datacenter_.find(datacenter);
    n += std::min(it == per_datacenter_.end() ? 0u : it->second, count);
  }
  return n;
}

}  // namespace coact::policies::quorum
