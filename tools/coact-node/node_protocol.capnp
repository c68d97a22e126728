@0x92cfd1774b5c22f6;

# The messages of the actors coact-node can host (its actor kinds).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::tools::protocol");

# echo
struct Ping { n @0 :UInt64; }
struct Pong { n @0 :UInt64; }

# kv_store
struct Put { key @0 :Text; value @1 :Text; }
struct PutOk { version @0 :UInt64; }
struct Get { key @0 :Text; }
struct GetOk { found @0 :Bool; value @1 :Text; version @2 :UInt64; }
