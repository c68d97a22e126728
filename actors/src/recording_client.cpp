#include "coact/actors/recording_client.hpp"

#include "coact/actors/kv_errc.hpp"

namespace coact::kv {
namespace {

check::datum datum_of(const std::optional<std::string>& value) {
  return value ? check::datum{*value} : check::datum{};
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

}  // namespace coact::kv
