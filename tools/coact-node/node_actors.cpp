#include "node_actors.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <utility>

#include "coact/net/registry.capnp.h"
#include "coact/net/tcp/transport.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/prng.hpp"
#include "node_protocol.capnp.h"

namespace coact::tools {
namespace {

using namespace std::chrono_literals;
constexpr duration request_timeout = 2s;
constexpr duration find_retry_gap = 100ms;
constexpr int find_attempts_max = 300;  // 30 s for every node of the topology to start

/// The store at `where`, looked up locally or through its node's registry.
task<result<actor_ref>> find_store(actor_context& self, store_address where) {
  if (where.node == self.ref().node) {
    const actor_ref local = self.system().whereis(where.name);
    if (!local.valid()) co_return errc::actor_gone;
    co_return local;
  }
  message<net::registry::Lookup> lookup;
  lookup->setName(where.name);
  auto found = co_await self.ask<net::registry::Found>(net::tcp::registry_of(where.node),
                                                       std::move(lookup), request_timeout);
  if (!found) co_return found.error();
  const auto f = found.value().get<net::registry::Found>();
  if (!f.getFound()) co_return errc::actor_gone;
  co_return actor_ref{f.getNode(), f.getShard(), f.getId(), f.getGeneration()};
}

}  // namespace

task<void> echo_actor(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    if (!e.is<protocol::Ping>()) continue;
    message<protocol::Pong> pong;
    pong->setN(e.get<protocol::Ping>().getN() + 1);
    self.reply(e, std::move(pong));
  }
}

task<void> kv_store_actor(actor_context& self) {
  std::map<std::string, std::pair<std::string, std::uint64_t>, std::less<>> data;
  std::uint64_t version = 0;
  for (;;) {
    envelope e = co_await self.receive();
    if (e.is<protocol::Put>()) {
      const auto put = e.get<protocol::Put>();
      data[put.getKey()] = {put.getValue(), ++version};
      message<protocol::PutOk> ok;
      ok->setVersion(version);
      self.reply(e, std::move(ok));
    } else if (e.is<protocol::Get>()) {
      message<protocol::GetOk> ok;
      const auto it = data.find(std::string_view{e.get<protocol::Get>().getKey().cStr()});
      ok->setFound(it != data.end());
      if (it != data.end()) {
        ok->setValue(it->second.first);
        ok->setVersion(it->second.second);
      }
      self.reply(e, std::move(ok));
    }
  }
}

task<void> client_actor(actor_context& self, std::vector<store_address> stores,
                        std::uint32_t operations, std::string label) {
  std::vector<actor_ref> targets;
  for (const store_address& where : stores) {
    result<actor_ref> ref = errc::actor_gone;
    for (int attempt = 0; attempt < find_attempts_max && !ref; ++attempt) {
      ref = co_await find_store(self, where);
      if (!ref) co_await self.sleep(find_retry_gap);
    }
    if (!ref) {
      std::cout << "client " << label << ": store " << where.name << " on node " << where.node
                << " not found: " << ref.error().message() << std::endl;
      co_return;
    }
    targets.push_back(ref.value());
  }
  if (targets.empty()) {
    std::cout << "client " << label << ": no stores in the topology" << std::endl;
    co_return;
  }
  prng random{std::random_device{}()};
  std::vector<std::int64_t> latencies_ns;
  latencies_ns.reserve(operations);
  std::uint32_t errors = 0;
  const time_point start = self.now();
  for (std::uint32_t i = 0; i < operations; ++i) {
    const actor_ref store = targets[random.below(targets.size())];
    const std::string key = "k" + std::to_string(random.below(100));
    const time_point sent = self.now();
    bool ok = false;
    if (random.chance(0.5)) {
      message<protocol::Put> put;
      put->setKey(key);
      put->setValue("v" + std::to_string(i));
      ok = static_cast<bool>(
          co_await self.ask<protocol::PutOk>(store, std::move(put), request_timeout));
    } else {
      message<protocol::Get> get;
      get->setKey(key);
      ok = static_cast<bool>(
          co_await self.ask<protocol::GetOk>(store, std::move(get), request_timeout));
    }
    if (!ok) ++errors;
    latencies_ns.push_back((self.now() - sent).count());
  }
  const double seconds = std::chrono::duration<double>(self.now() - start).count();
  std::sort(latencies_ns.begin(), latencies_ns.end());
  const auto at = [&](double q) {
    return latencies_ns[std::min(latencies_ns.size() - 1,
                                 static_cast<std::size_t>(q * latencies_ns.size()))] /
           1000;
  };
  std::cout << "client " << label << ": " << operations << " operations on " << targets.size()
            << " stores in " << seconds << " s ("
            << static_cast<std::uint64_t>(operations / seconds) << " ops/s), " << errors
            << " errors, p50 " << at(0.50) << " us, p99 " << at(0.99) << " us" << std::endl;
}

}  // namespace coact::tools
