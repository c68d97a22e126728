#pragma once

#include <memory>

#include "coact/actors/deployment.hpp"
#include "coact/runtime/clock.hpp"

namespace coact::bench {

/// The baseline every policy is compared with, and the benchmark's own test double: one
/// volatile kv::replica on the topology's first replica node, no replication. Every client
/// asks it directly, so it is linearizable while that node is reachable and unavailable
/// when it is not. Versions come from one counter shared by the deployment's clients.
/// Operations fail with errc::timeout after `timeout`.
[[nodiscard]] std::unique_ptr<kv::deployment> deploy_single_replica(
    const kv::topology& where, duration timeout = std::chrono::seconds{1});

}  // namespace coact::bench
