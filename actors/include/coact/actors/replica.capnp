@0xc6a1f0e3b2d49a57;
# The storage replica's protocol: a versioned map read and written by coordinators.
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::kv::proto");

struct Version {
  counter @0 :UInt64;  # LWW timestamp (ns on the writer's clock) or log position
  writer @1 :UInt32;   # the writer node, the tiebreak
}

# Ask: the replica's value of a key; answered with ReplicaValue.
struct ReplicaRead {
  key @0 :Text;
}

struct ReplicaValue {
  present @0 :Bool;
  value @1 :Text;
  version @2 :Version;
}

# Ask: apply a write if its version is newer than the stored one (last writer wins);
# answered with ReplicaWriteAck once it is durable (when the replica has a log).
struct ReplicaWrite {
  key @0 :Text;
  value @1 :Text;
  version @2 :Version;
}

struct ReplicaWriteAck {
  applied @0 :Bool;    # false: the stored version was newer or equal; nothing changed
  current @1 :Version; # the version stored after the write
}
