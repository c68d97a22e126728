#include "node_actors.hpp"

#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <utility>

#include "coact/net/tcp/transport.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/registry.hpp"
#include "node_protocol.capnp.h"

namespace coact::tools {
namespace {

using namespace std::chrono_literals;
constexpr duration request_timeout = 2s;
constexpr duration find_retry_gap = 100ms;
constexpr int find_attempts_max = 300;  // 30 s for every node of the topology to start

}  // namespace

task<void> echo_actor(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    dispatch(e, on<protocol::Ping>([&](envelope& request, protocol::Ping::Reader ping) {
               self.reply(request, make_message<protocol::Pong>(
                                       [&](auto pong) { pong.setN(ping.getN() + 1); }));
             }));
  }
}

task<void> kv_store_actor(actor_context& self) {
  std::map<std::string, std::pair<std::string, std::uint64_t>, std::less<>> data;
  std::uint64_t version = 0;
  for (;;) {
    envelope e = co_await self.receive();
    dispatch(e, on<protocol::Put>([&](envelope& request, protocol::Put::Reader put) {
               data[put.getKey()] = {put.getValue(), ++version};
               self.reply(request,
                          make_message<protocol::PutOk>([&](auto ok) { ok.setVersion(version); }));
             }),
             on<protocol::Get>([&](envelope& request, protocol::Get::Reader get) {
               const auto it = data.find(std::string_view{get.getKey().cStr()});
               self.reply(request, make_message<protocol::GetOk>([&](auto ok) {
                            ok.setFound(it != data.end());
                            if (it == data.end()) return;
                            ok.setValue(it->second.first);
                            ok.setVersion(it->second.second);
                          }));
             }));
  }
}

task<void> client_actor(actor_context& self, std::vector<store_address> stores,
                        std::uint32_t operations, std::string label) {
  std::vector<actor_ref> targets;
  for (const store_address& where : stores) {
    result<actor_ref> ref = errc::name_unbound;
    for (int attempt = 0; attempt < find_attempts_max && !ref; ++attempt) {
      ref = co_await lookup(self, where.node, where.name, request_timeout);
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
