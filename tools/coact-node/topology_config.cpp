#include "topology_config.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <toml++/toml.h>

#include <algorithm>
#include <array>
#include <cassert>
#include <cctype>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iterator>
#include <limits>
#include <map>
#include <new>
#include <optional>
#include <sstream>
#include <system_error>
#include <utility>

namespace coact::tools {
namespace {

using namespace std::string_view_literals;

/// A topology file is a page of text; anything much larger is the wrong file.
constexpr std::uintmax_t config_bytes_max = std::uintmax_t{1024} * 1024;
/// Explicit bounds, so that no loop or table grows with what a file happens to say.
constexpr std::size_t nodes_max = 1024;
constexpr std::size_t actors_per_node_max = 1024;
constexpr std::size_t cluster_bytes_max = 255;
constexpr std::size_t secret_bytes_min = 16;
constexpr std::size_t secret_file_bytes_max = 4096;

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

/// Levenshtein distance, for "did you mean". Keys are short, so the quadratic cost is nothing.
std::size_t edit_distance(std::string_view a, std::string_view b) {
  std::vector<std::size_t> row(b.size() + 1);
  for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i) {
    std::size_t diagonal = row[0];
    row[0] = i;
    for (std::size_t j = 1; j <= b.size(); ++j) {
      const std::size_t above = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diagonal = above;
    }
  }
  return row[b.size()];
}

/// The candidate closest to `word`, when it is close enough to be a typo of it.
std::optional<std::string_view> near_miss(std::string_view word,
                                          std::span<const std::string_view> candidates) {
  std::optional<std::string_view> best;
  std::size_t best_distance = std::min<std::size_t>(2, word.size() / 2) + 1;
  for (std::string_view c : candidates) {
    // A unit left off ("heartbeat_interval" for "heartbeat_interval_ms") is a near miss too.
    const bool truncated = word.size() >= 4 && c.starts_with(word);
    const std::size_t d = truncated ? 1 : edit_distance(word, c);
    if (d < best_distance) {
      best = c;
      best_distance = d;
    }
  }
  return best;
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

/// RFC 1123 host name: dot-separated labels of letters, digits and '-', not starting or
/// ending with '-'.
bool is_host_name(std::string_view s) {
  if (s.empty() || s.size() > 253) return false;
  std::size_t start = 0;
  while (start <= s.size()) {
    std::size_t end = s.find('.', start);
    if (end == std::string_view::npos) end = s.size();
    const std::string_view label = s.substr(start, end - start);
    if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-') {
      return false;
    }
    for (char c : label) {
      if (!std::isalnum(static_cast<unsigned char>(c)) && c != '-') return false;
    }
    start = end + 1;
  }
  return true;
}

std::string in_quotes(std::string_view s) { return "'" + std::string{s} + "'"; }

/// A parsed `host:port`, or why it is not one.
struct address_parse {
  std::string host;
  std::uint16_t port = 0;
  std::string problem;
  std::string fix;
};

constexpr std::string_view address_fix =
    "write host:port, e.g. 127.0.0.1:7001, [::1]:7001 or node-a.example:7001";

address_parse parse_address(std::string_view text) {
  address_parse out;
  std::string_view host;
  std::string_view port;
  bool bracketed = false;
  if (!text.empty() && text.front() == '[') {
    const std::size_t close = text.find(']');
    if (close == std::string_view::npos) {
      out.problem = in_quotes(text) + " opens a bracket it does not close";
      out.fix = std::string{address_fix};
      return out;
    }
    host = text.substr(1, close - 1);
    const std::string_view rest = text.substr(close + 1);
    if (rest.empty() || rest.front() != ':') {
      out.problem = in_quotes(text) + " has no port after the bracketed host";
      out.fix = std::string{address_fix};
      return out;
    }
    port = rest.substr(1);
    bracketed = true;
  } else {
    const std::size_t colon = text.rfind(':');
    if (colon == std::string_view::npos) {
      out.problem = in_quotes(text) + " has no port";
      out.fix = std::string{address_fix};
      return out;
    }
    host = text.substr(0, colon);
    port = text.substr(colon + 1);
    if (host.find(':') != std::string_view::npos) {
      out.problem = in_quotes(text) + " has an IPv6 host without brackets";
      out.fix = "put an IPv6 host in brackets, e.g. [::1]:7001";
      return out;
    }
  }
  if (host.empty()) {
    out.problem = in_quotes(text) + " has no host";
    out.fix = std::string{address_fix};
    return out;
  }
  if (port.empty() || port.size() > 5 ||
      !std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; })) {
    out.problem = in_quotes(text) + " has no port number after the ':'";
    out.fix = "end the address with a port from 1 to 65535";
    return out;
  }
  const long number = std::strtol(std::string{port}.c_str(), nullptr, 10);
  if (number < 1 || number > 65535) {
    out.problem = "port " + std::to_string(number) + " is out of range";
    out.fix = "use a port from 1 to 65535";
    return out;
  }
  out.port = static_cast<std::uint16_t>(number);

  // Literals are kept in canonical form so that two spellings of one address compare equal.
  const std::string host_text{host};
  char canonical[INET6_ADDRSTRLEN] = {};
  in6_addr v6{};
  in_addr v4{};
  if (bracketed) {
    if (inet_pton(AF_INET6, host_text.c_str(), &v6) != 1) {
      out.problem = in_quotes(host) + " in brackets is not an IPv6 address";
      out.fix = "put only IPv6 literals in brackets, e.g. [::1]:7001";
      return out;
    }
    if (IN6_IS_ADDR_UNSPECIFIED(&v6)) {
      out.problem = "'::' is not an address other nodes can connect to";
      out.fix = "give the address at which the other nodes reach this one";
      return out;
    }
    inet_ntop(AF_INET6, &v6, canonical, sizeof canonical);
    out.host = canonical;
    return out;
  }
  const bool looks_numeric = std::all_of(host.begin(), host.end(),
                                         [](char c) { return (c >= '0' && c <= '9') || c == '.'; });
  if (looks_numeric) {
    if (inet_pton(AF_INET, host_text.c_str(), &v4) != 1) {
      out.problem = in_quotes(host) + " is not an IPv4 address";
      out.fix = "write four numbers from 0 to 255 separated by dots, e.g. 127.0.0.1";
      return out;
    }
    if (v4.s_addr == INADDR_ANY) {
      out.problem = "0.0.0.0 is not an address other nodes can connect to";
      out.fix = "give the address at which the other nodes reach this one";
      return out;
    }
    inet_ntop(AF_INET, &v4, canonical, sizeof canonical);
    out.host = canonical;
    return out;
  }
  if (!is_host_name(host)) {
    out.problem = in_quotes(host) + " is not a host name";
    out.fix =
        "use an IPv4 or IPv6 literal, or a name made of dot-separated labels of letters, "
        "digits and '-'";
    return out;
  }
  out.host = host_text;
  std::transform(out.host.begin(), out.host.end(), out.host.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
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

/// Validates one parsed file into a topology_config and keeps the first problem found.
/// Every check returns false once it has recorded a problem, and the caller stops there.
class topology_reader {
 public:
  topology_reader(const std::filesystem::path& file,
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
    // Name and address -> the index of the node that has it, to name both in a message.
    std::map<std::string, std::size_t, std::less<>> names;
    std::map<std::string, std::size_t, std::less<>> addresses;
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
      if (const auto it = names.find(node.name); it != names.end()) {
        return fail(path + ".name", table->get("name"),
                    in_quotes(node.name) + " is already the name of node[" +
                        std::to_string(it->second) + "]",
                    "give each node its own name");
      }
      const std::string address = node.address();
      if (const auto it = addresses.find(address); it != addresses.end()) {
        return fail(path + ".address", table->get("address"),
                    address + " is already the address of node[" + std::to_string(it->second) +
                        "] (" + out->nodes[it->second].name + ")",
                    "give each node its own host:port");
      }
      names.emplace(node.name, i);
      addresses.emplace(address, i);
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
    std::map<std::string, std::size_t, std::less<>> names;
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
      if (const auto it = names.find(actor.name); it != names.end()) {
        return fail(actor_path + ".name", table->get("name"),
                    in_quotes(actor.name) + " is already the name of " + path + "[" +
                        std::to_string(it->second) + "]",
                    "give each actor of a node its own name");
      }
      names.emplace(actor.name, i);
      out->actors.push_back(std::move(actor));
    }
    return true;
  }

  const std::filesystem::path& file_;
  std::span<const std::string_view> known_actor_kinds_;
  config_error* error_;
  const toml::table* root_ = nullptr;
};

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

std::string config_error::message() const {
  std::string out = file;
  if (line != 0) out += ":" + std::to_string(line) + ":" + std::to_string(column);
  if (!key.empty()) out += ": " + key;
  out += ": " + problem;
  if (!fix.empty()) out += " (" + fix + ")";
  return out;
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
    topology_reader reader{file, known_actor_kinds, error};
    if (!reader.read(root, &topology)) return errc::invalid_argument;
    assert(!topology.nodes.empty() && topology.nodes.back().id == topology.nodes.size() - 1);
    assert(topology.secret_file.empty() != topology.secret_env.empty());
    return topology;
  } catch (const std::bad_alloc&) {
    return std::make_error_code(std::errc::not_enough_memory);
  }
}

result<std::string> read_secret(const topology_config& topology, config_error* error) {
  const bool from_file = topology.secret_env.empty();
  const auto refuse = [&](std::string problem, std::string fix) -> result<std::string> {
    if (error != nullptr) {
      *error = config_error{topology.file.string(),
                            0,
                            0,
                            from_file ? "secret_file" : "secret_env",
                            std::move(problem),
                            std::move(fix)};
    }
    return errc::invalid_argument;
  };
  std::string secret;
  if (from_file) {
    const std::string shown = topology.secret_file.string();
    std::error_code ec;
    const std::uintmax_t size = std::filesystem::file_size(topology.secret_file, ec);
    if (ec) {
      return refuse("cannot read " + shown + ": " + ec.message(),
                    "put the cluster's secret in that file, e.g. head -c 32 /dev/urandom | "
                    "base64 > " +
                        shown);
    }
    if (size > secret_file_bytes_max) {
      return refuse(shown + " holds more than 4096 bytes", "check that it is the secret's file");
    }
    std::ifstream in{topology.secret_file, std::ios::binary};
    if (!in) {
      return refuse("cannot open " + shown + ": " + std::strerror(errno), "check its permissions");
    }
    secret.assign(std::istreambuf_iterator<char>{in}, std::istreambuf_iterator<char>{});
    if (in.bad()) return refuse("cannot read " + shown, "check the file and the disk");
  } else {
    const char* value = std::getenv(topology.secret_env.c_str());
    if (value == nullptr) {
      return refuse("the variable " + topology.secret_env + " is not set",
                    "export it with the cluster's secret before starting the node");
    }
    secret = value;
  }
  // An editor or `echo` leaves a newline at the end; it is not part of the secret.
  while (!secret.empty() && std::isspace(static_cast<unsigned char>(secret.back()))) {
    secret.pop_back();
  }
  if (secret.size() < secret_bytes_min) {
    return refuse(
        "the secret is " + std::to_string(secret.size()) + " bytes long; it needs at least 16",
        "use a random secret, e.g. head -c 32 /dev/urandom | base64");
  }
  return secret;
}

}  // namespace coact::tools
