@0xb313a5416cc586da;
# The read-concern replica set's client protocol (MongoDB-like): clients read and write
# with a concern. Elections and oplog replication are the replication core's
# (coact/actors/replication/replication.capnp).
using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::policies::read_concern::proto");

# A position in the oplog: the term of the primary that wrote the entry, and its index
# (from 1). Positions compare by term, then index. Clients carry one as their session's
# causal token (MongoDB's operationTime / afterClusterTime).
struct OpTime {
  term @0 :UInt64;
  index @1 :UInt64;
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
  node @9 :UInt32;       # the member that answered
}
