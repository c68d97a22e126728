@0xa2c50eaf12d885ed;

# The consumer's own protocol: proves capnp_generate_cpp works after find_package(coact),
# and that a consumer's schema can import the runtime's schemas (installed with coact).

using Cxx = import "/capnp/c++.capnp";
using Sys = import "/coact/runtime/system.capnp";
$Cxx.namespace("consumer");

struct Greet {
  name @0 :Text;
  # The runtime's own type, in a consumer's message.
  from @1 :Sys.ActorRef;
}

struct Greeting {
  text @0 :Text;
}
