#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/actors/directory.hpp"
#include "coact/actors/kv_client.hpp"
#include "coact/actors/replication/command.hpp"
#include "coact/actors/replication/leader_client.hpp"
#include "coact/runtime/message.hpp"

namespace coact::policies::strong {

/// How a strong client retries one operation.
using client_options = replication::retry_options;

/// A client of the strong policy: a replication::leader_client (leader hints, retries,
/// idempotency tokens; kv_errc::unavailable when the operation certainly had no effect,
/// errc::timeout when a write's outcome is unknown). A failed get never returned a value.
class raft_client final : public kv::client {
 public:
  /// `directory` must outlive the client; `id` must be unique among the clients of one
  /// deployment and not 0.
  raft_client(const kv::directory& directory, std::vector<kv::member> replicas, std::uint64_t id,
              client_options options);

  task<result<kv::read_result>> get(actor_context& self, std::string key) override;
  task<result<kv::write_result>> put(actor_context& self, std::string key,
                                     std::string value) override;
  task<result<kv::write_result>> cas(actor_context& self, std::string key,
                                     std::optional<std::string> expected,
                                     std::string value) override;
  [[nodiscard]] std::string name() const override { return "strong (Raft)"; }

  /// Requests sent so far, over all operations (one per attempt: a measure of retries).
  [[nodiscard]] std::uint64_t requests_sent() const noexcept { return leader_.requests_sent(); }

 private:
  /// Sends what `build` makes until a replica answers it with a read or a write.
  [[nodiscard]] task<result<envelope>> submit(actor_context& self, std::function<envelope()> build,
                                              bool write);
  [[nodiscard]] task<result<kv::write_result>> write(actor_context& self, replication::command c);
  [[nodiscard]] std::string name_of(std::uint32_t node) const;

  const kv::directory* directory_;
  std::vector<kv::member> replicas_;
  replication::leader_client leader_;
};

}  // namespace coact::policies::strong
