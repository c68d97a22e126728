#include "coact/policies/dynamo/client.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "coact/actors/kv_errc.hpp"
#include "coact/policies/dynamo/dynamo.capnp.h"
#include "coact/policies/dynamo/partition_replica.hpp"

namespace coact::policies::dynamo {
namespace {

/// The position of `node` among a partition's replicas, or replication_factor.
std::size_t index_of(const std::array<std::uint32_t, replication_factor>& nodes,
                     std::uint32_t node) {
  return static_cast<std::size_t>(std::find(nodes.begin(), nodes.end(), node) - nodes.begin());
}

std::string text_of(capnp::Text::Reader t) { return {t.cStr(), t.size()}; }

kv::version version_of(proto::Version::Reader v) {
  return {.counter = v.getCounter(), .writer = v.getWriter()};
}

kv::read_result read_of(const envelope& e) {
  const auto a = e.get<proto::Answer>();
  kv::read_result out{.version = version_of(a.getVersion()), .node = text_of(a.getNode())};
  if (a.getPresent()) out.value = text_of(a.getValue());
  return out;
}

replication::verdict judge(const envelope& e) {
  const auto a = e.get<proto::Answer>();
  switch (a.getOutcome()) {
    case proto::Outcome::NOT_LEADER:
    case proto::Outcome::UNAVAILABLE:
      return {.what = replication::verdict::kind::refused,
              .leader = a.getLeaderHint() >= 0
                            ? std::optional{static_cast<std::uint32_t>(a.getLeaderHint())}
                            : std::nullopt};
    case proto::Outcome::OUTCOME_UNKNOWN:
      return {.what = replication::verdict::kind::unknown};
    case proto::Outcome::OK:
      break;
  }
  return {};
}

}  // namespace

client::client(const partitioning& layout, const kv::directory& refs, std::uint32_t home,
               std::uint64_t id, client_options options, prng random)
    : layout_(&layout), refs_(&refs), home_(home), id_(id), options_(options), random_(random) {}

std::string client::name() const {
  return options_.consistent_read ? "dynamo consistent" : "dynamo eventual";
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

replication::leader_client& client::leader_of(std::uint32_t p) {
  const auto found = leaders_.find(p);
  if (found != leaders_.end()) return found->second;
  const replica_nodes nodes = layout_->replicas(p);
  const replication::retry_options retry{
      .attempts_max = options_.attempts_max,
      .attempt_timeout = options_.request_timeout,
      .deadline = options_.attempts_max * (options_.request_timeout + options_.retry_backoff),
      .retry_backoff = options_.retry_backoff};
  return leaders_.try_emplace(p, std::vector<std::uint32_t>{nodes.begin(), nodes.end()}, id_, retry)
      .first->second;
}

task<result<envelope>> client::at_leader(actor_context& self, std::uint32_t p,
                                         const std::function<envelope()>& build, bool write) {
  const auto where = [this, p](std::uint32_t node) { return refs_->get(node, directory_role(p)); };
  co_return co_await leader_of(p).submit(self, where, build, capnp::typeId<proto::Answer>(), judge,
                                         write);
}

task<result<kv::read_result>> client::ask(actor_context& self, std::uint32_t p, std::uint32_t node,
                                          const std::string& key) {
  message<proto::Get> m;
  m->setKey(key);
  auto reply = co_await self.ask_envelope(refs_->get(node, directory_role(p)), std::move(m).take(),
                                          options_.request_timeout, capnp::typeId<proto::Answer>());
  if (!reply) {
    suspects_[node] = self.now() + options_.suspect_timeout;
    co_return reply.error();
  }
  if (reply.value().get<proto::Answer>().getOutcome() != proto::Outcome::OK) {
    co_return kv::kv_errc::unavailable;
  }
  co_return read_of(reply.value());
}

task<result<kv::read_result>> client::at_replicas(actor_context& self, std::uint32_t p,
                                                  const std::string& key) {
  const replica_nodes nodes = layout_->replicas(p);
  std::size_t first = index_of(nodes, home_);
  if (options_.eventual_target == read_target::random || first == nodes.size()) {
    first = static_cast<std::size_t>(random_.below(nodes.size()));
  }
  std::uint32_t node = nodes[first];
  if (suspected(node, self.now())) node = next_replica(nodes, node, self.now());
  std::error_code last = kv::kv_errc::unavailable;
  for (std::uint32_t attempt = 0; attempt < options_.attempts_max; ++attempt) {
    if (attempt > 0 && attempt % nodes.size() == 0) co_await self.sleep(options_.retry_backoff);
    auto read = co_await ask(self, p, node, key);
    if (read) co_return std::move(read).value();
    last = read.error();
    node = next_replica(nodes, node, self.now());
  }
  co_return last;
}

task<result<kv::read_result>> client::get(actor_context& self, std::string key) {
  return get(self, std::move(key), options_.consistent_read);
}

task<result<kv::read_result>> client::get(actor_context& self, std::string key, bool consistent) {
  const std::uint32_t p = layout_->partition_of(key);
  if (!consistent) co_return co_await at_replicas(self, p, key);
  auto answer = co_await at_leader(
      self, p,
      [&key] {
        message<proto::Get> m;
        m->setKey(key);
        m->setConsistent(true);
        return std::move(m).take();
      },
      false);
  if (!answer) co_return answer.error();
  co_return read_of(answer.value());
}

task<result<kv::read_result>> client::get_from(actor_context& self, std::string key,
                                               std::uint32_t node) {
  const std::uint32_t p = layout_->partition_of(key);
  if (index_of(layout_->replicas(p), node) == replication_factor) {
    co_return kv::kv_errc::unavailable;
  }
  co_return co_await ask(self, p, node, key);
}

task<result<kv::write_result>> client::write(actor_context& self, replication::command c) {
  const std::uint32_t p = layout_->partition_of(c.key);
  replication::leader_client& leader = leader_of(p);
  c.client = leader.id();
  c.sequence = leader.next_sequence();
  auto answer = co_await at_leader(
      self, p,
      [&c] {
        message<proto::Write> m;
        replication::write_command(m->initCommand(), c);
        return std::move(m).take();
      },
      true);
  if (!answer) co_return answer.error();
  const auto a = answer.value().get<proto::Answer>();
  co_return kv::write_result{.version = version_of(a.getVersion()),
                             .matched = a.getMatched(),
                             .node = text_of(a.getNode())};
}

task<result<kv::write_result>> client::put(actor_context& self, std::string key,
                                           std::string value) {
  // A named command, not a braced temporary: GCC 12 destroys such an argument of a
  // coroutine twice.
  replication::command c{
      .what = replication::command::kind::put, .key = std::move(key), .value = std::move(value)};
  co_return co_await write(self, std::move(c));
}

task<result<kv::write_result>> client::cas(actor_context& self, std::string key,
                                           std::optional<std::string> expected, std::string value) {
  replication::command c{.what = replication::command::kind::cas,
                         .key = std::move(key),
                         .value = std::move(value),
                         .expected = std::move(expected)};
  co_return co_await write(self, std::move(c));
}

}  // namespace coact::policies::dynamo
