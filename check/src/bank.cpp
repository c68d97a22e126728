#include "coact/check/bank.hpp"

#include <set>
#include <variant>

namespace coact::check {

result<bank_report> check_bank(const history& h, std::uint64_t accounts, std::int64_t total) {
  BOOST_OUTCOME_TRY(auto ops, pair_operations(h));
  bank_report report;
  for (operation& op : ops) {
    if (op.f != op_kind::txn || op.outcome != event_type::ok) continue;
    std::set<datum> read;
    bool only_reads = true;
    std::int64_t sum = 0;
    std::string broken;
    for (const micro_op& m : op.txn) {
      if (m.f != micro_op::kind::read) only_reads = false;
      if (m.f == micro_op::kind::append) {
        broken = "appends to " + to_string(m.key) + ": accounts hold balances";
        break;
      }
      const auto* balance = std::get_if<std::int64_t>(&m.value);
      if (balance == nullptr || *balance < 0) {
        broken = "account " + to_string(m.key) + " holds " + to_string(m.value) +
                 ", not a balance of 0 or more";
        break;
      }
      if (m.f == micro_op::kind::read && read.insert(m.key).second) sum += *balance;
    }
    if (broken.empty() && only_reads && read.size() == accounts) {
      ++report.audits;
      if (sum != total) {
        broken = "an audit sums to " + std::to_string(sum) + ", not " + std::to_string(total);
      }
    }
    if (!broken.empty()) report.violations.push_back({std::move(op), std::move(broken)});
  }
  return report;
}

}  // namespace coact::check
