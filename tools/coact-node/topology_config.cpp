#include "topology_config.hpp"

#include <toml++/toml.h>

#include <algorithm>
#include <cassert>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>
#include <new>
#include <system_error>
#include <utility>

#include "topology_document.hpp"
#include "topology_rules.hpp"

namespace coact::tools {
namespace {

/// A topology file is a page of text; anything much larger is the wrong file.
constexpr std::uintmax_t config_bytes_max = std::uintmax_t{1024} * 1024;

/// The whole file, or false with `*error` filled.
bool read_file(const std::filesystem::path& file, std::string* text, config_error* error) {
  const auto refuse = [&](std::string problem, std::string fix) {
    if (error != nullptr)
      *error = config_error{file.string(), 0, 0, "", std::move(problem), std::move(fix)};
    return false;
  };
  std::error_code ec;
  const std::uintmax_t size = std::filesystem::file_size(file, ec);
  if (ec) return refuse("cannot read it: " + ec.message(), "check the path given to --config");
  if (size > config_bytes_max) {
    return refuse("is larger than 1 MiB", "check that this is the topology's configuration file");
  }
  std::ifstream in{file, std::ios::binary};
  if (!in) {
    return refuse("cannot open it: " + std::string{std::strerror(errno)},
                  "check the file's permissions");
  }
  text->assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
  if (in.bad()) return refuse("cannot read it", "check the file and the disk");
  return true;
}

}  // namespace

std::string node_config::address() const {
  const bool v6 = host.find(':') != std::string::npos;
  return (v6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
}

const node_config* topology_config::find(std::string_view name) const {
  const auto it = std::find_if(nodes.begin(), nodes.end(),
                               [name](const node_config& n) { return n.name == name; });
  return it == nodes.end() ? nullptr : &*it;
}

result<topology_config> load_topology(const std::filesystem::path& file,
                                      std::span<const std::string_view> known_actor_kinds,
                                      config_error* error) {
  try {
    std::string text;
    if (!read_file(file, &text, error)) return errc::invalid_argument;
    // toml++ is built with exceptions on Debian (its `ex` ABI): a syntax error throws.
    toml::table root;
    try {
      root = toml::parse(text, file.string());
    } catch (const toml::parse_error& e) {
      if (error != nullptr) {
        *error = config_error{file.string(),
                              e.source().begin.line,
                              e.source().begin.column,
                              "",
                              std::string{e.description()},
                              "see https://toml.io for the syntax"};
      }
      return errc::parse_error;
    }
    topology_config topology;
    if (!read_topology_document(root, file, known_actor_kinds, &topology, error) ||
        !check_topology_rules(topology, root, error)) {
      return errc::invalid_argument;
    }
    assert(!topology.nodes.empty() && topology.nodes.back().id == topology.nodes.size() - 1);
    assert(topology.secret_file.empty() != topology.secret_env.empty());
    return topology;
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

}  // namespace coact::tools
