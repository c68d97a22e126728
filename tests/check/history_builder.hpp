#pragma once

// A hand-built history for the checkers' tests.

#include <cstdint>
#include <optional>
#include <string>
#include <utility>

#include "coact/check/history.hpp"

namespace coact::check::testing {

/// Records a history event by event; each event is 10 ns after the previous one unless
/// `at` sets the time of the next. Events are numbered from 0 in the order recorded.
class history_builder {
 public:
  history_builder& at(std::int64_t time_ns) {
    now_ns_ = time_ns;
    return *this;
  }

  history_builder& invoke(std::int64_t process, op_kind f, std::string key, datum value = {},
                          std::string session = {}) {
    event e = next(process, event_type::invoke, f, std::move(key), std::move(value));
    e.session = std::move(session);
    h_.push_back(std::move(e));
    return *this;
  }

  history_builder& complete(std::int64_t process, event_type type, op_kind f, std::string key,
                            datum value = {}, std::optional<std::uint64_t> version = {}) {
    event e = next(process, type, f, std::move(key), std::move(value));
    e.version = version;
    h_.push_back(std::move(e));
    return *this;
  }

  // A write invoked and acknowledged at once.
  history_builder& write(std::int64_t process, const std::string& key, datum value,
                         std::optional<std::uint64_t> version = {},
                         const std::string& session = {}) {
    invoke(process, op_kind::write, key, value, session);
    return complete(process, event_type::ok, op_kind::write, key, value, version);
  }

  // A read invoked and completed ok at once, returning `value`.
  history_builder& read(std::int64_t process, const std::string& key, datum value,
                        std::optional<std::uint64_t> version = {},
                        const std::string& session = {}) {
    invoke(process, op_kind::read, key, {}, session);
    return complete(process, event_type::ok, op_kind::read, key, std::move(value), version);
  }

  [[nodiscard]] const history& events() const noexcept { return h_; }

 private:
  event next(std::int64_t process, event_type type, op_kind f, std::string key, datum value) {
    event e;
    e.index = h_.size();
    e.time_ns = now_ns_;
    now_ns_ += 10;
    e.process = process;
    e.type = type;
    e.f = f;
    e.key = std::move(key);
    e.value = std::move(value);
    return e;
  }

  history h_;
  std::int64_t now_ns_ = 0;
};

/// `h` with every time 0, as a history recorded without times (Jepsen's and Knossos's
/// published histories): only the order of its events says what came first.
inline history untimed(history h) {
  for (event& e : h) e.time_ns = 0;
  return h;
}

/// The nil datum (a read of an absent key), and an integer datum.
inline constexpr datum nil{};
inline datum v(std::int64_t i) { return datum{i}; }

}  // namespace coact::check::testing
