// The handshake: two nodes of one cluster learn each other's identity; a peer with another
// cluster, version or secret, a replayed or altered frame, a malformed frame or a call out
// of order is refused with the right reason and errc::handshake_refused.
#include "coact/net/tcp/handshake.hpp"

#include <capnp/any.h>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <catch2/catch.hpp>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <array>
#include <cstddef>
#include <cstdint>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "coact/net/tcp/cluster_secret.hpp"

using coact::errc;
using coact::net::tcp::cluster_secret;
using coact::net::tcp::handshake_initiator;
using coact::net::tcp::handshake_responder;
using coact::net::tcp::mac_size;
using coact::net::tcp::name_size_max;
using coact::net::tcp::node_identity;
using coact::net::tcp::nonce_size;
using coact::net::tcp::protocol_version;
using coact::net::tcp::refusal;
namespace wire = coact::net::wire;

namespace {

constexpr std::string_view secret_text = "the prod cluster's secret";
constexpr std::string_view other_secret_text = "another cluster's secret";

const node_identity alice{"prod", "alice", 1};
const node_identity bob{"prod", "bob", 2};

cluster_secret secret_of(std::string_view text) {
  return cluster_secret::from_bytes({reinterpret_cast<const std::byte*>(text.data()), text.size()});
}

/// The three frames of one handshake, each in its own message.
struct frames {
  capnp::MallocMessageBuilder hello_message;
  capnp::MallocMessageBuilder reply_message;
  capnp::MallocMessageBuilder auth_message;
  wire::Hello::Builder hello = hello_message.initRoot<wire::Hello>();
  wire::Hello::Builder reply = reply_message.initRoot<wire::Hello>();
  wire::Auth::Builder auth = auth_message.initRoot<wire::Auth>();
};

capnp::Data::Reader data_of(const std::vector<capnp::byte>& bytes) {
  return {bytes.data(), bytes.size()};
}

/// Flips one bit of a Data field in place.
void flip_first_bit(capnp::Data::Builder data) {
  REQUIRE(data.size() > 0);
  data[0] ^= 1;
}

/// The mac as README.md specifies it, written independently of handshake.cpp:
/// HMAC-SHA256(secret, field...) where each field is its length (4 bytes, big-endian) then
/// its bytes, and each integer is 4 bytes, big-endian.
std::array<capnp::byte, mac_size> reference_mac(std::string_view label, std::string_view secret,
                                                capnp::Data::Reader initiator_nonce,
                                                capnp::Data::Reader responder_nonce,
                                                const node_identity& initiator,
                                                const node_identity& responder) {
  std::vector<unsigned char> message;
  const auto field = [&](const void* data, std::size_t size) {
    for (int shift = 24; shift >= 0; shift -= 8)
      message.push_back(static_cast<unsigned char>(size >> shift));
    const auto* first = static_cast<const unsigned char*>(data);
    message.insert(message.end(), first, first + size);
  };
  const auto text = [&](std::string_view s) { field(s.data(), s.size()); };
  const auto number = [&](std::uint32_t n) {
    const std::array<unsigned char, 4> bytes{
        static_cast<unsigned char>(n >> 24), static_cast<unsigned char>(n >> 16),
        static_cast<unsigned char>(n >> 8), static_cast<unsigned char>(n)};
    field(bytes.data(), bytes.size());
  };
  text(label);
  field(initiator_nonce.begin(), initiator_nonce.size());
  field(responder_nonce.begin(), responder_nonce.size());
  text(initiator.cluster);
  text(initiator.node);
  text(responder.node);
  number(initiator.node_id);
  number(responder.node_id);
  number(protocol_version);
  std::array<capnp::byte, mac_size> out{};
  unsigned int out_size = 0;
  REQUIRE(HMAC(EVP_sha256(), secret.data(), static_cast<int>(secret.size()), message.data(),
               message.size(), out.data(), &out_size) != nullptr);
  REQUIRE(out_size == mac_size);
  return out;
}

/// Checks that `r` is a refusal and that `why`, read after the call that made `r`, is
/// `expected`.
template <class T>
void check_refused(const coact::result<T>& r, const refusal& why, refusal expected) {
  REQUIRE_FALSE(r);
  CHECK(r.error() == errc::handshake_refused);
  CHECK(why == expected);
}

/// Alice starting a handshake with bob, both knowing the cluster secret: the setup most
/// cases share, with the steps they take through it.
struct two_nodes {
  const cluster_secret secret = secret_of(secret_text);
  handshake_initiator initiator{alice, secret};
  handshake_responder responder{bob, secret};
  refusal why = refusal::none;
  frames f;

  /// The initiator writes its Hello and the responder answers it.
  void exchange_hellos() {
    initiator.write_hello(f.hello);
    REQUIRE(responder.on_hello(f.hello.asReader(), f.reply));
  }
  /// ...then the initiator answers the reply with its Auth.
  void exchange_hellos_and_auth() {
    exchange_hellos();
    REQUIRE(initiator.on_hello(f.reply.asReader(), f.auth));
  }
  /// Checks that the responder refuses f.hello for `expected`.
  void check_hello_refused(refusal expected) {
    check_refused(responder.on_hello(f.hello.asReader(), f.reply, &why), why, expected);
  }
  /// Checks that the initiator refuses f.reply for `expected`.
  void check_reply_refused(refusal expected) {
    check_refused(initiator.on_hello(f.reply.asReader(), f.auth, &why), why, expected);
  }
  /// Checks that the responder refuses f.auth for `expected`.
  void check_auth_refused(refusal expected) {
    check_refused(responder.on_auth(f.auth.asReader(), &why), why, expected);
  }
};

/// A message whose root is a struct of four pointers, each to a struct; read as a Hello or
/// an Auth, its pointers are structs where text or data is expected.
kj::Array<capnp::word> wrong_pointer_kinds() {
  capnp::MallocMessageBuilder message;
  auto root = message.initRoot<capnp::AnyPointer>().initAsAnyStruct(1, 4);
  for (auto p : root.getPointerSection()) p.initAsAnyStruct(1, 0);
  return capnp::messageToFlatArray(message);
}

}  // namespace

// Proves an initiator and a responder with the same cluster, version and secret each learn
// the other's identity, through frames serialized as on the wire.
TEST_CASE("handshake between two nodes of one cluster", "[net]") {
  const auto secret = secret_of(secret_text);
  handshake_initiator initiator{alice, secret};
  handshake_responder responder{bob, secret};

  capnp::MallocMessageBuilder hello_message;
  initiator.write_hello(hello_message.initRoot<wire::Frame>().initHello());
  const auto hello_words = capnp::messageToFlatArray(hello_message);
  capnp::FlatArrayMessageReader hello_reader{hello_words};
  const auto hello = hello_reader.getRoot<wire::Frame>();
  REQUIRE(hello.isHello());
  CHECK(hello.getHello().getNonce().size() == nonce_size);
  CHECK_FALSE(hello.getHello().hasMac());

  capnp::MallocMessageBuilder reply_message;
  refusal why = refusal::out_of_order;
  REQUIRE(responder.on_hello(hello.getHello(), reply_message.initRoot<wire::Frame>().initHello(),
                             &why));
  CHECK(why == refusal::none);
  const auto reply_words = capnp::messageToFlatArray(reply_message);
  capnp::FlatArrayMessageReader reply_reader{reply_words};
  const auto reply = reply_reader.getRoot<wire::Frame>().getHello();
  CHECK(reply.getMac().size() == mac_size);
  CHECK(reply.getNonce() != hello.getHello().getNonce());

  capnp::MallocMessageBuilder auth_message;
  why = refusal::out_of_order;
  const auto learned_by_initiator =
      initiator.on_hello(reply, auth_message.initRoot<wire::Frame>().initAuth(), &why);
  REQUIRE(learned_by_initiator);
  CHECK(why == refusal::none);
  CHECK(learned_by_initiator.value().cluster == bob.cluster);
  CHECK(learned_by_initiator.value().node == bob.node);
  CHECK(learned_by_initiator.value().node_id == bob.node_id);
  const auto auth_words = capnp::messageToFlatArray(auth_message);
  capnp::FlatArrayMessageReader auth_reader{auth_words};

  why = refusal::out_of_order;
  const auto learned_by_responder =
      responder.on_auth(auth_reader.getRoot<wire::Frame>().getAuth(), &why);
  REQUIRE(learned_by_responder);
  CHECK(why == refusal::none);
  CHECK(learned_by_responder.value().cluster == alice.cluster);
  CHECK(learned_by_responder.value().node == alice.node);
  CHECK(learned_by_responder.value().node_id == alice.node_id);
}

// Proves the macs are exactly the documented transcript: label, both nonces (initiator's
// first), cluster, both names, both ids, the version, each length-prefixed.
TEST_CASE_METHOD(two_nodes, "handshake macs follow the documented transcript", "[net]") {
  exchange_hellos_and_auth();
  const auto responder_mac = reference_mac("coact-responder", secret_text, f.hello.getNonce(),
                                           f.reply.getNonce(), alice, bob);
  const auto initiator_mac = reference_mac("coact-initiator", secret_text, f.hello.getNonce(),
                                           f.reply.getNonce(), alice, bob);
  CHECK(f.reply.getMac() == capnp::Data::Reader{responder_mac.data(), responder_mac.size()});
  CHECK(f.auth.getMac() == capnp::Data::Reader{initiator_mac.data(), initiator_mac.size()});
}

// Proves each side refuses a peer of another cluster, and writes no reply or Auth.
TEST_CASE("handshake refuses another cluster", "[net]") {
  const auto secret = secret_of(secret_text);
  refusal why = refusal::none;
  frames f;
  SECTION("the responder detects it") {
    handshake_initiator initiator{{"staging", "alice", 1}, secret};
    handshake_responder responder{bob, secret};
    initiator.write_hello(f.hello);
    check_refused(responder.on_hello(f.hello.asReader(), f.reply, &why), why,
                  refusal::wrong_cluster);
    CHECK_FALSE(f.reply.hasNonce());
    CHECK_FALSE(f.reply.hasMac());
  }
  SECTION("the initiator detects it") {
    handshake_initiator initiator{alice, secret};
    handshake_responder responder{bob, secret};
    initiator.write_hello(f.hello);
    REQUIRE(responder.on_hello(f.hello.asReader(), f.reply));
    f.reply.setCluster("staging");
    check_refused(initiator.on_hello(f.reply.asReader(), f.auth, &why), why,
                  refusal::wrong_cluster);
    CHECK_FALSE(f.auth.hasMac());
  }
}

// Proves each side refuses a peer that speaks another protocol version.
TEST_CASE_METHOD(two_nodes, "handshake refuses another protocol version", "[net]") {
  initiator.write_hello(f.hello);
  SECTION("the responder detects it") {
    f.hello.setProtocolVersion(protocol_version + 1);
    check_hello_refused(refusal::wrong_version);
  }
  SECTION("the initiator detects it") {
    REQUIRE(responder.on_hello(f.hello.asReader(), f.reply));
    f.reply.setProtocolVersion(0);
    check_reply_refused(refusal::wrong_version);
  }
}

// Proves the initiator refuses a responder that does not know the cluster secret.
TEST_CASE("handshake: initiator detects a responder with another secret", "[net]") {
  const auto secret = secret_of(secret_text);
  const auto other_secret = secret_of(other_secret_text);
  handshake_initiator initiator{alice, secret};
  handshake_responder responder{bob, other_secret};
  refusal why = refusal::none;
  frames f;
  initiator.write_hello(f.hello);
  REQUIRE(responder.on_hello(f.hello.asReader(), f.reply));
  check_refused(initiator.on_hello(f.reply.asReader(), f.auth, &why), why, refusal::bad_mac);
  CHECK_FALSE(f.auth.hasMac());
}

// Proves the responder refuses an initiator that does not know the cluster secret, even one
// that ignores the responder's bad mac and answers anyway; the same Auth made with the
// right secret passes, so only the secret differs.
TEST_CASE_METHOD(two_nodes, "handshake: responder detects an initiator with another secret",
                 "[net]") {
  exchange_hellos();
  SECTION("another secret") {
    const auto forged = reference_mac("coact-initiator", other_secret_text, f.hello.getNonce(),
                                      f.reply.getNonce(), alice, bob);
    f.auth.setMac({forged.data(), forged.size()});
    check_auth_refused(refusal::bad_mac);
  }
  SECTION("the right secret") {
    const auto proof = reference_mac("coact-initiator", secret_text, f.hello.getNonce(),
                                     f.reply.getNonce(), alice, bob);
    f.auth.setMac({proof.data(), proof.size()});
    const auto learned = responder.on_auth(f.auth.asReader(), &why);
    REQUIRE(learned);
    CHECK(learned.value().node == alice.node);
  }
  SECTION("the responder's own mac reflected back") {
    f.auth.setMac(f.reply.getMac());
    check_auth_refused(refusal::bad_mac);
  }
}

// Proves a mac altered in transit, or a field it covers altered, is refused.
TEST_CASE_METHOD(two_nodes, "handshake refuses a tampered mac", "[net]") {
  exchange_hellos();
  SECTION("the responder's mac") {
    flip_first_bit(f.reply.getMac());
    check_reply_refused(refusal::bad_mac);
  }
  SECTION("the responder's nonce") {
    flip_first_bit(f.reply.getNonce());
    check_reply_refused(refusal::bad_mac);
  }
  SECTION("the responder's name") {
    f.reply.setNode("mallory");
    check_reply_refused(refusal::bad_mac);
  }
  SECTION("the responder's node id") {
    f.reply.setNodeId(bob.node_id + 1);
    check_reply_refused(refusal::bad_mac);
  }
  SECTION("the initiator's mac") {
    REQUIRE(initiator.on_hello(f.reply.asReader(), f.auth));
    flip_first_bit(f.auth.getMac());
    check_auth_refused(refusal::bad_mac);
  }
}

// Proves frames from an earlier handshake between the same nodes do not pass in a new one:
// each new handshake has a fresh nonce, and every mac covers both nonces.
TEST_CASE("handshake refuses frames replayed from an earlier handshake", "[net]") {
  const auto secret = secret_of(secret_text);
  frames earlier;
  {
    handshake_initiator initiator{alice, secret};
    handshake_responder responder{bob, secret};
    initiator.write_hello(earlier.hello);
    REQUIRE(responder.on_hello(earlier.hello.asReader(), earlier.reply));
    REQUIRE(initiator.on_hello(earlier.reply.asReader(), earlier.auth));
    REQUIRE(responder.on_auth(earlier.auth.asReader()));
  }
  handshake_initiator initiator{alice, secret};
  handshake_responder responder{bob, secret};
  refusal why = refusal::none;
  frames f;
  SECTION("an Auth replayed to a new responder") {
    REQUIRE(responder.on_hello(earlier.hello.asReader(), f.reply));
    CHECK(f.reply.getNonce() != earlier.reply.getNonce());
    check_refused(responder.on_auth(earlier.auth.asReader(), &why), why, refusal::bad_mac);
  }
  SECTION("a responder's Hello replayed to a new initiator") {
    initiator.write_hello(f.hello);
    CHECK(f.hello.getNonce() != earlier.hello.getNonce());
    check_refused(initiator.on_hello(earlier.reply.asReader(), f.auth, &why), why,
                  refusal::bad_mac);
  }
}

// Proves the responder refuses a malformed Hello: a nonce not of 16 bytes, an empty or too
// long name, a missing field, a mac where none belongs, or a frame that does not decode.
TEST_CASE_METHOD(two_nodes, "handshake: responder refuses a malformed hello", "[net]") {
  initiator.write_hello(f.hello);
  SECTION("short nonce") { f.hello.setNonce(data_of(std::vector<capnp::byte>(nonce_size - 1))); }
  SECTION("long nonce") { f.hello.setNonce(data_of(std::vector<capnp::byte>(nonce_size + 1))); }
  SECTION("empty node name") { f.hello.setNode(""); }
  SECTION("empty cluster name") { f.hello.setCluster(""); }
  SECTION("node name too long") { f.hello.setNode(std::string(name_size_max + 1, 'a')); }
  SECTION("missing cluster") { (void)f.hello.disownCluster(); }
  SECTION("missing node") { (void)f.hello.disownNode(); }
  SECTION("missing nonce") { (void)f.hello.disownNonce(); }
  SECTION("a mac in the initiator's hello") {
    f.hello.setMac(data_of(std::vector<capnp::byte>(mac_size)));
  }
  check_hello_refused(refusal::malformed);
  CHECK_FALSE(f.reply.hasNonce());
}

// Proves a name of exactly name_size_max bytes is accepted.
TEST_CASE("handshake accepts names of the maximum length", "[net]") {
  const auto secret = secret_of(secret_text);
  const node_identity long_named{"prod", std::string(name_size_max, 'a'), 3};
  handshake_initiator initiator{long_named, secret};
  handshake_responder responder{bob, secret};
  frames f;
  initiator.write_hello(f.hello);
  REQUIRE(responder.on_hello(f.hello.asReader(), f.reply));
  REQUIRE(initiator.on_hello(f.reply.asReader(), f.auth));
  const auto learned = responder.on_auth(f.auth.asReader());
  REQUIRE(learned);
  CHECK(learned.value().node == long_named.node);
}

// Proves the initiator refuses a malformed reply and the responder a malformed Auth.
TEST_CASE_METHOD(two_nodes,
                 "handshake: initiator refuses a malformed reply, responder a malformed auth",
                 "[net]") {
  exchange_hellos();
  SECTION("the reply") {
    SECTION("no mac") { (void)f.reply.disownMac(); }
    SECTION("short mac") { f.reply.setMac(data_of(std::vector<capnp::byte>(mac_size - 1))); }
    SECTION("short nonce") { f.reply.setNonce(data_of(std::vector<capnp::byte>(3))); }
    SECTION("empty node name") { f.reply.setNode(""); }
    SECTION("missing cluster") { (void)f.reply.disownCluster(); }
    check_reply_refused(refusal::malformed);
    CHECK_FALSE(f.auth.hasMac());
  }
  SECTION("the auth") {
    REQUIRE(initiator.on_hello(f.reply.asReader(), f.auth));
    SECTION("no mac") { (void)f.auth.disownMac(); }
    SECTION("long mac") { f.auth.setMac(data_of(std::vector<capnp::byte>(mac_size + 1))); }
    check_auth_refused(refusal::malformed);
  }
}

// Proves a frame that does not decode as a Hello or an Auth (a struct where text or data
// belongs) is refused as malformed instead of throwing.
TEST_CASE("handshake refuses frames that do not decode", "[net]") {
  const auto secret = secret_of(secret_text);
  const auto words = wrong_pointer_kinds();
  capnp::FlatArrayMessageReader reader{words};
  // Every pointer a Hello has is set, and reading one throws: the refusal comes from there.
  const auto as_hello = reader.getRoot<wire::Hello>();
  REQUIRE((as_hello.hasCluster() && as_hello.hasNode() && as_hello.hasNonce()));
  REQUIRE_THROWS(as_hello.getCluster());
  REQUIRE_THROWS(reader.getRoot<wire::Auth>().getMac());
  refusal why = refusal::none;
  frames f;
  SECTION("a Hello to the responder") {
    handshake_responder responder{bob, secret};
    check_refused(responder.on_hello(reader.getRoot<wire::Hello>(), f.reply, &why), why,
                  refusal::malformed);
  }
  SECTION("a Hello to the initiator") {
    handshake_initiator initiator{alice, secret};
    initiator.write_hello(f.hello);
    check_refused(initiator.on_hello(reader.getRoot<wire::Hello>(), f.auth, &why), why,
                  refusal::malformed);
  }
  SECTION("an Auth to the responder") {
    handshake_initiator initiator{alice, secret};
    handshake_responder responder{bob, secret};
    initiator.write_hello(f.hello);
    REQUIRE(responder.on_hello(f.hello.asReader(), f.reply));
    check_refused(responder.on_auth(reader.getRoot<wire::Auth>(), &why), why, refusal::malformed);
  }
}

// Proves every call made at the wrong step is refused with out_of_order, and that a
// handshake, once refused or finished, stays over.
TEST_CASE_METHOD(two_nodes, "handshake refuses calls out of order", "[net]") {
  SECTION("initiator: a reply before its hello") {
    handshake_initiator other{alice, secret};
    other.write_hello(f.hello);
    REQUIRE(responder.on_hello(f.hello.asReader(), f.reply));
    check_reply_refused(refusal::out_of_order);
  }
  SECTION("initiator: two hellos written") {
    initiator.write_hello(f.hello);
    frames again;
    initiator.write_hello(again.hello);
    CHECK_FALSE(again.hello.hasNonce());
    REQUIRE(responder.on_hello(f.hello.asReader(), f.reply));
    check_reply_refused(refusal::out_of_order);
  }
  SECTION("initiator: a second reply") {
    exchange_hellos_and_auth();
    frames again;
    check_refused(initiator.on_hello(f.reply.asReader(), again.auth, &why), why,
                  refusal::out_of_order);
    CHECK_FALSE(again.auth.hasMac());
  }
  SECTION("initiator: a reply after a refused one") {
    exchange_hellos();
    frames tampered;
    tampered.reply.setNode("");
    check_refused(initiator.on_hello(tampered.reply.asReader(), f.auth, &why), why,
                  refusal::malformed);
    check_reply_refused(refusal::out_of_order);
  }
  SECTION("responder: an Auth before a hello") { check_auth_refused(refusal::out_of_order); }
  SECTION("responder: a second hello") {
    exchange_hellos();
    frames again;
    check_refused(responder.on_hello(f.hello.asReader(), again.reply, &why), why,
                  refusal::out_of_order);
    CHECK_FALSE(again.reply.hasNonce());
  }
  SECTION("responder: an Auth after a refused hello") {
    initiator.write_hello(f.hello);
    f.hello.setCluster("staging");
    check_hello_refused(refusal::wrong_cluster);
    check_auth_refused(refusal::out_of_order);
  }
  SECTION("responder: a second Auth") {
    exchange_hellos_and_auth();
    REQUIRE(responder.on_auth(f.auth.asReader()));
    check_auth_refused(refusal::out_of_order);
  }
}

// Proves every refusal reason has its own text, and the error code its message.
TEST_CASE("handshake refusal texts", "[net]") {
  std::set<std::string> texts;
  for (const auto r : {refusal::none, refusal::wrong_cluster, refusal::wrong_version,
                       refusal::bad_mac, refusal::malformed, refusal::out_of_order}) {
    const std::string text = to_string(r);
    CHECK_FALSE(text.empty());
    texts.insert(text);
  }
  CHECK(texts.size() == 6);
  CHECK_THAT(make_error_code(errc::handshake_refused).message(), Catch::Contains("handshake"));
}
