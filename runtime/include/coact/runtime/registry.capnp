@0xbb06b8a20fba137c;

# The protocol of the registry every actor system runs at a well-known address
# (coact::registry_of(node)): ask it Lookup, it answers Found.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("coact::registry");

using Sys = import "system.capnp";

# Which actor is registered under `name` on the registry's node?
struct Lookup {
  name @0 :Text;
}

# The actor registered under the name looked up; an invalid ref (generation 0) when the
# name is unbound.
struct Found {
  actor @0 :Sys.ActorRef;
}
