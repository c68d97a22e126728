#include "coact/actors/recording_client.hpp"

#include <charconv>
#include <sstream>

#include "coact/actors/kv_errc.hpp"

namespace coact::kv {
namespace {

check::datum datum_of(const std::optional<std::string>& value) {
  return value ? check::datum{*value} : check::datum{};
}

/// `text` as an integer when it is one, else as text.
check::datum text_datum(std::string_view text) {
  std::int64_t n = 0;
  const auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (!text.empty() && error == std::errc{} && end == text.data() + text.size()) return n;
  return std::string{text};
}

/// A transaction as a history records it; `done` holds what a committed one read.
std::vector<check::micro_op> micro_ops_of(const std::vector<txn_op>& ops, const txn_result* done,
                                          bool lists) {
  using check::micro_op;
  std::vector<micro_op> out;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    const txn_op& op = ops[i];
    const std::optional<std::string>* before = done ? &done->before[i] : nullptr;
    const auto read = [&] {
      micro_op r{.f = micro_op::kind::read, .key = text_datum(op.key)};
      if (before == nullptr) return r;
      if (lists) {
        r.list.emplace();
        std::istringstream elements{before->value_or("")};
        for (std::string x; elements >> x;) r.list->push_back(text_datum(x));
      } else if (*before) {
        r.value = text_datum(**before);
      }
      return r;
    };
    switch (op.what) {
      case txn_op::kind::read:
        out.push_back(read());
        break;
      case txn_op::kind::write:
        out.push_back(
            {.f = micro_op::kind::write, .key = text_datum(op.key), .value = text_datum(op.value)});
        break;
      case txn_op::kind::append:
        out.push_back({.f = micro_op::kind::append,
                       .key = text_datum(op.key),
                       .value = text_datum(op.value)});
        break;
      case txn_op::kind::add: {
        micro_op r{.f = micro_op::kind::read, .key = text_datum(op.key)};
        micro_op w{.f = micro_op::kind::write, .key = text_datum(op.key)};
        std::int64_t balance = 0;
        if (before != nullptr && *before) {
          r.value = text_datum(**before);
          if (const auto* n = std::get_if<std::int64_t>(&r.value)) balance = *n;
          w.value = balance + op.delta;
        }
        out.push_back(std::move(r));
        out.push_back(std::move(w));
        break;
      }
    }
  }
  return out;
}

/// A failed write is `fail` only when it certainly did not happen; a failed read changed
/// nothing, so it is always `fail`.
check::event_type failed_as(check::op_kind f, std::error_code error) {
  if (f == check::op_kind::read) return check::event_type::fail;
  return certainly_not_applied(error) ? check::event_type::fail : check::event_type::info;
}

}  // namespace

recording_client::recording_client(std::unique_ptr<client> inner, check::recorder& log,
                                   std::int64_t process, std::string session)
    : inner_(std::move(inner)), log_(&log), process_(process), session_(std::move(session)) {}

void recording_client::record(check::event_type type, check::op_kind f, const std::string& key,
                              check::datum value, check::datum expected,
                              const std::optional<kv::version>& v, const std::string& node,
                              bool matched) {
  check::event e;
  e.process = process_;
  e.type = type;
  e.f = f;
  e.key = key;
  e.value = std::move(value);
  e.expected = std::move(expected);
  e.matched = matched;
  if (v && v->counter != 0) e.version = v->counter;
  e.node = node;
  e.session = session_;
  (void)log_->record(std::move(e));
}

task<result<read_result>> recording_client::get(actor_context& self, std::string key) {
  record(check::event_type::invoke, check::op_kind::read, key, {}, {}, std::nullopt, {}, true);
  auto r = co_await inner_->get(self, key);
  if (r) {
    record(check::event_type::ok, check::op_kind::read, key, datum_of(r.value().value), {},
           r.value().version, r.value().node, true);
  } else {
    record(failed_as(check::op_kind::read, r.error()), check::op_kind::read, key, {}, {},
           std::nullopt, {}, true);
  }
  co_return r;
}

task<result<write_result>> recording_client::put(actor_context& self, std::string key,
                                                 std::string value) {
  record(check::event_type::invoke, check::op_kind::write, key, value, {}, std::nullopt, {}, true);
  auto r = co_await inner_->put(self, key, value);
  if (r) {
    record(check::event_type::ok, check::op_kind::write, key, value, {}, r.value().version,
           r.value().node, true);
  } else {
    record(failed_as(check::op_kind::write, r.error()), check::op_kind::write, key, value, {},
           std::nullopt, {}, true);
  }
  co_return r;
}

task<result<write_result>> recording_client::cas(actor_context& self, std::string key,
                                                 std::optional<std::string> expected,
                                                 std::string value) {
  record(check::event_type::invoke, check::op_kind::cas, key, value, datum_of(expected),
         std::nullopt, {}, true);
  auto r = co_await inner_->cas(self, key, expected, value);
  if (r) {
    record(check::event_type::ok, check::op_kind::cas, key, value, datum_of(expected),
           r.value().version, r.value().node, r.value().matched);
  } else {
    record(failed_as(check::op_kind::cas, r.error()), check::op_kind::cas, key, value,
           datum_of(expected), std::nullopt, {}, true);
  }
  co_return r;
}

task<result<txn_result>> recording_client::transact(actor_context& self, std::vector<txn_op> ops) {
  transactional* inner = transactions_of(*inner_);
  if (inner == nullptr) co_return kv_errc::unsupported;
  const auto txn_event = [&](check::event_type type, const txn_result* done) {
    check::event e;
    e.process = process_;
    e.type = type;
    e.f = check::op_kind::txn;
    e.txn = micro_ops_of(ops, done, lists_);
    if (done != nullptr && done->timestamp != 0) e.version = done->timestamp;
    if (done != nullptr) e.node = done->node;
    e.session = session_;
    (void)log_->record(std::move(e));
  };
  txn_event(check::event_type::invoke, nullptr);
  auto r = co_await inner->transact(self, ops);
  if (r) {
    txn_event(check::event_type::ok, &r.value());
  } else {
    txn_event(certainly_not_applied(r.error()) ? check::event_type::fail : check::event_type::info,
              nullptr);
  }
  co_return r;
}

}  // namespace coact::kv
