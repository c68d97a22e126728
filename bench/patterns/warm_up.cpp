#include "warm_up.hpp"

#include <string>

namespace coact::bench {
namespace {
/// The pause after a failed write: a failed ask can return without yielding.
constexpr duration retry_pause = std::chrono::milliseconds{10};
}  // namespace

task<void> warm_up(actor_context& self, std::unique_ptr<kv::client> client, duration deadline,
                   std::atomic<warm_up_state>* state) {
  const time_point end = self.now() + deadline;
  for (int k = 0; k < warm_up_keys; ++k) {
    for (;;) {
      if (self.now() >= end) {
        state->store(warm_up_state::gave_up, std::memory_order_release);
        co_return;
      }
      if (co_await client->put(self, "warmup-" + std::to_string(k), "x")) break;
      co_await self.sleep(retry_pause);
    }
  }
  state->store(warm_up_state::ready, std::memory_order_release);
}

}  // namespace coact::bench
