#include "topology_rules.hpp"

#include <cstddef>
#include <functional>
#include <map>
#include <string>
#include <utility>

namespace coact::tools {
namespace {

/// Records the problem, placed at `where` when the file has it; returns false.
bool fail(const topology_config& topology, std::string key, toml::node_view<const toml::node> where,
          std::string problem, std::string fix, config_error* error) {
  if (error != nullptr) {
    const toml::source_position at =
        where ? where.node()->source().begin : toml::source_position{0, 0};
    *error = config_error{topology.file.string(), at.line,       at.column, std::move(key),
                          std::move(problem),     std::move(fix)};
  }
  return false;
}

bool unique_actor_names(const topology_config& topology, const toml::table& root,
                        const node_config& node, config_error* error) {
  const std::string path = "node[" + std::to_string(node.id) + "].actors";
  std::map<std::string_view, std::size_t> first_of_name;
  for (std::size_t i = 0; i < node.actors.size(); ++i) {
    const std::string& name = node.actors[i].name;
    if (const auto it = first_of_name.find(name); it != first_of_name.end()) {
      return fail(topology, path + "[" + std::to_string(i) + "].name",
                  root["node"][node.id]["actors"][i]["name"],
                  in_quotes(name) + " is already the name of " + path + "[" +
                      std::to_string(it->second) + "]",
                  "give each actor of a node its own name", error);
    }
    first_of_name.emplace(name, i);
  }
  return true;
}

}  // namespace

bool check_topology_rules(const topology_config& topology, const toml::table& root,
                          config_error* error) {
  // Name and address -> the node that has it first, to name both in a message.
  std::map<std::string_view, std::size_t> first_of_name;
  std::map<std::string, std::size_t, std::less<>> first_of_address;
  for (const node_config& node : topology.nodes) {
    const std::string path = "node[" + std::to_string(node.id) + "]";
    if (const auto it = first_of_name.find(node.name); it != first_of_name.end()) {
      return fail(
          topology, path + ".name", root["node"][node.id]["name"],
          in_quotes(node.name) + " is already the name of node[" + std::to_string(it->second) + "]",
          "give each node its own name", error);
    }
    std::string address = node.address();
    if (const auto it = first_of_address.find(address); it != first_of_address.end()) {
      return fail(topology, path + ".address", root["node"][node.id]["address"],
                  address + " is already the address of node[" + std::to_string(it->second) +
                      "] (" + topology.nodes[it->second].name + ")",
                  "give each node its own host:port", error);
    }
    first_of_name.emplace(node.name, node.id);
    first_of_address.emplace(std::move(address), node.id);
    if (!unique_actor_names(topology, root, node, error)) return false;
  }
  // Each pair of nodes shares one connection, which counts against connections_max at
  // both ends: a node below its peer count refuses some of them at every reconnect.
  const std::size_t peers = topology.nodes.size() - 1;
  const std::uint32_t connections_max = topology.limits.connections_max;
  if (connections_max < peers) {
    const auto where = root["limits"]["connections_max"];
    return fail(topology, "limits.connections_max", where,
                "connections_max is " + std::to_string(connections_max) +
                    (where ? "" : " (the default)") + ", below the " + std::to_string(peers) +
                    " peers each node of these " + std::to_string(topology.nodes.size()) +
                    " nodes connects to",
                "set connections_max = " + std::to_string(peers) +
                    " or more under [limits]; each pair of nodes shares one connection",
                error);
  }
  return true;
}

}  // namespace coact::tools
