// net/throughput/coact and net/rtt/coact: two nodes in this process on 127.0.0.1, each an
// actor system of one shard whose remote_router is a TCP transport, the shard and the
// transport sharing one io_context and its thread (as coact-node runs a node: no thread
// hop between an actor and its sockets). Node 1 listens on an ephemeral port; node 0
// connects.
#include <asio/executor_work_guard.hpp>
#include <asio/io_context.hpp>
#include <benchmark/benchmark.h>

#include <atomic>
#include <cstdio>
#include <future>
#include <limits>
#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "coact/net/tcp/transport.hpp"
#include "coact/runtime/actor_system.hpp"
#include "net_bench.hpp"
#include "net_bench_messages.capnp.h"

namespace coact::bench {
namespace {

namespace tcp = coact::net::tcp;
using namespace std::chrono_literals;

constexpr std::string_view bench_secret = "the secret of the coact-net-bench cluster";

/// How long a sender waits when the transport's queue to the peer is full.
constexpr duration overload_backoff = 20us;

/// Silence from the peer tolerated before it counts as down.
constexpr duration failure_pause = 60s;

/// One node: an io_context on a thread of its own running the transport and the actor
/// system's one shard, which routes through it. Lines the transport logs go to standard error
/// until `quiet` is set (when the pair shuts down and connections closing is expected).
class node {
 public:
  /// Node `id` of two; `peer_port` is where the other listens (0 for the listening node).
  node(std::uint32_t id, std::uint16_t peer_port, const std::atomic<bool>* quiet)
      : transport_(std::make_shared<tcp::transport>(io_, options(id, peer_port, quiet), secret())),
        system_(hosted_on{{&io_}}, system_config{.node = id, .router = transport_}) {
    transport_->attach(system_);
    auto port = transport_->start();
    if (!port) throw std::runtime_error{"transport start failed: " + port.error().message()};
    port_ = port.value();
    thread_ = std::thread{[this] { io_.run(); }};
  }
  node(const node&) = delete;
  node& operator=(const node&) = delete;
  /// Stops the actor system (its shard needs the thread), the transport, then the thread.
  ~node() {
    system_.shutdown();
    transport_->stop();
    work_.reset();
    io_.stop();
    thread_.join();
  }

  /// The port this node listens on.
  [[nodiscard]] std::uint16_t port() const noexcept { return port_; }
  [[nodiscard]] actor_system& system() noexcept { return system_; }
  [[nodiscard]] tcp::transport& transport() noexcept { return *transport_; }

 private:
  static tcp::cluster_secret secret() {
    return tcp::cluster_secret::from_bytes(
        std::as_bytes(std::span{bench_secret.data(), bench_secret.size()}));
  }

  static tcp::transport_options options(std::uint32_t id, std::uint16_t peer_port,
                                        const std::atomic<bool>* quiet) {
    tcp::transport_options o;
    o.cluster = "coact-net-bench";
    o.node_name = "n" + std::to_string(id);
    o.node_id = id;
    const std::uint32_t other = 1 - id;
    o.peers.push_back({other, "n" + std::to_string(other), "127.0.0.1", peer_port});
    // Failure detection is not measured here; a run under valgrind (callgrind counts the
    // instructions per message) is slow enough to miss heartbeats for seconds.
    o.limits.failure_detector.acceptable_pause = failure_pause;
    o.log = [quiet, name = o.node_name](std::string_view line) {
      if (!quiet->load(std::memory_order_relaxed)) {
        std::fprintf(stderr, "coact-net %s: %.*s\n", name.c_str(), static_cast<int>(line.size()),
                     line.data());
      }
    };
    return o;
  }

  asio::io_context io_;
  asio::executor_work_guard<asio::io_context::executor_type> work_{io_.get_executor()};
  std::shared_ptr<tcp::transport> transport_;
  actor_system system_;
  std::uint16_t port_ = 0;
  std::thread thread_;
};

/// Node 1 listens, node 0 connects; constructed once the connection is up.
struct node_pair {
  node_pair() {
    const auto end = std::chrono::steady_clock::now() + 10s;
    while (client.transport().state(1) != tcp::peer_state::up) {
      if (std::chrono::steady_clock::now() > end) {
        throw std::runtime_error{"node 0 did not connect to node 1 within 10 s"};
      }
      std::this_thread::sleep_for(1ms);
    }
  }
  node_pair(const node_pair&) = delete;
  node_pair& operator=(const node_pair&) = delete;
  /// Node 0 (declared last) goes first; from here on a closed connection is expected.
  ~node_pair() { quiet.store(true, std::memory_order_relaxed); }

  std::atomic<bool> quiet{false};
  node server{1, 0, &quiet};
  node client{0, server.port(), &quiet};
};

/// Spawns or fails the benchmark: a benchmark that cannot spawn measures nothing.
template <class... Args>
actor_ref must_spawn(actor_system& system, const spawn_options& options, Args&&... args) {
  auto ref = system.spawn(options, std::forward<Args>(args)...);
  if (!ref) throw std::runtime_error{"spawn failed: " + ref.error().message()};
  return ref.value();
}

/// Waits for a run's result within run_time_max; nullopt when it did not come.
template <class T>
std::optional<T> await_result(std::future<T>& result) {
  if (result.wait_for(run_time_max) != std::future_status::ready) return std::nullopt;
  return result.get();
}

/// The bytes of a Data field being built.
std::span<std::byte> bytes_of(capnp::Data::Builder data) noexcept {
  return std::as_writable_bytes(std::span{data.begin(), data.size()});
}

// ---- net/throughput/coact ----

/// Counts the chunks that arrive in order (their sequence numbers 0, 1, ...); answers
/// NetCount with the count.
task<void> counter(actor_context& self) {
  std::int64_t chunks = 0;
  for (;;) {
    envelope e = co_await self.receive();
    if (e.is<NetChunk>()) {
      const auto payload = e.get<NetChunk>().getPayload();
      const auto bytes = std::as_bytes(std::span{payload.begin(), payload.size()});
      if (bytes.size() == payload_bytes &&
          sequence_of(bytes) == static_cast<std::uint64_t>(chunks)) {
        ++chunks;
      }
    } else {
      message<NetTotal> total;
      total->setValue(chunks);
      self.reply(e, std::move(total));
    }
  }
}

/// Tells `target` `count` chunks in batches with a yield between them, backs off while
/// the transport's queue to the peer is full, then asks for the count and sets it (-1 on
/// any failure, or after run_time_max).
task<void> sender(actor_context& self, actor_ref target, std::int64_t count,
                  std::shared_ptr<std::promise<std::int64_t>> done) {
  const time_point deadline = self.now() + run_time_max;
  std::int64_t sent = 0;
  while (sent < count && self.now() < deadline) {
    bool overloaded = false;
    for (std::int64_t i = 0; i < batch_size && sent < count && !overloaded; ++i) {
      message<NetChunk> chunk;
      fill_payload(bytes_of(chunk->initPayload(payload_bytes)), static_cast<std::uint64_t>(sent));
      const result<void> told = self.try_tell(target, std::move(chunk));
      if (told) {
        ++sent;
      } else if (told.error() == errc::overloaded) {
        overloaded = true;
      } else {
        done->set_value(-1);
        co_return;
      }
    }
    if (overloaded) {
      co_await self.sleep(overload_backoff);
    } else {
      co_await self.yield();
    }
  }
  auto total = co_await self.ask<NetTotal>(target, message<NetCount>{}, run_time_max);
  done->set_value(sent == count && total ? total.value().get<NetTotal>().getValue() : -1);
}

/// net/throughput/coact: one counter run per iteration, over one connection for all.
void throughput(benchmark::State& state) {
  node_pair nodes;
  const std::int64_t count = scaled(throughput_messages);
  const auto frames_before = nodes.client.transport().counters();
  for (auto _ : state) {
    auto done = std::make_shared<std::promise<std::int64_t>>();
    auto total = done->get_future();
    // The counter drains its whole mailbox in one turn, as the runtime's flooded sinks do.
    const spawn_options sink{.shard = 0,
                             .messages_per_turn = std::numeric_limits<std::uint32_t>::max()};
    const actor_ref target = must_spawn(nodes.server.system(), sink, &counter);
    must_spawn(nodes.client.system(), spawn_options{.shard = 0}, &sender, target, count, done);
    const std::optional<std::int64_t> received = await_result(total);
    nodes.server.system().stop(target);
    if (received != count) {
      state.SkipWithError("the counter's total does not match the chunks sent");
      return;
    }
  }
  const auto frames_after = nodes.client.transport().counters();
  state.SetItemsProcessed(state.iterations() * count);
  // How the transport batches (frames per socket write on the sending node), and how
  // often its queue to the peer was full (each such tell was retried after a back-off).
  const auto writes = frames_after.writes - frames_before.writes;
  state.counters["frames_per_write"] =
      writes == 0 ? 0.0
                  : static_cast<double>(frames_after.frames_sent - frames_before.frames_sent) /
                        static_cast<double>(writes);
  state.counters["overloaded_tells"] =
      static_cast<double>(frames_after.messages_overloaded - frames_before.messages_overloaded);
}

// ---- net/rtt/coact ----

/// Answers each NetEcho with a NetEchoed of its payload.
task<void> echo(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    message<NetEchoed> answer;
    answer->setPayload(e.get<NetEcho>().getPayload());
    self.reply(e, std::move(answer));
  }
}

/// Asks `target` `asks` times, one in flight, recording each round trip; sets whether
/// every ask was answered with the payload it carried.
task<void> asker(actor_context& self, actor_ref target, std::int64_t asks,
                 std::vector<double>* latencies_ns, std::shared_ptr<std::promise<bool>> done) {
  bool ok = true;
  for (std::int64_t i = 0; i < asks && ok; ++i) {
    message<NetEcho> request;
    fill_payload(bytes_of(request->initPayload(payload_bytes)), static_cast<std::uint64_t>(i));
    const time_point start = self.now();
    auto reply = co_await self.ask<NetEchoed>(target, std::move(request), 10s);
    latencies_ns->push_back(static_cast<double>((self.now() - start).count()));
    ok = reply && reply.value().get<NetEchoed>().getPayload().size() == payload_bytes;
  }
  done->set_value(ok);
}

/// net/rtt/coact: one asker run per iteration; the percentiles are the last run's.
void rtt(benchmark::State& state) {
  const std::int64_t asks = scaled(rtt_round_trips);
  std::vector<double> latencies_ns;
  latencies_ns.reserve(static_cast<std::size_t>(asks));
  // After latencies_ns: the nodes stop (and with them a timed-out asker) before it goes.
  node_pair nodes;
  for (auto _ : state) {
    latencies_ns.clear();
    auto done = std::make_shared<std::promise<bool>>();
    auto answered = done->get_future();
    const actor_ref target = must_spawn(nodes.server.system(), spawn_options{.shard = 0}, &echo);
    must_spawn(nodes.client.system(), spawn_options{.shard = 0}, &asker, target, asks,
               &latencies_ns, done);
    const std::optional<bool> ok = await_result(answered);
    nodes.server.system().stop(target);
    if (!ok.value_or(false)) {
      state.SkipWithError("an ask failed or the run took too long");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * asks);
  state.counters["p50_ns"] = percentile(latencies_ns, 50.0);
  state.counters["p99_ns"] = percentile(latencies_ns, 99.0);
}

BENCHMARK(throughput)->Name("net/throughput/coact")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(rtt)->Name("net/rtt/coact")->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
