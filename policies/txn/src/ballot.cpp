#include "ballot.hpp"

#include <algorithm>
#include <set>

#include "coact/policies/txn/participant.hpp"
#include "coact/policies/txn/placement.hpp"
#include "wire_form.hpp"

namespace coact::policies::txn::detail {

task<ballot> ballot::collect(actor_context& self, proto::Transaction::Reader t,
                             std::uint32_t coordinator, const std::vector<std::uint32_t>& groups,
                             const kv::directory& directory, duration timeout) {
  ballot b;
  std::set<std::size_t> touched;
  for (const auto op : t.getOps()) touched.insert(group_of(text_of(op.getKey()), groups.size()));
  for (const std::size_t g : touched) {
    b.targets_.push_back(directory.get(groups[g], participant_role));
  }
  message<proto::Prepare> prepare;
  prepare->setId(t.getId());
  prepare->setCoordinator(coordinator);
  prepare->setOps(t.getOps());
  fan_out votes = self.ask_each<proto::Vote>(b.targets_, std::move(prepare), timeout);
  while (!b.refused_) {
    // Every arrival, not just until none is pending: several may arrive at once.
    const auto i = co_await votes.next();
    if (!i) break;
    result<envelope>* vote = votes.outcome(*i);
    if (!*vote) {
      b.refused_.emplace(proto::Refusal::UNAVAILABLE, std::string{});
      continue;
    }
    const auto v = vote->value().get<proto::Vote>();
    if (v.isNo()) {
      b.refused_.emplace(v.getNo().getWhy(), text_of(v.getNo().getKey()));
    } else {
      b.yes_.push_back(std::move(vote->value()));
    }
  }
  co_return b;
}

std::uint64_t ballot::timestamp() const noexcept {
  std::uint64_t highest = 0;
  for (const envelope& vote : yes_) {
    highest = std::max(highest, vote.get<proto::Vote>().getTimestamp());
  }
  return highest;
}

void ballot::tell(actor_context& self, txn_id id, bool commit, std::uint64_t timestamp) const {
  for (const actor_ref& target : targets_) {
    self.tell(target, make_message<proto::Decision>([&](auto d) {
                set_id(d.initId(), id);
                d.setTimestamp(timestamp);
                if (commit) {
                  d.setCommit();
                } else {
                  d.setAbort();
                }
              }));
  }
}

message<proto::Outcome> ballot::outcome(std::uint32_t coordinator, unsigned ops,
                                        bool committed) const {
  message<proto::Outcome> out;
  out->setCoordinator(coordinator);
  if (committed) {
    auto before = out->initCommitted(ops);
    unsigned n = 0;
    for (const envelope& vote : yes_) {
      for (const auto b : vote.get<proto::Vote>().getYes()) before.setWithCaveats(n++, b);
    }
  } else {
    auto aborted = out->initAborted();
    aborted.setWhy(refused_ ? refused_->first : proto::Refusal::UNAVAILABLE);
    aborted.setKey(refused_ ? refused_->second : std::string{});
  }
  return out;
}

}  // namespace coact::policies::txn::detail
