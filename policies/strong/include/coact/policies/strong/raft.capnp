@0xa2200dcc6127c084;
# The strong policy's protocol: Raft between the replicas (tells, so that a node never
# waits on a peer), the clients' requests to the leader (asks), and the records of a
# node's durable log. Indexes count log entries from 1; index and term 0 mean "none".

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::policies::strong::proto");

struct Put {
  key @0 :Text;
  value @1 :Text;
}

struct Cas {
  key @0 :Text;
  hasExpected @1 :Bool;  # false: the key must have no value
  expected @2 :Text;
  value @3 :Text;
}

# What a log entry asks the state machine to do. A client's request carries its client
# id and a sequence number, so that a retried request is applied at most once.
struct Command {
  client @0 :UInt64;    # 0 for the leader's no-op
  sequence @1 :UInt64;
  union {
    noop @2 :Void;      # appended by each new leader, so that it commits in its own term
    put @3 :Put;
    cas @4 :Cas;
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
# match the leader's log; on failure, the index after which the leader should retry.
struct AppendResult {
  term @0 :UInt64;
  follower @1 :UInt32;
  success @2 :Bool;
  index @3 :UInt64;
  round @4 :UInt64;
}

# Ask, client to the node it believes leads; answered with ClientReply.
struct ClientRequest {
  union {
    get @0 :Text;        # the key
    write @1 :Command;   # put or cas
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

# One record of a node's durable log: its term and vote, or entries that replace the
# log from `first` on.
struct HardState {
  term @0 :UInt64;
  hasVote @1 :Bool;
  vote @2 :UInt32;
}

struct Record {
  union {
    hardState @0 :HardState;
    entries :group {
      first @1 :UInt64;
      list @2 :List(Entry);
    }
  }
}
