#include "storage_node.hpp"

#include <string>
#include <unordered_map>

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
    if (e.is<msg::GetRequest>()) {
      const std::uint64_t key = e.get<msg::GetRequest>().getKey();
      if (owner_of(key, node_count) != index) {
        ++errors;
        self.reply_error(e, coact::errc::invalid_argument);
        continue;
      }
      ++gets;
      coact::message<msg::GetReply> reply;
      if (auto it = data.find(key); it != data.end()) {
        reply->setFound(true);
        reply->setValue(it->second.value);
        reply->setVersion(it->second.version);
      }
      self.reply(e, std::move(reply));
    } else if (e.is<msg::PutRequest>()) {
      const auto request = e.get<msg::PutRequest>();
      if (owner_of(request.getKey(), node_count) != index) {
        ++errors;
        self.reply_error(e, coact::errc::invalid_argument);
        continue;
      }
      ++puts;
      entry& slot = data[request.getKey()];
      slot.value.assign(request.getValue().cStr(), request.getValue().size());
      ++slot.version;
      coact::message<msg::PutReply> reply;
      reply->setVersion(slot.version);
      self.reply(e, std::move(reply));
    } else if (e.is<msg::StatsRequest>()) {
      coact::message<msg::Stats> stats;
      stats->setGets(gets);
      stats->setPuts(puts);
      stats->setErrors(errors);
      self.reply(e, std::move(stats));
    }
    // Anything else is dropped; an unanswered ask is failed with errc::no_reply for us.
  }
}

}  // namespace topology
