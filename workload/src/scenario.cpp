#include "coact/workload/scenario.hpp"

#include "coact/workload/simulation.hpp"

namespace coact::workload {

result<report> run(const scenario& s, std::uint64_t seed, std::string* why) {
  BOOST_OUTCOME_TRY(auto sim, simulation::make(s, seed));
  BOOST_OUTCOME_TRY(sim->start(s.work, why));
  sim->run_for(s.length);
  return sim->results();
}

}  // namespace coact::workload
