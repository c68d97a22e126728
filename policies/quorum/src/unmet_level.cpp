#include "coact/policies/quorum/unmet_level.hpp"

#include <algorithm>
#include <string>

#include "coact/actors/kv_errc.hpp"

namespace coact::policies::quorum {
namespace {

// An error code's value: bits 0-3 the level + 1 (never 0, which means success), bits 4-15
// the needed count, bits 16-27 the answered count.
constexpr int level_bits = 4;
constexpr int count_bits = 12;
constexpr int level_count = static_cast<int>(level::each_quorum) + 1;
static_assert(level_count < (1 << level_bits));
static_assert(error_count_max == (1u << count_bits) - 1);

int encode(const unmet_level& u) noexcept {
  const auto needed = static_cast<int>(std::min(u.needed, error_count_max));
  const auto answered = static_cast<int>(std::min(u.answered, error_count_max));
  return (static_cast<int>(u.wanted) + 1) | (needed << level_bits) |
         (answered << (level_bits + count_bits));
}

std::optional<unmet_level> decode(int value) noexcept {
  const int l = (value & ((1 << level_bits) - 1)) - 1;
  if (value <= 0 || l < 0 || l >= level_count) return std::nullopt;
  return unmet_level{
      .wanted = static_cast<level>(l),
      .needed = static_cast<std::uint32_t>(value >> level_bits) & error_count_max,
      .answered = static_cast<std::uint32_t>(value >> (level_bits + count_bits)) & error_count_max};
}

std::error_condition level_unmet_condition() noexcept {
  return {static_cast<int>(kv::kv_errc::level_unmet), kv::kv_category()};
}

class category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "coact.quorum"; }

  [[nodiscard]] std::string message(int value) const override {
    const auto u = decode(value);
    if (!u) return "unknown quorum error " + std::to_string(value);
    return std::string{to_string(u->wanted)} + " not met: " + std::to_string(u->answered) + " of " +
           std::to_string(u->needed) + " required replicas answered";
  }

  [[nodiscard]] std::error_condition default_error_condition(int value) const noexcept override {
    if (!decode(value)) return {value, *this};
    return level_unmet_condition();
  }

  [[nodiscard]] bool equivalent(int value,
                                const std::error_condition& condition) const noexcept override {
    return decode(value) && condition == level_unmet_condition();
  }
};

}  // namespace

const std::error_category& quorum_category() noexcept {
  static const category instance;
  return instance;
}

std::error_code make_error_code(const unmet_level& u) noexcept {
  return {encode(u), quorum_category()};
}

std::optional<unmet_level> unmet_level_of(std::error_code code) noexcept {
  if (code.category() != quorum_category()) return std::nullopt;
  return decode(code.value());
}

}  // namespace coact::policies::quorum
