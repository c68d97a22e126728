// coact-node's configuration: a good file loads with every field, left-out keys take their
// defaults, and each kind of mistake is refused with the key at fault and a fix.
#include "topology_config.hpp"

#include <catch2/catch.hpp>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>

#include "coact/net/tcp/cluster_secret.hpp"
#include "topology_secret.hpp"

using namespace coact::tools;
namespace fs = std::filesystem;

namespace {

constexpr std::array<std::string_view, 3> kinds{"echo", "kv_store", "client"};

/// A folder of its own under the system's temporary folder, removed at the end of the test.
class temp_folder {
 public:
  temp_folder() {
    static std::atomic<int> count{0};
    path_ = fs::temp_directory_path() /
            ("coact_tools_test_" + std::to_string(::getpid()) + "_" + std::to_string(count++));
    fs::create_directories(path_);
  }
  ~temp_folder() {
    std::error_code ignored;
    fs::remove_all(path_, ignored);
  }
  temp_folder(const temp_folder&) = delete;
  temp_folder& operator=(const temp_folder&) = delete;

  [[nodiscard]] const fs::path& path() const { return path_; }

  fs::path write(const std::string& name, std::string_view text) const {
    fs::path file = path_ / name;
    fs::create_directories(file.parent_path());
    std::ofstream{file, std::ios::binary} << text;
    return file;
  }

 private:
  fs::path path_;
};

/// A valid head for files whose point is in their nodes.
constexpr std::string_view head = "cluster = \"demo\"\nsecret_env = \"COACT_SECRET\"\n";

struct loaded {
  coact::result<topology_config> topology;
  config_error error;
};

loaded load(const temp_folder& folder, std::string_view text) {
  const fs::path file = folder.write("topology.toml", text);
  loaded out{coact::errc::timeout, {}};
  out.topology = load_topology(file, kinds, &out.error);
  return out;
}

/// Loads `text`, expects it refused as invalid, and returns the error for further checks.
config_error refused(std::string_view text, std::string_view key, std::string_view problem_part) {
  temp_folder folder;
  loaded l = load(folder, text);
  INFO(text);
  REQUIRE_FALSE(l.topology);
  INFO(l.error.message());
  CHECK(l.topology.error() == coact::errc::invalid_argument);
  CHECK(l.error.key == key);
  CHECK_THAT(l.error.problem, Catch::Contains(std::string{problem_part}));
  CHECK_FALSE(l.error.fix.empty());
  CHECK(l.error.file == (folder.path() / "topology.toml").string());
  return l.error;
}

std::string one_node(std::string_view node_lines) {
  return std::string{head} + "[[node]]\n" + std::string{node_lines};
}

/// `count` nodes named n0, n1... on ports 7000, 7001... of one host.
std::string nodes(std::size_t count) {
  std::string out;
  for (std::size_t i = 0; i < count; ++i) {
    out += "[[node]]\nname = \"n" + std::to_string(i) +
           "\"\naddress = \"h:" + std::to_string(7000 + i) + "\"\n";
  }
  return out;
}

std::string text_of(const coact::net::tcp::cluster_secret& secret) {
  const auto bytes = secret.bytes();
  return {reinterpret_cast<const char*>(bytes.data()), bytes.size()};
}

}  // namespace

TEST_CASE("a file with every field loads as written", "[tools]") {
  temp_folder folder;
  loaded l = load(folder, R"(
cluster = "demo"
secret_file = "/etc/coact/demo.secret"
[limits]
frame_bytes_max = 1048576
connections_max = 8
handshake_timeout_ms = 500
outbound_queue_max = 1000
heartbeat_interval_ms = 50
phi_threshold = 12.5
[[node]]
name = "a"
address = "127.0.0.1:7001"
datacenter = "dc1"
shards = 4
actors = [ { kind = "echo", name = "echo" }, { kind = "kv_store", name = "store" } ]
[[node]]
name = "b-2"
address = "[::1]:7002"
datacenter = "dc2"
shards = 256
actors = [ { kind = "client", name = "client_1" } ]
[[node]]
name = "c"
address = "Node-C.Example:65535"
)");
  INFO(l.error.message());
  REQUIRE(l.topology);
  const topology_config& t = l.topology.value();
  CHECK(t.file == folder.path() / "topology.toml");
  CHECK(t.cluster == "demo");
  CHECK(t.secret_file == "/etc/coact/demo.secret");
  CHECK(t.secret_env.empty());
  CHECK(t.limits.frame_bytes_max == 1048576);
  CHECK(t.limits.connections_max == 8);
  CHECK(t.limits.handshake_timeout_ms == 500);
  CHECK(t.limits.outbound_queue_max == 1000);
  CHECK(t.limits.heartbeat_interval_ms == 50);
  CHECK(t.limits.phi_threshold == 12.5);
  REQUIRE(t.nodes.size() == 3);

  const node_config& a = t.nodes[0];
  CHECK(a.name == "a");
  CHECK(a.host == "127.0.0.1");
  CHECK(a.port == 7001);
  CHECK(a.address() == "127.0.0.1:7001");
  CHECK(a.datacenter == "dc1");
  CHECK(a.shards == 4);
  REQUIRE(a.actors.size() == 2);
  CHECK(a.actors[0].kind == "echo");
  CHECK(a.actors[0].name == "echo");
  CHECK(a.actors[1].kind == "kv_store");
  CHECK(a.actors[1].name == "store");

  const node_config& b = t.nodes[1];
  CHECK(b.host == "::1");
  CHECK(b.address() == "[::1]:7002");
  CHECK(b.shards == 256);
  REQUIRE(b.actors.size() == 1);
  CHECK(b.actors[0].kind == "client");

  // Host names are kept in lower case: DNS does not tell the two apart.
  CHECK(t.nodes[2].host == "node-c.example");
  CHECK(t.nodes[2].port == 65535);

  for (std::uint32_t i = 0; i < t.nodes.size(); ++i) CHECK(t.nodes[i].id == i);
  REQUIRE(t.find("b-2") == &t.nodes[1]);
  CHECK(t.find("z") == nullptr);
}

TEST_CASE("left-out keys take their defaults", "[tools]") {
  temp_folder folder;
  loaded l = load(folder, one_node("name = \"a\"\naddress = \"localhost:7001\"\n"));
  INFO(l.error.message());
  REQUIRE(l.topology);
  const topology_config& t = l.topology.value();
  const limits_config defaults;
  CHECK(t.limits.frame_bytes_max == 16777216);
  CHECK(t.limits.connections_max == 64);
  CHECK(t.limits.handshake_timeout_ms == 2000);
  CHECK(t.limits.outbound_queue_max == 65536);
  CHECK(t.limits.heartbeat_interval_ms == 200);
  CHECK(t.limits.phi_threshold == defaults.phi_threshold);
  CHECK(t.secret_env == "COACT_SECRET");
  CHECK(t.secret_file.empty());
  REQUIRE(t.nodes.size() == 1);
  CHECK(t.nodes[0].datacenter == "default");
  CHECK(t.nodes[0].shards == 1);
  CHECK(t.nodes[0].actors.empty());

  // An empty [limits] and an integer phi_threshold are fine too.
  loaded partial = load(folder, std::string{head} + "[limits]\nphi_threshold = 9\n" +
                                    "[[node]]\nname = \"a\"\naddress = \"localhost:7001\"\n");
  INFO(partial.error.message());
  REQUIRE(partial.topology);
  CHECK(partial.topology.value().limits.phi_threshold == 9.0);
  CHECK(partial.topology.value().limits.connections_max == 64);
}

TEST_CASE("a TOML syntax error names its line and column", "[tools]") {
  temp_folder folder;
  loaded l = load(folder, "cluster = \"demo\"\nsecret_env = \"S\"\n[[node]\nname = \"a\"\n");
  REQUIRE_FALSE(l.topology);
  CHECK(l.topology.error() == coact::errc::parse_error);
  CHECK(l.error.line == 3);
  CHECK(l.error.column > 0);
  CHECK(l.error.key.empty());
  CHECK_THAT(l.error.message(),
             Catch::StartsWith((folder.path() / "topology.toml").string() + ":3:"));

  loaded twice = load(folder, "cluster = \"a\"\ncluster = \"b\"\n");
  REQUIRE_FALSE(twice.topology);
  CHECK(twice.topology.error() == coact::errc::parse_error);
  CHECK(twice.error.line == 2);
}

TEST_CASE("a file that cannot be read is refused", "[tools]") {
  temp_folder folder;
  config_error error;
  const auto missing = load_topology(folder.path() / "none.toml", kinds, &error);
  REQUIRE_FALSE(missing);
  CHECK(missing.error() == coact::errc::invalid_argument);
  CHECK(error.file == (folder.path() / "none.toml").string());
  CHECK_THAT(error.problem, Catch::Contains("cannot read"));
  // Without an error to fill, the result alone tells.
  CHECK_FALSE(load_topology(folder.path() / "none.toml", kinds, nullptr));
}

TEST_CASE("cluster is required and non-empty", "[tools]") {
  const config_error missing = refused(
      "secret_env = \"S\"\n[[node]]\nname = \"a\"\naddress = \"h:1\"\n", "cluster", "missing");
  CHECK(missing.line == 0);
  CHECK(missing.message() == missing.file + ": cluster: is missing (" + missing.fix + ")");
  refused("cluster = \"\"\nsecret_env = \"S\"\n[[node]]\nname = \"a\"\naddress = \"h:1\"\n",
          "cluster", "empty");
  refused("cluster = 7\nsecret_env = \"S\"\n[[node]]\nname = \"a\"\naddress = \"h:1\"\n", "cluster",
          "expected a string, found an integer");
}

TEST_CASE("exactly one of secret_file and secret_env", "[tools]") {
  const std::string node = "[[node]]\nname = \"a\"\naddress = \"h:1\"\n";
  refused("cluster = \"c\"\n" + node, "secret_file", "neither");
  const config_error both =
      refused("cluster = \"c\"\nsecret_file = \"s\"\nsecret_env = \"S\"\n" + node, "secret_file",
              "together with secret_env");
  CHECK(both.line == 2);
  refused("cluster = \"c\"\nsecret_env = \"9LIVES\"\n" + node, "secret_env", "not a variable name");
  refused("cluster = \"c\"\nsecret_file = \"\"\n" + node, "secret_file", "empty");
  refused("cluster = \"c\"\nsecret_file = [\"a\"]\n" + node, "secret_file", "found an array");
}

TEST_CASE("a relative secret_file is resolved against the configuration's folder", "[tools]") {
  temp_folder folder;
  const std::string node = "[[node]]\nname = \"a\"\naddress = \"h:1\"\n";
  const fs::path file = folder.write(
      "conf/topology.toml", "cluster = \"c\"\nsecret_file = \"../keys/demo.secret\"\n" + node);
  config_error error;
  const auto t = load_topology(file, kinds, &error);
  INFO(error.message());
  REQUIRE(t);
  CHECK(t.value().secret_file.is_absolute());
  CHECK(t.value().secret_file == fs::absolute(folder.path() / "keys" / "demo.secret"));

  // Also when the configuration's own path is relative.
  const fs::path previous = fs::current_path();
  fs::current_path(folder.path());
  const auto from_relative = load_topology("conf/topology.toml", kinds, &error);
  fs::current_path(previous);
  REQUIRE(from_relative);
  CHECK(from_relative.value().secret_file == t.value().secret_file);
}

TEST_CASE("unknown keys are refused, with a suggestion for a near miss", "[tools]") {
  const config_error top = refused(std::string{head} + "nodes = 1\n", "nodes",
                                   "unknown key 'nodes' at the top level; did you mean 'node'?");
  CHECK(top.line == 3);

  const config_error node = refused(one_node("name = \"a\"\nadress = \"h:1\"\n"), "node[0].adress",
                                    "unknown key 'adress' in node[0]; did you mean 'address'?");
  CHECK(node.line == 5);
  CHECK(node.column == 1);
  CHECK_THAT(node.fix, Catch::Contains("name, address, datacenter, shards, actors"));
  CHECK_THAT(node.message(), Catch::Contains(":5:1: node[0].adress: unknown key"));

  const config_error far = refused(one_node("name = \"a\"\naddress = \"h:1\"\ncolour = \"red\"\n"),
                                   "node[0].colour", "unknown key 'colour'");
  CHECK_THAT(far.problem, !Catch::Contains("did you mean"));

  // The first unknown key in the file is reported, not the first in alphabetical order.
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nzz = 1\naa = 2\n"), "node[0].zz",
          "unknown key 'zz'");

  refused(std::string{head} + "[limits]\nframe_bytes = 1\n", "limits.frame_bytes",
          "did you mean 'frame_bytes_max'?");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\n"
                   "actors = [ { kind = \"echo\", nmae = \"e\" } ]\n"),
          "node[0].actors[0].nmae", "did you mean 'name'?");
}

TEST_CASE("at least one node, each with a valid, unique name", "[tools]") {
  refused(std::string{head}, "node", "no node");
  refused(std::string{head} + "node = []\n", "node", "no node");
  refused(std::string{head} + "[node]\nname = \"a\"\naddress = \"h:1\"\n", "node",
          "expected an array of tables, found a table");
  refused(std::string{head} + "node = [1]\n", "node[0]", "expected a table, found an integer");
  refused(one_node("address = \"h:1\"\n"), "node[0].name", "missing");
  refused(one_node("name = \"A\"\naddress = \"h:1\"\n"), "node[0].name", "not a valid name");
  refused(one_node("name = \"" + std::string(65, 'a') + "\"\naddress = \"h:1\"\n"), "node[0].name",
          "not a valid name");
  const config_error twice = refused(
      one_node("name = \"a\"\naddress = \"h:1\"\n[[node]]\nname = \"b\"\naddress = \"h:2\"\n"
               "[[node]]\nname = \"a\"\naddress = \"h:3\"\n"),
      "node[2].name", "'a' is already the name of node[0]");
  CHECK(twice.line == 10);
}

TEST_CASE("addresses are host:port with a port from 1 to 65535", "[tools]") {
  struct bad_address {
    std::string_view address;
    std::string_view problem;
  };
  const auto which = GENERATE(values<bad_address>({
      {"127.0.0.1", "has no port"},
      {"127.0.0.1:", "has no port number"},
      {":7001", "has no host"},
      {"127.0.0.1:0", "port 0 is out of range"},
      {"127.0.0.1:70000", "port 70000 is out of range"},
      {"127.0.0.1:123456", "has no port number"},
      {"127.0.0.1:70a", "has no port number"},
      {"127.0.0.1:-1", "has no port number"},
      {"::1:7001", "IPv6 host without brackets"},
      {"[::1", "does not close"},
      {"[::1]7001", "no port after the bracketed host"},
      {"[::1]:", "has no port number"},
      {"[localhost]:7001", "is not an IPv6 address"},
      {"[::]:7001", "not an address other nodes can connect to"},
      {"256.1.1.1:7001", "is not an IPv4 address"},
      {"1.2.3:7001", "is not an IPv4 address"},
      {"0.0.0.0:7001", "not an address other nodes can connect to"},
      {"host_name:7001", "is not a host name"},
      {"-bad.example:7001", "is not a host name"},
      {"a..b:7001", "is not a host name"},
      {"a b:7001", "is not a host name"},
  }));
  const config_error e =
      refused(one_node("name = \"a\"\naddress = \"" + std::string{which.address} + "\"\n"),
              "node[0].address", which.problem);
  CHECK(e.line == 5);
}

TEST_CASE("an address is not a string of another type", "[tools]") {
  refused(one_node("name = \"a\"\naddress = 7001\n"), "node[0].address",
          "expected a string, found an integer");
  refused(one_node("name = \"a\"\n"), "node[0].address", "missing");
}

TEST_CASE("two nodes cannot share an address, however it is spelled", "[tools]") {
  const auto [first, second] = GENERATE(table<std::string_view, std::string_view>({
      {"127.0.0.1:7001", "127.0.0.1:7001"},
      {"[::1]:7001", "[0:0::1]:7001"},
      {"node.example:7001", "NODE.example:7001"},
  }));
  refused(one_node("name = \"a\"\naddress = \"" + std::string{first} +
                   "\"\n[[node]]\nname = \"b\"\naddress = \"" + std::string{second} + "\"\n"),
          "node[1].address", "is already the address of node[0] (a)");
}

TEST_CASE("actors: known kinds, valid names unique within a node", "[tools]") {
  const config_error kind = refused(
      one_node(
          "name = \"a\"\naddress = \"h:1\"\nactors = [ { kind = \"kv-store\", name = \"s\" } ]\n"),
      "node[0].actors[0].kind", "unknown actor kind 'kv-store'; did you mean 'kv_store'?");
  CHECK_THAT(kind.fix, Catch::Contains("echo, kv_store, client"));
  refused(one_node(
              "name = \"a\"\naddress = \"h:1\"\nactors = [ { kind = \"paxos\", name = \"p\" } ]\n"),
          "node[0].actors[0].kind", "unknown actor kind 'paxos'");
  refused(
      one_node(
          "name = \"a\"\naddress = \"h:1\"\n"
          "actors = [ { kind = \"echo\", name = \"e\" }, { kind = \"client\", name = \"e\" } ]\n"),
      "node[0].actors[1].name", "'e' is already the name of node[0].actors[0]");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nactors = [ { kind = \"echo\" } ]\n"),
          "node[0].actors[0].name", "missing");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nactors = [ { name = \"e\" } ]\n"),
          "node[0].actors[0].kind", "missing");
  refused(one_node(
              "name = \"a\"\naddress = \"h:1\"\nactors = [ { kind = \"echo\", name = \"E!\" } ]\n"),
          "node[0].actors[0].name", "not a valid name");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nactors = \"echo\"\n"), "node[0].actors",
          "expected an array, found a string");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nactors = [ \"echo\" ]\n"), "node[0].actors[0]",
          "expected a table, found a string");

  // The same actor name on two nodes is fine: a reference names the node too.
  temp_folder folder;
  loaded l = load(folder, one_node("name = \"a\"\naddress = \"h:1\"\n"
                                   "actors = [ { kind = \"echo\", name = \"e\" } ]\n"
                                   "[[node]]\nname = \"b\"\naddress = \"h:2\"\n"
                                   "actors = [ { kind = \"echo\", name = \"e\" } ]\n"));
  INFO(l.error.message());
  CHECK(l.topology);

  // The executable decides which kinds exist: with none, any actor is refused.
  config_error error;
  const auto none = load_topology(folder.path() / "topology.toml", {}, &error);
  REQUIRE_FALSE(none);
  CHECK(error.key == "node[0].actors[0].kind");
}

TEST_CASE("numbers out of range or of the wrong type are refused", "[tools]") {
  const std::string node = "[[node]]\nname = \"a\"\naddress = \"h:1\"\n";
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nshards = 0\n"), "node[0].shards",
          "0 is out of range");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nshards = 257\n"), "node[0].shards",
          "257 is out of range");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nshards = \"2\"\n"), "node[0].shards",
          "expected an integer, found a string");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\nshards = 1.5\n"), "node[0].shards",
          "expected an integer, found a floating-point number");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\ndatacenter = \"\"\n"), "node[0].datacenter",
          "not a valid datacenter name");
  refused(one_node("name = \"a\"\naddress = \"h:1\"\ndatacenter = true\n"), "node[0].datacenter",
          "expected a string, found a boolean");
  refused(std::string{head} + "limits = 3\n" + node, "limits", "expected a table");
  refused(std::string{head} + "[limits]\nframe_bytes_max = 100\n" + node, "limits.frame_bytes_max",
          "100 is out of range");
  refused(std::string{head} + "[limits]\nconnections_max = 0\n" + node, "limits.connections_max",
          "out of range");
  refused(std::string{head} + "[limits]\nhandshake_timeout_ms = -5\n" + node,
          "limits.handshake_timeout_ms", "out of range");
  refused(std::string{head} + "[limits]\noutbound_queue_max = 99999999999\n" + node,
          "limits.outbound_queue_max", "out of range");
  refused(std::string{head} + "[limits]\nheartbeat_interval_ms = \"200\"\n" + node,
          "limits.heartbeat_interval_ms", "expected an integer, found a string");
  refused(std::string{head} + "[limits]\nphi_threshold = 0.0\n" + node, "limits.phi_threshold",
          "out of range");
  refused(std::string{head} + "[limits]\nphi_threshold = nan\n" + node, "limits.phi_threshold",
          "out of range");
  refused(std::string{head} + "[limits]\nphi_threshold = \"8\"\n" + node, "limits.phi_threshold",
          "expected a number, found a string");
}

TEST_CASE("the secret comes from its file or its variable, long enough", "[tools]") {
  temp_folder folder;
  const std::string node = "[[node]]\nname = \"a\"\naddress = \"h:1\"\n";
  const fs::path file =
      folder.write("topology.toml", "cluster = \"c\"\nsecret_file = \"demo.secret\"\n" + node);
  config_error error;
  const auto t = load_topology(file, kinds, &error);
  REQUIRE(t);

  auto secret = read_secret(t.value(), &error);
  REQUIRE_FALSE(secret);
  CHECK(error.key == "secret_file");
  CHECK_THAT(error.problem, Catch::Contains((folder.path() / "demo.secret").string()));

  folder.write("demo.secret", "short\n");
  secret = read_secret(t.value(), &error);
  REQUIRE_FALSE(secret);
  CHECK_THAT(error.problem, Catch::Contains("5 bytes, shorter than the minimum of 16"));

  folder.write("demo.secret", "0123456789abcdef0123\n");
  secret = read_secret(t.value(), &error);
  REQUIRE(secret);
  CHECK(text_of(secret.value()) == "0123456789abcdef0123");

  topology_config from_env = t.value();
  from_env.secret_file.clear();
  from_env.secret_env = "COACT_TOOLS_TEST_SECRET";
  ::unsetenv("COACT_TOOLS_TEST_SECRET");
  secret = read_secret(from_env, &error);
  REQUIRE_FALSE(secret);
  CHECK(error.key == "secret_env");
  CHECK_THAT(error.problem,
             Catch::Contains("COACT_TOOLS_TEST_SECRET (the cluster secret) is not set"));
  ::setenv("COACT_TOOLS_TEST_SECRET", "fedcba9876543210fedcba", 1);
  secret = read_secret(from_env, &error);
  ::unsetenv("COACT_TOOLS_TEST_SECRET");
  REQUIRE(secret);
  CHECK(text_of(secret.value()) == "fedcba9876543210fedcba");
}

// Regression: --check stripped all trailing white space from a secret file while the node
// (net::tcp::cluster_secret) strips one newline, so --check refused secrets the node
// accepted and passed others as bytes the node did not use. Both now take cluster_secret's.
TEST_CASE("a secret with surrounding white space: --check and the node agree",
          "[tools][regression]") {
  temp_folder folder;
  const fs::path file =
      folder.write("topology.toml", "cluster = \"c\"\nsecret_file = \"demo.secret\"\n" + nodes(1));
  config_error error;
  const auto t = load_topology(file, kinds, &error);
  REQUIRE(t);
  const auto content = GENERATE(as<std::string>{},
                                "0123456789abcde \t\n",          // 15 bytes once all blanks go
                                "  0123456789abcdef  \n",        // blanks on both sides
                                "\t0123456789abcdef\r\n",        // a tab first, CRLF last
                                "0123456789abcdef\n\n",          // one newline too many
                                "0123456789abcd\n",              // short either way
                                " \n \n \n \n \n \n \n \n \n");  // only white space
  INFO("secret file: '" << content << "'");
  folder.write("demo.secret", content);
  const auto checked = read_secret(t.value(), &error);
  const auto node = coact::net::tcp::cluster_secret::from_file(t.value().secret_file);
  REQUIRE(static_cast<bool>(checked) == static_cast<bool>(node));
  if (checked) CHECK(text_of(checked.value()) == text_of(node.value()));
}

// Proves a topology whose connections_max cannot hold each node's peers is refused, naming
// both numbers and the fix, instead of nodes refusing each other's connections forever.
TEST_CASE("connections_max covers every peer of a node", "[tools]") {
  const config_error set = refused(std::string{head} + "[limits]\nconnections_max = 1\n" + nodes(3),
                                   "limits.connections_max", "connections_max is 1, below the 2");
  CHECK(set.line == 4);
  CHECK_THAT(set.fix, Catch::Contains("connections_max = 2 or more under [limits]"));

  const config_error by_default = refused(std::string{head} + nodes(66), "limits.connections_max",
                                          "connections_max is 64 (the default), below the 65");
  CHECK(by_default.line == 0);
  CHECK_THAT(by_default.fix, Catch::Contains("connections_max = 65"));
  CHECK_THAT(by_default.message(), Catch::Contains("topology.toml: limits.connections_max:"));

  // Exactly one connection per peer is enough.
  temp_folder folder;
  loaded at_default = load(folder, std::string{head} + nodes(65));
  INFO(at_default.error.message());
  CHECK(at_default.topology);
  loaded at_two = load(folder, std::string{head} + "[limits]\nconnections_max = 2\n" + nodes(3));
  INFO(at_two.error.message());
  CHECK(at_two.topology);
}
