// The flagship sample: storage nodes behind a write-through TTL cache, both under a
// supervisor, loaded by closed-loop clients spread over every shard.
#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "cache.hpp"
#include "client.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/supervisor.hpp"
#include "keyspace.hpp"
#include "storage_node.hpp"
#include "topology.capnp.h"

namespace {

using namespace std::chrono_literals;
using steady = std::chrono::steady_clock;

struct flag {
  const char* name;
  const char* help;
  double min;
  double max;
  bool integral;
  double value;
};

// Flags are checked against their range so that a typo fails loudly instead of
// running a silly topology; 0 shards means one per hardware thread.
std::vector<flag> default_flags() {
  return {{"--nodes", "storage nodes", 1, 64, true, 3},
          {"--clients", "client actors", 1, 1024, true, 8},
          {"--keys", "distinct keys", 1, 1e8, true, 1000},
          {"--seconds", "duration of the workload", 0.01, 3600, false, 2},
          {"--ttl-ms", "cache entry lifetime (0 disables hits)", 0, 3.6e6, true, 100},
          {"--shards", "shard threads (0: one per hardware thread)", 0, 1024, true, 0}};
}

void print_usage(const std::vector<flag>& flags) {
  std::printf("usage: coact-sample-topology [flags]\n\n");
  for (const flag& f : flags) {
    std::printf("  %-10s %-44s default %.15g, range [%.15g, %.15g]\n", f.name, f.help, f.value,
                f.min, f.max);
  }
}

// Returns the exit code to stop with, or -1 to run.
int parse_flags(int argc, char** argv, std::vector<flag>& flags) {
  for (int i = 1; i < argc; ++i) {
    const std::string_view arg = argv[i];
    if (arg == "--help" || arg == "-h") {
      print_usage(flags);
      return 0;
    }
    flag* f = nullptr;
    for (flag& candidate : flags) {
      if (arg == candidate.name) f = &candidate;
    }
    if (f == nullptr) {
      std::fprintf(stderr, "error: unknown flag '%s' (see --help)\n", argv[i]);
      return 2;
    }
    if (i + 1 == argc) {
      std::fprintf(stderr, "error: %s needs a value\n", f->name);
      return 2;
    }
    const std::string_view text = argv[++i];
    double value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value < f->min || value > f->max ||
        (f->integral && value != std::floor(value))) {
      std::fprintf(stderr, "error: %s expects %s in [%.15g, %.15g], got '%s'\n", f->name,
                   f->integral ? "an integer" : "a number", f->min, f->max, argv[i]);
      return 2;
    }
    f->value = value;
  }
  return -1;
}

topology::msg::Stats::Reader stats_of(coact::actor_system& system, coact::actor_ref ref,
                                      coact::envelope& holder) {
  auto answer = system.ask_blocking<topology::msg::Stats>(
      ref, coact::message<topology::msg::StatsRequest>{}, 1s);
  if (!answer) {
    coact::message<topology::msg::Stats> empty;  // zeros, so the report still prints
    holder = std::move(empty).take();
  } else {
    holder = std::move(answer.value());
  }
  return holder.get<topology::msg::Stats>();
}

// printf wants unsigned long long, which std::uint64_t need not be.
unsigned long long ull(std::uint64_t v) { return v; }

struct row {
  std::uint64_t gets = 0, puts = 0, errors = 0;
  // Only the cache has hits, misses and expiries; other roles print "-".
  bool cached = false;
  std::uint64_t hits = 0, misses = 0, expired = 0;
};

void print_row(const std::string& role, std::uint32_t actors, const row& r) {
  auto cell = [&](std::uint64_t v) { return r.cached ? std::to_string(v) : std::string{"-"}; };
  std::printf("%-8s %6u %10llu %10llu %9llu %9s %9s %9s %7llu\n", role.c_str(), actors,
              ull(r.gets + r.puts), ull(r.gets), ull(r.puts), cell(r.hits).c_str(),
              cell(r.misses).c_str(), cell(r.expired).c_str(), ull(r.errors));
}

row row_of(topology::msg::Stats::Reader s, bool cached) {
  return {.gets = s.getGets(),
          .puts = s.getPuts(),
          .errors = s.getErrors(),
          .cached = cached,
          .hits = s.getHits(),
          .misses = s.getMisses(),
          .expired = s.getExpired()};
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<flag> flags = default_flags();
  if (int code = parse_flags(argc, argv, flags); code >= 0) return code;
  const auto node_count = static_cast<std::uint32_t>(flags[0].value);
  const auto client_count = static_cast<std::uint32_t>(flags[1].value);
  const auto key_count = static_cast<std::uint64_t>(flags[2].value);
  const auto run_for =
      std::chrono::duration_cast<coact::duration>(std::chrono::duration<double>(flags[3].value));
  const auto ttl = std::chrono::milliseconds{static_cast<std::int64_t>(flags[4].value)};

  // Declared before the system so that they outlive it: on an early return, clients
  // still write to them until the system's destructor has stopped every actor.
  std::vector<topology::client_report> reports(client_count);
  std::atomic<std::uint32_t> done{0};
  coact::actor_system system{{.shard_count = static_cast<std::size_t>(flags[5].value)}};
  const auto shards = static_cast<std::uint32_t>(system.shard_count());
  // Round-robin placement over every shard, so that most asks cross shards.
  std::uint32_t next_shard = 0;
  auto place = [&] { return coact::spawn_options{.shard = next_shard++ % shards}; };

  std::vector<coact::child_spec> children;
  for (std::uint32_t i = 0; i < node_count; ++i) {
    children.push_back(
        {topology::node_name(i), [options = place(), i, node_count](coact::actor_system& s) {
           return s.spawn(options, &topology::storage_node, i, node_count);
         }});
  }
  // Listed last: the supervisor starts children in order, so once "cache" is
  // registered every node is too.
  children.push_back(
      {topology::cache_name,
       [options = place(), config = topology::cache_config{node_count, ttl}](
           coact::actor_system& s) { return s.spawn(options, &topology::cache, config); }});
  auto supervisor = system.spawn(coact::spawn_options{.shard = 0}, &coact::supervise,
                                 coact::supervisor_options{}, std::move(children));
  if (!supervisor) {
    std::fprintf(stderr, "error: cannot start the supervisor: %s\n",
                 supervisor.error().message().c_str());
    return 1;
  }
  for (auto wait_until = steady::now() + 5s; !system.whereis(topology::cache_name);) {
    if (steady::now() > wait_until) {
      std::fprintf(stderr, "error: the cache did not start\n");
      return 1;
    }
    std::this_thread::sleep_for(1ms);
  }

  const std::uint64_t delivered_before = system.counters().messages_delivered;
  const steady::time_point started = steady::now();
  for (std::uint32_t i = 0; i < client_count; ++i) {
    auto spawned = system.spawn(place(), &topology::client,
                                topology::client_config{i, key_count, run_for}, &reports[i], &done);
    if (!spawned) {
      std::fprintf(stderr, "error: cannot start client %u: %s\n", i,
                   spawned.error().message().c_str());
      return 1;
    }
  }
  // A client stops within one ask deadline of the end of its run.
  const auto give_up = started + run_for + 5s;
  while (done.load(std::memory_order_acquire) < client_count && steady::now() < give_up) {
    std::this_thread::sleep_for(1ms);
  }
  const std::chrono::duration<double> elapsed = steady::now() - started;
  const std::uint64_t delivered = system.counters().messages_delivered - delivered_before;
  if (done.load(std::memory_order_acquire) < client_count) {
    std::fprintf(stderr, "error: clients did not finish in time\n");
    return 1;
  }

  std::printf("coact topology: %u nodes, %u clients, %llu keys, %g s, ttl %lld ms, %u shards\n\n",
              node_count, client_count, ull(key_count), flags[3].value,
              static_cast<long long>(ttl.count()), shards);
  std::printf("%-8s %6s %10s %10s %9s %9s %9s %9s %7s\n", "role", "actors", "ops", "gets", "puts",
              "hits", "misses", "expired", "errors");
  topology::client_report clients;
  for (const auto& r : reports) {
    clients.gets += r.gets;
    clients.puts += r.puts;
    clients.errors += r.errors;
    clients.timeouts += r.timeouts;
    clients.latency.merge(r.latency);
  }
  print_row("client", client_count,
            {.gets = clients.gets, .puts = clients.puts, .errors = clients.errors});
  coact::envelope holder;
  print_row(topology::cache_name, 1,
            row_of(stats_of(system, system.whereis(topology::cache_name), holder), true));
  for (std::uint32_t i = 0; i < node_count; ++i) {
    const std::string name = topology::node_name(i);
    print_row(name, 1, row_of(stats_of(system, system.whereis(name), holder), false));
  }
  const std::uint64_t ops = clients.gets + clients.puts;
  std::printf("\nclient ask latency  p50 %.1f us  p99 %.1f us  (%llu timeouts)\n",
              static_cast<double>(clients.latency.quantile(0.50)) / 1e3,
              static_cast<double>(clients.latency.quantile(0.99)) / 1e3, ull(clients.timeouts));
  std::printf("elapsed             %.3f s\n", elapsed.count());
  std::printf("client ops          %.0f ops/s\n", static_cast<double>(ops) / elapsed.count());
  std::printf("messages delivered  %llu  (%.0f msg/s)\n", ull(delivered),
              static_cast<double>(delivered) / elapsed.count());
  system.shutdown();

  // A restart or a deadline may cost a few ops; more than 0.1% means something is wrong.
  if (ops == 0 || clients.errors * 1000 > ops) {
    std::fprintf(stderr, "FAILED: %llu ops, %llu errors\n", ull(ops), ull(clients.errors));
    return 1;
  }
  return 0;
}
