// Messages crossing to another node: the header and payload survive the trip through
// header_of and envelope_from_wire, bad payloads are refused, and node_lost (failing asks
// to a lost node, telling watchers) works.
#include "coact/runtime/wire.hpp"

#include <capnp/message.h>
#include <capnp/serialize.h>

#include <string>

#include "coact/runtime/sim/world.hpp"
#include "test_support.hpp"

using namespace coact::testing;
using coact::envelope;
using coact::errc;
using coact::wire_header;

namespace {

/// Sends `m` to `to` through `system` and catches it at a router, as the network would.
class catching_router final : public coact::remote_router {
 public:
  coact::result<void> route(envelope&& e) override {
    caught = std::move(e);
    return coact::success();
  }
  envelope caught;
};

/// The payload of `e` copied into a fresh reader, as a receiving node holds it.
kj::Array<capnp::word> serialized(const envelope& e) {
  capnp::MallocMessageBuilder b;
  b.setRoot(e.root());
  return capnp::messageToFlatArray(b);
}

coact::result<envelope> arrive(const wire_header& h, kj::ArrayPtr<const capnp::word> words) {
  capnp::FlatArrayMessageReader reader{words};
  return coact::envelope_from_wire(h, reader.getRoot<capnp::AnyPointer>());
}

}  // namespace

// Proves a message's header and payload arrive intact, small (inline) and large (heap).
TEST_CASE("a message crosses to another node intact", "[runtime]") {
  const std::size_t size = GENERATE(std::size_t{0}, std::size_t{8}, std::size_t{5000});
  CAPTURE(size);
  auto router = std::make_shared<catching_router>();
  coact::actor_system system{{.shard_count = 1, .router = router}};
  coact::message<coact::test::Blob> blob;
  blob->initData(size);
  for (std::size_t i = 0; i < size; ++i) blob->getData()[i] = static_cast<kj::byte>(i * 7);
  const coact::actor_ref remote{3, 1, 9, 4};
  REQUIRE(system.tell(remote, std::move(blob)));
  REQUIRE(router->caught);
  const wire_header h = coact::header_of(router->caught);
  CHECK(h.kind == coact::message_kind::tell);
  CHECK(h.target == remote);
  CHECK(h.type_id == capnp::typeId<coact::test::Blob>());

  const auto words = serialized(router->caught);
  auto e = arrive(h, words);
  REQUIRE(e);
  CHECK(e.value().target() == remote);
  REQUIRE(e.value().is<coact::test::Blob>());
  const auto data = e.value().get<coact::test::Blob>().getData();
  REQUIRE(data.size() == size);
  for (std::size_t i = 0; i < size; ++i) CHECK(data[i] == static_cast<kj::byte>(i * 7));
}

// Proves an error reply keeps its error, coact's and the generic category's alike.
TEST_CASE("an error reply keeps its error across nodes", "[runtime]") {
  wire_header h;
  h.kind = coact::message_kind::reply;
  h.error = coact::error_domain::coact;
  h.error_value = static_cast<std::int32_t>(errc::overloaded);
  capnp::MallocMessageBuilder empty_payload;
  empty_payload.initRoot<coact::test::Get>();
  const auto words = capnp::messageToFlatArray(empty_payload);
  auto e = arrive(h, words);
  REQUIRE(e);
  CHECK(coact::header_of(e.value()).error == coact::error_domain::coact);
  CHECK(coact::header_of(e.value()).error_value == h.error_value);
}

// Proves what a peer cannot have meant is refused: a list where a struct belongs, an
// unknown kind, and a payload over the limit.
TEST_CASE("a bad payload from another node is refused", "[runtime]") {
  capnp::MallocMessageBuilder list_payload;
  list_payload.initRoot<capnp::AnyPointer>().initAsAnyList(capnp::ElementSize::BYTE, 16);
  const auto list_words = capnp::messageToFlatArray(list_payload);
  CHECK(arrive({}, list_words).error() == errc::malformed_message);

  capnp::MallocMessageBuilder blob_payload;
  blob_payload.initRoot<coact::test::Blob>().initData(4096);
  const auto blob_words = capnp::messageToFlatArray(blob_payload);
  wire_header bad_kind;
  bad_kind.kind = static_cast<coact::message_kind>(9);
  CHECK(arrive(bad_kind, blob_words).error() == errc::malformed_message);
}

namespace {

/// Loses every message: asks across it only end by their deadline, or by node_lost.
class black_hole final : public coact::sim::link_model {
 public:
  void plan(coact::sim::node_id, coact::sim::node_id, std::uint64_t, coact::time_point,
            std::vector<coact::duration>&) override {}
};

coact::task<void> single_ask(coact::actor_context& self, coact::actor_ref target,
                             std::error_code* outcome) {
  auto r = co_await self.ask<coact::test::Pong>(target, ping(), 10s);
  *outcome = r ? std::error_code{} : r.error();
}

coact::task<void> watch_remote(coact::actor_context& self, coact::actor_ref target,
                               std::error_code* reason) {
  self.monitor(target);
  auto e = co_await self.receive<coact::sys::Down>(10s);
  *reason = e ? std::error_code{e.value().get<coact::sys::Down>().getReason().getCode(),
                                coact::error_category()}
              : e.error();
}

}  // namespace

// Proves node_lost ends the asks waiting for a lost node at once, and tells a local watcher
// of a remote actor, whose monitor request the runtime noted as it left.
TEST_CASE("node_lost fails the asks to a lost node and tells its watchers", "[runtime]") {
  coact::sim::world w{1, std::make_shared<black_hole>()};
  std::error_code asked = make_error_code(errc::killed);
  std::error_code down = make_error_code(errc::killed);
  const coact::actor_ref far{1, 0, 0, 1};
  const auto here = w.add_node({}, [&](coact::actor_system& s, coact::sim::node_id) {
    (void)s.spawn(&single_ask, far, &asked);
    (void)s.spawn(&watch_remote, far, &down);
  });
  w.add_node({}, nullptr);
  w.run_until(coact::time_point{1s});
  w.system(here)->node_lost(1, "a test says so");
  w.run_until(coact::time_point{2s});
  CHECK(asked == errc::node_unreachable);
  CHECK(down == errc::node_unreachable);
  CHECK(w.now() == coact::time_point{2s});
}
