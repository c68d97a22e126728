#include "coact/policies/read_concern/member_status.hpp"

namespace coact::policies::read_concern {

const char* to_string(member_role role) noexcept {
  switch (role) {
    case member_role::secondary:
      return "secondary";
    case member_role::candidate:
      return "candidate";
    case member_role::primary:
      return "primary";
  }
  return "unknown";
}

void status_board::publish(std::uint32_t node, const member_status& status) {
  std::lock_guard lock{mutex_};
  members_[node] = status;
}

std::optional<member_status> status_board::get(std::uint32_t node) const {
  std::lock_guard lock{mutex_};
  const auto it = members_.find(node);
  if (it == members_.end()) return std::nullopt;
  return it->second;
}

std::optional<std::uint32_t> status_board::primary() const {
  std::lock_guard lock{mutex_};
  std::optional<std::uint32_t> found;
  std::uint64_t term = 0;
  for (const auto& [node, status] : members_) {
    if (status.role == member_role::primary && (!found || status.term > term)) {
      found = node;
      term = status.term;
    }
  }
  return found;
}

}  // namespace coact::policies::read_concern
