#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "coact/runtime/prng.hpp"

namespace coact::sim {

/// Decides the fault sites of one simulation run (FoundationDB's BUGGIFY): each site,
/// the first time it is reached, is enabled for the whole run or not; an enabled site then
/// fires with the probability its code gives. Draws from its own stream, so a run's
/// faults replay with its seed.
class fault_injector {
 public:
  /// `site_enable_probability`: the share of sites a run enables.
  explicit fault_injector(prng random, double site_enable_probability = 0.25) noexcept
      : random_(random), enable_probability_(site_enable_probability) {}

  /// Whether the site (identified by its file and line) fires now.
  [[nodiscard]] bool fire(const char* file, int line, double probability);

  [[nodiscard]] std::size_t sites_seen() const noexcept { return sites_.size(); }
  [[nodiscard]] std::uint64_t fired() const noexcept { return fired_; }

 private:
  prng random_;
  double enable_probability_;
  std::unordered_map<std::uint64_t, bool> sites_;  // site hash -> enabled
  std::uint64_t fired_ = 0;
};

/// Makes `injector` decide the fault sites reached on this thread until the guard goes
/// (the simulator installs its world's while it runs; nested guards restore the outer).
class fault_scope {
 public:
  explicit fault_scope(fault_injector* injector) noexcept;
  fault_scope(const fault_scope&) = delete;
  fault_scope& operator=(const fault_scope&) = delete;
  ~fault_scope();

 private:
  fault_injector* previous_;
};

namespace detail {
/// The injector of the simulation running on this thread; null everywhere else.
extern thread_local fault_injector* active_injector;
}  // namespace detail

/// Whether the fault site at file:line fires now: only inside a simulation run that has
/// fault injection on, never in production, where it costs one thread-local load.
[[nodiscard]] inline bool buggify(const char* file, int line, double probability) {
  fault_injector* const injector = detail::active_injector;
  return injector != nullptr && injector->fire(file, line, probability);
}

}  // namespace coact::sim

/// A fault site in production code: true, rarely, in simulation only. Use it for delays,
/// drops and odd orders that the simulated network cannot produce, e.g.
/// `if (COACT_SIM_BUGGIFY(0.05)) co_await self.sleep(backoff);`.
#define COACT_SIM_BUGGIFY(probability) ::coact::sim::buggify(__FILE__, __LINE__, (probability))
