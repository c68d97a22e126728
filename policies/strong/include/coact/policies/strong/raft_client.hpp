#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/actors/deployment.hpp"
#include "coact/actors/directory.hpp"
#include "coact/actors/kv_client.hpp"
#include "coact/policies/strong/log_entry.hpp"
#include "coact/runtime/message.hpp"

namespace coact::policies::strong {

/// How a strong client retries one operation.
struct client_options {
  /// Requests sent for one operation, at most.
  std::uint32_t attempts_max = 10;
  /// How long one request waits for its answer.
  duration attempt_timeout = std::chrono::milliseconds{500};
  /// How long one operation may take in all.
  duration deadline = std::chrono::seconds{3};
  /// The pause before the next request when no leader is known or a request failed.
  duration retry_backoff = std::chrono::milliseconds{50};
};

/// A client of the strong policy: it sends each operation to the replica it believes
/// leads, follows the leader hints in not-leader answers, and retries within
/// options.attempts_max requests and options.deadline. A write carries this client's id
/// and a sequence number, so that the replicas apply it once however often it is retried.
///
/// Errors: kv_errc::unavailable when no leader took the operation and it certainly had no
/// effect (every request was refused before anything was appended: the minority side of a
/// partition, or no leader elected in time); errc::timeout when a write may have been
/// appended and its outcome could not be learned (recorded as unknown). A failed get never
/// returned a value.
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
  [[nodiscard]] std::uint64_t requests_sent() const noexcept { return requests_sent_; }

 private:
  /// One operation, kept so that each attempt rebuilds its message.
  struct request {
    std::string key;               // a get
    std::optional<command> write;  // a put or a cas
  };

  /// Sends `r` until a replica answers it (a read or written ClientReply) or attempts,
  /// deadline or hope run out.
  [[nodiscard]] task<result<envelope>> submit(actor_context& self, request r);
  [[nodiscard]] task<result<kv::write_result>> write(actor_context& self, command c);
  [[nodiscard]] std::string name_of(std::uint32_t node) const;
  void next_replica() noexcept { leader_ = (leader_ + 1) % replicas_.size(); }

  const kv::directory* directory_;
  std::vector<kv::member> replicas_;
  std::uint64_t id_;
  client_options options_;
  std::uint64_t sequence_ = 0;
  std::size_t leader_;  // index in replicas_ of the replica believed to lead
  std::uint64_t requests_sent_ = 0;
};

}  // namespace coact::policies::strong
