#include "run_node.hpp"

#include <iostream>

namespace coact::tools {

int run_node(const topology_config& /*topology*/, const node_config& /*self*/) {
  std::cerr << "coact-node: the transport is not built yet\n";
  return node_exit_cannot_run;
}

}  // namespace coact::tools
