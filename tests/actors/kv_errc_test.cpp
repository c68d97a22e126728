// A policy's own detailed error code counts as the shared kv_errc it stands for, so that
// histories record its outcome right; the runtime's errors keep their meaning.
#include "coact/actors/kv_errc.hpp"

#include <catch2/catch.hpp>

#include <string>

#include "coact/runtime/errc.hpp"

namespace {

/// A policy's category whose every code stands for kv_errc::unavailable or level_unmet.
class detailed_category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "detailed"; }
  [[nodiscard]] std::string message(int value) const override {
    return "detailed " + std::to_string(value);
  }
  [[nodiscard]] std::error_condition default_error_condition(int value) const noexcept override {
    const auto shared =
        value < 100 ? coact::kv::kv_errc::unavailable : coact::kv::kv_errc::level_unmet;
    return {static_cast<int>(shared), coact::kv::kv_category()};
  }
};

const detailed_category detailed;

}  // namespace

TEST_CASE("a policy's detailed code is the shared error it stands for", "[actors]") {
  using coact::kv::kv_errc;
  const std::error_code refused{7, detailed};
  const std::error_code unmet{170, detailed};
  CHECK(coact::kv::is(refused, kv_errc::unavailable));
  CHECK_FALSE(coact::kv::is(refused, kv_errc::level_unmet));
  CHECK(coact::kv::is(unmet, kv_errc::level_unmet));
  CHECK(coact::kv::is(make_error_code(kv_errc::not_leader), kv_errc::not_leader));
  CHECK_FALSE(coact::kv::is(make_error_code(coact::errc::timeout), kv_errc::unavailable));

  CHECK(coact::kv::certainly_not_applied(refused));
  CHECK_FALSE(coact::kv::certainly_not_applied(unmet));
  CHECK(coact::kv::certainly_not_applied(make_error_code(coact::errc::overloaded)));
  CHECK_FALSE(coact::kv::certainly_not_applied(make_error_code(coact::errc::timeout)));
  CHECK_FALSE(coact::kv::certainly_not_applied(make_error_code(coact::errc::node_unreachable)));
}
