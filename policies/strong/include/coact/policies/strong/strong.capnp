@0xa2200dcc6127c084;
# The strong policy's client protocol: clients ask the replica they believe leads. Raft
# between the replicas is the replication core's (coact/actors/replication).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::policies::strong::proto");
using Replication = import "/coact/actors/replication/replication.capnp";

# Ask, client to the node it believes leads; answered with ClientReply.
struct ClientRequest {
  union {
    get @0 :Text;                     # the key
    write @1 :Replication.Command;    # put or cas, with the client's token
  }
}

struct ClientReply {
  node @0 :UInt32;  # the replica that answered
  union {
    read :group {
      present @1 :Bool;
      value @2 :Text;
      version @3 :UInt64;  # the index of the write whose value this is
    }
    written :group {
      version @4 :UInt64;  # the write's index; an unmatched cas: the version found
      matched @5 :Bool;
    }
    # Refused before anything was appended: this node does not lead. `leader`: the
    # leader it knows of, if hasLeader.
    notLeader :group {
      hasLeader @6 :Bool;
      leader @7 :UInt32;
    }
    # The write was appended here, then this node stopped leading before it committed:
    # it may yet commit under the next leader, or never.
    unknown @8 :Void;
  }
}
