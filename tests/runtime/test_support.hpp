#pragma once

// Helpers shared by the runtime tests. Catch2 is not thread-safe, so nothing here asserts
// on a shard thread: actors only publish what they saw (through promises and channels)
// and the test thread checks it. Every wait is bounded.

#include <catch2/catch.hpp>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>

#include "coact/runtime/actor_system.hpp"
#include "test_messages.capnp.h"

namespace coact::testing {

using namespace std::chrono_literals;

/// How long the test thread waits for something that should happen at once. Generous,
/// so that sanitizer builds on a loaded two-core machine never fail a correct run.
inline constexpr std::chrono::seconds wait_max{10};

template <class T>
using slot = std::shared_ptr<std::promise<T>>;

template <class T>
slot<T> make_slot() {
  return std::make_shared<std::promise<T>>();
}

/// The value of `f`; fails the test if it is not ready within `limit`.
template <class T>
T await(std::future<T>& f, std::chrono::seconds limit = wait_max) {
  REQUIRE(f.wait_for(limit) == std::future_status::ready);
  return f.get();
}

template <class T>
T await(std::future<T>&& f, std::chrono::seconds limit = wait_max) {
  return await(f, limit);
}

/// A thread-safe queue through which actors hand values to the test thread.
template <class T>
class channel {
 public:
  void push(T value) {
    {
      std::lock_guard lock{mutex_};
      items_.push_back(std::move(value));
    }
    ready_.notify_all();
  }
  /// The oldest value, or nothing if none came within `limit`.
  std::optional<T> pop(std::chrono::milliseconds limit = wait_max) {
    std::unique_lock lock{mutex_};
    if (!ready_.wait_for(lock, limit, [&] { return !items_.empty(); })) return std::nullopt;
    T value = std::move(items_.front());
    items_.pop_front();
    return value;
  }

 private:
  std::mutex mutex_;
  std::condition_variable ready_;
  std::deque<T> items_;
};

// ---- messages ----

inline message<test::Ping> ping(std::uint64_t n = 0) {
  message<test::Ping> m;
  m->setN(n);
  return m;
}

inline message<test::Add> add(std::int64_t value, std::uint32_t from = 0, std::uint64_t seq = 0) {
  message<test::Add> m;
  m->setValue(value);
  m->setFrom(from);
  m->setSeq(seq);
  return m;
}

inline message<test::Crash> crash(const char* what) {
  message<test::Crash> m;
  m->setWhat(what);
  return m;
}

template <class T>
message<T> empty() {
  return message<T>{};
}

inline message<test::Outcome> outcome(std::error_code code, std::int64_t value = 0) {
  message<test::Outcome> m;
  m->setCode(code.value());
  m->setValue(value);
  return m;
}

// ---- actors ----

/// A general-purpose actor:
///   Ping{n} (ask) -> Pong{n + 1};  Add{v} -> total += v (an ask is answered with Total);
///   Get (ask) -> Total{total};  Crash{what} -> throws runtime_error(what);  Quit -> returns.
inline task<void> responder(actor_context& self) {
  std::int64_t total = 0;
  for (;;) {
    envelope e = co_await self.receive();
    if (e.is<test::Ping>()) {
      message<test::Pong> pong;
      pong->setN(e.get<test::Ping>().getN() + 1);
      self.reply(e, std::move(pong));
    } else if (e.is<test::Add>()) {
      total += e.get<test::Add>().getValue();
      if (e.kind() == message_kind::ask) {
        message<test::Total> t;
        t->setValue(total);
        self.reply(e, std::move(t));
      }
    } else if (e.is<test::Get>()) {
      message<test::Total> t;
      t->setValue(total);
      self.reply(e, std::move(t));
    } else if (e.is<test::Crash>()) {
      throw std::runtime_error{std::string{e.get<test::Crash>().getWhat().cStr()}};
    } else if (e.is<test::Quit>()) {
      co_return;
    }
  }
}

/// Monitors `target`, then sends it `trigger` (if any). Both go from this actor to the
/// target, so FIFO puts the monitor in place before the trigger can stop the target.
/// Publishes the reason of the target's Down.
inline task<void> watcher(actor_context& self, actor_ref target, envelope trigger,
                          slot<stop_reason> down) {
  self.monitor(target);
  if (trigger) self.tell(target, std::move(trigger));
  for (;;) {
    auto e = co_await self.receive<sys::Down>(wait_max);
    if (!e) {
      down->set_value({make_error_code(errc::timeout), "watcher: no Down arrived"});
      co_return;
    }
    const auto d = e.value().get<sys::Down>();
    if (ref_of(d.getActor()) == target) {
      down->set_value(reason_of(d.getReason()));
      co_return;
    }
  }
}

/// Watches `target` from a new actor; the future holds the reason the target stopped.
inline std::future<stop_reason> watch(actor_system& system, actor_ref target,
                                      envelope trigger = {}) {
  auto down = make_slot<stop_reason>();
  auto reason = down->get_future();
  REQUIRE(system.spawn(&watcher, target, std::move(trigger), down));
  return reason;
}

template <class T>
std::future<stop_reason> watch(actor_system& system, actor_ref target, message<T>&& trigger) {
  return watch(system, target, std::move(trigger).take());
}

using starter = std::function<result<actor_ref>(actor_system&)>;

struct watched {
  actor_ref ref;
  std::future<stop_reason> down;
};

/// Starts an actor with `start` and monitors it in the same turn, so the monitor is in
/// place before the new actor first runs, whatever it does then.
inline task<void> spawning_watcher(actor_context& self, starter start, slot<actor_ref> spawned,
                                   slot<stop_reason> down) {
  auto child = start(self.system());
  if (!child) {
    spawned->set_value({});
    down->set_value({child.error(), "start failed"});
    co_return;
  }
  self.monitor(child.value());
  spawned->set_value(child.value());
  for (;;) {
    auto e = co_await self.receive<sys::Down>(wait_max * 3);
    if (!e) {
      down->set_value({make_error_code(errc::timeout), "watcher: no Down arrived"});
      co_return;
    }
    const auto d = e.value().get<sys::Down>();
    if (ref_of(d.getActor()) == child.value()) {
      down->set_value(reason_of(d.getReason()));
      co_return;
    }
  }
}

/// Spawns an actor through `start` from a watcher on `shard`; returns its ref and the
/// future reason of its stop.
inline watched spawn_watched(actor_system& system, starter start, std::uint32_t shard = 0) {
  auto spawned = make_slot<actor_ref>();
  auto down = make_slot<stop_reason>();
  auto ref = spawned->get_future();
  watched w{{}, down->get_future()};
  REQUIRE(system.spawn(spawn_options{.shard = shard}, &spawning_watcher, std::move(start), spawned,
                       down));
  w.ref = await(ref);
  REQUIRE(w.ref.valid());
  return w;
}

/// Asks once from an actor on a chosen shard and publishes the outcome.
inline task<void> one_ask(actor_context& self, actor_ref target, envelope request, duration timeout,
                          std::uint64_t reply_type, slot<result<envelope>> out) {
  auto r = co_await self.ask_envelope(target, std::move(request), timeout, reply_type);
  out->set_value(std::move(r));
}

/// ask_blocking, but the asker runs on `shard` (ask_blocking asks from the target's).
template <class Reply, class T>
result<envelope> ask_from(actor_system& system, std::uint32_t shard, actor_ref target,
                          message<T>&& m, duration timeout = wait_max) {
  auto out = make_slot<result<envelope>>();
  auto answer = out->get_future();
  REQUIRE(system.spawn(spawn_options{.shard = shard}, &one_ask, target, std::move(m).take(),
                       timeout, capnp::typeId<Reply>(), out));
  return await(answer, std::chrono::duration_cast<std::chrono::seconds>(timeout) + wait_max);
}

/// A reply of type Outcome, as (code, value); fails the test on an error reply.
inline std::pair<std::error_code, std::int64_t> outcome_of(result<envelope>& r) {
  REQUIRE(r);
  REQUIRE(r.value().is<test::Outcome>());
  const auto o = r.value().get<test::Outcome>();
  return {std::error_code{o.getCode(), error_category()}, o.getValue()};
}

}  // namespace coact::testing
