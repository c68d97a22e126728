@0xf0bbd00207d9ab1e;

# What the scripted members of leader_client_test answer.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::test::leader");

struct Attempt {}

struct Answer {
  member @0 :UInt32;
  union {
    done @1 :Void;
    # Not the leader; the leader it knows.
    notLeader @2 :UInt32;
    # Not the leader, and it knows of none.
    noLeader @3 :Void;
    # Stopped leading before the outcome was known.
    unknown @4 :Void;
  }
}
