#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "coact/runtime/actor_context.hpp"
#include "coact/runtime/actor_system.hpp"

namespace coact {

/// When a supervisor restarts a child that stopped.
enum class restart_policy : std::uint8_t {
  permanent,  // always
  transient,  // only after an abnormal stop
  temporary,  // never
};

/// One child of a supervisor. `start` spawns a fresh incarnation with fresh state; the
/// supervisor registers it under `name`, so clients find the current one with whereis.
struct child_spec {
  std::string name;
  std::function<result<actor_ref>(actor_system&)> start;
  restart_policy policy = restart_policy::permanent;
};

/// One-for-one supervision: a stopped child is restarted alone. More than
/// `restart_count_max` restarts within `restart_window` make the supervisor give up:
/// it stops its children and stops itself with errc::restart_limit.
struct supervisor_options {
  std::uint32_t restart_count_max = 3;
  duration restart_window = std::chrono::seconds{5};
};

/// The supervisor's body; spawn it with actor_system::spawn(&supervise, options, children).
[[nodiscard]] task<result<void>> supervise(actor_context& self, supervisor_options options,
                                           std::vector<child_spec> children);

}  // namespace coact
