#include "coact/actors/deployment.hpp"

namespace coact::kv {

const char* to_string(availability a) noexcept {
  switch (a) {
    case availability::total:
      return "total";
    case availability::sticky:
      return "sticky";
    case availability::unavailable:
      return "unavailable";
  }
  return "unknown";
}

}  // namespace coact::kv
