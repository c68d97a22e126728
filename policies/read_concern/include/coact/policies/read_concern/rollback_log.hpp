#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "coact/policies/read_concern/op_time.hpp"

namespace coact::policies::read_concern {

/// A write that a member removed from its oplog when it rejoined a new primary whose
/// oplog had diverged from its own (only writes never majority-committed can be).
struct rolled_back_write {
  /// The member that rolled it back.
  std::uint32_t node = 0;
  /// Where the write was in that member's oplog.
  op_time position;
  std::string key;
  std::string value;
  bool is_cas = false;
};

/// Every write rolled back by any member of one replica set, in the order rolled back,
/// each also reported as one line to `report` (MongoDB writes such documents to rollback
/// files; here they are counted and kept). Thread-safe.
class rollback_log {
 public:
  /// `report` receives one line per rolled-back write; empty: stderr.
  explicit rollback_log(std::function<void(const std::string&)> report = {});

  void record(rolled_back_write write);
  [[nodiscard]] std::size_t count() const;
  [[nodiscard]] std::vector<rolled_back_write> writes() const;

 private:
  std::function<void(const std::string&)> report_;
  mutable std::mutex mutex_;
  std::vector<rolled_back_write> writes_;
};

}  // namespace coact::policies::read_concern
