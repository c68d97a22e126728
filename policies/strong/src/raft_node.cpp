#include "coact/policies/strong/raft_node.hpp"

#include <algorithm>
#include <cassert>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string_view>
#include <utility>
#include <vector>

#include "coact/policies/strong/raft.capnp.h"
#include "coact/policies/strong/raft_log.hpp"
#include "coact/policies/strong/state_machine.hpp"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/message.hpp"

namespace coact::policies::strong {
namespace {

enum class role : std::uint8_t { follower, precandidate, candidate, leader };

/// What a leader knows of one follower.
struct progress {
  std::uint64_t next = 1;   // the next index to send it
  std::uint64_t match = 0;  // the highest index known to be in its log
  std::uint64_t round = 0;  // the latest broadcast round it acknowledged
  time_point heard;         // when it last answered in this term
};

/// A read waiting at the leader (ReadIndex).
struct pending_read {
  envelope request;
  std::uint64_t read_index = 0;  // the state must have applied this far
  std::uint64_t round = 0;       // a majority must have acknowledged this round
};

/// One Raft node: its state, and what it does on each message and at each deadline,
/// without waiting. Handlers leave what they send in an outbox that flush() sends once
/// the log is durable, so that no vote, acknowledgement or answer leaves the node before
/// what it promises is on disk.
class server {
 public:
  server(raft_node_config config, raft_log log, time_point now)
      : config_(std::move(config)), log_(std::move(log)), now_(now) {
    reset_election_timer();
  }

  /// When on_deadline is due: the leader's next heartbeat, or the election timeout.
  [[nodiscard]] time_point deadline() const noexcept {
    return role_ == role::leader ? heartbeat_due_ : election_due_;
  }
  void handle(envelope& e, time_point now);
  void on_deadline(time_point now);
  /// Syncs the log, then sends what the handlers left in the outbox. Fails with the
  /// storage's error, after which the node must stop.
  [[nodiscard]] result<void> flush(actor_context& self);

 private:
  [[nodiscard]] std::size_t majority() const noexcept { return config_.members.size() / 2 + 1; }
  void keep(result<void> r) {
    if (!r && !failure_) failure_ = r.error();
  }
  void reset_election_timer() {
    const auto& t = config_.timing;
    election_due_ = now_ + duration{config_.random.between(t.election_timeout_min.count(),
                                                           t.election_timeout_max.count())};
  }
  template <class T>
  void send(std::uint32_t to, message<T>&& m) {
    outbox_.emplace_back(to, std::move(m).take());
  }

  void on_request_vote(proto::RequestVote::Reader m);
  void on_vote(proto::Vote::Reader v);
  void on_append(proto::AppendEntries::Reader m);
  void on_append_result(proto::AppendResult::Reader r);
  void on_client(envelope& e);

  void step_down(std::uint64_t term, std::optional<std::uint32_t> leader);
  void start_pre_vote();
  void start_election();
  void ask_votes(std::uint64_t term, bool pre_vote);
  void become_leader();
  void broadcast();
  void send_append(std::uint32_t peer);
  void advance_commit();
  void apply_committed();
  void serve_reads();
  [[nodiscard]] bool majority_heard() const;

  void answer_vote(std::uint32_t candidate, std::uint64_t term, bool granted, bool pre_vote);
  void answer_append(std::uint32_t leader, bool success, std::uint64_t index, std::uint64_t round);
  void answer(envelope& request, message<proto::ClientReply>&& reply);
  void answer_not_leader(envelope& request);
  void answer_unknown(envelope& request);
  void answer_written(envelope& request, write_outcome outcome);
  void answer_read(envelope& request);

  raft_node_config config_;
  raft_log log_;
  state_machine state_;
  time_point now_;
  role role_ = role::follower;
  std::optional<std::uint32_t> leader_;  // the leader of the current term, when known
  time_point last_contact_;              // when the leader was last heard from
  time_point election_due_;
  time_point heartbeat_due_;
  std::uint64_t commit_ = 0;
  std::uint64_t applied_ = 0;
  std::set<std::uint32_t> granted_;  // votes (or pre-votes) received in this election

  // Leader only.
  std::map<std::uint32_t, progress> progress_;
  std::uint64_t term_start_ = 0;  // the index of this term's no-op
  std::uint64_t round_ = 0;
  std::map<std::uint64_t, envelope> pending_writes_;  // by log index
  std::vector<pending_read> pending_reads_;

  std::vector<std::pair<std::uint32_t, envelope>> outbox_;  // to peers, by node
  std::vector<std::pair<envelope, envelope>> answers_;      // (request, reply)
  std::error_code failure_;
};

void server::handle(envelope& e, time_point now) {
  now_ = now;
  dispatch(e, on<proto::AppendEntries>([&](envelope&, auto m) { on_append(m); }),
           on<proto::AppendResult>([&](envelope&, auto m) { on_append_result(m); }),
           on<proto::RequestVote>([&](envelope&, auto m) { on_request_vote(m); }),
           on<proto::Vote>([&](envelope&, auto m) { on_vote(m); }),
           on<proto::ClientRequest>([&](envelope& request) { on_client(request); }));
}

void server::on_deadline(time_point now) {
  now_ = now;
  if (role_ != role::leader) {
    start_pre_vote();
    return;
  }
  // A leader cut off from a majority stops taking requests it could never commit, so
  // that its clients hear not_leader and look elsewhere.
  if (!majority_heard()) {
    step_down(log_.term(), std::nullopt);
    return;
  }
  heartbeat_due_ = now_ + config_.timing.heartbeat_period;
  broadcast();
}

result<void> server::flush(actor_context& self) {
  if (failure_) return failure_;
  if (log_.dirty()) {
    keep(log_.sync());
    if (failure_) return failure_;
  }
  for (auto& [to, e] : outbox_) {
    // A message that cannot go is as lost as one the network drops: Raft retries.
    self.tell(config_.directory->get(to, raft_role), std::move(e));
  }
  outbox_.clear();
  for (auto& [request, reply] : answers_) self.reply(request, std::move(reply));
  answers_.clear();
  return success();
}

void server::on_request_vote(proto::RequestVote::Reader m) {
  const std::uint64_t term = m.getTerm();
  const std::uint32_t candidate = m.getCandidate();
  const bool up_to_date =
      m.getLastLogTerm() > log_.last_term() ||
      (m.getLastLogTerm() == log_.last_term() && m.getLastLogIndex() >= log_.last_index());
  // While a leader is heard from, a candidate (one cut off for a while, say) cannot
  // unseat it (Raft thesis §4.2.3).
  const bool leader_alive = role_ == role::leader ||
                            (leader_ && now_ - last_contact_ < config_.timing.election_timeout_min);
  if (m.getPreVote()) {
    const bool grant = term > log_.term() && up_to_date && !leader_alive;
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
  const bool grant =
      term == log_.term() && up_to_date && (!log_.vote() || *log_.vote() == candidate);
  if (grant) {
    if (log_.vote() != candidate) keep(log_.set_term(term, candidate));
    reset_election_timer();
  }
  answer_vote(candidate, log_.term(), grant, false);
}

void server::on_vote(proto::Vote::Reader v) {
  if (v.getTerm() > log_.term() && !(v.getPreVote() && v.getGranted())) {
    step_down(v.getTerm(), std::nullopt);
    return;
  }
  if (!v.getGranted()) return;
  if (v.getPreVote()) {
    if (role_ != role::precandidate || v.getTerm() != log_.term() + 1) return;
    granted_.insert(v.getVoter());
    if (granted_.size() >= majority()) start_election();
    return;
  }
  if (role_ != role::candidate || v.getTerm() != log_.term()) return;
  granted_.insert(v.getVoter());
  if (granted_.size() >= majority()) become_leader();
}

void server::on_append(proto::AppendEntries::Reader m) {
  const std::uint64_t term = m.getTerm();
  if (term < log_.term()) {
    answer_append(m.getLeader(), false, log_.last_index(), m.getRound());
    return;
  }
  assert(role_ != role::leader || term > log_.term());  // one leader per term
  step_down(term, m.getLeader());
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
    assert(prev + 1 + same > commit_);
    std::vector<log_entry> rest;
    rest.reserve(entries.size() - same);
    for (unsigned i = same; i < entries.size(); ++i) rest.push_back(read_entry(entries[i]));
    keep(log_.replace_from(prev + 1 + same, rest));
  }
  const std::uint64_t match = prev + entries.size();
  commit_ = std::max(commit_, std::min(m.getLeaderCommit(), match));
  apply_committed();
  answer_append(m.getLeader(), true, match, m.getRound());
}

void server::on_append_result(proto::AppendResult::Reader r) {
  if (r.getTerm() > log_.term()) {
    step_down(r.getTerm(), std::nullopt);
    return;
  }
  if (role_ != role::leader || r.getTerm() != log_.term()) return;
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
    p.next = std::max(p.match + 1, std::min(p.next, r.getIndex() + 1));
    send_append(it->first);
  }
  serve_reads();
}

void server::on_client(envelope& e) {
  if (role_ != role::leader) {
    answer_not_leader(e);
    return;
  }
  const auto request = e.get<proto::ClientRequest>();
  if (request.isGet()) {
    // ReadIndex: every write acknowledged before this read arrived is at or below the
    // commit index now, or (if an earlier leader committed it) at or below this term's
    // no-op.
    pending_reads_.push_back({.request = std::move(e),
                              .read_index = std::max(commit_, term_start_),
                              .round = round_ + 1});
    broadcast();
    serve_reads();
    return;
  }
  keep(log_.append({.term = log_.term(), .command = read_command(request.getWrite())}));
  pending_writes_.emplace(log_.last_index(), std::move(e));
  broadcast();
  advance_commit();
}

void server::step_down(std::uint64_t term, std::optional<std::uint32_t> leader) {
  const role was = role_;
  if (term > log_.term()) keep(log_.set_term(term, std::nullopt));
  role_ = role::follower;
  leader_ = leader;
  if (was != role::follower) reset_election_timer();
  if (was != role::leader) return;
  // Appended but not committed: it may commit under the next leader, or never.
  for (auto& [index, request] : pending_writes_) answer_unknown(request);
  pending_writes_.clear();
  for (auto& read : pending_reads_) answer_not_leader(read.request);
  pending_reads_.clear();
  progress_.clear();
}

void server::start_pre_vote() {
  // A pre-vote first, so that a node that was cut off cannot force a new term on a
  // majority that still has its leader (Raft thesis §9.6).
  role_ = role::precandidate;
  leader_.reset();
  granted_ = {config_.node};
  reset_election_timer();
  if (granted_.size() >= majority()) {
    start_election();
    return;
  }
  ask_votes(log_.term() + 1, true);
}

void server::start_election() {
  role_ = role::candidate;
  keep(log_.set_term(log_.term() + 1, config_.node));
  granted_ = {config_.node};
  reset_election_timer();
  if (granted_.size() >= majority()) {
    become_leader();
    return;
  }
  ask_votes(log_.term(), false);
}

void server::ask_votes(std::uint64_t term, bool pre_vote) {
  for (const std::uint32_t peer : config_.members) {
    if (peer == config_.node) continue;
    message<proto::RequestVote> m;
    m->setTerm(term);
    m->setCandidate(config_.node);
    m->setLastLogIndex(log_.last_index());
    m->setLastLogTerm(log_.last_term());
    m->setPreVote(pre_vote);
    send(peer, std::move(m));
  }
}

void server::become_leader() {
  role_ = role::leader;
  leader_ = config_.node;
  progress_.clear();
  for (const std::uint32_t peer : config_.members) {
    if (peer != config_.node) progress_[peer] = {.next = log_.last_index() + 1, .heard = now_};
  }
  // Entries of earlier terms commit only under one of this term (Raft §5.4.2); the no-op
  // is that entry, and reads wait for it.
  keep(log_.append({.term = log_.term(), .command = {}}));
  term_start_ = log_.last_index();
  heartbeat_due_ = now_ + config_.timing.heartbeat_period;
  if (config_.on_leader) config_.on_leader(config_.node, log_.term());
  broadcast();
  advance_commit();
}

void server::broadcast() {
  ++round_;
  for (const auto& [peer, p] : progress_) send_append(peer);
}

void server::send_append(std::uint32_t peer) {
  const progress& p = progress_.at(peer);
  const std::uint64_t prev = p.next - 1;
  const auto count =
      std::min<std::uint64_t>(log_.last_index() - prev, config_.timing.entries_per_message_max);
  message<proto::AppendEntries> m;
  m->setTerm(log_.term());
  m->setLeader(config_.node);
  m->setPrevLogIndex(prev);
  m->setPrevLogTerm(log_.term_at(prev));
  auto list = m->initEntries(static_cast<unsigned>(count));
  for (unsigned i = 0; i < count; ++i) write_entry(list[i], log_.at(prev + 1 + i));
  m->setLeaderCommit(commit_);
  m->setRound(round_);
  send(peer, std::move(m));
}

void server::advance_commit() {
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
  apply_committed();
}

void server::apply_committed() {
  while (applied_ < commit_) {
    ++applied_;
    const auto outcome = state_.apply(applied_, log_.at(applied_).command);
    const auto it = pending_writes_.find(applied_);
    if (it == pending_writes_.end()) continue;
    if (outcome) {
      answer_written(it->second, *outcome);
    } else {
      answer_unknown(it->second);  // a stale copy of a request: its client moved on
    }
    pending_writes_.erase(it);
  }
  serve_reads();
}

void server::serve_reads() {
  if (role_ != role::leader || pending_reads_.empty()) return;
  // The latest round a majority (this leader included) has acknowledged.
  std::vector<std::uint64_t> rounds{round_};
  for (const auto& [peer, p] : progress_) rounds.push_back(p.round);
  std::sort(rounds.begin(), rounds.end(), std::greater<>{});
  const std::uint64_t confirmed = rounds[majority() - 1];
  std::erase_if(pending_reads_, [this, confirmed](pending_read& read) {
    if (read.round > confirmed || read.read_index > applied_) return false;
    answer_read(read.request);
    return true;
  });
}

bool server::majority_heard() const {
  const auto window = config_.timing.election_timeout_max;
  const auto heard = 1 + std::count_if(progress_.begin(), progress_.end(), [&](const auto& peer) {
                       return now_ - peer.second.heard < window;
                     });
  return static_cast<std::size_t>(heard) >= majority();
}

void server::answer_vote(std::uint32_t candidate, std::uint64_t term, bool granted, bool pre_vote) {
  message<proto::Vote> v;
  v->setTerm(term);
  v->setVoter(config_.node);
  v->setGranted(granted);
  v->setPreVote(pre_vote);
  send(candidate, std::move(v));
}

void server::answer_append(std::uint32_t leader, bool success, std::uint64_t index,
                           std::uint64_t round) {
  message<proto::AppendResult> r;
  r->setTerm(log_.term());
  r->setFollower(config_.node);
  r->setSuccess(success);
  r->setIndex(index);
  r->setRound(round);
  send(leader, std::move(r));
}

void server::answer(envelope& request, message<proto::ClientReply>&& reply) {
  reply->setNode(config_.node);
  answers_.emplace_back(std::move(request), std::move(reply).take());
}

void server::answer_not_leader(envelope& request) {
  message<proto::ClientReply> reply;
  auto refused = reply->initNotLeader();
  const bool known = leader_.has_value() && *leader_ != config_.node;
  refused.setHasLeader(known);
  refused.setLeader(known ? *leader_ : 0);
  answer(request, std::move(reply));
}

void server::answer_unknown(envelope& request) {
  message<proto::ClientReply> reply;
  reply->setUnknown();
  answer(request, std::move(reply));
}

void server::answer_written(envelope& request, write_outcome outcome) {
  message<proto::ClientReply> reply;
  auto written = reply->initWritten();
  written.setVersion(outcome.version);
  written.setMatched(outcome.matched);
  answer(request, std::move(reply));
}

void server::answer_read(envelope& request) {
  const auto key = request.get<proto::ClientRequest>().getGet();
  const stored_value* found = state_.find(std::string_view{key.cStr(), key.size()});
  message<proto::ClientReply> reply;
  auto read = reply->initRead();
  read.setPresent(found != nullptr);
  if (found != nullptr) {
    read.setValue(found->value);
    read.setVersion(found->index);
  }
  answer(request, std::move(reply));
}

}  // namespace

task<result<void>> raft_node(actor_context& self, raft_node_config config) {
  auto log = raft_log::open(std::move(config.storage));
  if (!log) co_return log.error();
  server node{std::move(config), std::move(log).value(), self.now()};
  for (;;) {
    const time_point now = self.now();
    if (now >= node.deadline()) {
      node.on_deadline(now);
    } else if (auto e = co_await self.receive_for(node.deadline() - now)) {
      node.handle(e.value(), self.now());
    }
    if (auto sent = node.flush(self); !sent) co_return sent.error();
  }
}

}  // namespace coact::policies::strong
