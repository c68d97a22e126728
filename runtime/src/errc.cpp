#include "coact/runtime/errc.hpp"

#include <string>

namespace coact {
namespace {

class category final : public std::error_category {
 public:
  [[nodiscard]] const char* name() const noexcept override { return "coact"; }

  [[nodiscard]] std::string message(int value) const override {
    switch (static_cast<errc>(value)) {
      case errc::timeout:
        return "deadline passed before an answer arrived";
      case errc::actor_gone:
        return "actor is gone";
      case errc::overloaded:
        return "mailbox or queue is full";
      case errc::malformed_message:
        return "malformed or unexpected message";
      case errc::node_unreachable:
        return "node unreachable";
      case errc::no_reply:
        return "request dropped without a reply";
      case errc::shutting_down:
        return "actor system is shutting down";
      case errc::actor_failed:
        return "actor failed with an exception";
      case errc::killed:
        return "actor was killed";
      case errc::restart_limit:
        return "supervisor restart intensity exceeded";
      case errc::message_too_large:
        return "message exceeds the maximum size";
      case errc::invalid_argument:
        return "invalid argument";
      case errc::parse_error:
        return "input does not follow its format";
      case errc::handshake_refused:
        return "a peer's handshake was refused (wrong cluster, version or secret, or malformed)";
      case errc::name_unbound:
        return "no actor is registered under that name on that node";
    }
    return "unknown coact error " + std::to_string(value);
  }
};

}  // namespace

const std::error_category& error_category() noexcept {
  static const category instance;
  return instance;
}

}  // namespace coact
