@0xd3c1a9f0b2e45a17;

# The protocol of the simulated register the checker tests try to catch.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::test::reg");

struct Read {}
struct Write { value @0 :Int64; }
struct Value { present @0 :Bool; value @1 :Int64; }
struct Ack {}
