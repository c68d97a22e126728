#include "detail/system_core.hpp"

#include <algorithm>
#include <future>
#include <thread>

#include "detail/cell.hpp"

namespace coact::detail {

system_core::system_core(actor_system& facade, system_config config,
                         const std::vector<asio::io_context*>& contexts)
    : facade_(facade), config_(std::move(config)), clock_(config_.time_source) {
  if (!clock_) clock_ = std::make_shared<real_clock>();
  std::size_t count = contexts.empty() ? config_.shard_count : contexts.size();
  if (count == 0) count = std::max(1u, std::thread::hardware_concurrency());
  if (config_.messages_per_turn == 0) config_.messages_per_turn = 1;
  shards_.reserve(count);
  for (std::size_t i = 0; i < count; ++i) {
    shards_.push_back(std::make_shared<shard>(*this, static_cast<std::uint32_t>(i),
                                              contexts.empty() ? nullptr : contexts[i]));
  }
  if (contexts.empty()) {
    for (auto& s : shards_) s->start_thread();
  }
}

system_core::~system_core() { shutdown(); }

shard* system_core::local_shard() const noexcept {
  shard* s = shard::current();
  return s != nullptr && &s->system_ == this ? s : nullptr;
}

result<void> system_core::send(envelope_node* node) {
  node->system = this;
  if (node->target.node != config_.node && config_.router && node->target.valid()) {
    if (node->kind == message_kind::system) return route_control(node);
    return config_.router->route(envelope{node});
  }
  if (node->target.node != config_.node || node->target.shard >= shards_.size() ||
      !node->target.valid()) {
    // Decide before releasing: release_node may free the node.
    const errc error =
        node->target.node != config_.node ? errc::node_unreachable : errc::actor_gone;
    node->replied = true;
    release_node(node);
    return error;
  }
  return shards_[node->target.shard]->accept(node);
}

void system_core::reply_error(envelope_node* request, std::error_code error) {
  reply_error(request->sender, request->target, request->correlation, error);
}

void system_core::reply_error(actor_ref asker, actor_ref responder, std::uint64_t correlation,
                              std::error_code error) {
  envelope_node* reply = acquire_node();
  reply->kind = message_kind::reply;
  reply->correlation = correlation;
  reply->target = asker;
  reply->sender = responder;
  reply->error = error;
  (void)send(reply);
}

void system_core::notify_stop(actor_ref to, actor_ref about, control kind,
                              const stop_reason& reason) {
  envelope_node* node;
  auto fill = [&](auto b) {
    set_ref(b.initActor(), about);
    auto r = b.initReason();
    r.setCode(reason.code.value());
    r.setCategory(reason.code.category().name());
    r.setWhat(reason.what);
  };
  if (kind == control::down) {
    message<sys::Down> m;
    fill(m.builder());
    node = std::move(m).take().release();
  } else {
    message<sys::Exit> m;
    fill(m.builder());
    node = std::move(m).take().release();
  }
  node->kind = message_kind::system;
  node->ctl = kind;
  node->target = to;
  node->sender = about;
  node->error = reason.code;
  (void)send(node);
}

void system_core::send_control(actor_ref from, actor_ref to, control kind, std::error_code error) {
  envelope_node* node = acquire_node();
  node->kind = message_kind::system;
  node->ctl = kind;
  node->sender = from;
  node->target = to;
  node->error = error;
  (void)send(node);
}

void system_core::forget_names(actor_ref ref) {
  if (name_count_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock{names_mutex_};
  std::erase_if(names_, [&](const auto& entry) { return entry.second == ref; });
  name_count_.store(names_.size(), std::memory_order_relaxed);
}

result<void> system_core::route_control(envelope_node* node) {
  const control kind = node->ctl;
  const remote_watch w{node->sender, node->target,
                       kind == control::link || kind == control::unlink};
  const bool starts = kind == control::monitor || kind == control::link;
  // Noted before it leaves: the answer (a Down) may come back on another thread at once.
  if (starts) watch(w);
  if (kind == control::demonitor || kind == control::unlink) unwatch(w);
  auto routed = config_.router->route(envelope{node});
  if (!routed && starts) {
    unwatch(w);
    notify_stop(w.local, w.remote, w.link ? control::exit : control::down,
                {routed.error(), routed.error().message()});
  }
  return routed;
}

void system_core::note_arrival(const envelope_node& node) {
  if (node.kind != message_kind::system) return;
  const actor_ref local = node.target;
  const actor_ref remote = node.sender;
  switch (node.ctl) {
    case control::down:
      unwatch({local, remote, false});
      break;
    case control::exit:
    case control::unlink:
      unwatch({local, remote, true});
      break;
    case control::link:  // links go both ways: the local actor now watches the remote one
      watch({local, remote, true});
      break;
    default:
      break;
  }
}

void system_core::watch(const remote_watch& w) {
  std::lock_guard lock{watches_mutex_};
  auto& of_node = watches_[w.remote.node];
  if (std::find(of_node.begin(), of_node.end(), w) != of_node.end()) return;
  of_node.push_back(w);
  watch_count_.fetch_add(1, std::memory_order_relaxed);
}

void system_core::unwatch(const remote_watch& w) {
  if (watch_count_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock{watches_mutex_};
  auto it = watches_.find(w.remote.node);
  if (it == watches_.end()) return;
  watch_count_.fetch_sub(std::erase(it->second, w), std::memory_order_relaxed);
}

void system_core::forget_watches(actor_ref local) {
  if (watch_count_.load(std::memory_order_relaxed) == 0) return;
  std::lock_guard lock{watches_mutex_};
  for (auto& [node, of_node] : watches_) {
    watch_count_.fetch_sub(
        std::erase_if(of_node, [&](const remote_watch& w) { return w.local == local; }),
        std::memory_order_relaxed);
  }
}

void system_core::node_lost(std::uint32_t node, const std::string& reason) {
  std::vector<remote_watch> lost;
  {
    std::lock_guard lock{watches_mutex_};
    if (auto it = watches_.find(node); it != watches_.end()) {
      lost.swap(it->second);
      watches_.erase(it);
      watch_count_.fetch_sub(lost.size(), std::memory_order_relaxed);
    }
  }
  const auto unreachable = make_error_code(errc::node_unreachable);
  for (const auto& s : shards_) {
    s->post([weak = std::weak_ptr<shard>{s}, node, unreachable] {
      if (auto held = weak.lock()) held->fail_asks_to(node, unreachable);
    });
  }
  const stop_reason why{unreachable, "node " + std::to_string(node) + " lost: " + reason};
  for (const remote_watch& w : lost) {
    notify_stop(w.local, w.remote, w.link ? control::exit : control::down, why);
  }
}

std::optional<time_point> system_core::next_timer_due() const {
  std::optional<time_point> earliest;
  for (const auto& s : shards_) {
    if (s->timers_.empty()) continue;
    const time_point t = s->timers_.earliest();
    if (!earliest || t < *earliest) earliest = t;
  }
  return earliest;
}

void system_core::fire_due_timers() {
  for (auto& s : shards_) s->fire_due_timers();
}

bool system_core::begin_spawn() noexcept {
  // seq_cst on both sides (here and in shutdown): either this spawn sees accepting_
  // false, or shutdown sees it in flight and waits for it.
  spawns_in_flight_.fetch_add(1, std::memory_order_seq_cst);
  if (accepting_.load(std::memory_order_seq_cst)) return true;
  end_spawn();
  return false;
}

void system_core::end_spawn() noexcept {
  spawns_in_flight_.fetch_sub(1, std::memory_order_release);
}

void system_core::shutdown() {
  // A second caller waits for the first to finish: "returned" means "shut down".
  std::lock_guard lock{shutdown_mutex_};
  if (shut_down_) return;
  shut_down_ = true;
  accepting_.store(false, std::memory_order_seq_cst);
  if (config_.simulated) {
    // The caller is the only thread that runs these shards: nothing runs concurrently,
    // and posting to the shards would wait on the caller itself.
    for (auto& s : shards_) s->stop_all_actors();
    for (auto& s : shards_) s->stop_thread();
    closed_.store(true, std::memory_order_release);
    for (auto& s : shards_) s->discard_queued();
    return;
  }
  // A spawn admitted before that reserves its slot and sends its start in a few steps,
  // none of which block: wait for them, or a shard could stop its actors while one is
  // half set up (or reserved after), and leave it unstopped or finalize it half-built.
  while (spawns_in_flight_.load(std::memory_order_seq_cst) != 0) std::this_thread::yield();
  // Phase one on every shard's own thread: stop every actor. Messages they send each
  // other meanwhile become dead letters or error replies.
  std::vector<std::future<void>> stopped;
  for (auto& s : shards_) {
    auto done = std::make_shared<std::promise<void>>();
    stopped.push_back(done->get_future());
    s->post([s, done] {
      s->stop_all_actors();
      done->set_value();
    });
  }
  for (auto& f : stopped) f.wait();
  for (auto& s : shards_) s->stop_thread();
  closed_.store(true, std::memory_order_release);
  for (auto& s : shards_) s->discard_queued();
}

}  // namespace coact::detail
