#include "client_sessions.hpp"

#include <cassert>

namespace coact::policies::dynamo {

client_sessions::status client_sessions::of(std::uint64_t client, std::uint64_t sequence) const {
  if (client == 0) return status::fresh;
  const auto found = sessions_.find(client);
  if (found == sessions_.end() || sequence > found->second.sequence) return status::fresh;
  return sequence == found->second.sequence ? status::last : status::older;
}

applied_write client_sessions::last_answer(std::uint64_t client) const {
  const auto found = sessions_.find(client);
  assert(found != sessions_.end());
  return found->second.done;
}

void client_sessions::record(std::uint64_t client, std::uint64_t sequence, applied_write done) {
  if (client == 0) return;
  sessions_[client] = {.sequence = sequence, .done = done};
}

}  // namespace coact::policies::dynamo
