@0xe2855f47e3a1765c;

# Messages of the coact side of the network benchmarks: 64 bytes of payload each.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::bench");

struct NetChunk { payload @0 :Data; }
struct NetCount {}
struct NetTotal { value @0 :Int64; }
struct NetEcho { payload @0 :Data; }
struct NetEchoed { payload @0 :Data; }
