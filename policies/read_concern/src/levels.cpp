#include "coact/policies/read_concern/levels.hpp"

namespace coact::policies::read_concern {

const char* to_string(read_level level) noexcept {
  switch (level) {
    case read_level::local:
      return "local";
    case read_level::available:
      return "available";
    case read_level::majority:
      return "majority";
    case read_level::linearizable:
      return "linearizable";
  }
  return "unknown";
}

const char* to_string(write_level level) noexcept {
  switch (level) {
    case write_level::one:
      return "w:1";
    case write_level::majority:
      return "w:majority";
  }
  return "unknown";
}

const char* to_string(read_preference preference) noexcept {
  switch (preference) {
    case read_preference::primary:
      return "primary";
    case read_preference::secondary:
      return "secondary";
    case read_preference::nearest:
      return "nearest";
  }
  return "unknown";
}

}  // namespace coact::policies::read_concern
