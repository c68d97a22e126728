@0xd3035e87206b5c0a;

# The frames of coact's TCP transport. Every frame is one Cap'n Proto message in the
# standard stream framing (segment table, then segments), rooted at Frame.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::net::wire");

struct Ref {
  node @0 :UInt32;
  shard @1 :UInt32;
  id @2 :UInt32;
  generation @3 :UInt32;
}

# The handshake. The connecting node sends Hello (no mac); the accepting node answers
# with its own Hello whose mac proves it knows the cluster secret; the connecting node
# answers with Auth, proving the same. Each mac covers both nonces, so none replays.
struct Hello {
  cluster @0 :Text;
  node @1 :Text;             # the sender's name
  nodeId @2 :UInt32;         # the sender's node number (its actor_ref node)
  protocolVersion @3 :UInt32;
  nonce @4 :Data;            # 16 fresh random bytes
  mac @5 :Data;              # the accepting node's hello only
}

struct Auth {
  mac @0 :Data;
}

# An actor message: the routing header (coact::wire_header) and the payload.
struct Message {
  kind @0 :UInt8;
  control @1 :UInt8;
  target @2 :Ref;
  sender @3 :Ref;
  correlation @4 :UInt64;
  typeId @5 :UInt64;
  errorDomain @6 :UInt8;
  errorValue @7 :Int32;
  payload @8 :AnyPointer;
}

struct Heartbeat {
  sequence @0 :UInt64;
}

# The sender closes the connection, and why (also sent before refusing a handshake).
struct Goodbye {
  reason @0 :Text;
}

struct Frame {
  union {
    hello @0 :Hello;
    auth @1 :Auth;
    message @2 :Message;
    heartbeat @3 :Heartbeat;
    goodbye @4 :Goodbye;
  }
}
