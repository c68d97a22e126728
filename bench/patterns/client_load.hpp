#pragma once

#include <cstdint>
#include <memory>

#include "coact/actors/kv_client.hpp"
#include "coact/check/recorder.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/workload/client_loop.hpp"

namespace coact::bench {

/// What the clients do: `client_count` closed loops of `work`, the workload library's YCSB
/// client. By default 90% reads (gets) and 10% updates (puts) over 100 zipfian keys, no
/// think time.
struct client_load {
  workload::work work{.requests = {.read = 0.9, .update = 0.1},
                      .record_count = 100,
                      .operations = 500,
                      .think = workload::think_distribution::exponential};
  std::uint32_t client_count = 8;
};

/// Spawns on `system` the client of history process `process`: `load.work` through
/// `client` wrapped in a kv::recording_client over `log`, drawing from `random`, counted
/// done in `group`. `load.work` must be valid (workload::validate); `log` and `group` must
/// outlive the actor. Errors: those of workload::key_chooser::make and of spawn.
[[nodiscard]] result<actor_ref> spawn_client(actor_system& system, const client_load& load,
                                             std::unique_ptr<kv::client> client,
                                             check::recorder& log, std::int64_t process,
                                             coact::prng random, workload::client_group& group);

}  // namespace coact::bench
