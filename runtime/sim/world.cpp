#include "coact/runtime/sim/world.hpp"

#include <algorithm>
#include <cassert>
#include <string>
#include <utility>

#include "detail/system_core.hpp"

namespace coact::sim {

/// Hands a node's messages for other nodes to the world's network.
class world_router final : public remote_router {
 public:
  world_router(world& w, node_id from) noexcept : world_(w), from_(from) {}
  result<void> route(envelope&& e) override { return world_.transmit(from_, std::move(e)); }

 private:
  world& world_;
  node_id from_;
};

struct world::node {
  node_options options;
  boot_function boot;
  std::shared_ptr<skewed_clock> local;
  // Every shard of the node is hosted on this one io_context, which only the world runs.
  std::unique_ptr<asio::io_context> io;
  std::unique_ptr<actor_system> system;
  node_state state = node_state::crashed;
  std::uint32_t incarnation = 0;
  sim::disk storage;
  prng disk_random{0};
};

world::world(std::uint64_t seed, std::shared_ptr<link_model> links)
    : random_(seed), truth_(std::make_shared<virtual_clock>()), links_(std::move(links)),
      faults_(random_.split("buggify")) {
  if (!links_) links_ = std::make_shared<fixed_delay_links>(std::chrono::milliseconds{1});
  links_->on_cuts_changed([this] { update_views(); });
}

world::~world() {
  links_->on_cuts_changed(nullptr);  // the link model may outlive this world
  for (node_id id = 0; id < nodes_.size(); ++id) crash(id);
  // Messages still in flight belong to no system any more.
  for (scheduled& entry : agenda_) entry.message.discard();
}

node_id world::add_node(node_options options, boot_function boot_fn) {
  const auto id = static_cast<node_id>(nodes_.size());
  auto n = std::make_unique<node>();
  n->local = std::make_shared<skewed_clock>(truth_, options.clock_offset, options.clock_drift_ppm);
  n->options = std::move(options);
  n->boot = std::move(boot_fn);
  n->disk_random = random_.split("disk" + std::to_string(id));
  nodes_.push_back(std::move(n));
  for (auto& row : views_) row.emplace_back();
  views_.emplace_back(nodes_.size());
  boot(id);
  update_views();
  return id;
}

const node_options& world::options(node_id n) const { return nodes_.at(n)->options; }
node_state world::state(node_id n) const { return nodes_.at(n)->state; }
actor_system* world::system(node_id n) const { return nodes_.at(n)->system.get(); }
const skewed_clock& world::clock_of(node_id n) const { return *nodes_.at(n)->local; }
std::uint32_t world::incarnation(node_id n) const { return nodes_.at(n)->incarnation; }
sim::disk& world::disk(node_id n) const { return nodes_.at(n)->storage; }

void world::boot(node_id id) {
  node& n = *nodes_[id];
  // Only the simulator's thread ever touches it: no locking in its scheduler.
  n.io = std::make_unique<asio::io_context>(ASIO_CONCURRENCY_HINT_UNSAFE);
  system_config config;
  config.shard_count = std::max<std::size_t>(1, n.options.shard_count);
  config.messages_per_turn = n.options.messages_per_turn;
  config.node = id;
  config.incarnation = n.incarnation;
  config.time_source = n.local;
  config.router = std::make_shared<world_router>(*this, id);
  config.simulated = true;
  const std::vector<asio::io_context*> contexts(config.shard_count, n.io.get());
  n.system = std::make_unique<actor_system>(hosted_on{contexts}, std::move(config));
  n.state = node_state::up;
  if (n.boot) n.boot(*n.system, id);
}

void world::crash(node_id id) {
  node& n = *nodes_.at(id);
  if (n.state == node_state::crashed) return;
  // First, so that what its dying actors send is lost with them.
  n.state = node_state::crashed;
  n.system.reset();
  n.io.reset();
  n.storage.crash(n.disk_random);
  update_views();
}

void world::restart(node_id id) {
  node& n = *nodes_.at(id);
  if (n.state != node_state::crashed) return;
  ++n.incarnation;
  // It starts afresh, having lost nobody, hearing whoever it can hear.
  for (view& v : views_[id]) v = {.heard = true, .lost = false, .epoch = v.epoch + 1};
  boot(id);
  update_views();
}

bool world::lost(node_id observer, node_id target) const {
  return views_.at(observer).at(target).lost;
}

bool world::hears(node_id observer, node_id target) const {
  return nodes_[target]->state != node_state::crashed && !links_->cuts(target, observer);
}

void world::update_views() {
  for (node_id observer = 0; observer < nodes_.size(); ++observer) {
    if (nodes_[observer]->state == node_state::crashed) continue;
    for (node_id target = 0; target < nodes_.size(); ++target) {
      if (target == observer) continue;
      view& v = views_[observer][target];
      const bool heard = hears(observer, target);
      if (heard == v.heard) continue;
      v.heard = heard;
      ++v.epoch;
      if (heard) {
        v.lost = false;
      } else {
        at(now() + detection_delay_,
           [this, observer, target, epoch = v.epoch] { detect(observer, target, epoch); });
      }
    }
  }
}

void world::detect(node_id observer, node_id target, std::uint64_t epoch) {
  view& v = views_[observer][target];
  if (v.epoch != epoch || v.heard || nodes_[observer]->state == node_state::crashed) return;
  v.lost = true;
  const auto silent_ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(detection_delay_).count();
  nodes_[observer]->system->node_lost(
      target, "nothing heard from it for " + std::to_string(silent_ms) + " ms");
}

void world::pause(node_id id) {
  node& n = *nodes_.at(id);
  if (n.state == node_state::up) n.state = node_state::paused;
}

void world::resume(node_id id) {
  node& n = *nodes_.at(id);
  if (n.state == node_state::paused) n.state = node_state::up;
}

void world::schedule(scheduled entry) {
  entry.seq = next_seq_++;
  agenda_.push_back(std::move(entry));
  std::push_heap(agenda_.begin(), agenda_.end());
}

void world::at(time_point t, std::function<void()> action) {
  scheduled entry;
  entry.when = std::max(t, now());
  entry.action = std::move(action);
  schedule(std::move(entry));
}

result<void> world::transmit(node_id from, envelope&& e) {
  const node_id to = e.target().node;
  if (to >= nodes_.size()) {
    e.discard();
    return errc::node_unreachable;
  }
  if (nodes_[from]->state == node_state::crashed) {
    e.discard();
    return success();
  }
  if (views_[from][to].lost) {
    e.discard();
    return errc::node_unreachable;
  }
  arrivals_.clear();
  links_->plan(from, to, e.type_id(), now(), arrivals_);
  if (arrivals_.empty()) {
    e.discard();  // lost: the asker learns of it only at its deadline
    return success();
  }
  for (std::size_t i = 0; i < arrivals_.size(); ++i) {
    scheduled entry;
    entry.when = now() + std::max(duration{0}, arrivals_[i]);
    entry.to = to;
    entry.message = i + 1 < arrivals_.size() ? e.clone() : std::move(e);
    schedule(std::move(entry));
  }
  return success();
}

void world::deliver(node_id to, envelope&& e) {
  node& n = *nodes_[to];
  if (n.state == node_state::crashed) {
    e.discard();
    return;
  }
  // A paused node's shards queue it until they run again.
  (void)n.system->receive_remote(std::move(e));
}

bool world::run_ready() {
  bool any = false;
  for (bool ran = true; ran;) {
    ran = false;
    // One handler per node in turn, so that no node runs far ahead of the others.
    for (auto& n : nodes_) {
      if (n->state != node_state::up || n->io->poll_one() == 0) continue;
      ran = any = true;
      ++events_;
    }
  }
  return any;
}

std::optional<time_point> world::next_instant() const {
  std::optional<time_point> next;
  if (!agenda_.empty()) next = agenda_.front().when;
  for (const auto& n : nodes_) {
    if (n->state != node_state::up) continue;
    if (auto due = n->system->core().next_timer_due()) {
      const time_point t = std::max(n->local->to_true(*due), now());
      if (!next || t < *next) next = t;
    }
  }
  return next;
}

void world::run_instant() {
  while (!agenda_.empty() && agenda_.front().when <= now()) {
    std::pop_heap(agenda_.begin(), agenda_.end());
    scheduled entry = std::move(agenda_.back());
    agenda_.pop_back();
    ++events_;
    if (entry.action) {
      entry.action();
    } else {
      deliver(entry.to, std::move(entry.message));
    }
  }
  for (auto& n : nodes_) {
    if (n->state != node_state::up) continue;
    const auto due = n->system->core().next_timer_due();
    if (!due || *due > n->local->now()) continue;
    ++events_;
    n->system->core().fire_due_timers();
  }
}

bool world::step(time_point limit) {
  if (run_ready()) return true;
  const auto next = next_instant();
  if (!next || *next > limit) return false;
  truth_->advance_to(*next);
  run_instant();
  return true;
}

std::uint64_t world::run_until(time_point limit) {
  const fault_scope scope{faults_on_ ? &faults_ : nullptr};
  const std::uint64_t before = events_;
  while (step(limit)) {
  }
  if (limit.since_epoch != duration::max()) truth_->advance_to(limit);
  return events_ - before;
}

}  // namespace coact::sim
