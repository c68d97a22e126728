@0xa6c1f0e2b3d49587;

# Named lookup on another node: ask the node's registry (coact::net::registry_of(node))
# with Lookup; it answers Found.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::net::registry");

struct Lookup {
  name @0 :Text;
}

struct Found {
  found @0 :Bool;
  node @1 :UInt32;
  shard @2 :UInt32;
  id @3 :UInt32;
  generation @4 :UInt32;
}
