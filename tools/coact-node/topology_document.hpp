#pragma once

#include <toml++/toml.h>

#include <filesystem>
#include <span>
#include <string_view>

#include "config_error.hpp"
#include "topology_config.hpp"

namespace coact::tools {

/// Reads the parsed TOML document of the topology file `file` into `*out`, key by key:
/// every key known (an unknown one gets a suggestion for a near miss), of its type, in its
/// range and form (names, addresses, actor kinds among `known_actor_kinds`); a relative
/// secret_file is resolved against the folder of `file`. Rules that span entries (unique
/// names and addresses, enough connections for the peers) are check_topology_rules'.
/// Returns false at the first problem, with `*error` (when not null) naming it.
[[nodiscard]] bool read_topology_document(const toml::table& root,
                                          const std::filesystem::path& file,
                                          std::span<const std::string_view> known_actor_kinds,
                                          topology_config* out, config_error* error);

}  // namespace coact::tools
