#include "coact/actors/replication/replicated_map.hpp"

namespace coact::replication {

std::optional<write_outcome> replicated_map::apply(std::uint64_t index, const command& c) {
  using status = applied_writes<write_outcome>::status;
  if (c.what == command::kind::noop) return std::nullopt;
  switch (writes_.of(c.client, c.sequence)) {
    case status::last:
      // Appended twice (retried, or by two leaders each unaware of the other's copy).
      return writes_.last(c.client);
    case status::older:
      return std::nullopt;
    case status::fresh:
      break;
  }
  const kv::version version{.counter = index, .writer = c.writer};
  write_outcome outcome{.version = version, .matched = true};
  if (c.what == command::kind::cas) {
    const kv::stored_value* found = values_.find(c.key);
    const bool equal = c.expected ? found != nullptr && found->value == *c.expected : !found;
    if (!equal)
      outcome = {.version = found != nullptr ? found->version : kv::version{}, .matched = false};
  }
  if (outcome.matched) values_.apply(c.key, c.value, version);
  writes_.record(c.client, c.sequence, index, outcome, index);
  return outcome;
}

}  // namespace coact::replication
