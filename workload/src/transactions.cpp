#include "coact/workload/transactions.hpp"

#include <utility>
#include <vector>

#include "coact/actors/kv_errc.hpp"

namespace coact::workload {
namespace {

using kv::txn_op;

std::vector<txn_op> list_append(const txn_work& w, std::int64_t process, std::uint32_t n,
                                prng& random) {
  std::vector<txn_op> ops;
  const auto count = static_cast<std::uint32_t>(random.between(1, w.ops_max));
  for (std::uint32_t i = 0; i < count; ++i) {
    txn_op op{.key = "k" + std::to_string(random.below(w.keys))};
    if (random.chance(0.5)) {
      op.what = txn_op::kind::append;
      // Unique among every client's appends: the process, then its count of them.
      op.value = std::to_string(process * 1'000'000 + n * 100 + i);
    }
    ops.push_back(std::move(op));
  }
  return ops;
}

std::vector<txn_op> audit(const txn_work& w) {
  std::vector<txn_op> ops;
  for (std::uint64_t a = 0; a < w.keys; ++a) ops.push_back({.key = account(a)});
  return ops;
}

std::vector<txn_op> bank(const txn_work& w, prng& random) {
  if (random.chance(w.audit)) return audit(w);
  std::vector<txn_op> ops;
  const std::uint64_t from = random.below(w.keys);
  const std::uint64_t to = (from + 1 + random.below(w.keys - 1)) % w.keys;
  const std::int64_t amount = random.between(1, w.amount_max);
  ops.push_back({.what = txn_op::kind::add, .key = account(from), .delta = -amount});
  ops.push_back({.what = txn_op::kind::add, .key = account(to), .delta = amount});
  return ops;
}

/// Counts a transaction's outcome; whether it committed.
bool count(const result<kv::txn_result>& done, txn_group* group) {
  if (done) {
    group->committed.fetch_add(1, std::memory_order_relaxed);
  } else if (kv::certainly_not_applied(done.error())) {
    group->aborted.fetch_add(1, std::memory_order_relaxed);
  }
  return static_cast<bool>(done);
}

}  // namespace

result<void> validate(const txn_work& w, std::string* why) {
  const bool bank = w.what == txn_work::kind::bank;
  const bool valid = w.keys >= (bank ? 2U : 1U) && w.ops_max >= 1 && w.initial_balance >= 0 &&
                     w.amount_max >= 1 && w.think_max.count() >= 0 && w.audit >= 0 && w.audit <= 1;
  if (valid) return success();
  if (why) {
    *why =
        "a transactional workload needs keys (two accounts for a bank), at least one "
        "operation per transaction, a positive amount, no negative balance or think time, "
        "and an audit share in [0, 1]";
  }
  return errc::invalid_argument;
}

task<void> run_txn_client(actor_context& self, std::unique_ptr<kv::recording_client> client,
                          txn_work w, bool opens, std::int64_t process, prng random,
                          txn_group* group) {
  client->reads_as_lists(w.what == txn_work::kind::list_append);
  if (w.what == txn_work::kind::bank) {
    if (opens) {
      std::vector<txn_op> open;
      for (std::uint64_t a = 0; a < w.keys; ++a) {
        open.push_back({.what = txn_op::kind::write,
                        .key = account(a),
                        .value = std::to_string(w.initial_balance)});
      }
      // Writing the same balances again is harmless: nobody transfers before it commits.
      while (!(co_await client->transact(self, open))) co_await self.sleep(w.think_max);
      group->open.store(true, std::memory_order_release);
    }
    while (!group->open.load(std::memory_order_acquire)) {
      co_await self.sleep(std::chrono::milliseconds{1});
    }
  }
  for (std::uint32_t n = 0; n < w.transactions; ++n) {
    const duration pause{random.between(0, w.think_max.count())};
    if (pause > duration{0}) {
      co_await self.sleep(pause);
    } else {
      co_await self.yield();  // a failed ask can return without suspending
    }
    auto ops =
        w.what == txn_work::kind::bank ? bank(w, random) : list_append(w, process, n, random);
    count(co_await client->transact(self, std::move(ops)), group);
  }
  if (w.what == txn_work::kind::bank && opens) {
    while (group->done.load(std::memory_order_acquire) + 1 < group->clients.load()) {
      co_await self.sleep(std::chrono::milliseconds{1});
    }
    for (std::uint32_t n = 0; n < w.final_audits; ++n) {
      if (count(co_await client->transact(self, audit(w)), group)) break;
      co_await self.sleep(w.think_max);
    }
  }
  group->done.fetch_add(1, std::memory_order_release);
}

}  // namespace coact::workload
