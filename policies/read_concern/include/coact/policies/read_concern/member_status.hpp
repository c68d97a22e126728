#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <optional>

#include "coact/policies/read_concern/op_time.hpp"

namespace coact::policies::read_concern {

/// A member's part in its replica set.
enum class member_role : std::uint8_t { secondary, candidate, primary };

[[nodiscard]] const char* to_string(member_role role) noexcept;

/// What one member last said of itself.
struct member_status {
  member_role role = member_role::secondary;
  std::uint64_t term = 0;
  /// The last entry of its oplog.
  op_time last;
  /// Its majority-commit point: the entries up to it are never rolled back.
  std::uint64_t commit_index = 0;
  /// False for a member restarted without durable state: it replicates and serves reads
  /// but neither votes nor stands for election again.
  bool voter = true;
};

/// The members' statuses, as each member publishes them after every change: for tests,
/// tools and people (members never read it). Thread-safe.
class status_board {
 public:
  void publish(std::uint32_t node, const member_status& status);
  [[nodiscard]] std::optional<member_status> get(std::uint32_t node) const;
  /// The node that is primary in the highest term any member has published, if any.
  [[nodiscard]] std::optional<std::uint32_t> primary() const;

 private:
  mutable std::mutex mutex_;
  std::map<std::uint32_t, member_status> members_;
};

}  // namespace coact::policies::read_concern
