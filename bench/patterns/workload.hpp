#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>

#include "coact/actors/kv_client.hpp"
#include "coact/check/recorder.hpp"
#include "coact/runtime/actor_system.hpp"
#include "coact/runtime/clock.hpp"
#include "coact/runtime/prng.hpp"
#include "coact/runtime/result.hpp"
#include "key_chooser.hpp"

namespace coact::bench {

/// What the clients do: closed loops of gets and puts over a key space.
struct workload_options {
  /// The probability that an operation is a get; the rest are puts.
  double read_fraction = 0.9;
  std::uint64_t key_count = 100;
  key_skew skew = key_skew::zipfian;
  /// The Zipfian exponent (only with key_skew::zipfian).
  double zipf_s = 0.99;
  std::uint32_t client_count = 8;
  std::uint32_t ops_per_client = 500;
  /// The mean pause after each operation (and before the first), drawn from an
  /// exponential distribution so that clients do not move in lockstep; 0: none.
  duration think_time{0};
};

/// The name of key number `k`.
[[nodiscard]] std::string key_name(std::uint64_t k);

/// A workload ready to run: its options and its key chooser. Clients refer to it while
/// they run: it must outlive them. Immutable, so clients on any shard or node share it.
class workload {
 public:
  /// invalid_argument unless read_fraction is in [0, 1], think_time >= 0 and the key
  /// options are valid (see key_chooser::make).
  [[nodiscard]] static result<workload> make(const workload_options& options);

  [[nodiscard]] const workload_options& options() const noexcept { return options_; }
  [[nodiscard]] const key_chooser& keys() const noexcept { return keys_; }

  /// Spawns the client actor of history process `process` on `system`: it wraps `client`
  /// in a kv::recording_client over `log`, runs options().ops_per_client operations one
  /// at a time (drawing ops, keys and pauses from `random`; each put writes a value no
  /// other put writes, so the checkers can tell which write a read saw), then adds one to
  /// `finished`. `log` and `finished` must outlive the actor. Errors: those of spawn.
  [[nodiscard]] result<actor_ref> spawn_client(actor_system& system,
                                               std::unique_ptr<kv::client> client,
                                               check::recorder& log, std::int64_t process,
                                               coact::prng random,
                                               std::atomic<std::uint32_t>& finished) const;

 private:
  workload(const workload_options& options, key_chooser keys)
      : options_(options), keys_(std::move(keys)) {}

  workload_options options_;
  key_chooser keys_;
};

}  // namespace coact::bench
