#include "coact/runtime/dispatch.hpp"

#include "coact/runtime/assert.hpp"
#include "detail/envelope_node.hpp"
#include "detail/shard.hpp"
#include "detail/system_core.hpp"

namespace coact {

void reject(envelope& e, std::error_code reason) {
  detail::envelope_node* node = e.node();
  detail::shard* here = detail::shard::current();
  // The running actor's own message: its shard's thread counts the dead letter.
  COACT_ASSERT(node != nullptr && here != nullptr);
  if (node->kind == message_kind::ask && !node->replied) {
    node->replied = true;
    here->system_.reply_error(node, reason);
    return;
  }
  here->dead_letter({node->target, node->sender, node->type_id, node->kind, reason});
}

}  // namespace coact
