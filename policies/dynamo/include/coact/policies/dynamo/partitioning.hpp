#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/runtime/result.hpp"

namespace coact::policies::dynamo {

/// Replicas of each partition.
inline constexpr std::size_t replication_factor = 3;

/// Which partition a key belongs to and which nodes hold each partition: keys hash into
/// `count()` partitions; partition p lives on replica nodes p, p+1 and p+2 (mod the
/// topology's size, in the topology's order). A value, cheap to copy, immutable.
class partitioning {
 public:
  /// The layout of `partition_count` partitions over `where` (0: one partition per replica
  /// node). errc::invalid_argument if the topology has fewer than 3 replica nodes or two
  /// with the same node number.
  [[nodiscard]] static result<partitioning> make(const kv::topology& where,
                                                 std::uint32_t partition_count);

  [[nodiscard]] std::uint32_t count() const noexcept { return count_; }
  /// The partition of `key` (FNV-1a, the same on every platform).
  [[nodiscard]] std::uint32_t partition_of(std::string_view key) const noexcept;
  /// The nodes of partition `p`'s replicas; the first is the usual first leader.
  [[nodiscard]] std::array<std::uint32_t, replication_factor> replicas(std::uint32_t p) const;
  /// The partitions with a replica on `node` (none for a node outside the topology).
  [[nodiscard]] std::vector<std::uint32_t> partitions_on(std::uint32_t node) const;
  /// The replica nodes, in the topology's order.
  [[nodiscard]] const std::vector<kv::member>& members() const noexcept { return members_; }
  /// The name of replica node `node`, or its number if it has none.
  [[nodiscard]] std::string name_of(std::uint32_t node) const;

 private:
  partitioning(std::vector<kv::member> members, std::uint32_t count)
      : members_(std::move(members)), count_(count) {}

  std::vector<kv::member> members_;
  std::uint32_t count_;
};

}  // namespace coact::policies::dynamo
