#include "coact/runtime/supervisor.hpp"

#include <deque>

namespace coact {
namespace {

struct child_state {
  child_spec spec;
  actor_ref current;
};

result<void> start_child(actor_context& self, child_state& child) {
  auto ref = child.spec.start(self.system());
  if (!ref) return ref.error();
  child.current = ref.value();
  self.monitor(child.current);
  self.system().register_name(child.spec.name, child.current);
  return success();
}

void stop_children(actor_context& self, std::vector<child_state>& children) {
  for (auto& child : children) {
    if (child.current) {
      self.demonitor(child.current);
      self.stop(child.current, errc::killed);
      child.current = {};
    }
  }
}

}  // namespace

task<result<void>> supervise(actor_context& self, supervisor_options options,
                             std::vector<child_spec> specs) {
  std::vector<child_state> children;
  children.reserve(specs.size());
  for (auto& spec : specs) children.push_back({std::move(spec), {}});
  for (auto& child : children) {
    if (auto started = start_child(self, child); !started) {
      stop_children(self, children);
      co_return started.error();
    }
  }
  std::deque<time_point> restarts;  // within the window, oldest first
  for (;;) {
    envelope e = co_await self.receive();
    if (!e.is<sys::Down>()) continue;
    const auto down = e.get<sys::Down>();
    const actor_ref who = ref_of(down.getActor());
    const stop_reason reason = reason_of(down.getReason());
    for (auto& child : children) {
      if (child.current != who) continue;
      child.current = {};
      const bool restart = child.spec.policy == restart_policy::permanent ||
                           (child.spec.policy == restart_policy::transient && !reason.normal());
      if (!restart) {
        self.system().unregister_name(child.spec.name);
        break;
      }
      const time_point now = self.now();
      while (!restarts.empty() && now - restarts.front() > options.restart_window) {
        restarts.pop_front();
      }
      if (restarts.size() >= options.restart_count_max) {
        stop_children(self, children);
        co_return errc::restart_limit;
      }
      restarts.push_back(now);
      if (auto started = start_child(self, child); !started) {
        stop_children(self, children);
        co_return started.error();
      }
      break;
    }
  }
}

}  // namespace coact
