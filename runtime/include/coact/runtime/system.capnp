@0x9fdf540bdeef8932;

# Messages the runtime itself delivers to actors.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::sys");

struct ActorRef {
  node @0 :UInt32;
  shard @1 :UInt32;
  id @2 :UInt32;
  generation @3 :UInt32;
}

# Why an actor stopped: an error code (0 = normal) in a named category.
struct Reason {
  code @0 :Int32;
  category @1 :Text;
  what @2 :Text;
}

# A monitored actor stopped.
struct Down {
  actor @0 :ActorRef;
  reason @1 :Reason;
}

# A linked actor stopped; delivered only to actors that trap exits.
struct Exit {
  actor @0 :ActorRef;
  reason @1 :Reason;
}

# A periodic timer fired.
struct Tick {
  timer @0 :UInt64;
}
