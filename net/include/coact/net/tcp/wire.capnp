@0xd3035e87206b5c0a;

# The frames of coact's TCP transport. Every frame is one Cap'n Proto message in the
# standard stream framing (segment table, then segments), rooted at Frame.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::net::wire");

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

struct Heartbeat {
  sequence @0 :UInt64;
}

# The sender closes the connection, and why (also sent before refusing a handshake).
struct Goodbye {
  reason @0 :Text;
}

# An actor message is a group, its references groups in it: the routing header
# (coact::wire_header) lies in the Frame's own data words, with no pointer to follow, and
# the payload pointer is the Frame's one pointer. Correlation, zero in every tell, takes
# the last data word: a writer may leave it off (Cap'n Proto reads a missing field as 0).
struct Frame {
  union {
    hello @0 :Hello;
    auth @1 :Auth;
    heartbeat @2 :Heartbeat;
    goodbye @3 :Goodbye;
    message :group {
      kind @4 :UInt8;
      control @5 :UInt8;
      errorDomain @6 :UInt8;
      errorValue @7 :Int32;
      typeId @8 :UInt64;
      target :group {
        node @9 :UInt32;
        shard @10 :UInt32;
        id @11 :UInt32;
        generation @12 :UInt32;
      }
      sender :group {
        node @13 :UInt32;
        shard @14 :UInt32;
        id @15 :UInt32;
        generation @16 :UInt32;
      }
      correlation @17 :UInt64;
      payload @18 :AnyPointer;
    }
  }
}
