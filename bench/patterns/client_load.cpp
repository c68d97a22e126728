#include "client_load.hpp"

#include <utility>

#include "coact/actors/recording_client.hpp"

namespace coact::bench {

result<actor_ref> spawn_client(actor_system& system, const client_load& load,
                               std::unique_ptr<kv::client> client, check::recorder& log,
                               std::int64_t process, coact::prng random,
                               workload::client_group& group) {
  BOOST_OUTCOME_TRY(auto keys, workload::key_chooser::make(load.work.requests.distribution,
                                                           load.work.requests.zipfian_constant));
  auto recorded = std::make_unique<kv::recording_client>(std::move(client), log, process);
  return system.spawn(&workload::run_client, std::move(recorded), load.work, keys, process, random,
                      &group);
}

}  // namespace coact::bench
