#include "coact/net/tcp/handshake.hpp"

#include <capnp/blob.h>
#include <kj/exception.h>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/rand.h>

#include <algorithm>
#include <cassert>
#include <cstdio>
#include <cstdlib>
#include <optional>
#include <span>
#include <string_view>
#include <utility>
#include <vector>

namespace coact::net::tcp {
namespace {

using mac = std::array<std::byte, mac_size>;

constexpr std::string_view responder_label = "coact-responder";
constexpr std::string_view initiator_label = "coact-initiator";

/// Everything a mac covers besides its label. The initiator's fields always come first,
/// whichever side computes it.
struct transcript {
  std::span<const std::byte> initiator_nonce;
  std::span<const std::byte> responder_nonce;
  std::string_view cluster;
  std::string_view initiator_node;
  std::string_view responder_node;
  std::uint32_t initiator_id;
  std::uint32_t responder_id;
  std::uint32_t version;
};

/// Appends `field` preceded by its length as 4 bytes, big-endian: no two sequences of
/// fields encode to the same bytes.
void append_field(std::vector<unsigned char>& out, std::span<const unsigned char> field) {
  assert(field.size() <= UINT32_MAX);
  const auto n = static_cast<std::uint32_t>(field.size());
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<unsigned char>(n >> shift));
  out.insert(out.end(), field.begin(), field.end());
}

void append_field(std::vector<unsigned char>& out, std::string_view field) {
  append_field(out, {reinterpret_cast<const unsigned char*>(field.data()), field.size()});
}

void append_field(std::vector<unsigned char>& out, std::span<const std::byte> field) {
  append_field(out, {reinterpret_cast<const unsigned char*>(field.data()), field.size()});
}

void append_field(std::vector<unsigned char>& out, std::uint32_t value) {
  const std::array<unsigned char, 4> big_endian{
      static_cast<unsigned char>(value >> 24), static_cast<unsigned char>(value >> 16),
      static_cast<unsigned char>(value >> 8), static_cast<unsigned char>(value)};
  append_field(out, std::span<const unsigned char>{big_endian});
}

/// HMAC-SHA256 under `secret` of `label` then the transcript's fields; nothing if OpenSSL
/// fails (it then cannot prove or check anything, and the handshake is refused).
std::optional<mac> compute_mac(std::string_view label, const cluster_secret& secret,
                               const transcript& t) {
  std::vector<unsigned char> message;
  message.reserve(256 + t.cluster.size() + t.initiator_node.size() + t.responder_node.size());
  append_field(message, label);
  append_field(message, t.initiator_nonce);
  append_field(message, t.responder_nonce);
  append_field(message, t.cluster);
  append_field(message, t.initiator_node);
  append_field(message, t.responder_node);
  append_field(message, t.initiator_id);
  append_field(message, t.responder_id);
  append_field(message, t.version);
  // HMAC() wants a non-null key even when it is empty (from_bytes allows that).
  static const unsigned char empty_key = 0;
  const auto key = secret.bytes();
  const void* key_data = key.empty() ? &empty_key : static_cast<const void*>(key.data());
  mac out{};
  unsigned int out_size = 0;
  if (HMAC(EVP_sha256(), key_data, static_cast<int>(key.size()), message.data(), message.size(),
           reinterpret_cast<unsigned char*>(out.data()), &out_size) == nullptr ||
      out_size != out.size()) {
    return std::nullopt;
  }
  return out;
}

/// True if `received` is exactly `expected`, in time independent of where they differ.
bool same_mac(const mac& expected, std::span<const std::byte> received) {
  return received.size() == expected.size() &&
         CRYPTO_memcmp(expected.data(), received.data(), expected.size()) == 0;
}

std::array<std::byte, nonce_size> fresh_nonce() {
  std::array<std::byte, nonce_size> nonce{};
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(nonce.size())) !=
      1) {
    std::fputs("coact: OpenSSL RAND_bytes failed; handshake nonces cannot be made\n", stderr);
    std::abort();
  }
  return nonce;
}

bool valid_name(std::string_view name) noexcept {
  return !name.empty() && name.size() <= name_size_max;
}

std::string_view view(capnp::Text::Reader text) noexcept { return {text.begin(), text.size()}; }

std::span<const std::byte> view(capnp::Data::Reader data) noexcept {
  return {reinterpret_cast<const std::byte*>(data.begin()), data.size()};
}

capnp::Data::Reader data_of(std::span<const std::byte> bytes) noexcept {
  return {reinterpret_cast<const capnp::byte*>(bytes.data()), bytes.size()};
}

/// What a peer's Hello says, copied out of the frame once it was checked.
struct peer_hello {
  node_identity identity;
  std::array<std::byte, nonce_size> nonce{};
  mac proof{};
};

/// Checks a peer's `hello` for `self` and copies it into `out`; returns why it is refused,
/// or refusal::none. `with_mac`: whether it must carry a mac (the responder's) or must not
/// (the initiator's). Reading a malformed frame throws kj::Exception: a malformed hello.
/// Every field is read here, once, so that nothing later can throw.
refusal read_hello(wire::Hello::Reader hello, bool with_mac, const node_identity& self,
                   peer_hello& out) {
  try {
    if (!hello.hasCluster() || !hello.hasNode() || !hello.hasNonce()) return refusal::malformed;
    const auto cluster = view(hello.getCluster());
    const auto node = view(hello.getNode());
    const auto nonce = view(hello.getNonce());
    if (!valid_name(cluster) || !valid_name(node) || nonce.size() != nonce_size) {
      return refusal::malformed;
    }
    if (with_mac != hello.hasMac()) return refusal::malformed;
    if (with_mac) {
      const auto proof = view(hello.getMac());
      if (proof.size() != mac_size) return refusal::malformed;
      std::copy(proof.begin(), proof.end(), out.proof.begin());
    }
    if (cluster != self.cluster) return refusal::wrong_cluster;
    if (hello.getProtocolVersion() != protocol_version) return refusal::wrong_version;
    out.identity = {std::string{cluster}, std::string{node}, hello.getNodeId()};
    std::copy(nonce.begin(), nonce.end(), out.nonce.begin());
    return refusal::none;
  } catch (const kj::Exception&) {
    return refusal::malformed;
  }
}

/// The transcript of a handshake between `initiator` and `responder`.
transcript transcript_of(const node_identity& initiator, std::span<const std::byte> initiator_nonce,
                         const node_identity& responder,
                         std::span<const std::byte> responder_nonce) {
  return {.initiator_nonce = initiator_nonce,
          .responder_nonce = responder_nonce,
          .cluster = initiator.cluster,
          .initiator_node = initiator.node,
          .responder_node = responder.node,
          .initiator_id = initiator.node_id,
          .responder_id = responder.node_id,
          .version = protocol_version};
}

void write_identity(wire::Hello::Builder hello, const node_identity& self,
                    std::span<const std::byte> nonce) {
  hello.setCluster(self.cluster);
  hello.setNode(self.node);
  hello.setNodeId(self.node_id);
  hello.setProtocolVersion(protocol_version);
  hello.setNonce(data_of(nonce));
}

/// Sets `*why` (when given) and returns the result for refusal `r` (none is success).
template <class T>
result<T> refuse(refusal r, refusal* why) {
  assert(r != refusal::none);
  if (why != nullptr) *why = r;
  return errc::handshake_refused;
}

void accept(refusal* why) noexcept {
  if (why != nullptr) *why = refusal::none;
}

[[maybe_unused]] bool valid_self(const node_identity& self) noexcept {
  return valid_name(self.cluster) && valid_name(self.node);
}

}  // namespace

const char* to_string(refusal r) noexcept {
  switch (r) {
    case refusal::none:
      return "not refused";
    case refusal::wrong_cluster:
      return "wrong cluster";
    case refusal::wrong_version:
      return "wrong protocol version";
    case refusal::bad_mac:
      return "the peer's proof of the cluster secret failed (another secret, or a replayed or "
             "altered frame)";
    case refusal::malformed:
      return "malformed handshake frame";
    case refusal::out_of_order:
      return "handshake frame out of order";
  }
  return "unknown refusal";
}

handshake_initiator::handshake_initiator(node_identity self, const cluster_secret& secret)
    : self_(std::move(self)), secret_(&secret) {
  assert(valid_self(self_));
}

void handshake_initiator::write_hello(wire::Hello::Builder hello) {
  if (step_ != step::start) {
    step_ = step::over;
    return;
  }
  nonce_ = fresh_nonce();
  write_identity(hello, self_, nonce_);
  step_ = step::hello_sent;
}

result<node_identity> handshake_initiator::on_hello(wire::Hello::Reader reply,
                                                    wire::Auth::Builder auth, refusal* why) {
  if (step_ != step::hello_sent) {
    step_ = step::over;
    return refuse<node_identity>(refusal::out_of_order, why);
  }
  step_ = step::over;
  peer_hello peer;
  if (const auto r = read_hello(reply, true, self_, peer); r != refusal::none) {
    return refuse<node_identity>(r, why);
  }
  const auto t = transcript_of(self_, nonce_, peer.identity, peer.nonce);
  const auto expected = compute_mac(responder_label, *secret_, t);
  if (!expected || !same_mac(*expected, peer.proof)) {
    return refuse<node_identity>(refusal::bad_mac, why);
  }
  const auto proof = compute_mac(initiator_label, *secret_, t);
  if (!proof) return refuse<node_identity>(refusal::bad_mac, why);
  auth.setMac(data_of(*proof));
  accept(why);
  return std::move(peer.identity);
}

handshake_responder::handshake_responder(node_identity self, const cluster_secret& secret)
    : self_(std::move(self)), secret_(&secret) {
  assert(valid_self(self_));
}

result<void> handshake_responder::on_hello(wire::Hello::Reader hello, wire::Hello::Builder reply,
                                           refusal* why) {
  if (step_ != step::start) {
    step_ = step::over;
    return refuse<void>(refusal::out_of_order, why);
  }
  step_ = step::over;
  peer_hello peer;
  if (const auto r = read_hello(hello, false, self_, peer); r != refusal::none) {
    return refuse<void>(r, why);
  }
  peer_ = std::move(peer.identity);
  peer_nonce_ = peer.nonce;
  nonce_ = fresh_nonce();
  const auto proof =
      compute_mac(responder_label, *secret_, transcript_of(peer_, peer_nonce_, self_, nonce_));
  if (!proof) return refuse<void>(refusal::bad_mac, why);
  write_identity(reply, self_, nonce_);
  reply.setMac(data_of(*proof));
  step_ = step::hello_answered;
  accept(why);
  return success();
}

result<node_identity> handshake_responder::on_auth(wire::Auth::Reader auth, refusal* why) {
  if (step_ != step::hello_answered) {
    step_ = step::over;
    return refuse<node_identity>(refusal::out_of_order, why);
  }
  step_ = step::over;
  mac received{};
  try {
    if (!auth.hasMac()) return refuse<node_identity>(refusal::malformed, why);
    const auto proof = view(auth.getMac());
    if (proof.size() != mac_size) return refuse<node_identity>(refusal::malformed, why);
    std::copy(proof.begin(), proof.end(), received.begin());
  } catch (const kj::Exception&) {
    return refuse<node_identity>(refusal::malformed, why);
  }
  const auto expected =
      compute_mac(initiator_label, *secret_, transcript_of(peer_, peer_nonce_, self_, nonce_));
  if (!expected || !same_mac(*expected, received)) {
    return refuse<node_identity>(refusal::bad_mac, why);
  }
  accept(why);
  return std::move(peer_);
}

}  // namespace coact::net::tcp
