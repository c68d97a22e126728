#pragma once

#include <functional>
#include <memory>
#include <utility>

#include "coact/actors/deployment.hpp"

namespace coact::bench {

/// A policy's deployment whose clients come from `make`: a benchmark variant picks the
/// policy's own client settings (levels, concerns, the client's datacenter) behind the
/// plain kv::deployment interface. Boot and describe go to the policy.
class configured_deployment final : public kv::deployment {
 public:
  using client_factory = std::function<std::unique_ptr<kv::client>(std::uint32_t home)>;

  /// `make` may refer to *inner: this object owns both.
  configured_deployment(std::unique_ptr<kv::deployment> inner, client_factory make)
      : inner_(std::move(inner)), make_(std::move(make)) {}

  [[nodiscard]] const kv::descriptor& describe() const override { return inner_->describe(); }
  void boot(actor_system& system, std::uint32_t node) override { inner_->boot(system, node); }
  [[nodiscard]] std::unique_ptr<kv::client> make_client(std::uint32_t home) override {
    return make_(home);
  }

 private:
  std::unique_ptr<kv::deployment> inner_;
  client_factory make_;
};

}  // namespace coact::bench
