#include "topology_secret.hpp"

#include <string>
#include <utility>

namespace coact::tools {

result<net::tcp::cluster_secret> read_secret(const topology_config& topology, config_error* error) {
  const bool from_file = topology.secret_env.empty();
  std::string why;
  auto secret = from_file ? net::tcp::cluster_secret::from_file(topology.secret_file, &why)
                          : net::tcp::cluster_secret::from_env(topology.secret_env.c_str(), &why);
  if (!secret && error != nullptr) {
    *error = config_error{topology.file.string(), 0, 0, from_file ? "secret_file" : "secret_env",
                          std::move(why),         ""};
  }
  return secret;
}

}  // namespace coact::tools
