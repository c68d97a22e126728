#include "coact/policies/txn/lock_table.hpp"

namespace coact::policies::txn {

bool lock_table::acquire(const std::string& key, txn_id owner, bool exclusive) {
  holders& h = keys_[key];
  const bool mine = h.owners.contains(owner);
  const bool alone = h.owners.empty() || (mine && h.owners.size() == 1);
  if (exclusive ? !alone : (h.exclusive && !mine)) {
    if (h.owners.empty()) keys_.erase(key);
    return false;
  }
  h.owners.insert(owner);
  h.exclusive = h.exclusive || exclusive;
  owned_[owner].insert(key);
  return true;
}

void lock_table::release(txn_id owner) {
  const auto it = owned_.find(owner);
  if (it == owned_.end()) return;
  for (const std::string& key : it->second) {
    const auto k = keys_.find(key);
    k->second.owners.erase(owner);
    if (k->second.owners.empty()) {
      keys_.erase(k);
    } else {
      k->second.exclusive = false;  // only shared holders can remain beside an owner
    }
  }
  owned_.erase(it);
}

std::vector<std::pair<std::string, bool>> lock_table::held(txn_id owner) const {
  std::vector<std::pair<std::string, bool>> out;
  const auto it = owned_.find(owner);
  if (it == owned_.end()) return out;
  for (const std::string& key : it->second) out.emplace_back(key, keys_.at(key).exclusive);
  return out;
}

}  // namespace coact::policies::txn
