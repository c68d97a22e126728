#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

#include "coact/actors/kv_client.hpp"
#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "coact/runtime/task.hpp"
#include "coact/workload/key_chooser.hpp"
#include "coact/workload/scenario.hpp"

namespace coact::workload {

/// What the clients of one run share. Clients on any shards and threads may share one: the
/// counts are atomic, and on_latency is the caller's to make safe where they run.
struct client_group {
  /// The keys "k0" ... there are; an insert takes the next one.
  std::atomic<std::uint64_t> record_count{0};
  /// The clients that have sent and seen answered all their requests.
  std::atomic<std::size_t> done{0};
  /// When set, called with each request's latency (a read-modify-write's get and put as
  /// one), on the thread of the client that made it.
  std::function<void(duration)> on_latency;
};

/// invalid_argument, with `*why` (when not null), for a negative weight, rate or think
/// time, no positive weight or a zipfian constant outside (0, 1); kv_errc::unsupported for
/// scans, which the client contract lacks.
[[nodiscard]] result<void> validate(const work& w, std::string* why = nullptr);

/// One YCSB client, on any actor system: `w.operations` requests of `w.requests` through
/// `client`, drawn from `random`, keys from `keys` among group->record_count, closed or open
/// loop as `w` says; then adds one to group->done. Each write writes "p<process>-<i>": with
/// a process of its own per client, a value no other write writes. `w` must be valid
/// (validate); `group` must outlive the actor.
[[nodiscard]] task<void> run_client(actor_context& self, std::unique_ptr<kv::client> client, work w,
                                    key_chooser keys, std::int64_t process, prng random,
                                    client_group* group);

}  // namespace coact::workload
