#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "coact/check/recorder.hpp"
#include "coact/workload/client_loop.hpp"
#include "coact/workload/scenario.hpp"
#include "coact/workload/transactions.hpp"

namespace coact::workload {

/// A scenario being run, for tests that steer it: its world, network and deployment are
/// theirs to use between runs of virtual time. Owns the world and everything its actors
/// refer to; single-threaded like the world.
class simulation {
 public:
  /// Builds the world of `s` with `seed`: the network, the deployment, every node, the
  /// faults scheduled; no client runs yet (see start). Errors: the deployment's, and
  /// invalid_argument for link settings or faults nemesis::apply refuses.
  [[nodiscard]] static result<std::unique_ptr<simulation>> make(const scenario& s,
                                                                std::uint64_t seed);

  [[nodiscard]] sim::world& world() noexcept { return world_; }
  [[nodiscard]] net::sim::network& network() noexcept { return *network_; }
  [[nodiscard]] kv::deployment& deployment() noexcept { return *deployment_; }
  [[nodiscard]] sim::node_id replica(std::size_t i) const noexcept {
    return static_cast<sim::node_id>(i);
  }
  [[nodiscard]] sim::node_id client(std::size_t i) const noexcept {
    return static_cast<sim::node_id>(replica_count_ + i);
  }
  [[nodiscard]] std::size_t client_count() const noexcept { return client_count_; }

  /// Starts one recorded client per client node (each must be up), each its own history
  /// process, doing `w`. kv_errc::unsupported when `w` asks for what no client of the
  /// policy offers (scans), with `*why` naming the family; the errors of validate(w, why).
  [[nodiscard]] result<void> start(const work& w, std::string* why = nullptr);
  /// As start(w, why), on the client nodes `clients` (indices) only, so that clients can do
  /// different work: start each at most once. (Not an overload of start: `start(w, {0})`
  /// would pass 0 as `why`.)
  [[nodiscard]] result<void> start_clients(const work& w, const std::vector<std::size_t>& clients,
                                           std::string* why = nullptr);
  /// Starts one recorded transactional client per client node (each must be up), each its
  /// own history process, doing `w`; the first opens the bank's accounts. The errors of
  /// validate(w, why), and kv_errc::unsupported, with `*why` naming the family, when its
  /// descriptor does not name the "transactions" capability.
  [[nodiscard]] result<void> start_transactions(const txn_work& w, std::string* why = nullptr);
  /// What the transactional clients have done so far.
  [[nodiscard]] const txn_group& transactions() const noexcept { return txns_; }
  void run_for(duration d) { world_.run_for(d); }

  /// The settings of every link without its own; changing them keeps the nemesis's faults.
  [[nodiscard]] const net::sim::link_settings& links() const noexcept { return links_; }
  [[nodiscard]] result<void> set_links(net::sim::link_settings settings);

  /// The started clients that have sent and seen answered all their requests.
  [[nodiscard]] std::size_t clients_done() const noexcept { return clients_.done.load(); }

  [[nodiscard]] check::history history() const { return log_->snapshot(); }
  /// What has been recorded so far.
  [[nodiscard]] report results() const;

 private:
  simulation(const scenario& s, std::uint64_t seed);

  std::size_t replica_count_;
  std::size_t client_count_;
  net::sim::link_settings links_;
  std::shared_ptr<net::sim::network> network_;
  std::unique_ptr<kv::deployment> deployment_;
  std::unique_ptr<check::recorder> log_;
  std::vector<duration> latencies_;
  std::int64_t next_process_ = 1;
  client_group clients_;
  txn_group txns_;
  // Last, so that it goes first: no actor outlives what it refers to.
  sim::world world_;
};

}  // namespace coact::workload
