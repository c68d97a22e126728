#pragma once

#include "coact/net/tcp/cluster_secret.hpp"
#include "topology_config.hpp"

namespace coact::tools {

/// Exit codes of `coact-node`: scripts and supervisors read them.
enum node_exit_code : int {
  node_exit_ok = 0,          ///< `--check` passed, or the node shut down cleanly
  node_exit_bad_input = 2,   ///< bad arguments or configuration; the message names the fix
  node_exit_cannot_run = 3,  ///< the configuration is good but the node cannot run
};

/// Runs `self`, one node of `topology` (validated: `self` is one of `topology.nodes`): its
/// TCP transport, authenticated by `secret` (read_secret's), its actor system and its
/// actors, each registered under its name, until SIGINT or SIGTERM; returns the process's
/// exit code. Prints one line when up. Called on the main thread, once.
[[nodiscard]] int run_node(const topology_config& topology, const node_config& self,
                           net::tcp::cluster_secret secret);

}  // namespace coact::tools
