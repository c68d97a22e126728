#include "coact/policies/strong/raft_node.hpp"

#include <map>
#include <string_view>
#include <utility>

#include "coact/actors/replication/replicated_map.hpp"
#include "coact/policies/strong/strong.capnp.h"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/message.hpp"

namespace coact::policies::strong {
namespace {

/// What one replica holds beside its Raft core: the replicated keys, and the client
/// requests waiting for the core (writes by log index, reads by ticket).
class replica {
 public:
  replica(actor_context& self, raft_node_config config, replication::term_log log)
      : config_(std::move(config)),
        core_(replication::raft_options{.node = config_.node,
                                        .members = config_.members,
                                        .timing = config_.timing,
                                        .random = config_.random},
              replication::raft_hooks{
                  .send =
                      [this, &self](std::uint32_t to, envelope&& e) {
                        self.tell(config_.directory->get(to, raft_role), std::move(e));
                      },
                  .apply = [this](std::uint64_t index,
                                  const replication::entry& e) { apply(index, e); },
                  .role_changed = [this](replication::raft_role role,
                                         std::uint64_t term) { role_changed(role, term); },
                  .read_ready = [this](std::uint64_t ticket) { read_ready(ticket); },
              },
              std::move(log), self.now()) {}

  task<result<void>> run(actor_context& self) {
    return core_.run(self, [this](envelope& e) {
      dispatch(e, on<proto::ClientRequest>([this](envelope& request) { on_client(request); }));
    });
  }

 private:
  void on_client(envelope& e) {
    const auto request = e.get<proto::ClientRequest>();
    if (request.isGet()) {
      if (const auto ticket = core_.read()) {
        reads_.emplace(*ticket, std::move(e));
      } else {
        answer_not_leader(e);
      }
      return;
    }
    if (const auto index = core_.propose(replication::read_command(request.getWrite()))) {
      writes_.emplace(*index, std::move(e));
    } else {
      answer_not_leader(e);
    }
  }

  void apply(std::uint64_t index, const replication::entry& e) {
    const auto outcome = state_.apply(index, e.command);
    // Two requests wait on one entry when a copy of a write arrived while it was pending.
    const auto [first, end] = writes_.equal_range(index);
    for (auto it = first; it != end; ++it) {
      message<proto::ClientReply> reply;
      if (outcome) {
        auto written = reply->initWritten();
        written.setVersion(outcome->version.counter);
        written.setMatched(outcome->matched);
      } else {
        reply->setUnknown();  // a stale copy of a request: its client moved on
      }
      answer(it->second, std::move(reply));
    }
    writes_.erase(first, end);
  }

  void role_changed(replication::raft_role role, std::uint64_t term) {
    if (role == replication::raft_role::leader) {
      if (config_.on_leader) config_.on_leader(config_.node, term);
      return;
    }
    // Appended but not committed: it may commit under the next leader, or never.
    for (auto& [index, request] : writes_) {
      message<proto::ClientReply> reply;
      reply->setUnknown();
      answer(request, std::move(reply));
    }
    writes_.clear();
    for (auto& [ticket, request] : reads_) answer_not_leader(request);
    reads_.clear();
  }

  void read_ready(std::uint64_t ticket) {
    const auto it = reads_.find(ticket);
    const auto key = it->second.get<proto::ClientRequest>().getGet();
    const kv::stored_value* found = state_.find(std::string_view{key.cStr(), key.size()});
    message<proto::ClientReply> reply;
    auto read = reply->initRead();
    read.setPresent(found != nullptr);
    if (found != nullptr) {
      read.setValue(found->value);
      read.setVersion(found->version.counter);
    }
    answer(it->second, std::move(reply));
    reads_.erase(it);
  }

  void answer_not_leader(envelope& request) {
    message<proto::ClientReply> reply;
    auto refused = reply->initNotLeader();
    const auto leader = core_.leader();
    const bool known = leader.has_value() && *leader != config_.node;
    refused.setHasLeader(known);
    refused.setLeader(known ? *leader : 0);
    answer(request, std::move(reply));
  }

  void answer(envelope& request, message<proto::ClientReply>&& reply) {
    reply->setNode(config_.node);
    core_.reply(request, std::move(reply).take());
  }

  raft_node_config config_;
  replication::replicated_map state_;
  replication::raft_core core_;
  std::multimap<std::uint64_t, envelope> writes_;  // by log index
  std::map<std::uint64_t, envelope> reads_;        // by ticket
};

}  // namespace

task<result<void>> raft_node(actor_context& self, raft_node_config config) {
  auto log = replication::term_log::open(std::move(config.storage));
  if (!log) co_return log.error();
  replica node{self, std::move(config), std::move(log).value()};
  co_return co_await node.run(self);
}

}  // namespace coact::policies::strong
