#include "coact/runtime/sim/disk.hpp"

namespace coact::sim {

void disk::append(const std::string& file, std::span<const std::byte> bytes) {
  auto& f = files_[file];
  f.bytes.insert(f.bytes.end(), bytes.begin(), bytes.end());
}

void disk::sync(const std::string& file) {
  if (auto it = files_.find(file); it != files_.end()) it->second.synced = it->second.bytes.size();
}

void disk::replace(const std::string& file, std::span<const std::byte> bytes) {
  auto& f = files_[file];
  f.bytes.assign(bytes.begin(), bytes.end());
  f.synced = f.bytes.size();
}

void disk::remove(const std::string& file) { files_.erase(file); }

bool disk::exists(const std::string& file) const { return files_.contains(file); }

std::span<const std::byte> disk::read(const std::string& file) const {
  const auto it = files_.find(file);
  if (it == files_.end()) return {};
  return it->second.bytes;
}

std::size_t disk::unsynced_bytes() const {
  std::size_t total = 0;
  for (const auto& [name, f] : files_) total += f.bytes.size() - f.synced;
  return total;
}

void disk::crash(prng& random, bool torn_writes) {
  // In name order (std::map), so the random draws replay with the seed.
  for (auto& [name, f] : files_) {
    const std::size_t unsynced = f.bytes.size() - f.synced;
    const std::size_t kept = torn_writes ? random.below(unsynced + 1) : 0;
    f.bytes.resize(f.synced + kept);
    f.synced = f.bytes.size();
  }
}

}  // namespace coact::sim
