@0xacaba6023e6793db;
# The dynamo policy's client protocol: clients ask a partition's replicas (Get, Write,
# answered with Answer) and a replica's status (StatusRequest). Raft between the replicas
# of a partition is the replication core's (coact/actors/replication).
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::policies::dynamo::proto");
using Replication = import "/coact/actors/replication/replication.capnp";

struct Version {
  counter @0 :UInt64;  # the partition's write sequence: the log position of the write
  writer @1 :UInt32;   # the node that led the partition when it was written
}

# Ask: a key's value. Eventually consistent (any replica answers from what it has
# applied) or consistent (only the leader answers, once a majority confirms it leads).
struct Get {
  key @0 :Text;
  consistent @1 :Bool;
}

# Ask: a put or a cas, at the partition's leader. The command's client and sequence are
# the write's idempotency token (the client's id and its number for the write, the same in
# every attempt), so that a request delivered or sent again is applied once; client 0: no
# token. The leader sets the writer.
struct Write {
  command @0 :Replication.Command;
}

enum Outcome {
  ok @0;
  notLeader @1;       # refused, nothing done: ask leaderHint (or another replica)
  unavailable @2;     # refused, nothing done: not serving (catching up) or queue full
  outcomeUnknown @3;  # the leader lost its leadership before the write was acknowledged
}

# The answer to Get and Write.
struct Answer {
  outcome @0 :Outcome;
  leaderHint @1 :Int64;  # the node believed to lead the partition; -1 if none is known
  present @2 :Bool;      # Get: whether the key has a value
  value @3 :Text;        # Get: the value
  version @4 :Version;   # Get: the value's; Write: the one written (or found)
  matched @5 :Bool;      # Write: false for a cas whose compare failed
  node @6 :Text;         # the name of the node that answered
}

# Ask: what a replica holds and believes (for tests, tools and people); answered with
# ReplicaStatus.
struct StatusRequest {}

enum Role {
  follower @0;
  candidate @1;
  leader @2;
  precandidate @3;  # polling the others before it campaigns (pre-vote)
}

struct Item {
  key @0 :Text;
  value @1 :Text;
  version @2 :Version;
}

struct ReplicaStatus {
  partition @0 :UInt32;
  node @1 :UInt32;
  role @2 :Role;
  term @3 :UInt64;
  leader @4 :Int64;  # -1 if none is known
  lastSeq @5 :UInt64;
  commitSeq @6 :UInt64;
  appliedSeq @7 :UInt64;
  serving @8 :Bool;  # answers eventually consistent reads
  items @9 :List(Item);
}
