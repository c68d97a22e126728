#include "coact/policies/strong/raft_client.hpp"

#include <algorithm>
#include <cassert>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/strong/raft.capnp.h"
#include "coact/policies/strong/raft_node.hpp"

namespace coact::policies::strong {

raft_client::raft_client(const kv::directory& directory, std::vector<kv::member> replicas,
                         std::uint64_t id, client_options options)
    : directory_(&directory), replicas_(std::move(replicas)), id_(id), options_(options),
      leader_(id % std::max<std::size_t>(replicas_.size(), 1)) {
  assert(!replicas_.empty() && id != 0);
}

task<result<envelope>> raft_client::submit(actor_context& self, request r) {
  const time_point deadline = self.now() + options_.deadline;
  // Once a request of a write may have been appended, a later refusal no longer proves
  // that the write had no effect.
  bool maybe_applied = false;
  for (std::uint32_t attempt = 0; attempt < options_.attempts_max; ++attempt) {
    const time_point now = self.now();
    if (now >= deadline) break;
    message<proto::ClientRequest> m;
    if (r.write) {
      write_command(m->initWrite(), *r.write);
    } else {
      m->setGet(r.key);
    }
    const actor_ref target = directory_->get(replicas_[leader_].node, raft_role);
    ++requests_sent_;
    auto answer = co_await self.ask<proto::ClientReply>(
        target, std::move(m), std::min(options_.attempt_timeout, deadline - now));
    if (!answer) {
      maybe_applied = maybe_applied || r.write.has_value();
      next_replica();
      co_await self.sleep(options_.retry_backoff);
      continue;
    }
    const auto reply = answer.value().get<proto::ClientReply>();
    switch (reply.which()) {
      case proto::ClientReply::READ:
      case proto::ClientReply::WRITTEN:
        co_return std::move(answer).value();
      case proto::ClientReply::NOT_LEADER: {
        const auto refused = reply.getNotLeader();
        const auto hinted = std::find_if(
            replicas_.begin(), replicas_.end(),
            [&](const kv::member& member) { return member.node == refused.getLeader(); });
        if (refused.getHasLeader() && hinted != replicas_.end()) {
          leader_ = static_cast<std::size_t>(hinted - replicas_.begin());
          continue;
        }
        next_replica();
        break;
      }
      case proto::ClientReply::UNKNOWN:
        maybe_applied = true;
        next_replica();
        break;
    }
    co_await self.sleep(options_.retry_backoff);
  }
  co_return maybe_applied ? make_error_code(errc::timeout)
                          : make_error_code(kv::kv_errc::unavailable);
}

task<result<kv::read_result>> raft_client::get(actor_context& self, std::string key) {
  // Named, not a braced temporary: GCC 12 destroys a coroutine's braced temporary
  // argument twice.
  request r{.key = std::move(key)};
  auto answer = co_await submit(self, std::move(r));
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

task<result<kv::write_result>> raft_client::write(actor_context& self, command c) {
  c.client = id_;
  c.sequence = ++sequence_;
  request r{.write = std::move(c)};
  auto answer = co_await submit(self, std::move(r));
  if (!answer) co_return answer.error();
  const auto reply = answer.value().get<proto::ClientReply>();
  const auto written = reply.getWritten();
  co_return kv::write_result{.version = {.counter = written.getVersion()},
                             .matched = written.getMatched(),
                             .node = name_of(reply.getNode())};
}

task<result<kv::write_result>> raft_client::put(actor_context& self, std::string key,
                                                std::string value) {
  command c{.what = command::kind::put, .key = std::move(key), .value = std::move(value)};
  co_return co_await write(self, std::move(c));
}

task<result<kv::write_result>> raft_client::cas(actor_context& self, std::string key,
                                                std::optional<std::string> expected,
                                                std::string value) {
  command c{.what = command::kind::cas,
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
