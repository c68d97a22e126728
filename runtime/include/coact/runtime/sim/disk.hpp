#pragma once

#include <cstddef>
#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "coact/runtime/prng.hpp"

namespace coact::sim {

/// A simulated node's disk: named files that survive the node's crashes up to what was
/// synced. What was appended but not synced is lost in a crash, except perhaps a prefix
/// of it (a torn write), as on a real disk. Owned by the world, one per node; used from the
/// simulator's thread only.
class disk {
 public:
  /// Appends to `file`, creating it. Visible at once; durable only after sync.
  void append(const std::string& file, std::span<const std::byte> bytes);
  /// Makes everything appended to `file` so far durable.
  void sync(const std::string& file);
  /// Replaces `file` with `bytes`, durably (a write to a new file, synced, then renamed).
  void replace(const std::string& file, std::span<const std::byte> bytes);
  void remove(const std::string& file);

  [[nodiscard]] bool exists(const std::string& file) const;
  /// The contents as the node sees them now; empty for a missing file.
  [[nodiscard]] std::span<const std::byte> read(const std::string& file) const;
  /// Bytes appended but not yet synced, over all files.
  [[nodiscard]] std::size_t unsynced_bytes() const;

  /// The node crashed: each file keeps what was synced and, when `torn_writes`, a random
  /// prefix of the rest.
  void crash(prng& random, bool torn_writes = true);

 private:
  struct file_state {
    std::vector<std::byte> bytes;
    std::size_t synced = 0;
  };
  std::map<std::string, file_state> files_;
};

}  // namespace coact::sim
