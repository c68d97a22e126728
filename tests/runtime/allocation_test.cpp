// Allocation: in steady state a small message costs no heap allocation. This file replaces
// the global operator new (and, outside sanitizer builds, malloc) to count every
// allocation in the process, so it is built into its own executable, runtime_alloc_tests.
#include <catch2/catch.hpp>

#include <atomic>
#include <cstdlib>
#include <new>

#include "test_support.hpp"

using namespace std::chrono_literals;
using namespace coact::testing;

namespace {

std::atomic<std::uint64_t> new_calls{0};
std::atomic<std::uint64_t> malloc_calls{0};

void* counted_new(std::size_t bytes) {
  new_calls.fetch_add(1, std::memory_order_relaxed);
  if (void* p = std::malloc(bytes != 0 ? bytes : 1)) return p;
  throw std::bad_alloc{};
}

void* counted_new_aligned(std::size_t bytes, std::align_val_t align) {
  new_calls.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  const std::size_t rounded = (bytes + a - 1) / a * a;
  if (void* p = std::aligned_alloc(a, rounded != 0 ? rounded : a)) return p;
  throw std::bad_alloc{};
}

}  // namespace

// ---- the replaced global allocation functions ----

void* operator new(std::size_t bytes) { return counted_new(bytes); }
void* operator new[](std::size_t bytes) { return counted_new(bytes); }
void* operator new(std::size_t bytes, const std::nothrow_t&) noexcept {
  try {
    return counted_new(bytes);
  } catch (...) {
    return nullptr;
  }
}
void* operator new[](std::size_t bytes, const std::nothrow_t&) noexcept {
  return operator new(bytes, std::nothrow);
}
void* operator new(std::size_t bytes, std::align_val_t align) {
  return counted_new_aligned(bytes, align);
}
void* operator new[](std::size_t bytes, std::align_val_t align) {
  return counted_new_aligned(bytes, align);
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }

// Outside sanitizer builds (whose runtimes own malloc), count malloc itself too: that
// also catches Cap'n Proto growing a message into calloc'ed segments.
#if !defined(__SANITIZE_ADDRESS__) && !defined(__SANITIZE_THREAD__) && defined(__GLIBC__)
#define COACT_TEST_COUNTS_MALLOC 1
extern "C" {
void* __libc_malloc(std::size_t);
void* __libc_calloc(std::size_t, std::size_t);
void* __libc_realloc(void*, std::size_t);
void* malloc(std::size_t bytes) {
  malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_malloc(bytes);
}
void* calloc(std::size_t count, std::size_t bytes) {
  malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_calloc(count, bytes);
}
void* realloc(void* p, std::size_t bytes) {
  malloc_calls.fetch_add(1, std::memory_order_relaxed);
  return __libc_realloc(p, bytes);
}
}
#else
#define COACT_TEST_COUNTS_MALLOC 0
#endif

namespace {

constexpr int warm_up_round_trips = 10'000;
constexpr int measured_round_trips = 100'000;

struct allocation_report {
  std::uint64_t news = 0;
  std::uint64_t mallocs = 0;
  int round_trips = 0;
  std::error_code error;
};

/// Answers Ping: an ask with a reply, a tell with a Pong told back.
coact::task<void> ponger(coact::actor_context& self) {
  for (;;) {
    coact::envelope e = co_await self.receive();
    coact::message<coact::test::Pong> pong;
    pong->setN(e.get<coact::test::Ping>().getN());
    if (e.kind() == coact::message_kind::ask) {
      self.reply(e, std::move(pong));
    } else {
      self.tell(e.sender(), std::move(pong));
    }
  }
}

/// Plays ping-pong with `peer`, and counts the allocations of the measured round trips.
coact::task<void> pinger(coact::actor_context& self, coact::actor_ref peer, bool ask,
                         slot<allocation_report> out) {
  allocation_report report;
  std::uint64_t news_before = 0;
  std::uint64_t mallocs_before = 0;
  for (int i = 0; i < warm_up_round_trips + measured_round_trips; ++i) {
    if (i == warm_up_round_trips) {
      news_before = new_calls.load();
      mallocs_before = malloc_calls.load();
    }
    if (ask) {
      auto r = co_await self.ask<coact::test::Pong>(peer, ping(i), 60s);
      if (!r) {
        report.error = r.error();
        break;
      }
    } else {
      if (auto sent = self.try_tell(peer, ping(i)); !sent) {
        report.error = sent.error();
        break;
      }
      auto pong = co_await self.receive_for(60s);
      if (!pong) {
        report.error = pong.error();
        break;
      }
    }
    if (i >= warm_up_round_trips) ++report.round_trips;
  }
  report.news = new_calls.load() - news_before;
  report.mallocs = malloc_calls.load() - mallocs_before;
  out->set_value(report);
}

allocation_report play(bool ask) {
  coact::actor_system system{{.shard_count = 1}};
  auto peer = system.spawn(&ponger);
  REQUIRE(peer);
  auto out = make_slot<allocation_report>();
  auto report = out->get_future();
  REQUIRE(system.spawn(&pinger, peer.value(), ask, out));
  return await(report, 300s);
}

}  // namespace

// Proves a same-shard tell ping-pong allocates nothing once warmed up: messages, mailbox
// entries and wake-ups all come from recycled memory.
TEST_CASE("a same-shard tell ping-pong allocates nothing in steady state", "[runtime][slow]") {
  // The counting functions are the ones in use.
  REQUIRE(new_calls.load() > 0);
  if (COACT_TEST_COUNTS_MALLOC) REQUIRE(malloc_calls.load() > 0);
  const auto report = play(false);
  CHECK_FALSE(report.error);
  CHECK(report.round_trips == measured_round_trips);
  CHECK(report.news == 0);
  if (COACT_TEST_COUNTS_MALLOC) {
    CHECK(report.mallocs == 0);
  }
}

// Proves a same-shard ask/reply ping-pong allocates nothing once warmed up: the pending
// ask, its deadline timer and the reply come from recycled memory.
TEST_CASE("a same-shard ask ping-pong allocates nothing in steady state", "[runtime][slow]") {
  const auto report = play(true);
  CHECK_FALSE(report.error);
  CHECK(report.round_trips == measured_round_trips);
  CHECK(report.news == 0);
  if (COACT_TEST_COUNTS_MALLOC) {
    CHECK(report.mallocs == 0);
  }
}
