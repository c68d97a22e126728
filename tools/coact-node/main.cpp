// coact-node: runs one node of a topology that a configuration file describes.
#include <CLI/CLI.hpp>

#include <array>
#include <iostream>
#include <string>
#include <string_view>
#include <utility>

#include "run_node.hpp"
#include "topology_config.hpp"
#include "topology_secret.hpp"

namespace {

using namespace coact::tools;

/// The actor kinds this executable can start; a configuration naming another is refused.
constexpr std::array<std::string_view, 3> known_actor_kinds{"echo", "kv_store", "client"};

void print_summary(const topology_config& topology, const node_config* self) {
  std::cout << "cluster " << topology.cluster << " (" << topology.file.string()
            << "): " << topology.nodes.size() << (topology.nodes.size() == 1 ? " node" : " nodes")
            << ", secret "
            << (topology.secret_env.empty() ? "in file " + topology.secret_file.string()
                                            : "in $" + topology.secret_env)
            << '\n';
  for (const node_config& node : topology.nodes) {
    std::cout << (&node == self ? "* " : "  ") << "node " << node.id << ' ' << node.name << " at "
              << node.address() << ", datacenter " << node.datacenter << ", " << node.shards
              << (node.shards == 1 ? " shard" : " shards") << ", actors:";
    if (node.actors.empty()) std::cout << " none";
    for (std::size_t i = 0; i < node.actors.size(); ++i) {
      std::cout << (i == 0 ? " " : ", ") << node.actors[i].name << " (" << node.actors[i].kind
                << ')';
    }
    std::cout << '\n';
  }
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"coact-node: runs one node of a coact topology described in a TOML file"};
  std::string config_file;
  std::string node_name;
  bool check = false;
  app.add_option("--config", config_file, "the topology's configuration file (TOML)")->required();
  CLI::Option* node_option =
      app.add_option("--node", node_name, "the node of that file this process runs");
  app.add_flag("--check", check,
               "validate the file (and the secret), print one line per node, and exit");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help is a ParseError that exits 0; every real parse error exits with bad input.
    const int code = app.exit(e);
    return code == 0 ? node_exit_ok : node_exit_bad_input;
  }
  // Only --check may look at the whole file without picking a node.
  if (!check && node_option->count() == 0) {
    std::cerr << "coact-node: --node is required (except with --check)\n"
              << "Run with --help for more information.\n";
    return node_exit_bad_input;
  }

  config_error error;
  const auto topology = load_topology(config_file, known_actor_kinds, &error);
  if (!topology) {
    std::cerr << "coact-node: " << error.message() << '\n';
    return node_exit_bad_input;
  }
  const node_config* self = nullptr;
  if (node_option->count() != 0) {
    self = topology.value().find(node_name);
    if (self == nullptr) {
      std::cerr << "coact-node: " << config_file << ": no node '" << node_name
                << "' (--node); its nodes are: ";
      for (const node_config& node : topology.value().nodes) {
        std::cerr << (node.id == 0 ? "" : ", ") << node.name;
      }
      std::cerr << '\n';
      return node_exit_bad_input;
    }
  }
  // Read here, before anything starts, so that --check judges the secret the node runs with.
  auto secret = read_secret(topology.value(), &error);
  if (!secret) {
    std::cerr << "coact-node: " << error.message() << '\n';
    return node_exit_bad_input;
  }
  print_summary(topology.value(), self);
  if (check) return node_exit_ok;
  return run_node(topology.value(), *self, std::move(secret).value());
}
