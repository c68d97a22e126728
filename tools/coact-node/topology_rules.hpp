#pragma once

#include <toml++/toml.h>

#include "config_error.hpp"
#include "topology_config.hpp"

namespace coact::tools {

/// Checks the rules that span entries of a topology read from `root` (by
/// read_topology_document): node names and addresses unique in the file, actor names
/// unique within their node, and connections_max at least the number of peers each node
/// keeps a connection to (a node below it refuses peers forever). Returns false at the
/// first rule broken, with `*error` (when not null) naming the key at fault, placed in the
/// file through `root`.
[[nodiscard]] bool check_topology_rules(const topology_config& topology, const toml::table& root,
                                        config_error* error);

}  // namespace coact::tools
