#pragma once

#include <atomic>

namespace coact::bench {

/// Catches the first SIGINT (Ctrl-C) so that a run can stop and report what it measured:
/// the returned flag becomes true when it arrives. The handler then gives SIGINT back its
/// default action, so a second Ctrl-C ends the program at once. Call it once, from main.
[[nodiscard]] const std::atomic<bool>& catch_interrupt();

}  // namespace coact::bench
