#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

namespace coact::policies::quorum {

/// A consistency level, chosen per request for reads and for writes (Cassandra's names):
/// how many replicas must answer before the coordinator answers the client.
enum class level : std::uint8_t {
  one,           ///< any 1 replica
  two,           ///< any 2 replicas
  three,         ///< any 3 replicas
  quorum,        ///< floor(N / 2) + 1 of all N replicas, whatever their datacenter
  all,           ///< every replica
  local_one,     ///< 1 replica in the coordinator's datacenter
  local_quorum,  ///< floor(RF / 2) + 1 of the RF replicas in the coordinator's datacenter
  each_quorum,   ///< floor(RF / 2) + 1 in every datacenter
};

/// "ONE", "TWO", ..., "LOCAL_QUORUM", "EACH_QUORUM".
[[nodiscard]] const char* to_string(level l) noexcept;

/// The replication factor of each datacenter: how many replicas of each key it holds.
using replication = std::map<std::string, std::uint32_t>;

/// The sum of a replication's factors: N, the replicas of each key.
[[nodiscard]] std::uint32_t replica_count(const replication& factors) noexcept;

/// How many acknowledgements a level needs, and from where: `total` from any datacenter
/// (ONE, TWO, THREE, QUORUM, ALL), or `per_datacenter` from each listed datacenter
/// (LOCAL_* lists the coordinator's datacenter, EACH_QUORUM every datacenter).
struct requirement {
  level wanted = level::one;
  std::uint32_t total = 0;
  std::map<std::string, std::uint32_t> per_datacenter;

  /// The acknowledgements needed in all: `total` plus the per-datacenter counts.
  [[nodiscard]] std::uint32_t needed() const noexcept;
};

/// What level `l` needs under `factors` for a coordinator in datacenter `local`. The need
/// may exceed the replicas there are (THREE with N = 2): such a level is never met.
[[nodiscard]] requirement required(level l, const replication& factors, std::string_view local);

/// True when every set of replicas that meets `a` shares a replica with every set that
/// meets `b` (R + W > N, generalised to datacenters): then a read at one level sees every
/// write acknowledged at the other before it began.
[[nodiscard]] bool always_overlap(const requirement& a, const requirement& b,
                                  const replication& factors);

/// The acknowledgements of one request phase, counted per datacenter.
class tally {
 public:
  /// One more replica of `datacenter` answered.
  void add(const std::string& datacenter);
  /// How many of the acknowledgements `r` needs have arrived (at most r.needed()); the
  /// "answered" of an unmet level's error.
  [[nodiscard]] std::uint32_t counted(const requirement& r) const;
  [[nodiscard]] bool met(const requirement& r) const { return counted(r) == r.needed(); }

 private:
  std::uint32_t total_ = 0;
  std::map<std::string, std::uint32_t, std::less<>> per_datacenter_;
};

}  // namespace coact::policies::quorum
