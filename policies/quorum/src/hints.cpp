#include "coact/policies/quorum/hints.hpp"

namespace coact::policies::quorum {

bool hints::add(hint h) {
  auto it = entries_.find({h.node, h.key});
  if (it == entries_.end()) {
    if (entries_.size() >= count_max_) {
      ++dropped_;
      return false;
    }
    entries_.emplace(std::pair{h.node, std::move(h.key)}, entry{std::move(h.value), h.version});
    return true;
  }
  if (it->second.version < h.version) {
    it->second.value = std::move(h.value);
    it->second.version = h.version;
  }
  return true;
}

std::vector<hint> hints::start_replay(std::size_t count_max) {
  std::vector<hint> batch;
  for (auto& [where, e] : entries_) {
    if (batch.size() == count_max) break;
    if (e.replaying) continue;
    e.replaying = true;
    batch.push_back({where.first, where.second, e.value, e.version});
  }
  return batch;
}

void hints::replayed(std::uint32_t node, const std::string& key, kv::version version,
                     bool delivered) {
  const auto it = entries_.find({node, key});
  if (it == entries_.end()) return;
  if (delivered && !(version < it->second.version)) {
    entries_.erase(it);
    return;
  }
  it->second.replaying = false;
}

}  // namespace coact::policies::quorum
