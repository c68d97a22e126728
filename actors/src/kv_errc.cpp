#include "coact/actors/kv_errc.hpp"

#include <string>

#include "coact/runtime/errc.hpp"

namespace coact::kv {
namespace {

class category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "coact.kv"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<kv_errc>(value)) {
      case kv_errc::unavailable:
        return "unavailable: refused before anything was done";
      case kv_errc::level_unmet:
        return "too few replicas answered for the consistency level";
      case kv_errc::unsupported:
        return "the policy does not offer this operation";
      case kv_errc::not_leader:
        return "this node is not the leader";
      case kv_errc::conflict:
        return "aborted: another transaction holds a key it needs (a retry may commit)";
      case kv_errc::rule_violated:
        return "aborted by a business rule: a balance would go negative";
      case kv_errc::unknown_key:
        return "aborted: it adds to a key that has no value (no such account)";
      case kv_errc::empty_transaction:
        return "a transaction needs at least one operation";
      case kv_errc::timestamp_too_far:
        return "a snapshot read's timestamp is too far ahead of now";
    }
    return "unknown key-value error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& kv_category() noexcept {
  static const category instance;
  return instance;
}

bool is(std::error_code error, kv_errc e) noexcept {
  return error == e || error.default_error_condition() ==
                           std::error_condition{static_cast<int>(e), kv_category()};
}

bool certainly_not_applied(std::error_code error) noexcept {
  return is(error, kv_errc::unavailable) || is(error, kv_errc::unsupported) ||
         is(error, kv_errc::not_leader) || is(error, kv_errc::conflict) ||
         is(error, kv_errc::rule_violated) || is(error, kv_errc::unknown_key) ||
         is(error, kv_errc::empty_transaction) || is(error, kv_errc::timestamp_too_far) ||
         error == errc::overloaded || error == errc::message_too_large ||
         error == errc::shutting_down;
}

}  // namespace coact::kv
