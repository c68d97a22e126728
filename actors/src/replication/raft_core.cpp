#include "coact/actors/replication/raft_core.hpp"

#include <algorithm>
#include <functional>

#include "coact/runtime/assert.hpp"

namespace coact::replication {

bool valid(const raft_timing& t) noexcept {
  const duration zero{0};
  return t.heartbeat_period > zero && t.election_timeout_min > t.heartbeat_period &&
         t.election_timeout_min <= t.election_timeout_max && t.entries_per_message_max > 0 &&
         (!t.step_down_after || *t.step_down_after > zero);
}

raft_core::raft_core(raft_options options, raft_hooks hooks, term_log log, time_point now)
    : options_(std::move(options)), hooks_(std::move(hooks)), log_(std::move(log)), now_(now) {
  if (hooks_.appended) {
    for (std::uint64_t i = 1; i <= log_.last_index(); ++i) hooks_.appended(i, log_.at(i));
  }
  reset_election_timer();
}

void raft_core::reset_election_timer() {
  const auto& t = options_.timing;
  election_due_ = now_ + duration{options_.random.between(t.election_timeout_min.count(),
                                                          t.election_timeout_max.count())};
}

void raft_core::set_role(raft_role role, std::optional<std::uint32_t> leader) {
  const bool changed = role != role_ || leader != leader_;
  role_ = role;
  leader_ = leader;
  if (changed && hooks_.role_changed) hooks_.role_changed(role_, log_.term());
}

task<result<void>> raft_core::run(actor_context& self, std::function<void(envelope&)> handle) {
  for (;;) {
    const time_point now = self.now();
    if (now >= deadline()) {
      on_tick(now);
    } else if (auto e = co_await self.receive_for(deadline() - now)) {
      if (!on_message(e.value(), self.now())) handle(e.value());
    }
    if (auto sent = flush(self); !sent) co_return sent.error();
  }
}

bool raft_core::on_message(envelope& e, time_point now) {
  now_ = now;
  if (e.is<proto::AppendEntries>()) {
    on_append(e.get<proto::AppendEntries>());
  } else if (e.is<proto::AppendResult>()) {
    on_append_result(e.get<proto::AppendResult>());
  } else if (e.is<proto::RequestVote>()) {
    on_request_vote(e.get<proto::RequestVote>());
  } else if (e.is<proto::Vote>()) {
    on_vote(e.get<proto::Vote>());
  } else {
    return false;
  }
  return true;
}

void raft_core::on_tick(time_point now) {
  now_ = now;
  if (role_ != raft_role::leader) {
    if (!may_vote()) {
      reset_election_timer();
    } else if (options_.pre_vote) {
      start_pre_vote();
    } else {
      start_election();
    }
    return;
  }
  // A leader cut off from a majority stops taking requests it could never commit, so
  // that its clients hear it does not lead and look elsewhere.
  if (!majority_heard()) {
    step_down(log_.term(), std::nullopt);
    return;
  }
  heartbeat_due_ = now_ + options_.timing.heartbeat_period;
  broadcast();
}

std::optional<std::uint64_t> raft_core::propose(command c) {
  if (role_ != raft_role::leader) return std::nullopt;
  if (c.client != 0) {
    for (std::uint64_t i = applied_ + 1; i <= log_.last_index(); ++i) {
      const command& held = log_.at(i).command;
      if (held.client == c.client && held.sequence == c.sequence) return i;
    }
  }
  c.writer = options_.node;
  append({.term = log_.term(), .command = std::move(c)});
  const std::uint64_t index = log_.last_index();
  broadcast();
  advance_commit();
  return index;
}

std::optional<std::uint64_t> raft_core::read() {
  if (role_ != raft_role::leader) return std::nullopt;
  // Every write acknowledged before this read arrived is at or below the commit index
  // now; the read waits for a round of heartbeats sent after it arrived, which proves no
  // later leader had been elected by then.
  const std::uint64_t ticket = ++tickets_;
  pending_reads_.push_back({.ticket = ticket, .read_index = commit_, .round = round_ + 1});
  broadcast();
  return ticket;  // served from flush() at the earliest, once the caller knows the ticket
}

result<void> raft_core::flush(actor_context& self) {
  serve_reads();  // a group of one confirms a read at once
  if (failure_) return failure_;
  if (log_.dirty()) {
    keep(log_.sync());
    if (failure_) return failure_;
  }
  for (auto& [to, e] : outbox_) hooks_.send(to, std::move(e));
  outbox_.clear();
  for (auto& [request, reply] : answers_) self.reply(request, std::move(reply));
  answers_.clear();
  return success();
}

void raft_core::on_request_vote(proto::RequestVote::Reader m) {
  const std::uint64_t term = m.getTerm();
  const std::uint32_t candidate = m.getCandidate();
  const bool up_to_date =
      m.getLastLogTerm() > log_.last_term() ||
      (m.getLastLogTerm() == log_.last_term() && m.getLastLogIndex() >= log_.last_index());
  // While a leader is heard from, a candidate (one cut off for a while, say) cannot
  // unseat it (Raft thesis §4.2.3).
  const bool leader_alive =
      role_ == raft_role::leader ||
      (leader_ && now_ - last_contact_ < options_.timing.election_timeout_min);
  if (m.getPreVote()) {
    const bool grant = term > log_.term() && up_to_date && !leader_alive && may_vote();
    answer_vote(candidate, grant ? term : log_.term(), grant, true);
    return;
  }
  if (term > log_.term()) {
    if (leader_alive) {
      answer_vote(candidate, log_.term(), false, false);
      return;
    }
    step_down(term, std::nullopt);
  }
  const bool grant = term == log_.term() && up_to_date && may_vote() &&
                     (!log_.vote() || *log_.vote() == candidate);
  if (grant) {
    if (log_.vote() != candidate) keep(log_.set_term(term, candidate));
    reset_election_timer();
  }
  answer_vote(candidate, log_.term(), grant, false);
}

void raft_core::on_vote(proto::Vote::Reader v) {
  if (v.getTerm() > log_.term() && !(v.getPreVote() && v.getGranted())) {
    step_down(v.getTerm(), std::nullopt);
    return;
  }
  if (!v.getGranted()) return;
  if (v.getPreVote()) {
    if (role_ != raft_role::precandidate || v.getTerm() != log_.term() + 1) return;
    granted_.insert(v.getVoter());
    if (granted_.size() >= majority()) start_election();
    return;
  }
  if (role_ != raft_role::candidate || v.getTerm() != log_.term()) return;
  granted_.insert(v.getVoter());
  if (granted_.size() >= majority()) become_leader();
}

void raft_core::on_append(proto::AppendEntries::Reader m) {
  const std::uint64_t term = m.getTerm();
  if (term < log_.term()) {
    answer_append(m.getLeader(), false, log_.last_index(), m.getRound());
    return;
  }
  COACT_ASSERT(role_ != raft_role::leader || term > log_.term());  // one leader per term
  step_down(term, m.getLeader());
  // This term has a leader: a vote for anyone else in it could only make a second one.
  if (!log_.vote()) keep(log_.set_term(term, m.getLeader()));
  last_contact_ = now_;
  reset_election_timer();

  const std::uint64_t prev = m.getPrevLogIndex();
  if (prev > log_.last_index()) {
    answer_append(m.getLeader(), false, log_.last_index(), m.getRound());
    return;
  }
  if (log_.term_at(prev) != m.getPrevLogTerm()) {
    // Skip back over every entry of the conflicting term, so that the leader finds the
    // point where the logs meet in a round trip per term, not per entry (never into the
    // committed prefix, which matches every leader's log).
    const std::uint64_t conflict = log_.term_at(prev);
    std::uint64_t first = prev;
    while (first - 1 > commit_ && log_.term_at(first - 1) == conflict) --first;
    answer_append(m.getLeader(), false, first - 1, m.getRound());
    return;
  }
  // Keep the entries that match (a late, shorter message must not cut newer ones off);
  // from the first that differs on, the leader's entries replace ours.
  const auto entries = m.getEntries();
  unsigned same = 0;
  while (same < entries.size() && prev + 1 + same <= log_.last_index() &&
         log_.term_at(prev + 1 + same) == entries[same].getTerm()) {
    ++same;
  }
  if (same < entries.size()) {
    const std::uint64_t cut = prev + same;
    COACT_ASSERT(cut >= commit_);  // a committed entry is never replaced
    if (cut < log_.last_index()) {
      if (hooks_.truncated) {
        std::vector<entry> removed;
        for (std::uint64_t i = cut + 1; i <= log_.last_index(); ++i) removed.push_back(log_.at(i));
        hooks_.truncated(cut, removed);
      }
      keep(log_.truncate_after(cut));
    }
    for (unsigned i = same; i < entries.size(); ++i) append(read_entry(entries[i]));
  }
  const std::uint64_t match = prev + entries.size();
  commit_ = std::max(commit_, std::min(m.getLeaderCommit(), match));
  if (commit_ >= m.getLeaderCommit()) caught_up_ = true;
  apply_committed();
  answer_append(m.getLeader(), true, match, m.getRound());
}

void raft_core::on_append_result(proto::AppendResult::Reader r) {
  if (r.getTerm() > log_.term()) {
    step_down(r.getTerm(), std::nullopt);
    return;
  }
  if (role_ != raft_role::leader || r.getTerm() != log_.term()) return;
  const auto it = progress_.find(r.getFollower());
  if (it == progress_.end()) return;
  progress& p = it->second;
  p.heard = now_;
  p.round = std::max(p.round, r.getRound());
  if (r.getSuccess()) {
    const bool moved = r.getIndex() > p.match;
    p.match = std::max(p.match, r.getIndex());
    p.next = std::max(p.next, p.match + 1);
    advance_commit();
    if (moved && p.next <= log_.last_index()) send_append(it->first);  // catching up
  } else {
    // Below what it matched: a volatile member that restarted without its log.
    if (r.getIndex() < p.match) p.match = r.getIndex();
    p.next = std::max(p.match + 1, std::min(p.next, r.getIndex() + 1));
    send_append(it->first);
  }
  serve_reads();
}

void raft_core::step_down(std::uint64_t term, std::optional<std::uint32_t> leader) {
  const raft_role was = role_;
  if (term > log_.term()) keep(log_.set_term(term, std::nullopt));
  if (was != raft_role::follower) reset_election_timer();
  if (was == raft_role::leader) {
    pending_reads_.clear();
    progress_.clear();
  }
  set_role(raft_role::follower, leader);
}

void raft_core::start_pre_vote() {
  granted_ = {options_.node};
  reset_election_timer();
  set_role(raft_role::precandidate, std::nullopt);
  if (granted_.size() >= majority()) {
    start_election();
    return;
  }
  ask_votes(log_.term() + 1, true);
}

void raft_core::start_election() {
  keep(log_.set_term(log_.term() + 1, options_.node));
  granted_ = {options_.node};
  reset_election_timer();
  set_role(raft_role::candidate, std::nullopt);
  if (granted_.size() >= majority()) {
    become_leader();
    return;
  }
  ask_votes(log_.term(), false);
}

void raft_core::ask_votes(std::uint64_t term, bool pre_vote) {
  for (const std::uint32_t peer : options_.members) {
    if (peer == options_.node) continue;
    message<proto::RequestVote> m;
    m->setTerm(term);
    m->setCandidate(options_.node);
    m->setLastLogIndex(log_.last_index());
    m->setLastLogTerm(log_.last_term());
    m->setPreVote(pre_vote);
    outbox_.emplace_back(peer, std::move(m).take());
  }
}

void raft_core::become_leader() {
  progress_.clear();
  for (const std::uint32_t peer : options_.members) {
    if (peer != options_.node) progress_[peer] = {.next = log_.last_index() + 1, .heard = now_};
  }
  leader_since_ = now_;
  heartbeat_due_ = now_ + options_.timing.heartbeat_period;
  set_role(raft_role::leader, options_.node);
  if (options_.leader_noop) {
    append({.term = log_.term(), .command = {.writer = options_.node}});
  }
  broadcast();
  advance_commit();
}

void raft_core::append(entry e) {
  keep(log_.append(e));
  if (hooks_.appended) hooks_.appended(log_.last_index(), log_.at(log_.last_index()));
}

void raft_core::broadcast() {
  ++round_;
  for (const auto& [peer, p] : progress_) send_append(peer);
}

void raft_core::send_append(std::uint32_t peer) {
  const progress& p = progress_.at(peer);
  const std::uint64_t prev = p.next - 1;
  const auto count =
      std::min<std::uint64_t>(log_.last_index() - prev, options_.timing.entries_per_message_max);
  message<proto::AppendEntries> m;
  m->setTerm(log_.term());
  m->setLeader(options_.node);
  m->setPrevLogIndex(prev);
  m->setPrevLogTerm(log_.term_at(prev));
  auto list = m->initEntries(static_cast<unsigned>(count));
  for (unsigned i = 0; i < count; ++i) write_entry(list[i], log_.at(prev + 1 + i));
  m->setLeaderCommit(commit_);
  m->setRound(round_);
  outbox_.emplace_back(peer, std::move(m).take());
}

void raft_core::advance_commit() {
  const std::uint64_t was = commit_;
  // Only an entry of the current term is committed by counting replicas (Raft §5.4.2).
  for (std::uint64_t n = log_.last_index(); n > commit_ && log_.term_at(n) == log_.term(); --n) {
    const auto replicas =
        1 + std::count_if(progress_.begin(), progress_.end(),
                          [n](const auto& peer) { return peer.second.match >= n; });
    if (static_cast<std::size_t>(replicas) >= majority()) {
      commit_ = n;
      break;
    }
  }
  // Its first commit in its own term covers everything its predecessors committed.
  if (commit_ > was) caught_up_ = true;
  apply_committed();
  if (commit_ > was && options_.announce_commits) broadcast();
}

void raft_core::apply_committed() {
  while (applied_ < commit_) {
    ++applied_;
    hooks_.apply(applied_, log_.at(applied_));
  }
  serve_reads();
}

void raft_core::serve_reads() {
  // Until it has committed an entry of its own term, a leader's commit index may lag
  // what its predecessor acknowledged.
  if (role_ != raft_role::leader || pending_reads_.empty() ||
      log_.term_at(commit_) != log_.term()) {
    return;
  }
  // The latest round a majority (this leader included) has acknowledged.
  std::vector<std::uint64_t> rounds{round_};
  for (const auto& [peer, p] : progress_) rounds.push_back(p.round);
  std::sort(rounds.begin(), rounds.end(), std::greater<>{});
  const std::uint64_t confirmed = rounds[majority() - 1];
  std::vector<std::uint64_t> ready;
  std::erase_if(pending_reads_, [&](const pending_read& read) {
    if (read.round > confirmed || read.read_index > applied_) return false;
    ready.push_back(read.ticket);
    return true;
  });
  for (const std::uint64_t ticket : ready) hooks_.read_ready(ticket);
}

bool raft_core::majority_heard() const {
  const auto& window = options_.timing.step_down_after;
  if (!window || now_ - leader_since_ < *window) return true;
  const auto heard = 1 + std::count_if(progress_.begin(), progress_.end(), [&](const auto& peer) {
                       return now_ - peer.second.heard < *window;
                     });
  return static_cast<std::size_t>(heard) >= majority();
}

void raft_core::answer_vote(std::uint32_t candidate, std::uint64_t term, bool granted,
                            bool pre_vote) {
  message<proto::Vote> v;
  v->setTerm(term);
  v->setVoter(options_.node);
  v->setGranted(granted);
  v->setPreVote(pre_vote);
  outbox_.emplace_back(candidate, std::move(v).take());
}

void raft_core::answer_append(std::uint32_t leader, bool success, std::uint64_t index,
                              std::uint64_t round) {
  message<proto::AppendResult> r;
  r->setTerm(log_.term());
  r->setFollower(options_.node);
  r->setSuccess(success);
  r->setIndex(index);
  r->setRound(round);
  outbox_.emplace_back(leader, std::move(r).take());
}

}  // namespace coact::replication
