#include "cache.hpp"

#include <string>
#include <unordered_map>
#include <vector>

#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/dispatch.hpp"
#include "keyspace.hpp"
#include "topology.capnp.h"

namespace topology {
namespace {

struct cached {
  bool found = false;
  std::string value;
  std::uint64_t version = 0;
  coact::time_point stored;
};

struct cache_state {
  cache_config config;
  std::unordered_map<std::uint64_t, cached> entries;
  // Resolved lazily and forgotten when a node is gone, so that the supervisor's
  // restarted incarnation is picked up by the next whereis.
  std::vector<coact::actor_ref> nodes;
  std::uint64_t gets = 0, puts = 0, hits = 0, misses = 0, expired = 0, errors = 0;

  coact::actor_ref node_for(coact::actor_context& self, std::uint64_t key) {
    coact::actor_ref& ref = nodes[owner_of(key, config.node_count)];
    if (!ref) ref = self.system().whereis(node_name(owner_of(key, config.node_count)));
    return ref;
  }
  // Returns true when the node answered; otherwise the client has been answered with
  // the error.
  bool check(const coact::result<coact::envelope>& answer, coact::envelope& request,
             coact::actor_context& self, std::uint64_t key) {
    if (answer) return true;
    ++errors;
    if (answer.error() == coact::errc::actor_gone) nodes[owner_of(key, config.node_count)] = {};
    self.reply_error(request, answer.error());
    return false;
  }
};

coact::task<void> handle_get(coact::actor_context& self, cache_state& s, coact::envelope& e) {
  ++s.gets;
  const std::uint64_t key = e.get<msg::GetRequest>().getKey();
  auto it = s.entries.find(key);
  if (it != s.entries.end() && self.now() - it->second.stored < s.config.ttl) {
    ++s.hits;
    coact::message<msg::GetReply> reply;
    reply->setFound(it->second.found);
    reply->setValue(it->second.value);
    reply->setVersion(it->second.version);
    self.reply(e, std::move(reply));
    co_return;
  }
  ++(it == s.entries.end() ? s.misses : s.expired);
  coact::message<msg::GetRequest> request;
  request->setKey(key);
  auto answer = co_await self.ask<msg::GetReply>(s.node_for(self, key), std::move(request),
                                                 s.config.node_deadline);
  if (!s.check(answer, e, self, key)) co_return;
  const auto got = answer.value().get<msg::GetReply>();
  cached& slot = s.entries[key];
  slot.found = got.getFound();
  slot.value.assign(got.getValue().cStr(), got.getValue().size());
  slot.version = got.getVersion();
  slot.stored = self.now();
  // The node's reply already has the client's reply type: pass it on without a copy.
  self.reply(e, std::move(answer.value()));
}

coact::task<void> handle_put(coact::actor_context& self, cache_state& s, coact::envelope& e) {
  ++s.puts;
  const auto put = e.get<msg::PutRequest>();
  const std::uint64_t key = put.getKey();
  coact::message<msg::PutRequest> request;
  request->setKey(key);
  request->setValue(put.getValue());
  auto answer = co_await self.ask<msg::PutReply>(s.node_for(self, key), std::move(request),
                                                 s.config.node_deadline);
  if (!s.check(answer, e, self, key)) co_return;
  cached& slot = s.entries[key];
  slot.found = true;
  slot.value.assign(put.getValue().cStr(), put.getValue().size());
  slot.version = answer.value().get<msg::PutReply>().getVersion();
  slot.stored = self.now();
  self.reply(e, std::move(answer.value()));
}

}  // namespace

coact::task<void> cache(coact::actor_context& self, cache_config config) {
  cache_state s{config, {}, std::vector<coact::actor_ref>(config.node_count)};
  for (;;) {
    coact::envelope e = co_await self.receive();
    // One request at a time: while a miss waits for its node, later requests queue.
    coact::task<void> waits;
    coact::dispatch(
        e,
        coact::on<msg::GetRequest>([&](coact::envelope& get) { waits = handle_get(self, s, get); }),
        coact::on<msg::PutRequest>([&](coact::envelope& put) { waits = handle_put(self, s, put); }),
        coact::on<msg::StatsRequest>([&](coact::envelope& request) {
          self.reply(request, coact::make_message<msg::Stats>([&](auto stats) {
                       stats.setGets(s.gets);
                       stats.setPuts(s.puts);
                       stats.setHits(s.hits);
                       stats.setMisses(s.misses);
                       stats.setExpired(s.expired);
                       stats.setErrors(s.errors);
                     }));
        }));
    if (waits.valid()) co_await std::move(waits);
  }
}

}  // namespace topology
