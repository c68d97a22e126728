@0x9a54ecddb6a7b64e;
# The txn-2pc family's protocol: clients ask a coordinator, which runs two-phase commit
# over the participants that own the transaction's keys.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::policies::txn::proto");

# A transaction's identity: its client's number and that client's count of transactions.
struct TxnId {
  client @0 :UInt64;
  sequence @1 :UInt64;
}

struct Op {
  kind @0 :Kind;
  key @1 :Text;
  value @2 :Text;   # write: the value; append: the element
  delta @3 :Int64;  # add
  enum Kind {
    read @0;
    write @1;
    append @2;
    add @3;
  }
}

# What a key held before an operation.
struct Before {
  index @0 :UInt32;  # the operation's place in the transaction
  present @1 :Bool;
  value @2 :Text;
}

# Why a transaction aborted.
enum Refusal {
  conflict @0;      # another transaction holds a key (no-wait locking)
  ruleViolated @1;  # a balance would go negative
  unknownKey @2;    # an add to a key with no value
  unavailable @3;   # a participant did not vote in time
  tooFarAhead @4;   # spanner: a snapshot read at a timestamp beyond the bound ahead of now
}

# Ask, client to coordinator; answered with Outcome.
struct Transaction {
  id @0 :TxnId;
  ops @1 :List(Op);
}

struct Outcome {
  coordinator @0 :UInt32;
  union {
    committed @1 :List(Before);
    aborted :group {
      why @2 :Refusal;
      key @3 :Text;
    }
    # txn-2pc-replicated: refused before anything was done, this member does not lead
    # (`leader`: the one it knows of, if hasLeader).
    notLeader :group {
      hasLeader @4 :Bool;
      leader @5 :UInt32;
    }
    # txn-2pc-replicated: every vote was yes, then this member stopped leading before the
    # commit was decided: it may yet commit, or abort.
    unknown @6 :Void;
  }
  # spanner: the commit timestamp (ns of TrueTime), and how long the commit waited for it to
  # pass for certain before anyone was told.
  timestamp @7 :UInt64;
  commitWaitNs @8 :UInt64;
}

# Ask, coordinator to every participant the transaction touches; answered with Vote. Each
# participant takes the operations on the keys it owns.
struct Prepare {
  id @0 :TxnId;
  coordinator @1 :UInt32;
  ops @2 :List(Op);
}

struct Vote {
  # spanner: the prepare timestamp, above every timestamp this participant gave or served.
  timestamp @3 :UInt64;
  union {
    # Prepared: locks held and the prepare record durable.
    yes @0 :List(Before);
    no :group {
      why @1 :Refusal;
      key @2 :Text;
    }
  }
}

# Tell, coordinator to participants once decided; also the answer to an Inquiry.
struct Decision {
  id @0 :TxnId;
  union {
    commit @1 :Void;
    abort @2 :Void;
    pending @3 :Void;  # an Inquiry's answer: the coordinator is still collecting votes
  }
  # A pending answer from a member of a coordinator group that does not lead: the leader it
  # knows of, to ask next; -1: none known.
  leader @4 :Int64 = -1;
  # spanner: the commit timestamp, at which the participant installs the writes.
  timestamp @5 :UInt64;
}

# spanner: ask, a client to every participant owning one of `keys`, for their values as of
# `timestamp` (a snapshot read, lock-free); answered with Snapshot.
struct ReadAt {
  timestamp @0 :UInt64;
  keys @1 :List(Text);
}

struct Snapshot {
  union {
    values @0 :List(Before);  # index: the key's place in ReadAt.keys
    refused @1 :Refusal;
  }
}

# Ask, a participant that has waited for a decision to the coordinator; answered with
# Decision.
struct Inquiry {
  id @0 :TxnId;
}

struct Lock {
  key @0 :Text;
  exclusive @1 :Bool;
}

struct Write {
  key @0 :Text;
  value @1 :Text;
}

# A participant's durable log: a prepare before its yes vote, a decision once learned.
struct ParticipantRecord {
  union {
    prepared :group {
      id @0 :TxnId;
      coordinator @1 :UInt32;
      before @2 :List(Before);
      locks @3 :List(Lock);
      writes @4 :List(Write);
      at @7 :Int64;  # when it voted, on its clock (ns), to measure how long it was blocked
      timestamp @8 :UInt64;  # spanner: its prepare timestamp
    }
    decided :group {
      id @5 :TxnId;
      commit @6 :Bool;
      commitTimestamp @9 :UInt64;
    }
  }
}

# A coordinator's durable log holds its commit decisions only: a transaction it has no
# record of did not commit (presumed abort).
struct CoordinatorRecord {
  committed @0 :TxnId;
  timestamp @1 :UInt64;  # spanner: the commit timestamp
}
