#pragma once

// A large history for measuring the session, causal and staleness checkers: many processes
// (each its own session) reading and writing many keys of one store that applies each
// operation when it completes. The store is linearizable, so the history is causally
// consistent and every checker passes it; causal pasts soon span every key, which is what
// makes a causal checker's cost grow.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "coact/check/history.hpp"
#include "coact/runtime/prng.hpp"

namespace coact::bench {

struct causal_history_shape {
  std::size_t operation_count = 0;
  std::int64_t process_count = 32;
  std::int64_t key_count = 2'000;
  std::uint64_t seed = 1;
};

/// The history: half reads, half writes of unique values, keys uniform, the next event from
/// a uniformly drawn process (so up to process_count operations overlap). Times are the
/// indices in microseconds.
inline check::history causal_history(const causal_history_shape& shape) {
  struct open_operation {
    check::op_kind f = check::op_kind::read;
    std::int64_t key = 0;
    std::int64_t value = 0;
  };
  prng random(shape.seed);
  std::vector<std::optional<open_operation>> open(static_cast<std::size_t>(shape.process_count));
  std::vector<check::datum> store(static_cast<std::size_t>(shape.key_count));
  check::history h;
  h.reserve(shape.operation_count * 2);
  const auto add = [&h](std::int64_t process, check::event_type type, const open_operation& op,
                        check::datum value) {
    check::event e;
    e.index = h.size();
    e.time_ns = static_cast<std::int64_t>(h.size()) * 1'000;
    e.process = process;
    e.type = type;
    e.f = op.f;
    e.key = "k" + std::to_string(op.key);
    e.value = std::move(value);
    h.push_back(std::move(e));
  };
  std::size_t invoked = 0;
  std::size_t completed = 0;
  std::int64_t last_value = 0;
  while (completed < shape.operation_count) {
    const auto process = static_cast<std::int64_t>(random.below(open.size()));
    std::optional<open_operation>& op = open[static_cast<std::size_t>(process)];
    if (op) {
      check::datum& current = store[static_cast<std::size_t>(op->key)];
      if (op->f == check::op_kind::write) current = op->value;
      add(process, check::event_type::ok, *op,
          op->f == check::op_kind::write ? check::datum{op->value} : current);
      op.reset();
      ++completed;
    } else if (invoked < shape.operation_count) {
      op = open_operation{random.chance(0.5) ? check::op_kind::write : check::op_kind::read,
                          static_cast<std::int64_t>(random.below(store.size())), ++last_value};
      add(process, check::event_type::invoke, *op,
          op->f == check::op_kind::write ? check::datum{op->value} : check::datum{});
      ++invoked;
    }
  }
  return h;
}

}  // namespace coact::bench
