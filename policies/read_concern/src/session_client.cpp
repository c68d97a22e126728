#include "session_client.hpp"

#include <algorithm>
#include <chrono>
#include <utility>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/read_concern/deployment.hpp"

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

/// How long a member may wait within an attempt of this length: a quarter less, so that its
/// answer arrives before the attempt gives up.
std::uint32_t wait_ms(duration attempt) {
  return static_cast<std::uint32_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(attempt * 3 / 4).count());
}

/// Attempts per operation at most, whatever the deadline: enough to go round every member
/// a few times.
constexpr std::uint32_t attempts_per_member = 4;

replication::verdict judge(const envelope& answer) {
  const auto r = answer.get<proto::ClientReply>();
  switch (r.getStatus()) {
    case proto::Status::NOT_PRIMARY:
      return {.what = replication::verdict::kind::refused,
              .leader = r.getHasPrimary() ? std::optional{r.getPrimary()} : std::nullopt};
    case proto::Status::WAIT_TIMEOUT:
      // A primary that cannot confirm it still is one (a linearizable read) may be cut off:
      // the others know of a newer primary if there is one.
      return {.what = replication::verdict::kind::refused};
    case proto::Status::OK:
    case proto::Status::UNCONFIRMED:  // a write whose concern was not met: not sent again
      break;
  }
  return {};
}

std::vector<std::uint32_t> nodes_of(const std::vector<kv::member>& members) {
  std::vector<std::uint32_t> nodes;
  for (const auto& m : members) nodes.push_back(m.node);
  return nodes;
}

}  // namespace

/// A member's ok answer.
struct session_client::answer {
  std::optional<std::string> value;
  kv::version version;
  bool matched = true;
  std::string node;  // the member's name
};

session_client::session_client(std::vector<kv::member> members, const kv::directory& directory,
                               session_options options, std::uint64_t id, prng random)
    : members_(std::move(members)), directory_(&directory), options_(options),
      leader_(nodes_of(members_), id,
              {.attempts_max = attempts_per_member * static_cast<std::uint32_t>(members_.size()),
               .attempt_timeout = options.attempt_timeout,
               .deadline = options.operation_timeout,
               .retry_backoff = options.retry_backoff,
               .retry_maybe_applied = false}),
      random_(random), round_trip_(members_.size(), duration{0}) {}

std::string session_client::name() const {
  return std::string{"read_concern read="} + to_string(options_.read) +
         " write=" + to_string(options_.write) + " preference=" + to_string(options_.preference);
}

std::size_t session_client::choose() {
  if (options_.preference == read_preference::secondary) {
    // Any member but the last primary named, at random: a session's reads wander.
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

session_client::answer session_client::accept(proto::ClientReply::Reader r) {
  token_ = std::max(token_, op_time_of(r.getOperationTime()));
  if (r.getHasPrimary()) primary_ = index_of(r.getPrimary());
  const auto member = index_of(r.getNode());
  answer a{.matched = r.getMatched(),
           .node = member ? members_[*member].name : std::to_string(r.getNode())};
  if (r.getPresent()) {
    a.value = std::string{r.getValue()};
    a.version = {.counter = counter_of(r.getVersion()), .writer = r.getWriter()};
  }
  return a;
}

envelope session_client::read_request(const std::string& key, duration attempt) const {
  message<proto::ClientRead> m;
  m->setKey(key);
  m->setConcern(wire_concern(options_.read));
  // As in MongoDB, available reads take no part in causal consistency.
  if (options_.read != read_level::available) set_op_time(m->initAfter(), token_);
  m->setWaitMs(wait_ms(attempt));
  return std::move(m).take();
}

task<result<session_client::answer>> session_client::at_primary(
    actor_context& self, std::function<envelope(duration attempt)> build, bool write) {
  // leader_ gives the operation this deadline too: each attempt lasts what remains of it,
  // at most attempt_timeout.
  const time_point deadline = self.now() + options_.operation_timeout;
  const auto request = [&] {
    return build(std::min(options_.attempt_timeout, deadline - self.now()));
  };
  const auto where = [this](std::uint32_t node) {
    return directory_->get(node, member_directory_role);
  };
  auto reply = co_await leader_.submit(self, where, request, capnp::typeId<proto::ClientReply>(),
                                       judge, write);
  if (!reply) co_return reply.error();
  const auto r = reply.value().get<proto::ClientReply>();
  if (r.getStatus() == proto::Status::UNCONFIRMED) co_return kv::kv_errc::level_unmet;
  co_return accept(r);
}

task<result<session_client::answer>> session_client::at_member(actor_context& self,
                                                               const std::string& key) {
  const time_point deadline = self.now() + options_.operation_timeout;
  std::error_code failure = kv::kv_errc::unavailable;
  for (std::size_t attempt = 0; attempt < attempts_per_member * members_.size(); ++attempt) {
    const time_point sent = self.now();
    if (sent >= deadline) break;
    const std::size_t target = choose();
    const duration timeout = std::min(options_.attempt_timeout, deadline - sent);
    auto reply = co_await self.ask_envelope(
        directory_->get(members_[target].node, member_directory_role), read_request(key, timeout),
        timeout, capnp::typeId<proto::ClientReply>());
    if (!reply) {
      round_trip_[target] = options_.attempt_timeout;
      failure = reply.error();
      co_await self.sleep(options_.retry_backoff);
      continue;
    }
    round_trip_[target] = (round_trip_[target] + (self.now() - sent)) / 2;
    const auto r = reply.value().get<proto::ClientReply>();
    if (r.getStatus() == proto::Status::OK) co_return accept(r);
    if (r.getHasPrimary()) primary_ = index_of(r.getPrimary());
    failure = errc::timeout;  // the member had not reached the session's token in time
  }
  co_return failure;
}

task<result<session_client::answer>> session_client::read(actor_context& self,
                                                          const std::string& key) {
  if (options_.read == read_level::linearizable ||
      options_.preference == read_preference::primary || members_.size() == 1) {
    co_return co_await at_primary(
        self, [this, &key](duration attempt) { return read_request(key, attempt); }, false);
  }
  co_return co_await at_member(self, key);
}

task<result<kv::read_result>> session_client::get(actor_context& self, std::string key) {
  auto a = co_await read(self, key);
  if (!a) co_return a.error();
  co_return kv::read_result{.value = std::move(a.value().value),
                            .version = a.value().version,
                            .node = std::move(a.value().node)};
}

task<result<kv::write_result>> session_client::write(actor_context& self, replication::command c) {
  c.client = leader_.id();
  c.sequence = leader_.next_sequence();
  const auto build = [this, &c](duration attempt) {
    message<proto::ClientWrite> m;
    m->setKey(c.key);
    m->setValue(c.value);
    m->setConcern(options_.write == write_level::one ? proto::WriteConcern::ONE
                                                     : proto::WriteConcern::MAJORITY);
    set_op_time(m->initAfter(), token_);
    m->setIsCas(c.what == replication::command::kind::cas);
    m->setExpectedPresent(c.expected.has_value());
    if (c.expected) m->setExpected(*c.expected);
    m->setWaitMs(wait_ms(attempt));
    m->setClient(c.client);
    m->setSequence(c.sequence);
    return std::move(m).take();
  };
  auto a = co_await at_primary(self, build, true);
  if (!a) co_return a.error();
  co_return kv::write_result{.version = a.value().version,
                             .matched = a.value().matched,
                             .node = std::move(a.value().node)};
}

task<result<kv::write_result>> session_client::put(actor_context& self, std::string key,
                                                   std::string value) {
  replication::command c{
      .what = replication::command::kind::put, .key = std::move(key), .value = std::move(value)};
  co_return co_await write(self, std::move(c));
}

task<result<kv::write_result>> session_client::cas(actor_context& self, std::string key,
                                                   std::optional<std::string> expected,
                                                   std::string value) {
  replication::command c{.what = replication::command::kind::cas,
                         .key = std::move(key),
                         .value = std::move(value),
                         .expected = std::move(expected)};
  co_return co_await write(self, std::move(c));
}

}  // namespace coact::policies::read_concern
