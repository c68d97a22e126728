#include "coact/actors/kv_client.hpp"

#include "coact/actors/kv_errc.hpp"

namespace coact::kv {

task<result<write_result>> client::cas(actor_context&, std::string, std::optional<std::string>,
                                       std::string) {
  co_return result<write_result>{make_error_code(kv_errc::unsupported)};
}

}  // namespace coact::kv
