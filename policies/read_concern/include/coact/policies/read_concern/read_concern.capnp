@0xb313a5416cc586da;
# The read-concern replica set's protocol (MongoDB-like, with Raft-like elections): the
# primary replicates its oplog to the secondaries, secondaries report how far they have
# applied it, candidates ask for votes, and clients read and write with a concern.
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::policies::read_concern::proto");

# A position in the oplog: the term of the primary that wrote the entry, and its index
# (from 1). Positions compare by term, then index. Clients carry one as their session's
# causal token (MongoDB's operationTime / afterClusterTime).
struct OpTime {
  term @0 :UInt64;
  index @1 :UInt64;
}

enum EntryKind {
  noop @0;  # written by a new primary in its term, so that it can commit earlier terms
  put @1;
  cas @2;   # writes `value` only if the key then holds `expected` (absent: no value)
}

# One oplog entry. Every member applies the same entries in the same order, so a cas
# decides the same way everywhere.
struct Entry {
  term @0 :UInt64;
  kind @1 :EntryKind;
  key @2 :Text;
  value @3 :Text;
  expectedPresent @4 :Bool;
  expected @5 :Text;
  primary @6 :UInt32;   # the node of the primary that wrote it
  client @7 :UInt64;    # the request's client and its number (ClientWrite); 0 for a noop
  sequence @8 :UInt64;
}

# Tell, primary to secondary: entries after `prevIndex` (empty: a heartbeat), the
# primary's commit point and its last index, and the number of this round, echoed back
# so that the primary can count who still follows it.
struct AppendEntries {
  term @0 :UInt64;
  leader @1 :UInt32;
  prevIndex @2 :UInt64;
  prevTerm @3 :UInt64;
  entries @4 :List(Entry);
  commitIndex @5 :UInt64;
  leaderLastIndex @6 :UInt64;
  round @7 :UInt64;
}

# Tell, secondary to primary: how far the secondary's oplog matches the primary's
# (success), or where the primary should resume sending (not success).
struct AppendReply {
  term @0 :UInt64;
  from @1 :UInt32;
  success @2 :Bool;
  matchIndex @3 :UInt64;
  resumeIndex @4 :UInt64;
  round @5 :UInt64;
}

# Tell, candidate to every member.
struct RequestVote {
  term @0 :UInt64;
  candidate @1 :UInt32;
  lastIndex @2 :UInt64;
  lastTerm @3 :UInt64;
}

struct VoteReply {
  term @0 :UInt64;
  from @1 :UInt32;
  granted @2 :Bool;
}

enum ReadConcern {
  local @0;
  available @1;
  majority @2;
  linearizable @3;
}

enum WriteConcern {
  one @0;
  majority @1;
}

# Ask, client to member: answered with ClientReply.
struct ClientRead {
  key @0 :Text;
  concern @1 :ReadConcern;
  after @2 :OpTime;  # the session's token: wait until the member has reached it
  waitMs @3 :UInt32;
}

# Ask, client to the primary: answered with ClientReply.
struct ClientWrite {
  key @0 :Text;
  value @1 :Text;
  concern @2 :WriteConcern;
  after @3 :OpTime;
  isCas @4 :Bool;
  expectedPresent @5 :Bool;
  expected @6 :Text;
  waitMs @7 :UInt32;
  # The client's id (0: none, the write is not deduplicated) and the write's number among
  # its writes (from 1, the same on every retry), so that the primary applies a request
  # delivered or retried twice once, and answers the copy as it answered the first.
  client @8 :UInt64;
  sequence @9 :UInt64;
}

enum Status {
  ok @0;
  notPrimary @1;    # refused, nothing done (a write or linearizable read at a secondary)
  waitTimeout @2;   # a read that waited past waitMs for the token or the concern
  unconfirmed @3;   # a write in the oplog whose concern was not met: it may still apply;
                    # or a copy of a write older than its client's latest (not applied now)
}

struct ClientReply {
  status @0 :Status;
  present @1 :Bool;
  value @2 :Text;
  version @3 :OpTime;    # the entry that wrote the value read, or the write's own
  writer @4 :UInt32;     # the primary that wrote that entry
  operationTime @5 :OpTime;
  matched @6 :Bool;
  hasPrimary @7 :Bool;   # what the member believes: the primary's node
  primary @8 :UInt32;
}

# What a member keeps on its disk (with durability on), one record per change, replayed
# in order when it restarts: its term and vote, and its oplog.
struct Vote {
  term @0 :UInt64;
  hasVote @1 :Bool;
  votedFor @2 :UInt32;
}

struct Record {
  union {
    vote @0 :Vote;
    append :group {
      index @1 :UInt64;
      entry @2 :Entry;
    }
    truncateAfter @3 :UInt64;  # the entries after this index were removed (a rollback)
  }
}
