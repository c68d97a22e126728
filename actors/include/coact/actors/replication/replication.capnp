@0xfad0e033dd0ccb89;
# The replication core's protocol: Raft between the members of a group (tells, so that a
# member never waits on a peer), and the records of a member's durable term log. Indexes
# count log entries from 1; index and term 0 mean "none". A family's client protocol is
# its own; it may carry a Command.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::replication::proto");

# What a log entry asks the replicated state to do. A client's write carries its client
# id and a sequence number (its idempotency token), so that a retried write is applied at
# most once. `writer`: the member that led when the entry was appended.
struct Command {
  client @0 :UInt64;    # 0: no token (the leader's no-op)
  sequence @1 :UInt64;
  writer @2 :UInt32;
  key @3 :Text;
  value @4 :Text;
  hasExpected @5 :Bool;  # cas: false means the key must have no value
  expected @6 :Text;
  kind @7 :Kind;

  enum Kind {
    noop @0;  # appended by each new leader, so that it commits in its own term
    put @1;
    cas @2;
  }
}

struct Entry {
  term @0 :UInt64;
  command @1 :Command;
}

# Tell, candidate to every peer. With preVote, a poll that changes no one's term or
# vote: would the peer vote for the candidate in `term` (the candidate's term + 1)?
struct RequestVote {
  term @0 :UInt64;
  candidate @1 :UInt32;
  lastLogIndex @2 :UInt64;
  lastLogTerm @3 :UInt64;
  preVote @4 :Bool;
}

# Tell, the answer to RequestVote. `term`: the term voted in, or the voter's own term
# when it refuses.
struct Vote {
  term @0 :UInt64;
  voter @1 :UInt32;
  granted @2 :Bool;
  preVote @3 :Bool;
}

# Tell, leader to follower: entries after prevLogIndex (none for a heartbeat). `round`
# numbers the leader's broadcasts; a follower echoes it, which confirms leadership for
# the reads waiting on that round (ReadIndex).
struct AppendEntries {
  term @0 :UInt64;
  leader @1 :UInt32;
  prevLogIndex @2 :UInt64;
  prevLogTerm @3 :UInt64;
  entries @4 :List(Entry);
  leaderCommit @5 :UInt64;
  round @6 :UInt64;
}

# Tell, the answer to AppendEntries. On success `index` is the last index now known to
# match the leader's log, durably; on failure, the index after which the leader should
# retry.
struct AppendResult {
  term @0 :UInt64;
  follower @1 :UInt32;
  success @2 :Bool;
  index @3 :UInt64;
  round @4 :UInt64;
}

# One record of a member's durable term log: its term and vote, or entries that replace
# the log from `first` on.
struct Record {
  union {
    hardState :group {
      term @0 :UInt64;
      hasVote @1 :Bool;
      vote @2 :UInt32;
    }
    entries :group {
      first @3 :UInt64;
      list @4 :List(Entry);
    }
  }
}
