#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coact/actors/directory.hpp"
#include "coact/actors/kv_client.hpp"
#include "coact/policies/quorum/level.hpp"

namespace coact::policies::quorum {

/// The levels of the requests that name none.
struct levels {
  level read = level::quorum;
  level write = level::quorum;
};

/// A client of the quorum policy: get and put at the levels it was made with, or at a
/// level given per request. Each request goes to one coordinator of the client's
/// datacenter (its own node's when it runs on a replica node, else the next one in turn),
/// which answers within the client's timeout or the request fails with errc::timeout
/// (a write's outcome is then unknown). Errors: an unmet level (unmet_level.hpp), and
/// coact::errc from the ask. Used from one client actor, one request at a time; the
/// directory must outlive it (the deployment's does).
class client final : public kv::client {
 public:
  /// `coordinators`: the nodes to send requests to, in turn from `first`; not empty.
  client(std::shared_ptr<const kv::directory> refs, std::vector<std::uint32_t> coordinators,
         std::size_t first, levels defaults, duration timeout);

  task<result<kv::read_result>> get(actor_context& self, std::string key) override;
  /// A read at `read`; with the deployment's write-back option, written back at the
  /// client's default write level.
  task<result<kv::read_result>> get(actor_context& self, std::string key, level read);
  task<result<kv::write_result>> put(actor_context& self, std::string key,
                                     std::string value) override;
  /// A write at `write`.
  task<result<kv::write_result>> put(actor_context& self, std::string key, std::string value,
                                     level write);

  /// "quorum R=<read level> W=<write level>".
  [[nodiscard]] std::string name() const override;
  [[nodiscard]] const levels& defaults() const noexcept { return defaults_; }

 private:
  [[nodiscard]] actor_ref next_coordinator();

  std::shared_ptr<const kv::directory> refs_;
  std::vector<std::uint32_t> coordinators_;
  std::size_t next_;
  levels defaults_;
  duration timeout_;
};

}  // namespace coact::policies::quorum
