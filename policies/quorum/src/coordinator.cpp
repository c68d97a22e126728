#include "coact/policies/quorum/coordinator.hpp"

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coact/actors/versioned_map.hpp"
#include "coact/policies/quorum/hints.hpp"
#include "coact/runtime/actor_system.hpp"
#include "replica_call.hpp"
#include "wire_form.hpp"

namespace coact::policies::quorum {
namespace {

/// One replica of an operation's key, and what it said.
struct slot {
  std::size_t member = 0;
  enum class state : std::uint8_t { waiting, answered, silent } said = state::waiting;
  /// A read's answer (when answered): the replica's value, if it had one.
  std::optional<kv::stored_value> value;
};

/// One client request in progress.
struct operation {
  /// The client's ask, until it is answered.
  envelope request;
  bool read = false;
  std::string key;
  std::vector<slot> slots;
  /// The level of the request.
  requirement need;
  /// The replicas that acknowledged it: the writes, or the reads (phase one of a read).
  tally acks;
  std::size_t reported = 0;

  // A write: what is written.
  std::string value;
  kv::version version;

  // A read's second phase, once its level is met (resolved): the newest value found, the
  // replicas known to hold it (or newer), and the writes of it still outstanding. The
  // write-back level is set only with the write-back option.
  std::optional<requirement> write_back_need;
  bool resolved = false;
  kv::stored_value newest;
  tally holders;
  std::size_t write_backs_outstanding = 0;
};

class coordinator_state {
 public:
  coordinator_state(actor_context& self, coordinator_config config)
      : self_(self), config_(std::move(config)), hints_(config_.hints_max),
        me_(config_.layout->topology().replicas.at(config_.member)) {}

  void on_read(envelope& e) {
    const auto r = e.get<proto::QuorumRead>();
    const auto read_level = detail::level_of(r.getLevel());
    const auto write_level = detail::level_of(r.getWriteLevel());
    if (!read_level || !write_level) {
      self_.reply_error(e, errc::malformed_message);
      return;
    }
    operation op;
    op.read = true;
    op.key = detail::text_of(r.getKey());
    op.need = required(*read_level, factors(), me_.datacenter);
    if (config_.write_back) op.write_back_need = required(*write_level, factors(), me_.datacenter);
    op.request = std::move(e);
    start(std::move(op));
  }

  void on_write(envelope& e) {
    const auto w = e.get<proto::QuorumWrite>();
    const auto write_level = detail::level_of(w.getLevel());
    if (!write_level) {
      self_.reply_error(e, errc::malformed_message);
      return;
    }
    operation op;
    op.key = detail::text_of(w.getKey());
    op.value = detail::text_of(w.getValue());
    op.version = next_version();
    op.need = required(*write_level, factors(), me_.datacenter);
    op.request = std::move(e);
    start(std::move(op));
  }

  void on_outcome(const envelope& e) {
    const auto o = e.get<proto::ReplicaOutcome>();
    if (const auto replay = replays_.find(o.getOperation()); replay != replays_.end()) {
      const hint& h = replay->second;
      hints_.replayed(h.node, h.key, h.version, o.getAnswered());
      replays_.erase(replay);
      return;
    }
    // An operation already answered and done: a late replica, nobody waits for it.
    const auto it = ops_.find(o.getOperation());
    if (it == ops_.end()) return;
    assert(o.getSlot() < it->second.slots.size());
    if (!it->second.read) {
      on_write_ack(it, o.getSlot(), o.getAnswered());
    } else if (o.getWrite()) {
      on_write_back_ack(it, o.getSlot(), o.getAnswered());
    } else {
      on_read_answer(it, o.getSlot(), o);
    }
  }

  void replay_hints() {
    if (replays_.size() >= config_.hint_replays_max) return;
    for (hint& h : hints_.start_replay(config_.hint_replays_max - replays_.size())) {
      const std::uint64_t id = next_operation_++;
      call(id, 0, h.node, true, h.key, h.value, h.version);
      replays_.emplace(id, std::move(h));
    }
  }

 private:
  using op_iterator = std::map<std::uint64_t, operation>::iterator;

  [[nodiscard]] const replication& factors() const { return config_.layout->factors(); }
  [[nodiscard]] const kv::member& member_of(const slot& s) const {
    return config_.layout->topology().replicas[s.member];
  }

  /// LWW versions: the clock's time, made strictly increasing so that two writes through
  /// this coordinator never tie; the node breaks ties between coordinators.
  kv::version next_version() {
    const auto now =
        static_cast<std::uint64_t>(std::max<std::int64_t>(self_.now().since_epoch.count(), 0));
    last_counter_ = std::max(now, last_counter_ + 1);
    return {.counter = last_counter_, .writer = me_.node};
  }

  /// Asks every replica of the operation's key at once.
  void start(operation op) {
    const std::uint64_t id = next_operation_++;
    for (const std::size_t m : config_.layout->replicas_of(op.key))
      op.slots.push_back({.member = m});
    auto& placed = ops_.emplace(id, std::move(op)).first->second;
    for (std::uint32_t i = 0; i < placed.slots.size(); ++i) {
      call(id, i, member_of(placed.slots[i]).node, !placed.read, placed.key, placed.value,
           placed.version);
    }
  }

  /// Starts one replica call; its outcome comes back as a ReplicaOutcome message.
  void call(std::uint64_t operation_id, std::uint32_t slot_index, std::uint32_t node, bool write,
            const std::string& key, const std::string& value, kv::version version) {
    detail::replica_call c{.operation = operation_id,
                           .slot = slot_index,
                           .replica = config_.refs->get(node, replica_role),
                           .write = write,
                           .key = key,
                           .value = value,
                           .version = version,
                           .timeout = config_.replica_timeout};
    if (self_.system().spawn(&detail::call_replica, self_.ref(), std::move(c))) return;
    // No helper (the system is shutting down): the replica is as good as silent.
    message<proto::ReplicaOutcome> silent;
    silent->setOperation(operation_id);
    silent->setSlot(slot_index);
    silent->setWrite(write);
    self_.tell(self_.ref(), std::move(silent));
  }

  void on_write_ack(op_iterator it, std::uint32_t slot_index, bool answered) {
    operation& op = it->second;
    slot& s = op.slots[slot_index];
    s.said = answered ? slot::state::answered : slot::state::silent;
    if (answered) op.acks.add(member_of(s).datacenter);
    ++op.reported;
    // Answer at once when the level is met: the other replicas still get the write, and
    // until they do a partial quorum's reads may miss it (what PBS measures).
    if (op.request && op.acks.met(op.need)) answer_written(op);
    if (op.reported < op.slots.size()) return;
    if (op.request) answer_unmet(op, op.need, op.acks);
    for (const slot& missed : op.slots) {
      if (missed.said != slot::state::silent) continue;
      (void)hints_.add({.node = member_of(missed).node,
                        .key = op.key,
                        .value = op.value,
                        .version = op.version});
    }
    ops_.erase(it);
  }

  void on_read_answer(op_iterator it, std::uint32_t slot_index, proto::ReplicaOutcome::Reader o) {
    operation& op = it->second;
    // An answer after the level was met changes nothing: the first answers decided.
    if (op.resolved) return;
    slot& s = op.slots[slot_index];
    s.said = o.getAnswered() ? slot::state::answered : slot::state::silent;
    if (o.getAnswered()) {
      if (o.getValue().getPresent()) {
        s.value = kv::stored_value{detail::text_of(o.getValue().getValue()),
                                   detail::version_of(o.getValue().getVersion())};
      }
      op.acks.add(member_of(s).datacenter);
    }
    ++op.reported;
    if (op.acks.met(op.need)) {
      resolve_read(it);
    } else if (op.reported == op.slots.size()) {
      answer_unmet(op, op.need, op.acks);
      ops_.erase(it);
    }
  }

  /// The read's level is met: picks the newest answer, and answers with it once read
  /// repair and write-back (as configured) have made enough replicas hold it.
  void resolve_read(op_iterator it) {
    operation& op = it->second;
    const slot* newest = nullptr;
    for (const slot& s : op.slots) {
      if (s.value && (newest == nullptr || newest->value->version < s.value->version)) newest = &s;
    }
    // Nothing found anywhere: there is nothing to repair or write back.
    if (newest == nullptr) {
      answer_value(op, nullptr);
      ops_.erase(it);
      return;
    }
    op.newest = *newest->value;
    op.resolved = true;
    std::vector<std::uint32_t> targets;
    for (std::uint32_t i = 0; i < op.slots.size(); ++i) {
      const slot& s = op.slots[i];
      const bool holds = s.value && !(s.value->version < op.newest.version);
      if (holds) {
        op.holders.add(member_of(s).datacenter);
        continue;
      }
      const bool answered_older = s.said == slot::state::answered;
      if ((config_.read_repair && answered_older) || op.write_back_need) targets.push_back(i);
    }
    for (const std::uint32_t i : targets) {
      call(it->first, i, member_of(op.slots[i]).node, true, op.key, op.newest.value,
           op.newest.version);
    }
    op.write_backs_outstanding = targets.size();
    finish_read_if_held(it);
  }

  void on_write_back_ack(op_iterator it, std::uint32_t slot_index, bool answered) {
    operation& op = it->second;
    if (answered) op.holders.add(member_of(op.slots[slot_index]).datacenter);
    --op.write_backs_outstanding;
    finish_read_if_held(it);
  }

  /// Answers the read once enough replicas hold its value, or with the level missed once
  /// every write-back has reported; then the read is done (repairs still outstanding go
  /// on, and their outcomes are ignored).
  void finish_read_if_held(op_iterator it) {
    operation& op = it->second;
    const requirement* missed = nullptr;
    if (config_.read_repair && !op.holders.met(op.need)) {
      missed = &op.need;
    } else if (op.write_back_need && !op.holders.met(*op.write_back_need)) {
      missed = &*op.write_back_need;
    }
    if (missed == nullptr) {
      answer_value(op, &op.newest);
    } else if (op.write_backs_outstanding == 0) {
      answer_unmet(op, *missed, op.holders);
    } else {
      return;
    }
    ops_.erase(it);
  }

  void answer_value(operation& op, const kv::stored_value* found) {
    message<proto::QuorumReadReply> reply;
    reply->setCoordinator(me_.name);
    auto value = reply->initValue();
    value.setPresent(found != nullptr);
    if (found != nullptr) {
      value.setValue(found->value);
      detail::set_version(value.initVersion(), found->version);
    }
    self_.reply(op.request, std::move(reply));
    op.request = envelope{};
  }

  void answer_written(operation& op) {
    message<proto::QuorumWriteReply> reply;
    reply->setCoordinator(me_.name);
    detail::set_version(reply->initWritten(), op.version);
    self_.reply(op.request, std::move(reply));
    op.request = envelope{};
  }

  void answer_unmet(operation& op, const requirement& need, const tally& got) {
    const unmet_level u{
        .wanted = need.wanted, .needed = need.needed(), .answered = got.counted(need)};
    if (op.read) {
      message<proto::QuorumReadReply> reply;
      reply->setCoordinator(me_.name);
      detail::set_unmet(reply->initUnmet(), u);
      self_.reply(op.request, std::move(reply));
    } else {
      message<proto::QuorumWriteReply> reply;
      reply->setCoordinator(me_.name);
      detail::set_unmet(reply->initUnmet(), u);
      self_.reply(op.request, std::move(reply));
    }
    op.request = envelope{};
  }

  actor_context& self_;
  coordinator_config config_;
  hints hints_;
  const kv::member& me_;
  std::map<std::uint64_t, operation> ops_;
  /// Hint replays in flight, by operation number.
  std::map<std::uint64_t, hint> replays_;
  std::uint64_t next_operation_ = 1;
  std::uint64_t last_counter_ = 0;
};

}  // namespace

task<void> coordinator(actor_context& self, coordinator_config config) {
  const duration hint_interval = config.hint_interval;
  coordinator_state state{self, std::move(config)};
  self.tick_every(hint_interval);
  for (;;) {
    envelope e = co_await self.receive();
    if (e.is<proto::ReplicaOutcome>()) {
      state.on_outcome(e);
    } else if (e.is<proto::QuorumRead>()) {
      state.on_read(e);
    } else if (e.is<proto::QuorumWrite>()) {
      state.on_write(e);
    } else if (e.is<sys::Tick>()) {
      state.replay_hints();
    } else if (e.kind() == message_kind::ask) {
      self.reply_error(e, errc::malformed_message);
    }
  }
}

}  // namespace coact::policies::quorum
