#include "coact/policies/dynamo/replica_status.hpp"

#include "coact/policies/dynamo/dynamo.capnp.h"

namespace coact::policies::dynamo {
namespace {

std::string text_of(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

replica_role role_of(proto::Role role) {
  switch (role) {
    case proto::Role::PRECANDIDATE:
      return replica_role::precandidate;
    case proto::Role::CANDIDATE:
      return replica_role::candidate;
    case proto::Role::LEADER:
      return replica_role::leader;
    case proto::Role::FOLLOWER:
      break;
  }
  return replica_role::follower;
}

}  // namespace

task<result<replica_status>> query_status(actor_context& self, actor_ref replica,
                                          duration timeout) {
  auto answer =
      co_await self.ask<proto::ReplicaStatus>(replica, message<proto::StatusRequest>{}, timeout);
  if (!answer) co_return answer.error();
  const auto r = answer.value().get<proto::ReplicaStatus>();
  replica_status s;
  s.partition = r.getPartition();
  s.node = r.getNode();
  s.role = role_of(r.getRole());
  s.term = r.getTerm();
  if (r.getLeader() >= 0) s.leader = static_cast<std::uint32_t>(r.getLeader());
  s.last_seq = r.getLastSeq();
  s.commit_seq = r.getCommitSeq();
  s.applied_seq = r.getAppliedSeq();
  s.serving = r.getServing();
  for (const auto item : r.getItems()) {
    s.items.emplace(text_of(item.getKey()), kv::stored_value{text_of(item.getValue()),
                                                             {item.getVersion().getCounter(),
                                                              item.getVersion().getWriter()}});
  }
  co_return s;
}

}  // namespace coact::policies::dynamo
