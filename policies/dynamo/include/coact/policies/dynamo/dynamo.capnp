@0xacaba6023e6793db;
# The dynamo policy's protocol: clients ask a partition's replicas (Get, Put, Cas,
# answered with Answer); the replicas of one partition elect a leader and replicate its
# log (Vote, Append, as tells); the log's records on disk (LogRecord).
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::policies::dynamo::proto");

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

# Ask: write a key, at the partition's leader. client and sequence are the write's
# idempotency token: the client's id and the number it gave this write (a retry keeps
# it), so that a request delivered or sent again is applied once. Client 0: no token.
struct Put {
  key @0 :Text;
  value @1 :Text;
  client @2 :UInt64;
  sequence @3 :UInt64;
}

# Ask: write a key if it holds `expected` (no value when hasExpected is false), at the
# partition's leader. client and sequence: as in Put.
struct Cas {
  key @0 :Text;
  hasExpected @1 :Bool;
  expected @2 :Text;
  value @3 :Text;
  client @4 :UInt64;
  sequence @5 :UInt64;
}

enum Outcome {
  ok @0;
  notLeader @1;       # refused, nothing done: ask leaderHint (or another replica)
  unavailable @2;     # refused, nothing done: not serving (catching up) or queue full
  outcomeUnknown @3;  # the leader lost its leadership before the write was acknowledged
}

# The answer to Get, Put and Cas.
struct Answer {
  outcome @0 :Outcome;
  leaderHint @1 :Int64;  # the node believed to lead the partition; -1 if none is known
  present @2 :Bool;      # Get: whether the key has a value
  value @3 :Text;        # Get: the value
  version @4 :Version;   # Get: the value's; Put and Cas: the one written (or found)
  matched @5 :Bool;      # Cas: whether the compare matched
  node @6 :Text;         # the name of the node that answered
}

enum EntryKind {
  noop @0;  # appended by a new leader, so that it commits an entry of its own term
  put @1;
  cas @2;
}

# One entry of a partition's log; its position is its sequence number.
struct Entry {
  term @0 :UInt64;
  kind @1 :EntryKind;
  key @2 :Text;
  value @3 :Text;
  hasExpected @4 :Bool;
  expected @5 :Text;
  writer @6 :UInt32;
  client @7 :UInt64;    # the write's token (Put, Cas); 0: a no-op, or a write without one
  sequence @8 :UInt64;
}

# Tell, leader to replica: the entries after prevSeq (none: a heartbeat), the leader's
# commit sequence, and the leader's latest read round (echoed, it confirms leadership for
# the consistent reads of that round).
struct Append {
  term @0 :UInt64;
  leader @1 :UInt32;
  prevSeq @2 :UInt64;
  prevTerm @3 :UInt64;
  entries @4 :List(Entry);
  commitSeq @5 :UInt64;
  round @6 :UInt64;
}

# Tell, replica to leader. success: the replica's log matches the leader's up to
# matchSeq, durably; otherwise matchSeq is the replica's last sequence (a hint).
struct AppendAck {
  term @0 :UInt64;
  from @1 :UInt32;
  success @2 :Bool;
  matchSeq @3 :UInt64;
  round @4 :UInt64;
}

# Tell, candidate to replica: a vote for `candidate` in `term`.
struct Vote {
  term @0 :UInt64;
  candidate @1 :UInt32;
  lastSeq @2 :UInt64;
  lastTerm @3 :UInt64;
}

struct VoteAck {
  term @0 :UInt64;
  from @1 :UInt32;
  granted @2 :Bool;
}

# Ask: what a replica holds and believes (for tests, tools and people); answered with
# ReplicaStatus.
struct StatusRequest {}

enum Role {
  follower @0;
  candidate @1;
  leader @2;
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

# One record of a replica's durable log.
struct LogRecord {
  union {
    vote @0 :TermRecord;
    entry @1 :Entry;       # appended at the end of the log
    truncate @2 :UInt64;   # every entry from this sequence on was removed
  }
}

struct TermRecord {
  term @0 :UInt64;
  votedFor @1 :Int64;  # -1: no vote in this term
}
