#pragma once

#include <cstddef>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "coact/runtime/result.hpp"

namespace coact::sim {
class disk;
}

namespace coact::kv {

/// The bytes of one append-only file: a real file, or a file on a simulated node's disk.
/// What was appended is durable only after sync().
class log_storage {
 public:
  virtual ~log_storage() = default;
  /// Everything in the file now (after a crash: what survived it).
  [[nodiscard]] virtual result<std::vector<std::byte>> read_all() = 0;
  [[nodiscard]] virtual result<void> append(std::span<const std::byte> bytes) = 0;
  [[nodiscard]] virtual result<void> sync() = 0;
  /// Cuts the file to its first `size` bytes, durably (to drop a torn tail before
  /// appending after it).
  [[nodiscard]] virtual result<void> truncate(std::size_t size) = 0;
};

/// A file on a simulated node's disk; `disk` must outlive it (it does when owned by an
/// actor of that node).
[[nodiscard]] std::unique_ptr<log_storage> sim_file(sim::disk& disk, std::string name);
/// A real file, created if missing; errors carry the OS's error code.
[[nodiscard]] result<std::unique_ptr<log_storage>> posix_file(const std::string& path);

}  // namespace coact::kv
