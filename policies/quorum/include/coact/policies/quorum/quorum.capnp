@0xc538ad33422ee19e;
# The quorum policy's protocol: clients ask a coordinator, which reads and writes the
# storage replicas (replica.capnp) at the request's consistency level.
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::policies::quorum::proto");
using Replica = import "/coact/actors/replica.capnp";

enum Level {
  one @0;
  two @1;
  three @2;
  quorum @3;
  all @4;
  localOne @5;
  localQuorum @6;
  eachQuorum @7;
}

# Ask a coordinator: the newest value of `key` among `level` replicas; answered with
# QuorumReadReply. With the deployment's write-back option, the value is first written
# back until `writeLevel` replicas hold it (the client's write level).
struct QuorumRead {
  key @0 :Text;
  level @1 :Level;
  writeLevel @2 :Level;
}

# Too few replicas answered: `answered` of the `needed` acknowledgements of `level`.
struct Unmet {
  level @0 :Level;
  needed @1 :UInt32;
  answered @2 :UInt32;
}

struct QuorumReadReply {
  coordinator @0 :Text;  # the coordinator's node name
  union {
    value @1 :Replica.ReplicaValue;
    unmet @2 :Unmet;
  }
}

# Ask a coordinator: write `value` (versioned by the coordinator's clock) and answer once
# `level` replicas acknowledged it; answered with QuorumWriteReply.
struct QuorumWrite {
  key @0 :Text;
  value @1 :Text;
  level @2 :Level;
}

struct QuorumWriteReply {
  coordinator @0 :Text;
  union {
    written @1 :Replica.Version;
    unmet @2 :Unmet;
  }
}
