@0xba79fc55c7a61747;

# Messages used by the runtime tests.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::test");

struct Ping { n @0 :UInt64; }
struct Pong { n @0 :UInt64; }
struct Add { value @0 :Int64; from @1 :UInt32; seq @2 :UInt64; }
struct Get {}
struct Total { value @0 :Int64; }
struct Blob { data @0 :Data; }
struct Crash { what @0 :Text; }
struct Go {}
struct Done {}
struct Quit {}
# What a test actor observed: an error code (0 = success) and a value.
struct Outcome { code @0 :Int32; value @1 :Int64; }
