// Writes causal_history (causal_history.hpp) as JSON lines, for measuring `coact check` on a
// large file: coact-causal-history FILE [OPERATIONS [SEED]]. 250,000 operations (the
// default) make about 50 MB.

#include <cstdio>
#include <cstdlib>
#include <string>

#include "check/causal_history.hpp"
#include "coact/check/history_json.hpp"

int main(int argc, char** argv) {
  if (argc < 2 || argc > 4) {
    std::fprintf(stderr, "usage: %s FILE [OPERATIONS [SEED]]\n", argv[0]);
    return 2;
  }
  coact::bench::causal_history_shape shape{.operation_count = 250'000};
  if (argc > 2) shape.operation_count = std::strtoull(argv[2], nullptr, 10);
  if (argc > 3) shape.seed = std::strtoull(argv[3], nullptr, 10);
  if (auto saved = coact::check::save_history(argv[1], coact::bench::causal_history(shape));
      !saved) {
    std::fprintf(stderr, "%s: %s\n", argv[1], saved.error().message().c_str());
    return 1;
  }
  return 0;
}
