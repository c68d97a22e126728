#pragma once

// A test double for the workload's own tests: a deployment whose clients share one map in
// memory and answer each request after a fixed delay, so that what a test sees is the
// workload's doing, not a policy's.

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <utility>

#include "coact/workload/scenario.hpp"

namespace workload_test {

class local_store final : public coact::kv::deployment {
 public:
  explicit local_store(coact::duration delay) : delay_(delay) {}

  const coact::kv::descriptor& describe() const override { return descriptor_; }
  /// Whether some put wrote `key`.
  bool holds(const std::string& key) const { return data_.contains(key); }
  void boot(coact::actor_system&, std::uint32_t) override {}
  std::unique_ptr<coact::kv::client> make_client(std::uint32_t) override {
    return std::make_unique<client>(*this);
  }

 private:
  class client final : public coact::kv::client {
   public:
    explicit client(local_store& store) : store_(&store) {}
    coact::task<coact::result<coact::kv::read_result>> get(coact::actor_context& self,
                                                           std::string key) override {
      co_await self.sleep(store_->delay_);
      const auto it = store_->data_.find(key);
      if (it == store_->data_.end()) co_return coact::kv::read_result{.node = "local"};
      co_return coact::kv::read_result{it->second.first, {it->second.second, 0}, "local"};
    }
    coact::task<coact::result<coact::kv::write_result>> put(coact::actor_context& self,
                                                            std::string key,
                                                            std::string value) override {
      co_await self.sleep(store_->delay_);
      store_->data_[key] = {std::move(value), ++store_->version_};
      co_return coact::kv::write_result{.version = {store_->version_, 0}, .node = "local"};
    }
    std::string name() const override { return "local"; }

   private:
    local_store* store_;
  };

  coact::duration delay_;
  std::map<std::string, std::pair<std::string, std::uint64_t>> data_;
  std::uint64_t version_ = 0;
  coact::kv::descriptor descriptor_{.family = "local"};
};

/// Deploys a local store whose requests take `delay`.
inline coact::workload::deploy_function local(coact::duration delay) {
  return
      [delay](coact::sim::world&,
              const coact::kv::topology&) -> coact::result<std::unique_ptr<coact::kv::deployment>> {
        return std::make_unique<local_store>(delay);
      };
}

}  // namespace workload_test
