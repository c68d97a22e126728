#include "coact/policies/dynamo/client.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/dynamo/dynamo.capnp.h"
#include "coact/policies/dynamo/partition_replica.hpp"
#include "log_entry.hpp"

namespace coact::policies::dynamo {

/// One operation, as sent to a replica.
struct client::request {
  enum class kind : std::uint8_t { get, put, cas };
  kind what = kind::get;
  std::uint32_t partition = 0;
  std::string key;
  std::string value;
  std::optional<std::string> expected;
  bool consistent = false;
  /// put and cas: the client's number for the write, the same in every attempt.
  std::uint64_t sequence = 0;
};

/// A replica's Answer, decoded.
struct client::answer {
  proto::Outcome outcome = proto::Outcome::OK;
  std::optional<std::uint32_t> leader_hint;
  std::optional<std::string> value;
  kv::version version;
  bool matched = true;
  std::string node;
};

namespace {

/// The position of `node` among a partition's replicas, or replication_factor.
std::size_t index_of(const std::array<std::uint32_t, replication_factor>& nodes,
                     std::uint32_t node) {
  return static_cast<std::size_t>(std::find(nodes.begin(), nodes.end(), node) - nodes.begin());
}

}  // namespace

client::client(const partitioning& layout, const kv::directory& refs, std::uint32_t home,
               std::uint64_t id, client_options options, prng random)
    : layout_(&layout), refs_(&refs), home_(home), id_(id), options_(options), random_(random) {}

std::string client::name() const {
  return options_.consistent_read ? "dynamo consistent" : "dynamo eventual";
}

task<result<client::answer>> client::ask(actor_context& self, std::uint32_t node,
                                         const request& r) {
  envelope e;
  switch (r.what) {
    case request::kind::get: {
      message<proto::Get> m;
      m->setKey(r.key);
      m->setConsistent(r.consistent);
      e = std::move(m).take();
      break;
    }
    case request::kind::put: {
      message<proto::Put> m;
      m->setKey(r.key);
      m->setValue(r.value);
      m->setClient(id_);
      m->setSequence(r.sequence);
      e = std::move(m).take();
      break;
    }
    case request::kind::cas: {
      message<proto::Cas> m;
      m->setKey(r.key);
      m->setHasExpected(r.expected.has_value());
      if (r.expected) m->setExpected(*r.expected);
      m->setValue(r.value);
      m->setClient(id_);
      m->setSequence(r.sequence);
      e = std::move(m).take();
      break;
    }
  }
  const actor_ref target = refs_->get(node, directory_role(r.partition));
  auto reply = co_await self.ask_envelope(target, std::move(e), options_.request_timeout,
                                          capnp::typeId<proto::Answer>());
  if (!reply) co_return reply.error();
  const auto a = reply.value().get<proto::Answer>();
  answer decoded;
  decoded.outcome = a.getOutcome();
  if (a.getLeaderHint() >= 0) decoded.leader_hint = static_cast<std::uint32_t>(a.getLeaderHint());
  if (a.getPresent()) decoded.value = text_of(a.getValue());
  decoded.version = {.counter = a.getVersion().getCounter(), .writer = a.getVersion().getWriter()};
  decoded.matched = a.getMatched();
  decoded.node = text_of(a.getNode());
  co_return decoded;
}

bool client::suspected(std::uint32_t node, time_point now) const {
  const auto found = suspects_.find(node);
  return found != suspects_.end() && now < found->second;
}

std::uint32_t client::next_replica(const replica_nodes& nodes, std::uint32_t node,
                                   time_point now) const {
  const std::size_t at = index_of(nodes, node);
  for (std::size_t i = 1; i <= nodes.size(); ++i) {
    const std::uint32_t candidate = nodes[(at + i) % nodes.size()];
    if (!suspected(candidate, now)) return candidate;
  }
  return nodes[(at + 1) % nodes.size()];
}

task<result<client::answer>> client::at_leader(actor_context& self, const request& r) {
  const replica_nodes nodes = layout_->replicas(r.partition);
  const auto known = leaders_.find(r.partition);
  std::uint32_t node = known != leaders_.end() ? known->second : nodes[0];
  if (suspected(node, self.now())) node = next_replica(nodes, node, self.now());
  std::array<bool, replication_factor> asked{};
  std::error_code last = kv::kv_errc::unavailable;
  // The first failure after which a write may have been applied: what the operation
  // fails with if no later attempt succeeds (a refusal later does not undo it).
  std::error_code unknown;
  for (std::uint32_t attempt = 0; attempt < options_.attempts_max; ++attempt) {
    asked[index_of(nodes, node)] = true;
    auto a = co_await ask(self, node, r);
    if (!a) {
      suspects_[node] = self.now() + options_.suspect_timeout;
      last = a.error();
      // A write may have been applied; its retry has the same token, so it is not
      // applied twice.
      if (r.what != request::kind::get && !unknown) unknown = last;
      node = next_replica(nodes, node, self.now());
      continue;
    }
    switch (a.value().outcome) {
      case proto::Outcome::OK:
        leaders_[r.partition] = node;
        co_return std::move(a).value();
      case proto::Outcome::OUTCOME_UNKNOWN:
        // The next leader may hold the write: asked again, it answers once it commits.
        last = kv::kv_errc::level_unmet;
        if (!unknown) unknown = last;
        node = next_replica(nodes, node, self.now());
        asked = {};
        co_await self.sleep(options_.retry_backoff);
        continue;
      case proto::Outcome::NOT_LEADER:
      case proto::Outcome::UNAVAILABLE:
        break;
    }
    last = kv::kv_errc::unavailable;
    const auto hint = a.value().leader_hint;
    if (hint && index_of(nodes, *hint) < nodes.size() && !asked[index_of(nodes, *hint)] &&
        !suspected(*hint, self.now())) {
      node = *hint;
      continue;
    }
    // No leader known, one already asked, or one that did not answer lately (replicas
    // name a crashed leader until they elect another): give the partition time to elect.
    node = next_replica(nodes, node, self.now());
    asked = {};
    co_await self.sleep(options_.retry_backoff);
  }
  co_return unknown ? unknown : last;
}

task<result<client::answer>> client::at_replicas(actor_context& self, const request& r) {
  const replica_nodes nodes = layout_->replicas(r.partition);
  std::size_t first = index_of(nodes, home_);
  if (options_.eventual_target == read_target::random || first == nodes.size()) {
    first = static_cast<std::size_t>(random_.below(nodes.size()));
  }
  std::uint32_t node = nodes[first];
  if (suspected(node, self.now())) node = next_replica(nodes, node, self.now());
  std::error_code last = kv::kv_errc::unavailable;
  for (std::uint32_t attempt = 0; attempt < options_.attempts_max; ++attempt) {
    if (attempt > 0 && attempt % nodes.size() == 0) co_await self.sleep(options_.retry_backoff);
    auto a = co_await ask(self, node, r);
    if (!a) {
      suspects_[node] = self.now() + options_.suspect_timeout;
      last = a.error();
    } else if (a.value().outcome == proto::Outcome::OK) {
      co_return std::move(a).value();
    } else {
      last = kv::kv_errc::unavailable;
    }
    node = next_replica(nodes, node, self.now());
  }
  co_return last;
}

task<result<kv::read_result>> client::get(actor_context& self, std::string key) {
  return get(self, std::move(key), options_.consistent_read);
}

task<result<kv::read_result>> client::get(actor_context& self, std::string key, bool consistent) {
  request r{.what = request::kind::get,
            .partition = layout_->partition_of(key),
            .key = std::move(key),
            .consistent = consistent};
  // Not `consistent ? co_await ... : co_await ...`: GCC 12 destroys the wrong temporary.
  result<answer> a = kv::kv_errc::unavailable;
  if (consistent) {
    a = co_await at_leader(self, r);
  } else {
    a = co_await at_replicas(self, r);
  }
  if (!a) co_return a.error();
  co_return kv::read_result{.value = std::move(a.value().value),
                            .version = a.value().version,
                            .node = std::move(a.value().node)};
}

task<result<kv::read_result>> client::get_from(actor_context& self, std::string key,
                                               std::uint32_t node) {
  request r{
      .what = request::kind::get, .partition = layout_->partition_of(key), .key = std::move(key)};
  const replica_nodes nodes = layout_->replicas(r.partition);
  if (index_of(nodes, node) == nodes.size()) co_return kv::kv_errc::unavailable;
  auto a = co_await ask(self, node, r);
  if (!a) co_return a.error();
  if (a.value().outcome != proto::Outcome::OK) co_return kv::kv_errc::unavailable;
  co_return kv::read_result{.value = std::move(a.value().value),
                            .version = a.value().version,
                            .node = std::move(a.value().node)};
}

task<result<kv::write_result>> client::put(actor_context& self, std::string key,
                                           std::string value) {
  request r{.what = request::kind::put,
            .partition = layout_->partition_of(key),
            .key = std::move(key),
            .value = std::move(value),
            .sequence = ++sequence_};
  auto a = co_await at_leader(self, r);
  if (!a) co_return a.error();
  co_return kv::write_result{
      .version = a.value().version, .matched = true, .node = std::move(a.value().node)};
}

task<result<kv::write_result>> client::cas(actor_context& self, std::string key,
                                           std::optional<std::string> expected, std::string value) {
  request r{.what = request::kind::cas,
            .partition = layout_->partition_of(key),
            .key = std::move(key),
            .value = std::move(value),
            .expected = std::move(expected),
            .sequence = ++sequence_};
  auto a = co_await at_leader(self, r);
  if (!a) co_return a.error();
  co_return kv::write_result{.version = a.value().version,
                             .matched = a.value().matched,
                             .node = std::move(a.value().node)};
}

}  // namespace coact::policies::dynamo
