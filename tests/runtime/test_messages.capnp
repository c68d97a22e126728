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
