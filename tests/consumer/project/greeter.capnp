@0xa2c50eaf12d885ed;

# The consumer's own protocol: proves capnp_generate_cpp works through find_package(coact).

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("consumer");

struct Greet {
  name @0 :Text;
}

struct Greeting {
  text @0 :Text;
}
