#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>

#include "coact/net/tcp/cluster_secret.hpp"
#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/result.hpp"

namespace coact::net::tcp {

/// The version of coact's TCP protocol; both ends of a connection must speak the same.
inline constexpr std::uint32_t protocol_version = 2;
/// The length of a handshake nonce, in bytes.
inline constexpr std::size_t nonce_size = 16;
/// The length of a handshake mac (HMAC-SHA256), in bytes.
inline constexpr std::size_t mac_size = 32;
/// The longest cluster or node name a handshake accepts, in bytes.
inline constexpr std::size_t name_size_max = 255;

/// Who a node is: its cluster, its name, and its node number (the node of its actor_refs).
struct node_identity {
  /// The cluster's name; both ends of a connection must be in the same cluster.
  std::string cluster;
  /// The node's name, unique in its cluster.
  std::string node;
  /// The node's number, unique in its cluster.
  std::uint32_t node_id = 0;
};

/// Why a handshake was refused.
enum class refusal : std::uint8_t {
  /// Not refused.
  none,
  /// The peer is in another cluster.
  wrong_cluster,
  /// The peer speaks another protocol_version.
  wrong_version,
  /// The peer's mac is wrong: it has another cluster secret, or replays or alters frames.
  bad_mac,
  /// A field is missing or has the wrong length (nonce, mac, an empty or too long name).
  malformed,
  /// A frame came, or a call was made, at the wrong step of the handshake.
  out_of_order,
};

/// A short English text for `r` ("wrong cluster", ...), for logs and Goodbye frames.
[[nodiscard]] const char* to_string(refusal r) noexcept;

/// The connecting side's handshake, as a state machine without I/O: write_hello, send it,
/// give the peer's Hello to on_hello, send the Auth it wrote. Run on one thread.
///
/// The responder's Hello must carry a mac over both nonces and both identities (label
/// "coact-responder"), which proves it knows the cluster secret now, for this nonce; the
/// Auth carries the same proof from this side (label "coact-initiator").
class handshake_initiator {
 public:
  /// A handshake for `self`, whose cluster and node names must be non-empty and at most
  /// name_size_max bytes. `secret` is not copied: it must outlive this object.
  handshake_initiator(node_identity self, const cluster_secret& secret);

  /// Writes this side's Hello (identity, protocol_version, a fresh nonce from OpenSSL's
  /// RAND_bytes, no mac). Call once, first; a second call writes nothing and ends the
  /// handshake (on_hello then refuses with out_of_order). Aborts the process if OpenSSL's
  /// random generator fails: no handshake could be trusted without fresh nonces.
  void write_hello(wire::Hello::Builder hello);

  /// Checks the responder's Hello (`reply`): fields well formed, same cluster, same
  /// protocol_version, its mac right for this handshake; then writes this side's proof
  /// into `auth` and returns the responder's identity. Fails with errc::handshake_refused,
  /// with the reason in `*why` (when given; refusal::none on success), and writes nothing
  /// into `auth`. Once it has been called, the handshake is over: a second call, or a call
  /// before write_hello, refuses with out_of_order.
  [[nodiscard]] result<node_identity> on_hello(wire::Hello::Reader reply, wire::Auth::Builder auth,
                                               refusal* why = nullptr);

 private:
  enum class step : std::uint8_t { start, hello_sent, over };

  node_identity self_;
  const cluster_secret* secret_;
  std::array<std::byte, nonce_size> nonce_{};
  step step_ = step::start;
};

/// The accepting side's handshake, as a state machine without I/O: give the peer's Hello
/// to on_hello, send the reply it wrote, give the peer's Auth to on_auth. Run on one thread.
class handshake_responder {
 public:
  /// A handshake for `self`, whose cluster and node names must be non-empty and at most
  /// name_size_max bytes. `secret` is not copied: it must outlive this object.
  handshake_responder(node_identity self, const cluster_secret& secret);

  /// Checks the initiator's Hello: fields well formed (no mac), same cluster, same
  /// protocol_version; then writes this side's Hello into `reply` (identity, version, a
  /// fresh nonce, and the mac labelled "coact-responder"). Fails with
  /// errc::handshake_refused, the reason in `*why` (when given; refusal::none on success),
  /// and writes nothing into `reply`; the handshake is then over. A second call refuses
  /// with out_of_order. Aborts the process if OpenSSL's random generator fails.
  [[nodiscard]] result<void> on_hello(wire::Hello::Reader hello, wire::Hello::Builder reply,
                                      refusal* why = nullptr);

  /// Checks the initiator's Auth: its mac (labelled "coact-initiator") must be right for
  /// this handshake's nonces and identities under this side's secret. Returns the
  /// initiator's identity; fails with errc::handshake_refused and the reason in `*why`
  /// (when given; refusal::none on success). Once it has been called the handshake is
  /// over: a second call, or a call before a successful on_hello, refuses with
  /// out_of_order.
  [[nodiscard]] result<node_identity> on_auth(wire::Auth::Reader auth, refusal* why = nullptr);

 private:
  enum class step : std::uint8_t { start, hello_answered, over };

  node_identity self_;
  const cluster_secret* secret_;
  node_identity peer_;
  std::array<std::byte, nonce_size> peer_nonce_{};
  std::array<std::byte, nonce_size> nonce_{};
  step step_ = step::start;
};

}  // namespace coact::net::tcp
