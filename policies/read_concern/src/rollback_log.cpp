#include "coact/policies/read_concern/rollback_log.hpp"

#include <cstdio>
#include <utility>

namespace coact::policies::read_concern {

rollback_log::rollback_log(std::function<void(const std::string&)> report)
    : report_(std::move(report)) {}

void rollback_log::record(rolled_back_write write) {
  const std::string line = "node " + std::to_string(write.node) + " rolled back " +
                           (write.is_cas ? "cas " : "put ") + write.key + "=" + write.value +
                           " at (term " + std::to_string(write.position.term) + ", index " +
                           std::to_string(write.position.index) + ")";
  {
    std::lock_guard lock{mutex_};
    writes_.push_back(std::move(write));
  }
  if (report_) {
    report_(line);
  } else {
    std::fprintf(stderr, "coact read_concern: %s\n", line.c_str());
  }
}

std::size_t rollback_log::count() const {
  std::lock_guard lock{mutex_};
  return writes_.size();
}

std::vector<rolled_back_write> rollback_log::writes() const {
  std::lock_guard lock{mutex_};
  return writes_;
}

}  // namespace coact::policies::read_concern
