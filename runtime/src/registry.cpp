#include "coact/runtime/registry.hpp"

#include <utility>

#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/dispatch.hpp"
#include "coact/runtime/registry.capnp.h"

namespace coact {

task<void> registry_actor(actor_context& self) {
  for (;;) {
    envelope e = co_await self.receive();
    dispatch(e, on<registry::Lookup>([&](envelope& request, registry::Lookup::Reader l) {
               self.reply(request, make_message<registry::Found>([&](auto found) {
                            set_ref(found.initActor(), self.system().whereis(l.getName()));
                          }));
             }));
  }
}

task<result<actor_ref>> lookup(actor_context& self, std::uint32_t node, std::string name,
                               duration timeout) {
  auto answer = co_await self.ask<registry::Found>(
      registry_of(node), make_message<registry::Lookup>([&](auto l) { l.setName(name); }), timeout);
  if (!answer) co_return answer.error();
  const actor_ref found = ref_of(answer.value().get<registry::Found>().getActor());
  if (!found.valid()) co_return errc::name_unbound;
  co_return found;
}

}  // namespace coact
