#include "coact/policies/quorum/coordinator.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "coact/actors/versioned_map.hpp"
#include "coact/policies/quorum/hints.hpp"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/system.capnp.h"
#include "wire_form.hpp"

namespace coact::policies::quorum {
namespace {

/// A replica's answer to a read: its value, if it had one.
using read_answer = std::optional<kv::stored_value>;

message<kv::proto::ReplicaRead> replica_read(const std::string& key) {
  return make_message<kv::proto::ReplicaRead>([&](auto r) { r.setKey(key); });
}

message<kv::proto::ReplicaWrite> replica_write(const std::string& key, const std::string& value,
                                               kv::version version) {
  return make_message<kv::proto::ReplicaWrite>([&](auto w) {
    w.setKey(key);
    w.setValue(value);
    detail::set_version(w.initVersion(), version);
  });
}

class coordinator_state {
 public:
  coordinator_state(actor_context& self, coordinator_config config)
      : self_(self), config_(std::move(config)), hints_(config_.hints_max),
        me_(config_.layout->topology().replicas.at(config_.member)) {}

  void on_read(envelope& e, proto::QuorumRead::Reader r) {
    const auto read_level = detail::level_of(r.getLevel());
    const auto write_level = detail::level_of(r.getWriteLevel());
    if (!read_level || !write_level) {
      self_.reply_error(e, errc::malformed_message);
      return;
    }
    std::optional<requirement> write_back_need;
    if (config_.write_back) write_back_need = required(*write_level, factors(), me_.datacenter);
    self_.launch(read(std::move(e), detail::text_of(r.getKey()),
                      required(*read_level, factors(), me_.datacenter), write_back_need));
  }

  void on_write(envelope& e, proto::QuorumWrite::Reader w) {
    const auto write_level = detail::level_of(w.getLevel());
    if (!write_level) {
      self_.reply_error(e, errc::malformed_message);
      return;
    }
    self_.launch(write(std::move(e), detail::text_of(w.getKey()), detail::text_of(w.getValue()),
                       next_version(), required(*write_level, factors(), me_.datacenter)));
  }

  void replay_hints() {
    if (replays_ >= config_.hint_replays_max) return;
    for (hint& h : hints_.start_replay(config_.hint_replays_max - replays_)) {
      ++replays_;
      self_.launch(replay(std::move(h)));
    }
  }

 private:
  [[nodiscard]] const replication& factors() const { return config_.layout->factors(); }
  [[nodiscard]] const kv::member& member(std::size_t m) const {
    return config_.layout->topology().replicas[m];
  }
  [[nodiscard]] actor_ref replica(std::uint32_t node) const {
    return config_.refs->get(node, replica_role);
  }
  [[nodiscard]] std::vector<actor_ref> replicas(const std::vector<std::size_t>& members) const {
    std::vector<actor_ref> refs;
    for (const std::size_t m : members) refs.push_back(replica(member(m).node));
    return refs;
  }

  /// LWW versions: the clock's time, made strictly increasing so that two writes through
  /// this coordinator never tie; the node breaks ties between coordinators.
  kv::version next_version() {
    const auto now =
        static_cast<std::uint64_t>(std::max<std::int64_t>(self_.now().since_epoch.count(), 0));
    last_counter_ = std::max(now, last_counter_ + 1);
    return {.counter = last_counter_, .writer = me_.node};
  }

  /// Writes to every replica of the key at once and answers as soon as the level is met:
  /// the other replicas still get the write, and until they do a partial quorum's reads
  /// may miss it (what PBS measures). Replicas that never acknowledge it get a hint.
  task<void> write(envelope request, std::string key, std::string value, kv::version version,
                   requirement need) {
    const std::vector<std::size_t> members = config_.layout->replicas_of(key);
    fan_out acks_from = self_.ask_each<kv::proto::ReplicaWriteAck>(
        replicas(members), replica_write(key, value, version), config_.replica_timeout);
    tally acks;
    // A write acknowledged as applied or not (a newer version was there already) leaves
    // the replica holding this write or a newer one: both count.
    while (const auto i = co_await acks_from.next()) {
      if (*acks_from.outcome(*i)) acks.add(member(members[*i]).datacenter);
      if (request && acks.met(need)) answer_written(request, version);
    }
    if (request) answer_unmet(request, false, need, acks);
    for (std::size_t i = 0; i < members.size(); ++i) {
      if (*acks_from.outcome(i)) continue;
      (void)hints_.add(
          {.node = member(members[i]).node, .key = key, .value = value, .version = version});
    }
  }

  /// Reads from every replica of the key at once; once the level is met, takes the newest
  /// answer, and answers with it once read repair and write-back (as configured) have made
  /// enough replicas hold it. Answers arriving after the level was met change nothing.
  task<void> read(envelope request, std::string key, requirement need,
                  std::optional<requirement> write_back_need) {
    const std::vector<std::size_t> members = config_.layout->replicas_of(key);
    fan_out answers = self_.ask_each<kv::proto::ReplicaValue>(replicas(members), replica_read(key),
                                                              config_.replica_timeout);
    tally acks;
    while (!acks.met(need)) {
      const auto i = co_await answers.next();
      if (!i) {
        answer_unmet(request, true, need, acks);
        co_return;
      }
      if (*answers.outcome(*i)) acks.add(member(members[*i]).datacenter);
    }
    const read_answer newest = newest_answer(answers);
    // Nothing found anywhere: there is nothing to repair or write back.
    if (!newest) {
      answer_value(request, nullptr);
      co_return;
    }
    tally holders;
    std::vector<std::size_t> behind;
    for (std::size_t i = 0; i < members.size(); ++i) {
      const result<envelope>* o = answers.outcome(i);
      const read_answer held = o != nullptr && *o ? answer_of(o->value()) : std::nullopt;
      if (held && !(held->version < newest->version)) {
        holders.add(member(members[i]).datacenter);
        continue;
      }
      const bool answered_older = o != nullptr && *o;
      if ((config_.read_repair && answered_older) || write_back_need) behind.push_back(i);
    }
    std::vector<actor_ref> targets;
    for (const std::size_t i : behind) targets.push_back(replica(member(members[i]).node));
    fan_out repairs = self_.ask_each<kv::proto::ReplicaWriteAck>(
        targets, replica_write(key, newest->value, newest->version), config_.replica_timeout);
    for (;;) {
      const requirement* missed = nullptr;
      if (config_.read_repair && !holders.met(need)) {
        missed = &need;
      } else if (write_back_need && !holders.met(*write_back_need)) {
        missed = &*write_back_need;
      }
      if (missed == nullptr) {
        answer_value(request, &*newest);
        co_return;
      }
      const auto i = co_await repairs.next();
      if (!i) {
        answer_unmet(request, true, *missed, holders);
        co_return;
      }
      if (*repairs.outcome(*i)) holders.add(member(members[behind[*i]]).datacenter);
    }
  }

  /// Gives one hint to its replica; the hint is kept if the replica does not acknowledge.
  task<void> replay(hint h) {
    const auto acked = co_await self_.ask<kv::proto::ReplicaWriteAck>(
        replica(h.node), replica_write(h.key, h.value, h.version), config_.replica_timeout);
    hints_.replayed(h.node, h.key, h.version, static_cast<bool>(acked));
    --replays_;
  }

  static read_answer answer_of(const envelope& e) {
    const auto v = e.get<kv::proto::ReplicaValue>();
    if (!v.getPresent()) return std::nullopt;
    return kv::stored_value{detail::text_of(v.getValue()), detail::version_of(v.getVersion())};
  }

  /// The newest value among the answers that have arrived.
  static read_answer newest_answer(fan_out& answers) {
    read_answer newest;
    for (std::size_t i = 0; i < answers.size(); ++i) {
      const result<envelope>* o = answers.outcome(i);
      if (o == nullptr || !*o) continue;
      read_answer held = answer_of(o->value());
      if (held && (!newest || newest->version < held->version)) newest = std::move(held);
    }
    return newest;
  }

  void answer_value(envelope& request, const kv::stored_value* found) {
    self_.reply(request, make_message<proto::QuorumReadReply>([&](auto reply) {
                  reply.setCoordinator(me_.name);
                  auto value = reply.initValue();
                  value.setPresent(found != nullptr);
                  if (found == nullptr) return;
                  value.setValue(found->value);
                  detail::set_version(value.initVersion(), found->version);
                }));
    request = envelope{};
  }

  void answer_written(envelope& request, kv::version version) {
    self_.reply(request, make_message<proto::QuorumWriteReply>([&](auto reply) {
                  reply.setCoordinator(me_.name);
                  detail::set_version(reply.initWritten(), version);
                }));
    request = envelope{};
  }

  void answer_unmet(envelope& request, bool read, const requirement& need, const tally& got) {
    const unmet_level u{
        .wanted = need.wanted, .needed = need.needed(), .answered = got.counted(need)};
    if (read) {
      self_.reply(request, make_message<proto::QuorumReadReply>([&](auto reply) {
                    reply.setCoordinator(me_.name);
                    detail::set_unmet(reply.initUnmet(), u);
                  }));
    } else {
      self_.reply(request, make_message<proto::QuorumWriteReply>([&](auto reply) {
                    reply.setCoordinator(me_.name);
                    detail::set_unmet(reply.initUnmet(), u);
                  }));
    }
    request = envelope{};
  }

  actor_context& self_;
  coordinator_config config_;
  hints hints_;
  const kv::member& me_;
  /// Hint replays in flight.
  std::size_t replays_ = 0;
  std::uint64_t last_counter_ = 0;
};

}  // namespace

task<void> coordinator(actor_context& self, coordinator_config config) {
  const duration hint_interval = config.hint_interval;
  coordinator_state state{self, std::move(config)};
  self.tick_every(hint_interval);
  for (;;) {
    envelope e = co_await self.receive();
    dispatch(e, on<proto::QuorumRead>([&](envelope& r, auto m) { state.on_read(r, m); }),
             on<proto::QuorumWrite>([&](envelope& w, auto m) { state.on_write(w, m); }),
             on<sys::Tick>([&](envelope&) { state.replay_hints(); }));
  }
}

}  // namespace coact::policies::quorum
