#include "storage_node.hpp"

#include <string>
#include <unordered_map>

#include "coact/runtime/dispatch.hpp"
#include "keyspace.hpp"
#include "topology.capnp.h"

namespace topology {
namespace {

struct entry {
  std::string value;
  std::uint64_t version = 0;
};

}  // namespace

coact::task<void> storage_node(coact::actor_context& self, std::uint32_t index,
                               std::uint32_t node_count) {
  std::unordered_map<std::uint64_t, entry> data;
  std::uint64_t gets = 0;
  std::uint64_t puts = 0;
  std::uint64_t errors = 0;
  for (;;) {
    coact::envelope e = co_await self.receive();
    // A key this node does not own is the client's mistake: refused, and counted.
    const auto owned = [&](coact::envelope& request, std::uint64_t key) {
      if (owner_of(key, node_count) == index) return true;
      ++errors;
      self.reply_error(request, coact::errc::invalid_argument);
      return false;
    };
    coact::dispatch(
        e, coact::on<msg::GetRequest>([&](coact::envelope& request, msg::GetRequest::Reader get) {
          if (!owned(request, get.getKey())) return;
          ++gets;
          const auto it = data.find(get.getKey());
          self.reply(request, coact::make_message<msg::GetReply>([&](auto reply) {
                       if (it == data.end()) return;
                       reply.setFound(true);
                       reply.setValue(it->second.value);
                       reply.setVersion(it->second.version);
                     }));
        }),
        coact::on<msg::PutRequest>([&](coact::envelope& request, msg::PutRequest::Reader put) {
          if (!owned(request, put.getKey())) return;
          ++puts;
          entry& slot = data[put.getKey()];
          slot.value.assign(put.getValue().cStr(), put.getValue().size());
          ++slot.version;
          self.reply(request, coact::make_message<msg::PutReply>(
                                  [&](auto reply) { reply.setVersion(slot.version); }));
        }),
        coact::on<msg::StatsRequest>([&](coact::envelope& request) {
          self.reply(request, coact::make_message<msg::Stats>([&](auto stats) {
                       stats.setGets(gets);
                       stats.setPuts(puts);
                       stats.setErrors(errors);
                     }));
        }));
  }
}

}  // namespace topology
