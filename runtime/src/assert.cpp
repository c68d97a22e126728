#include "coact/runtime/assert.hpp"

#include <cstdio>
#include <cstdlib>

namespace coact::detail {

void assert_failed(const char* condition, const char* file, int line) noexcept {
  std::fprintf(stderr, "coact: invariant broken at %s:%d: %s\n", file, line, condition);
  std::fflush(stderr);
  std::abort();
}

}  // namespace coact::detail
