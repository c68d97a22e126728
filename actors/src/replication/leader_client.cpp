#include "coact/actors/replication/leader_client.hpp"

#include <algorithm>

#include "coact/actors/kv_errc.hpp"
#include "coact/runtime/assert.hpp"

namespace coact::replication {

leader_client::leader_client(std::vector<std::uint32_t> members, std::uint64_t id,
                             retry_options options)
    : members_(std::move(members)), id_(id), options_(options),
      leader_(id % std::max<std::size_t>(members_.size(), 1)) {
  COACT_ASSERT(!members_.empty() && id != 0);
}

task<result<envelope>> leader_client::submit(actor_context& self, const locator& where,
                                             const std::function<envelope()>& build,
                                             std::uint64_t reply_type,
                                             const std::function<verdict(const envelope&)>& judge,
                                             bool write) {
  const time_point deadline = self.now() + options_.deadline;
  // Once an attempt at a write may have been appended, a later refusal no longer proves
  // that the write had no effect.
  bool maybe_applied = false;
  for (std::uint32_t attempt = 0; attempt < options_.attempts_max; ++attempt) {
    const time_point now = self.now();
    if (now >= deadline) break;
    ++requests_sent_;
    auto answer =
        co_await self.ask_envelope(where(members_[leader_]), build(),
                                   std::min(options_.attempt_timeout, deadline - now), reply_type);
    if (!answer) {
      maybe_applied = maybe_applied || write;
      if (maybe_applied && !options_.retry_maybe_applied) break;
      next_member();
      co_await self.sleep(options_.retry_backoff);
      continue;
    }
    const verdict v = judge(answer.value());
    if (v.what == verdict::kind::done) co_return std::move(answer).value();
    // A member that stops leading answers unknown to what it was serving; for a read
    // that is a refusal, as a read changes nothing.
    if (v.what == verdict::kind::unknown && write) {
      maybe_applied = true;
      if (!options_.retry_maybe_applied) break;
    }
    const auto hinted =
        v.leader ? std::find(members_.begin(), members_.end(), *v.leader) : members_.end();
    if (hinted != members_.end() && v.what == verdict::kind::refused &&
        static_cast<std::size_t>(hinted - members_.begin()) != leader_) {
      leader_ = static_cast<std::size_t>(hinted - members_.begin());
      continue;  // a known leader: no pause
    }
    next_member();
    co_await self.sleep(options_.retry_backoff);
  }
  co_return maybe_applied ? make_error_code(errc::timeout)
                          : make_error_code(kv::kv_errc::unavailable);
}

}  // namespace coact::replication
