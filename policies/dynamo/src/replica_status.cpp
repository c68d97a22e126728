#include "coact/policies/dynamo/replica_status.hpp"

#include "coact/policies/dynamo/dynamo.capnp.h"
#include "log_entry.hpp"

namespace coact::policies::dynamo {

const char* to_string(replica_role r) noexcept {
  switch (r) {
    case replica_role::follower:
      return "follower";
    case replica_role::candidate:
      return "candidate";
    case replica_role::leader:
      return "leader";
  }
  return "unknown";
}

task<result<replica_status>> query_status(actor_context& self, actor_ref replica,
                                          duration timeout) {
  auto answer =
      co_await self.ask<proto::ReplicaStatus>(replica, message<proto::StatusRequest>{}, timeout);
  if (!answer) co_return answer.error();
  const auto r = answer.value().get<proto::ReplicaStatus>();
  replica_status s;
  s.partition = r.getPartition();
  s.node = r.getNode();
  switch (r.getRole()) {
    case proto::Role::FOLLOWER:
      s.role = replica_role::follower;
      break;
    case proto::Role::CANDIDATE:
      s.role = replica_role::candidate;
      break;
    case proto::Role::LEADER:
      s.role = replica_role::leader;
      break;
  }
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
