@0xf980de1406a89282;

# Messages of the topology sample: a key-value store behind a TTL cache.

using Cxx = import "/capnp/c++.capnp";
$Cxx.namespace("topology::msg");

struct GetRequest {
  key @0 :UInt64;
}

# found is false for a key never written; version counts the key's writes.
struct GetReply {
  found @0 :Bool;
  value @1 :Text;
  version @2 :UInt64;
}

struct PutRequest {
  key @0 :UInt64;
  value @1 :Text;
}

struct PutReply {
  version @0 :UInt64;
}

# Asks a storage node or the cache for its counters.
struct StatsRequest {}

struct Stats {
  gets @0 :UInt64;
  puts @1 :UInt64;
  hits @2 :UInt64;
  misses @3 :UInt64;
  expired @4 :UInt64;
  errors @5 :UInt64;
}
