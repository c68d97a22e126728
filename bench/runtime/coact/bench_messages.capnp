@0x9164171ee9470620;

# Messages of the coact side of the runtime benchmarks.

using Cxx = import "/capnp/c++.capnp";
using Sys = import "/coact/runtime/system.capnp";
$Cxx.namespace("coact::bench");

struct Ping { n @0 :UInt64; }
struct Pong { n @0 :UInt64; }
struct Token { hops @0 :UInt64; }
struct Next { peer @0 :Sys.ActorRef; }
struct Add { value @0 :Int64; }
struct Get {}
struct Total { value @0 :Int64; }
struct Job { round @0 :UInt64; }
struct Done {}
