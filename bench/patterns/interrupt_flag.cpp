#include "interrupt_flag.hpp"

#include <csignal>

namespace coact::bench {
namespace {

// A lock-free atomic is the one thing a signal handler may safely set.
std::atomic<bool> interrupted{false};
static_assert(std::atomic<bool>::is_always_lock_free);

void on_interrupt(int /*signal*/) { interrupted.store(true); }

}  // namespace

const std::atomic<bool>& catch_interrupt() {
  struct sigaction action {};
  action.sa_handler = &on_interrupt;
  sigemptyset(&action.sa_mask);
  // SA_RESETHAND: the default action is back once the handler has run.
  action.sa_flags = SA_RESETHAND;
  sigaction(SIGINT, &action, nullptr);
  return interrupted;
}

}  // namespace coact::bench
