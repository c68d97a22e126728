@0xe4b2c6a1d9f03b58;

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::bench");

struct SimPing { n @0 :UInt64; }
struct SimPong { n @0 :UInt64; }
