#include "coact/runtime/registry.hpp"

#include <utility>

#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/registry.capnp.h"

namespace coact {

task<void> registry_actor(actor_context& self) {
  for (;;) {
    envelope request = co_await self.receive();
    // Anything else is dropped: an ask among it is answered no_reply by the runtime.
    if (!request.is<registry::Lookup>()) continue;
    message<registry::Found> found;
    set_ref(found->initActor(), self.system().whereis(request.get<registry::Lookup>().getName()));
    self.reply(request, std::move(found));
  }
}

task<result<actor_ref>> lookup(actor_context& self, std::uint32_t node, std::string name,
                               duration timeout) {
  message<registry::Lookup> request;
  request->setName(name);
  auto answer = co_await self.ask<registry::Found>(registry_of(node), std::move(request), timeout);
  if (!answer) co_return answer.error();
  const actor_ref found = ref_of(answer.value().get<registry::Found>().getActor());
  if (!found.valid()) co_return errc::name_unbound;
  co_return found;
}

}  // namespace coact
