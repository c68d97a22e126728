#include "coact/policies/strong/state_machine.hpp"

namespace coact::policies::strong {

std::optional<write_outcome> state_machine::apply(std::uint64_t index, const command& c) {
  if (c.what == command::kind::noop) return std::nullopt;
  session& s = sessions_[c.client];
  if (c.sequence < s.sequence) return std::nullopt;
  if (c.sequence == s.sequence) return s.outcome;  // a retry of the request applied last
  write_outcome outcome{.version = index, .matched = true};
  auto it = values_.find(c.key);
  if (c.what == command::kind::cas) {
    const bool present = it != values_.end();
    const bool equal = c.expected ? present && it->second.value == *c.expected : !present;
    if (!equal) outcome = {.version = present ? it->second.index : 0, .matched = false};
  }
  if (outcome.matched) {
    if (it == values_.end()) it = values_.emplace(c.key, stored_value{}).first;
    it->second = {.value = c.value, .index = index};
  }
  s = {.sequence = c.sequence, .outcome = outcome};
  return outcome;
}

const stored_value* state_machine::find(std::string_view key) const {
  const auto it = values_.find(key);
  return it == values_.end() ? nullptr : &it->second;
}

}  // namespace coact::policies::strong
