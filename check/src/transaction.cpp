#include "coact/check/transaction.hpp"

#include <utility>

#include "coact/check/event_pairing.hpp"

namespace coact::check {

result<std::vector<transaction>> transactions_of(const history& h, std::string* why) {
  // Paired here rather than by pair_operations, which keeps no version of an info
  // completion: a transaction's may be its commit timestamp.
  std::vector<transaction> txns;
  event_pairing pairing;
  for (const event& e : h) {
    if (std::string reason = pairing.add(e); !reason.empty()) {
      if (why != nullptr) *why = "the event at index " + std::to_string(e.index) + ": " + reason;
      return errc::parse_error;
    }
    // The first event of an operation is its invocation, so no completion gets here.
    if (e.f != op_kind::txn) {
      if (why != nullptr) {
        *why = "the operation invoked at index " + std::to_string(e.index) + " is a " +
               to_string(e.f) + ", not a transaction (f txn)";
      }
      return errc::invalid_argument;
    }
    if (e.type == event_type::invoke) {
      txns.push_back({.process = e.process, .invoke_index = e.index, .ops = e.txn});
      continue;
    }
    transaction& t = txns[pairing.completed()];
    t.outcome = e.type;
    if (e.type != event_type::info) t.complete_index = e.index;
    if (e.type == event_type::fail) continue;
    t.version = e.version;
    if (e.type == event_type::ok) t.ops = e.txn;
  }
  if (txns.empty()) {
    if (why != nullptr) *why = "no transactions";
    return errc::invalid_argument;
  }
  return txns;
}

}  // namespace coact::check
