// coact-node in separate processes on 127.0.0.1, with the test process joining the cluster
// as a node of its own: tell/ask and named lookup across processes; a node killed with
// SIGKILL is detected and the asks waiting for it fail with node_unreachable; restarted, it
// reconnects and answers again.
#include <asio/executor_work_guard.hpp>
#include <asio/ip/tcp.hpp>
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <future>
#include <memory>
#include <mutex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "coact/net/tcp/transport.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/registry.hpp"
#include "node_protocol.capnp.h"

extern char** environ;

using namespace std::chrono_literals;
namespace fs = std::filesystem;
namespace tcp = coact::net::tcp;
namespace protocol = coact::tools::protocol;

namespace {

constexpr std::string_view secret = "the secret of the process test cluster";

/// A port nothing listens on right now (the kernel's pick, released at once).
std::uint16_t free_port() {
  asio::io_context io;
  asio::ip::tcp::acceptor a{io, {asio::ip::make_address("127.0.0.1"), 0}};
  return a.local_endpoint().port();
}

/// A topology of two coact-node processes (a, b: each an echo) and this test (node t).
struct cluster_files {
  cluster_files() {
    folder = fs::temp_directory_path() / ("coact_node_test_" + std::to_string(::getpid()));
    fs::create_directories(folder);
    std::ofstream{folder / "test.secret"} << secret << '\n';
    // Three distinct ports: a kernel may hand out a released port again at once.
    while (ports[0] == ports[1] || ports[1] == ports[2] || ports[0] == ports[2]) {
      for (auto& p : ports) p = free_port();
    }
    // Heartbeats at the default interval: on a loaded 2-core machine a process can stall
    // for a few hundred milliseconds, which a 50 ms interval would take for a lost node.
    std::ofstream config{folder / "cluster.toml"};
    config << "cluster = \"proc\"\nsecret_file = \"test.secret\"\n"
           << "[limits]\nheartbeat_interval_ms = 200\nhandshake_timeout_ms = 5000\n";
    const char* names[] = {"a", "b", "t"};
    for (int i = 0; i < 3; ++i) {
      config << "[[node]]\nname = \"" << names[i] << "\"\naddress = \"127.0.0.1:" << ports[i]
             << "\"\n";
      if (i < 2) config << "actors = [ { kind = \"echo\", name = \"echo\" } ]\n";
    }
  }
  ~cluster_files() {
    std::error_code ignored;
    fs::remove_all(folder, ignored);
  }
  /// What the node processes wrote so far, for a failure's report.
  std::string logs() const {
    std::ostringstream all;
    for (const char* name : {"a", "b"}) {
      all << "--- " << name << ".log\n"
          << std::ifstream{folder / (std::string{name} + ".log")}.rdbuf();
    }
    return all.str();
  }
  fs::path folder;
  std::uint16_t ports[3] = {};
};

/// One coact-node process; killed (SIGKILL) if still running at the end.
class node_process {
 public:
  node_process(const fs::path& config, const char* name, const fs::path& log) {
    const std::string config_arg = config.string();
    const std::string log_arg = log.string();
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_addopen(&actions, 1, log_arg.c_str(), O_WRONLY | O_CREAT | O_APPEND,
                                     0644);
    posix_spawn_file_actions_adddup2(&actions, 1, 2);
    std::vector<std::string> args{COACT_NODE_BINARY, "--config", config_arg, "--node", name};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    REQUIRE(posix_spawn(&pid_, COACT_NODE_BINARY, &actions, nullptr, argv.data(), environ) == 0);
    posix_spawn_file_actions_destroy(&actions);
  }
  node_process(const node_process&) = delete;
  node_process& operator=(const node_process&) = delete;
  ~node_process() {
    if (pid_ > 0) end(SIGKILL);
  }
  /// Sends `signal` and waits (at most 10 s) for the process to exit; its exit status.
  int end(int signal) {
    ::kill(pid_, signal);
    int status = 0;
    for (int i = 0; i < 1000; ++i) {
      if (::waitpid(pid_, &status, WNOHANG) == pid_) {
        pid_ = -1;
        return status;
      }
      std::this_thread::sleep_for(10ms);
    }
    ::kill(pid_, SIGKILL);
    ::waitpid(pid_, &status, 0);
    pid_ = -1;
    return status;
  }

 private:
  pid_t pid_ = -1;
};

/// This test process as node t (2) of the cluster.
struct test_member {
  explicit test_member(const cluster_files& files)
      : transport(std::make_shared<tcp::transport>(io, options(files), secret_of())),
        system(coact::system_config{.shard_count = 1, .node = 2, .router = transport}) {
    transport->attach(system);
    REQUIRE(transport->start());
    thread = std::thread{[this] { io.run(); }};
  }
  ~test_member() {
    system.shutdown();
    transport->stop();
    work.reset();
    io.stop();
    thread.join();
  }
  static tcp::cluster_secret secret_of() {
    return tcp::cluster_secret::from_bytes(std::as_bytes(std::span{secret.data(), secret.size()}));
  }
  tcp::transport_options options(const cluster_files& files) {
    tcp::transport_options o;
    o.cluster = "proc";
    o.node_name = "t";
    o.node_id = 2;
    o.listen_port = files.ports[2];
    o.peers = {{0, "a", "127.0.0.1", files.ports[0]}, {1, "b", "127.0.0.1", files.ports[1]}};
    o.limits.heartbeat_interval = 200ms;
    o.limits.failure_detector.first_heartbeat_estimate = 800ms;
    o.limits.failure_detector.acceptable_pause = 500ms;
    o.limits.reconnect.initial = 20ms;
    o.limits.reconnect.max = 200ms;
    o.log = [this](std::string_view line) {
      std::lock_guard lock{log_mutex};
      log_lines.append(line).append("\n");
    };
    return o;
  }
  /// What this node's transport logged so far, for a failure's report.
  std::string log() {
    std::lock_guard lock{log_mutex};
    return log_lines;
  }
  std::mutex log_mutex;
  std::string log_lines;
  asio::io_context io;
  asio::executor_work_guard<asio::io_context::executor_type> work{io.get_executor()};
  std::shared_ptr<tcp::transport> transport;
  coact::actor_system system;
  std::thread thread;
};

/// Looks up "echo" on `node` and asks it Ping{41}: its answer, or the error.
coact::task<void> ping_echo_on(coact::actor_context& self, std::uint32_t node,
                               coact::duration timeout,
                               std::shared_ptr<std::promise<std::string>> out) {
  auto found = co_await coact::lookup(self, node, "echo", timeout);
  if (!found) {
    out->set_value(found.error().message());
    co_return;
  }
  coact::message<protocol::Ping> ping;
  ping->setN(41);
  auto pong = co_await self.ask<protocol::Pong>(found.value(), std::move(ping), timeout);
  out->set_value(pong ? std::to_string(pong.value().get<protocol::Pong>().getN())
                      : pong.error().message());
}

std::string ping_echo(test_member& me, std::uint32_t node, coact::duration timeout = 2s) {
  auto out = std::make_shared<std::promise<std::string>>();
  auto answer = out->get_future();
  REQUIRE(me.system.spawn(&ping_echo_on, node, timeout, out));
  REQUIRE(answer.wait_for(30s) == std::future_status::ready);
  return answer.get();
}

/// Asks until an answer comes (the processes take a moment to start and connect), for
/// at most 30 s; on none, the logs of every node go to the report.
std::string ping_echo_eventually(test_member& me, const cluster_files& files, std::uint32_t node) {
  const auto give_up = std::chrono::steady_clock::now() + 30s;
  std::string last;
  do {
    last = ping_echo(me, node, 1s);
    if (last == "42") return last;
    std::this_thread::sleep_for(100ms);
  } while (std::chrono::steady_clock::now() < give_up);
  UNSCOPED_INFO("last answer: " << last << "\n--- t (this test)\n" << me.log() << files.logs());
  return last;
}

}  // namespace

// Proves processes of one topology find and ask each other's actors by name, detect a
// node killed with SIGKILL (failing what waits for it), and take it back when it restarts.
TEST_CASE("coact-node processes talk, lose a killed node, and take it back", "[tools][net]") {
  cluster_files files;
  node_process a{files.folder / "cluster.toml", "a", files.folder / "a.log"};
  auto b =
      std::make_unique<node_process>(files.folder / "cluster.toml", "b", files.folder / "b.log");
  test_member me{files};
  CHECK(ping_echo_eventually(me, files, 0) == "42");
  CHECK(ping_echo_eventually(me, files, 1) == "42");

  b->end(SIGKILL);
  // An ask sent now waits for b until the failure detector gives up on it.
  CHECK(ping_echo(me, 1, 20s) == coact::make_error_code(coact::errc::node_unreachable).message());
  CHECK(me.transport->state(1) == tcp::peer_state::down);
  CHECK(ping_echo(me, 0) == "42");

  b = std::make_unique<node_process>(files.folder / "cluster.toml", "b", files.folder / "b.log");
  CHECK(ping_echo_eventually(me, files, 1) == "42");
  CHECK(me.transport->state(1) == tcp::peer_state::up);

  const int status = a.end(SIGTERM);
  CHECK(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 0);
}
