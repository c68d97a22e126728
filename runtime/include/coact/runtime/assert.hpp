#pragma once

namespace coact::detail {
/// Prints the broken invariant and where it is, then aborts. Never returns.
[[noreturn]] void assert_failed(const char* condition, const char* file, int line) noexcept;
}  // namespace coact::detail

/// Checks an invariant in every build, release included: a broken invariant is a bug,
/// and going on past it would corrupt state that other actors share. Not for operating
/// failures (those are coact::result errors).
#define COACT_ASSERT(condition)                        \
  (static_cast<bool>(condition) ? static_cast<void>(0) \
                                : ::coact::detail::assert_failed(#condition, __FILE__, __LINE__))
