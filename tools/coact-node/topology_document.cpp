#include "topology_document.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <optional>
#include <sstream>
#include <utility>

#include "key_suggestion.hpp"
#include "node_address.hpp"

namespace coact::tools {
namespace {

using namespace std::string_view_literals;

/// Explicit bounds, so that no loop or table grows with what a file happens to say.
constexpr std::size_t nodes_max = 1024;
constexpr std::size_t actors_per_node_max = 1024;
constexpr std::size_t cluster_bytes_max = 255;

constexpr std::array top_keys{"cluster"sv, "secret_file"sv, "secret_env"sv, "limits"sv, "node"sv};
constexpr std::array limits_keys{"frame_bytes_max"sv,       "connections_max"sv,
                                 "handshake_timeout_ms"sv,  "outbound_queue_max"sv,
                                 "heartbeat_interval_ms"sv, "phi_threshold"sv};
constexpr std::array node_keys{"name"sv, "address"sv, "datacenter"sv, "shards"sv, "actors"sv};
constexpr std::array actor_keys{"kind"sv, "name"sv};

/// An unsigned key of [limits]: where it goes and what it may hold.
struct limit_range {
  std::string_view key;
  std::uint32_t limits_config::*field;
  std::int64_t min;
  std::int64_t max;
};

constexpr std::array limit_ranges{
    limit_range{"frame_bytes_max", &limits_config::frame_bytes_max, 4096, 1 << 30},
    limit_range{"connections_max", &limits_config::connections_max, 1, 65536},
    limit_range{"handshake_timeout_ms", &limits_config::handshake_timeout_ms, 1, 600'000},
    limit_range{"outbound_queue_max", &limits_config::outbound_queue_max, 1, 1 << 24},
    limit_range{"heartbeat_interval_ms", &limits_config::heartbeat_interval_ms, 1, 60'000},
};

constexpr double phi_threshold_max = 100.0;
constexpr std::int64_t shards_max = 256;

std::string join(std::span<const std::string_view> words) {
  std::string out;
  for (std::string_view w : words) {
    if (!out.empty()) out += ", ";
    out += w;
  }
  return out;
}

/// 1 to 64 characters from a-z, 0-9, '_' and '-': names that read the same in a shell,
/// a log line and a URL.
bool is_simple_name(std::string_view s) {
  return !s.empty() && s.size() <= 64 && std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '-';
  });
}
constexpr std::string_view simple_name_fix = "use 1 to 64 characters from a-z, 0-9, '_' and '-'";

bool is_environment_name(std::string_view s) {
  if (s.empty() || s.size() > 255 || std::isdigit(static_cast<unsigned char>(s[0]))) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_';
  });
}

std::string_view type_name(const toml::node& n) {
  switch (n.type()) {
    case toml::node_type::table:
      return "a table";
    case toml::node_type::array:
      return "an array";
    case toml::node_type::string:
      return "a string";
    case toml::node_type::integer:
      return "an integer";
    case toml::node_type::floating_point:
      return "a floating-point number";
    case toml::node_type::boolean:
      return "a boolean";
    case toml::node_type::date:
      return "a date";
    case toml::node_type::time:
      return "a time";
    case toml::node_type::date_time:
      return "a date-time";
    case toml::node_type::none:
      break;
  }
  return "nothing";
}

/// Reads one parsed file into a topology_config and keeps the first problem found.
/// Every check returns false once it has recorded a problem, and the caller stops there.
class document_reader {
 public:
  document_reader(const std::filesystem::path& file,
                  std::span<const std::string_view> known_actor_kinds, config_error* error)
      : file_{file}, known_actor_kinds_{known_actor_kinds}, error_{error} {}

  [[nodiscard]] bool read(const toml::table& root, topology_config* out) {
    root_ = &root;
    out->file = file_;
    if (!only_known_keys(root, "", "at the top level", top_keys)) return false;
    if (!read_string(root, "cluster", "cluster", "add cluster = \"demo\" at the top of the file",
                     &out->cluster)) {
      return false;
    }
    if (out->cluster.empty() || out->cluster.size() > cluster_bytes_max) {
      return fail("cluster", root.get("cluster"),
                  out->cluster.empty() ? "is empty" : "is longer than 255 bytes",
                  "name the cluster, e.g. cluster = \"demo\"");
    }
    if (!read_secret_source(root, out)) return false;
    if (const toml::node* limits = root.get("limits")) {
      if (!read_limits(*limits, &out->limits)) return false;
    }
    return read_nodes(root, out);
  }

 private:
  /// Records the problem at `where` (no place for nullptr or the root table); returns false.
  [[nodiscard]] bool fail(std::string key, const toml::node* where, std::string problem,
                          std::string fix) {
    // The root table spans the whole file: a line there would point at nothing in particular.
    const toml::source_position at =
        where != nullptr && where != root_ ? where->source().begin : toml::source_position{0, 0};
    return fail_at(std::move(key), at, std::move(problem), std::move(fix));
  }

  [[nodiscard]] bool fail_at(std::string key, toml::source_position at, std::string problem,
                             std::string fix) {
    if (error_ != nullptr) {
      *error_ = config_error{file_.string(),     at.line,       at.column, std::move(key),
                             std::move(problem), std::move(fix)};
    }
    return false;
  }

  /// Refuses the first key of `table`, in file order, that is not in `allowed`.
  [[nodiscard]] bool only_known_keys(const toml::table& table, const std::string& path,
                                     std::string_view where_text,
                                     std::span<const std::string_view> allowed) {
    const toml::key* first_unknown = nullptr;
    for (auto&& [key, value] : table) {
      if (std::find(allowed.begin(), allowed.end(), key.str()) != allowed.end()) continue;
      if (first_unknown == nullptr || key.source().begin < first_unknown->source().begin) {
        first_unknown = &key;
      }
    }
    if (first_unknown == nullptr) return true;
    const std::string_view name = first_unknown->str();
    std::string problem = "unknown key " + in_quotes(name) + " " + std::string{where_text};
    if (const auto guess = near_miss(name, allowed)) {
      problem += "; did you mean " + in_quotes(*guess) + "?";
    }
    const std::string full_key = path.empty() ? std::string{name} : path + "." + std::string{name};
    return fail_at(full_key, first_unknown->source().begin, std::move(problem),
                   "the keys here are " + join(allowed));
  }

  /// A string value at `table[name]`. Absent: an error when `required_fix` is set, else
  /// `*out` keeps its default.
  [[nodiscard]] bool read_string(const toml::table& table, std::string_view name,
                                 const std::string& path, const char* required_fix,
                                 std::string* out) {
    const toml::node* value = table.get(name);
    if (value == nullptr) {
      if (required_fix == nullptr) return true;
      return fail(path, &table, "is missing", required_fix);
    }
    const auto* text = value->as_string();
    if (text == nullptr) {
      return fail(path, value,
                  std::string{"expected a string, found "} + std::string{type_name(*value)},
                  "write the value in double quotes");
    }
    *out = text->get();
    return true;
  }

  /// An integer value at `table[name]` within [min, max]; absent: `*out` keeps its default.
  template <class Unsigned>
  [[nodiscard]] bool read_integer(const toml::table& table, std::string_view name,
                                  const std::string& path, std::int64_t min, std::int64_t max,
                                  Unsigned* out) {
    const toml::node* value = table.get(name);
    if (value == nullptr) return true;
    const auto* number = value->as_integer();
    if (number == nullptr) {
      return fail(
          path, value, "expected an integer, found " + std::string{type_name(*value)},
          "write a whole number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    const std::int64_t v = number->get();
    if (v < min || v > max) {
      return fail(path, value, std::to_string(v) + " is out of range",
                  "use a number from " + std::to_string(min) + " to " + std::to_string(max));
    }
    *out = static_cast<Unsigned>(v);
    return true;
  }

  [[nodiscard]] bool read_secret_source(const toml::table& root, topology_config* out) {
    const toml::node* file = root.get("secret_file");
    const toml::node* env = root.get("secret_env");
    if (file != nullptr && env != nullptr) {
      return fail("secret_file", file, "is set together with secret_env",
                  "keep one of secret_file and secret_env");
    }
    if (file == nullptr && env == nullptr) {
      return fail("secret_file", nullptr, "neither secret_file nor secret_env is set",
                  "add secret_file = \"cluster.secret\" (relative to this file) or "
                  "secret_env = \"COACT_SECRET\"");
    }
    if (env != nullptr) {
      if (!read_string(root, "secret_env", "secret_env", nullptr, &out->secret_env)) {
        return false;
      }
      if (!is_environment_name(out->secret_env)) {
        return fail("secret_env", env, in_quotes(out->secret_env) + " is not a variable name",
                    "use letters, digits and '_', not starting with a digit");
      }
      return true;
    }
    std::string path;
    if (!read_string(root, "secret_file", "secret_file", nullptr, &path)) return false;
    if (path.empty()) {
      return fail("secret_file", file, "is empty", "name the file that holds the cluster's secret");
    }
    std::filesystem::path secret{path};
    if (secret.is_relative()) {
      std::error_code ec;
      const std::filesystem::path config = std::filesystem::absolute(file_, ec);
      if (ec) {
        return fail("secret_file", file, "cannot be resolved: " + ec.message(),
                    "give an absolute path");
      }
      secret = config.parent_path() / secret;
    }
    out->secret_file = secret.lexically_normal();
    return true;
  }

  [[nodiscard]] bool read_limits(const toml::node& node, limits_config* out) {
    const toml::table* limits = node.as_table();
    if (limits == nullptr) {
      return fail("limits", &node, "expected a table, found " + std::string{type_name(node)},
                  "write the limits under a [limits] header");
    }
    if (!only_known_keys(*limits, "limits", "in [limits]", limits_keys)) return false;
    for (const limit_range& r : limit_ranges) {
      if (!read_integer(*limits, r.key, "limits." + std::string{r.key}, r.min, r.max,
                        &(out->*r.field))) {
        return false;
      }
    }
    const toml::node* phi = limits->get("phi_threshold");
    if (phi == nullptr) return true;
    const std::string fix = "use a number above 0, at most 100 (8 is usual)";
    std::optional<double> value;
    if (const auto* f = phi->as_floating_point()) value = f->get();
    if (const auto* i = phi->as_integer()) value = static_cast<double>(i->get());
    if (!value) {
      return fail("limits.phi_threshold", phi,
                  "expected a number, found " + std::string{type_name(*phi)}, fix);
    }
    // Written so that NaN fails too.
    if (!(*value > 0.0 && *value <= phi_threshold_max)) {
      std::ostringstream shown;
      shown << *value;
      return fail("limits.phi_threshold", phi, shown.str() + " is out of range", fix);
    }
    out->phi_threshold = *value;
    return true;
  }

  [[nodiscard]] bool read_nodes(const toml::table& root, topology_config* out) {
    const std::string add_node =
        "describe each node in a [[node]] table with at least name and address";
    const toml::node* nodes = root.get("node");
    if (nodes == nullptr) return fail("node", nullptr, "the file describes no node", add_node);
    const toml::array* list = nodes->as_array();
    if (list == nullptr) {
      return fail("node", nodes,
                  "expected an array of tables, found " + std::string{type_name(*nodes)},
                  "write [[node]] (two brackets) before each node");
    }
    if (list->empty()) return fail("node", nodes, "the file describes no node", add_node);
    if (list->size() > nodes_max) {
      return fail("node", nodes, "more than 1024 nodes", "split the topology");
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string path = "node[" + std::to_string(i) + "]";
      const toml::node& element = *list->get(i);
      const toml::table* table = element.as_table();
      if (table == nullptr) {
        return fail(path, &element, "expected a table, found " + std::string{type_name(element)},
                    "write [[node]] (two brackets) before each node");
      }
      node_config node;
      node.id = static_cast<std::uint32_t>(i);
      if (!read_node(*table, path, &node)) return false;
      out->nodes.push_back(std::move(node));
    }
    return true;
  }

  [[nodiscard]] bool read_node(const toml::table& table, const std::string& path,
                               node_config* out) {
    if (!only_known_keys(table, path, "in " + path, node_keys)) return false;
    if (!read_string(table, "name", path + ".name", "add name = \"a\" to the node", &out->name)) {
      return false;
    }
    if (!is_simple_name(out->name)) {
      return fail(path + ".name", table.get("name"), in_quotes(out->name) + " is not a valid name",
                  std::string{simple_name_fix});
    }
    std::string address;
    if (!read_string(table, "address", path + ".address", "add address = \"host:port\" to the node",
                     &address)) {
      return false;
    }
    address_parse parsed = parse_address(address);
    if (!parsed.problem.empty()) {
      return fail(path + ".address", table.get("address"), std::move(parsed.problem),
                  std::move(parsed.fix));
    }
    out->host = std::move(parsed.host);
    out->port = parsed.port;
    if (!read_string(table, "datacenter", path + ".datacenter", nullptr, &out->datacenter)) {
      return false;
    }
    if (!is_simple_name(out->datacenter)) {
      return fail(path + ".datacenter", table.get("datacenter"),
                  in_quotes(out->datacenter) + " is not a valid datacenter name",
                  std::string{simple_name_fix});
    }
    if (!read_integer(table, "shards", path + ".shards", 1, shards_max, &out->shards)) {
      return false;
    }
    return read_actors(table, path, out);
  }

  [[nodiscard]] bool read_actors(const toml::table& node, const std::string& node_path,
                                 node_config* out) {
    const toml::node* actors = node.get("actors");
    if (actors == nullptr) return true;
    const std::string path = node_path + ".actors";
    const toml::array* list = actors->as_array();
    if (list == nullptr) {
      return fail(path, actors, "expected an array, found " + std::string{type_name(*actors)},
                  "write actors = [ { kind = \"echo\", name = \"echo\" } ]");
    }
    if (list->size() > actors_per_node_max) {
      return fail(path, actors, "more than 1024 actors on one node",
                  "spread the actors over more nodes");
    }
    for (std::size_t i = 0; i < list->size(); ++i) {
      const std::string actor_path = path + "[" + std::to_string(i) + "]";
      const toml::node& element = *list->get(i);
      const toml::table* table = element.as_table();
      if (table == nullptr) {
        return fail(actor_path, &element,
                    "expected a table, found " + std::string{type_name(element)},
                    "write each actor as { kind = \"echo\", name = \"echo\" }");
      }
      if (!only_known_keys(*table, actor_path, "in " + actor_path, actor_keys)) return false;
      actor_config actor;
      if (!read_string(*table, "kind", actor_path + ".kind",
                       "add kind = \"...\", one of the known kinds", &actor.kind) ||
          !read_string(*table, "name", actor_path + ".name", "add name = \"...\" to the actor",
                       &actor.name)) {
        return false;
      }
      if (std::find(known_actor_kinds_.begin(), known_actor_kinds_.end(), actor.kind) ==
          known_actor_kinds_.end()) {
        std::string problem = "unknown actor kind " + in_quotes(actor.kind);
        if (const auto guess = near_miss(actor.kind, known_actor_kinds_)) {
          problem += "; did you mean " + in_quotes(*guess) + "?";
        }
        return fail(actor_path + ".kind", table->get("kind"), std::move(problem),
                    known_actor_kinds_.empty() ? "this program starts no actors"
                                               : "the known kinds are " + join(known_actor_kinds_));
      }
      if (!is_simple_name(actor.name)) {
        return fail(actor_path + ".name", table->get("name"),
                    in_quotes(actor.name) + " is not a valid name", std::string{simple_name_fix});
      }
      out->actors.push_back(std::move(actor));
    }
    return true;
  }

  const std::filesystem::path& file_;
  std::span<const std::string_view> known_actor_kinds_;
  config_error* error_;
  const toml::table* root_ = nullptr;
};

}  // namespace

bool read_topology_document(const toml::table& root, const std::filesystem::path& file,
                            std::span<const std::string_view> known_actor_kinds,
                            topology_config* out, config_error* error) {
  return document_reader{file, known_actor_kinds, error}.read(root, out);
}

}  // namespace coact::tools
