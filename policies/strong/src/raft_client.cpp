#include "coact/policies/strong/raft_client.hpp"

#include <algorithm>

#include "coact/policies/strong/raft_node.hpp"
#include "coact/policies/strong/strong.capnp.h"

namespace coact::policies::strong {
namespace {

std::vector<std::uint32_t> nodes_of(const std::vector<kv::member>& replicas) {
  std::vector<std::uint32_t> nodes;
  for (const auto& r : replicas) nodes.push_back(r.node);
  return nodes;
}

replication::verdict judge(const envelope& answer) {
  const auto reply = answer.get<proto::ClientReply>();
  switch (reply.which()) {
    case proto::ClientReply::NOT_LEADER: {
      const auto refused = reply.getNotLeader();
      return {.what = replication::verdict::kind::refused,
              .leader = refused.getHasLeader() ? std::optional{refused.getLeader()} : std::nullopt};
    }
    case proto::ClientReply::UNKNOWN:
      return {.what = replication::verdict::kind::unknown};
    case proto::ClientReply::READ:
    case proto::ClientReply::WRITTEN:
      break;
  }
  return {};
}

}  // namespace

raft_client::raft_client(const kv::directory& directory, std::vector<kv::member> replicas,
                         std::uint64_t id, client_options options)
    : directory_(&directory), replicas_(std::move(replicas)),
      leader_(nodes_of(replicas_), id, options) {}

task<result<envelope>> raft_client::submit(actor_context& self, std::function<envelope()> build,
                                           bool write) {
  const auto where = [this](std::uint32_t node) { return directory_->get(node, raft_role); };
  co_return co_await leader_.submit(self, where, build, capnp::typeId<proto::ClientReply>(), judge,
                                    write);
}

task<result<kv::read_result>> raft_client::get(actor_context& self, std::string key) {
  auto answer = co_await submit(
      self,
      [&key] {
        message<proto::ClientRequest> m;
        m->setGet(key);
        return std::move(m).take();
      },
      false);
  if (!answer) co_return answer.error();
  const auto reply = answer.value().get<proto::ClientReply>();
  const auto read = reply.getRead();
  kv::read_result out;
  if (read.getPresent()) {
    out.value = std::string{read.getValue().cStr(), read.getValue().size()};
    out.version = {.counter = read.getVersion()};
  }
  out.node = name_of(reply.getNode());
  co_return out;
}

task<result<kv::write_result>> raft_client::write(actor_context& self, replication::command c) {
  c.client = leader_.id();
  c.sequence = leader_.next_sequence();
  auto answer = co_await submit(
      self,
      [&c] {
        message<proto::ClientRequest> m;
        replication::write_command(m->initWrite(), c);
        return std::move(m).take();
      },
      true);
  if (!answer) co_return answer.error();
  const auto reply = answer.value().get<proto::ClientReply>();
  const auto written = reply.getWritten();
  co_return kv::write_result{.version = {.counter = written.getVersion()},
                             .matched = written.getMatched(),
                             .node = name_of(reply.getNode())};
}

task<result<kv::write_result>> raft_client::put(actor_context& self, std::string key,
                                                std::string value) {
  replication::command c{
      .what = replication::command::kind::put, .key = std::move(key), .value = std::move(value)};
  co_return co_await write(self, std::move(c));
}

task<result<kv::write_result>> raft_client::cas(actor_context& self, std::string key,
                                                std::optional<std::string> expected,
                                                std::string value) {
  replication::command c{.what = replication::command::kind::cas,
                         .key = std::move(key),
                         .value = std::move(value),
                         .expected = std::move(expected)};
  co_return co_await write(self, std::move(c));
}

std::string raft_client::name_of(std::uint32_t node) const {
  const auto it = std::find_if(replicas_.begin(), replicas_.end(),
                               [node](const kv::member& m) { return m.node == node; });
  return it != replicas_.end() && !it->name.empty() ? it->name : std::to_string(node);
}

}  // namespace coact::policies::strong
