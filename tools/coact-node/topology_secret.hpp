#pragma once

#include "coact/net/tcp/cluster_secret.hpp"
#include "coact/runtime/result.hpp"
#include "config_error.hpp"
#include "topology_config.hpp"

namespace coact::tools {

/// The cluster's secret that `topology` names, read by net::tcp::cluster_secret (from_file
/// for secret_file, from_env for secret_env): the one rule, so that `--check` judges a
/// secret as the running node does, which uses what this returns. Returns
/// errc::invalid_argument when cluster_secret refuses it, with `*error` (when not null)
/// naming the configuration file, the key, and cluster_secret's explanation, which ends
/// with the fix.
[[nodiscard]] result<net::tcp::cluster_secret> read_secret(const topology_config& topology,
                                                           config_error* error);

}  // namespace coact::tools
