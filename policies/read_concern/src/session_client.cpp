#include "session_client.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/read_concern/read_concern.capnp.h"
#include "member.hpp"

namespace coact::policies::read_concern {
namespace {

proto::ReadConcern wire_concern(read_level level) noexcept {
  switch (level) {
    case read_level::local:
      return proto::ReadConcern::LOCAL;
    case read_level::available:
      return proto::ReadConcern::AVAILABLE;
    case read_level::majority:
      return proto::ReadConcern::MAJORITY;
    case read_level::linearizable:
      break;
  }
  return proto::ReadConcern::LINEARIZABLE;
}

void set_op_time(proto::OpTime::Builder b, op_time t) {
  b.setTerm(t.term);
  b.setIndex(t.index);
}

op_time op_time_of(proto::OpTime::Reader r) { return {r.getTerm(), r.getIndex()}; }

/// A version's counter: the entry's term, then its index (below 2^32), so that a write
/// rolled back and the one that replaced it at its index differ, and counters order as
/// oplog positions do.
std::uint64_t counter_of(proto::OpTime::Reader r) { return (r.getTerm() << 32) | r.getIndex(); }

/// Attempts per operation at most, whatever the deadline: enough to go round every member
/// a few times.
constexpr std::size_t attempts_per_member = 4;

}  // namespace

/// One operation, as every attempt sends it.
struct session_client::operation {
  bool write = false;
  std::string key;
  std::string value;
  bool is_cas = false;
  std::optional<std::string> expected;
};

/// A member's ok answer.
struct session_client::answer {
  std::optional<std::string> value;
  kv::version version;
  bool matched = true;
  std::size_t member = 0;
};

session_client::session_client(std::vector<kv::member> members, const kv::directory& directory,
                               session_options options, std::uint64_t id, prng random)
    : members_(std::move(members)), directory_(&directory), options_(options), id_(id),
      random_(random), round_trip_(members_.size(), duration{0}) {}

std::string session_client::name() const {
  return std::string{"read_concern read="} + to_string(options_.read) +
         " write=" + to_string(options_.write) + " preference=" + to_string(options_.preference);
}

std::size_t session_client::choose(bool to_primary) {
  if (to_primary || options_.preference == read_preference::primary || members_.size() == 1) {
    if (primary_) return *primary_;
    return rotation_++ % members_.size();
  }
  if (options_.preference == read_preference::secondary) {
    // Any member but the believed primary, at random: a session's reads wander.
    const std::size_t others = primary_ ? members_.size() - 1 : members_.size();
    std::size_t pick = random_.below(others);
    if (primary_ && pick >= *primary_) ++pick;
    return pick;
  }
  return static_cast<std::size_t>(std::min_element(round_trip_.begin(), round_trip_.end()) -
                                  round_trip_.begin());
}

std::optional<std::size_t> session_client::index_of(std::uint32_t node) const {
  for (std::size_t i = 0; i < members_.size(); ++i) {
    if (members_[i].node == node) return i;
  }
  return std::nullopt;
}

void session_client::forget_primary(std::size_t member) {
  if (primary_ == member) {
    primary_.reset();
    rotation_ = member + 1;
  }
}

task<result<session_client::answer>> session_client::run(actor_context& self, operation op) {
  const bool to_primary = op.write || options_.read == read_level::linearizable;
  const time_point deadline = self.now() + options_.operation_timeout;
  const std::uint64_t sequence = op.write ? ++writes_ : 0;
  // A write whose attempt may have reached a primary has an unknown outcome from then on;
  // only a write refused everywhere certainly did not happen.
  std::error_code failure = kv::kv_errc::unavailable;
  for (std::size_t attempt = 0; attempt < attempts_per_member * members_.size(); ++attempt) {
    const duration remaining = deadline - self.now();
    if (remaining <= duration{0}) break;
    const std::size_t target = choose(to_primary);
    const duration ask_timeout = std::min(options_.attempt_timeout, remaining);
    const auto wait_ms = static_cast<std::uint32_t>(
        std::chrono::duration_cast<std::chrono::milliseconds>(ask_timeout * 3 / 4).count());
    const actor_ref ref = directory_->get(members_[target].node, member_directory_role);
    const time_point sent = self.now();

    result<envelope> reply{errc::timeout};
    if (op.write) {
      message<proto::ClientWrite> m;
      m->setKey(op.key);
      m->setValue(op.value);
      m->setConcern(options_.write == write_level::one ? proto::WriteConcern::ONE
                                                       : proto::WriteConcern::MAJORITY);
      set_op_time(m->initAfter(), token_);
      m->setIsCas(op.is_cas);
      m->setExpectedPresent(op.expected.has_value());
      if (op.expected) m->setExpected(*op.expected);
      m->setWaitMs(wait_ms);
      m->setClient(id_);
      m->setSequence(sequence);
      reply = co_await self.ask<proto::ClientReply>(ref, std::move(m), ask_timeout);
    } else {
      message<proto::ClientRead> m;
      m->setKey(op.key);
      m->setConcern(wire_concern(options_.read));
      // As in MongoDB, available reads take no part in causal consistency.
      if (options_.read != read_level::available) set_op_time(m->initAfter(), token_);
      m->setWaitMs(wait_ms);
      reply = co_await self.ask<proto::ClientReply>(ref, std::move(m), ask_timeout);
    }

    if (!reply) {
      round_trip_[target] = options_.attempt_timeout;
      forget_primary(target);
      if (!op.write) {
        failure = reply.error();
      } else if (!kv::certainly_not_applied(reply.error())) {
        co_return reply.error();
      }
      co_await self.sleep(options_.retry_backoff);
      continue;
    }
    round_trip_[target] = (round_trip_[target] + (self.now() - sent)) / 2;
    const auto r = reply.value().get<proto::ClientReply>();
    if (r.getHasPrimary()) primary_ = index_of(r.getPrimary());
    switch (r.getStatus()) {
      case proto::Status::OK: {
        token_ = std::max(token_, op_time_of(r.getOperationTime()));
        answer a{.matched = r.getMatched(), .member = target};
        if (r.getPresent()) {
          a.value = std::string{r.getValue()};
          a.version = {.counter = counter_of(r.getVersion()), .writer = r.getWriter()};
        }
        co_return a;
      }
      case proto::Status::UNCONFIRMED:
        co_return kv::kv_errc::level_unmet;
      case proto::Status::NOT_PRIMARY:
        if (primary_ == target) primary_.reset();
        if (!r.getHasPrimary()) {
          forget_primary(target);
          co_await self.sleep(options_.retry_backoff);
        }
        break;
      case proto::Status::WAIT_TIMEOUT:
        // A primary that cannot confirm it still is one (a linearizable read) may be cut
        // off: try the others, which know of a newer primary if there is one.
        if (to_primary) forget_primary(target);
        failure = errc::timeout;
        break;
    }
  }
  co_return failure;
}

task<result<kv::read_result>> session_client::get(actor_context& self, std::string key) {
  operation op{.key = std::move(key)};
  auto a = co_await run(self, std::move(op));
  if (!a) co_return a.error();
  co_return kv::read_result{.value = std::move(a.value().value),
                            .version = a.value().version,
                            .node = members_[a.value().member].name};
}

task<result<kv::write_result>> session_client::put(actor_context& self, std::string key,
                                                   std::string value) {
  operation op{.write = true, .key = std::move(key), .value = std::move(value)};
  auto a = co_await run(self, std::move(op));
  if (!a) co_return a.error();
  co_return kv::write_result{.version = a.value().version,
                             .matched = a.value().matched,
                             .node = members_[a.value().member].name};
}

task<result<kv::write_result>> session_client::cas(actor_context& self, std::string key,
                                                   std::optional<std::string> expected,
                                                   std::string value) {
  operation op{.write = true,
               .key = std::move(key),
               .value = std::move(value),
               .is_cas = true,
               .expected = std::move(expected)};
  auto a = co_await run(self, std::move(op));
  if (!a) co_return a.error();
  co_return kv::write_result{.version = a.value().version,
                             .matched = a.value().matched,
                             .node = members_[a.value().member].name};
}

}  // namespace coact::policies::read_concern
