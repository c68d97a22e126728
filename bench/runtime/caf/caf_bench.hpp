#pragma once

// What every CAF workload shares: a system per benchmark run with one scheduler thread per
// benchmark thread, the passes that leave no actor behind, and the atoms.

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdint>

#include "caf/actor_system.hpp"
#include "caf/actor_system_config.hpp"
#include "caf/atom.hpp"
#include "caf/event_based_actor.hpp"
#include "caf/exit_reason.hpp"
#include "caf/scoped_actor.hpp"
#include "caf/stateful_actor.hpp"
#include "workloads.hpp"

namespace coact::bench::caf_side {

using ping_atom = caf::atom_constant<caf::atom("ping")>;
using pong_atom = caf::atom_constant<caf::atom("pong")>;
using done_atom = caf::atom_constant<caf::atom("done")>;
using continue_atom = caf::atom_constant<caf::atom("continue")>;

/// The actor system of one benchmark run. CAF's system keeps a reference to its config,
/// hence both live here, config first.
struct caf_run {
  explicit caf_run(const benchmark::State& state) : system{configure(config, state)} {}

  /// One pass of a workload, driven by body through a blocking actor. Returns once every
  /// actor of the pass has terminated, so that nothing carries over into the next pass.
  template <class Body>
  void pass(Body&& body) {
    {
      caf::scoped_actor driver{system};
      body(driver);
    }
    // Only once the driver is gone: CAF 0.17 counts a scoped actor as running even when
    // hidden, so waiting with it alive would never return.
    system.await_all_actors_done();
  }

  caf::actor_system_config config;
  caf::actor_system system;

 private:
  static caf::actor_system_config& configure(caf::actor_system_config& config,
                                             const benchmark::State& state) {
    config.set("scheduler.max-threads", state.range(0));
    config.set("logger.verbosity", caf::atom("quiet"));
    return config;
  }
};

/// Sends target the next batch of increments (1 each), counting them in sent. If more remain,
/// a continue_atom to self schedules the next batch behind whatever else is queued.
inline void send_batch(caf::event_based_actor* self, const caf::actor& target, std::int64_t& sent,
                       std::int64_t count) {
  for (const std::int64_t end = std::min(sent + batch_size, count); sent < end; ++sent) {
    self->send(target, std::int32_t{1});
  }
  if (sent < count) self->send(self, continue_atom::value);
}

}  // namespace coact::bench::caf_side
