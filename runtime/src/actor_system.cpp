#include "coact/runtime/actor_system.hpp"

#include <future>

#include "coact/runtime/assert.hpp"
#include "coact/runtime/registry.hpp"
#include "detail/cell.hpp"
#include "detail/system_core.hpp"

namespace coact {
namespace {

/// The one-shot answer slot of ask_blocking, owned by the asker actor's frame alone. The
/// ask fills it; if the frame is destroyed first (shutdown stopped the asker, possibly
/// before it ever ran) its destructor fills it with actor_gone, so the blocked caller
/// always wakes up.
struct blocking_answer {
  std::promise<result<envelope>> promise;
  bool set = false;

  blocking_answer() = default;
  blocking_answer(const blocking_answer&) = delete;
  blocking_answer& operator=(const blocking_answer&) = delete;
  ~blocking_answer() { give(make_error_code(errc::actor_gone)); }

  void give(result<envelope> r) {
    if (set) return;
    set = true;
    promise.set_value(std::move(r));
  }
};

task<void> blocking_asker(actor_context& self, actor_ref target, envelope request, duration timeout,
                          std::uint64_t reply_type, std::shared_ptr<blocking_answer> answer) {
  auto r = co_await self.ask_envelope(target, std::move(request), timeout, reply_type);
  answer->give(std::move(r));
}

}  // namespace

actor_system::actor_system(system_config config)
    : core_(std::make_unique<detail::system_core>(*this, std::move(config),
                                                  std::vector<asio::io_context*>{})) {
  spawn_registry();
}

actor_system::actor_system(const hosted_on& host, system_config config)
    : core_(std::make_unique<detail::system_core>(*this, std::move(config), host.contexts)) {
  spawn_registry();
}

void actor_system::spawn_registry() {
  auto c = create_cell(spawn_options{.shard = 0}, true);
  COACT_ASSERT(c);
  (void)start_cell(c.value(), detail::adopt_body(registry_actor(context_of(c.value()))));
}

actor_system::~actor_system() { shutdown(); }

void actor_system::shutdown() { core_->shutdown(); }

namespace {
/// Ends an admitted spawn (system_core::begin_spawn) when it goes out of scope, unless
/// kept for a later step.
struct spawn_admission {
  detail::system_core& core;
  bool keep = false;
  explicit spawn_admission(detail::system_core& c) noexcept : core(c) {}
  spawn_admission(const spawn_admission&) = delete;
  spawn_admission& operator=(const spawn_admission&) = delete;
  ~spawn_admission() {
    if (!keep) core.end_spawn();
  }
};
}  // namespace

result<detail::cell*> actor_system::create_cell(const spawn_options& options, bool registry) {
  // Admitted until start_cell or abandon_cell.
  if (!core_->begin_spawn()) return errc::shutting_down;
  spawn_admission admission{*core_};
  std::uint32_t index;
  if (options.shard) {
    index = *options.shard;
  } else if (detail::shard* local = core_->local_shard()) {
    index = local->index_;
  } else {
    index = core_->next_shard_.fetch_add(1, std::memory_order_relaxed) %
            static_cast<std::uint32_t>(core_->shards_.size());
  }
  if (index >= core_->shards_.size()) return errc::invalid_argument;
  detail::shard& s = *core_->shards_[index];
  auto* c = new detail::cell(s, {}, options.mailbox_capacity,
                             options.messages_per_turn != 0 ? options.messages_per_turn
                                                            : core_->config_.messages_per_turn);
  if (registry) {
    s.table_.reserve_first(c, registry_generation);
    c->ref_ = registry_of(core_->config_.node);
  } else {
    auto slot = s.table_.reserve(c);
    if (!slot) {
      delete c;
      return errc::overloaded;
    }
    c->ref_ = {core_->config_.node, index, slot->first, slot->second};
  }
  s.counters_.actors_spawned.fetch_add(1, std::memory_order_relaxed);
  admission.keep = true;
  return c;
}

void actor_system::abandon_cell(detail::cell* c) noexcept {
  spawn_admission admission{*core_};
  // Never started and its ref never given out: no other thread has seen it.
  c->shard_->table_.release(c->ref_.id);
  c->shard_->counters_.actors_spawned.fetch_sub(1, std::memory_order_relaxed);
  delete c;
}

result<actor_ref> actor_system::start_cell(detail::cell* c, detail::body_handle body) {
  spawn_admission admission{*core_};
  c->body_ = body;
  c->resume_ = body.frame;
  const actor_ref ref = c->ref_;
  if (core_->local_shard() == c->shard_) {
    c->shard_->start(c);
  } else {
    core_->send_control({}, ref, detail::control::start);
  }
  return ref;
}

actor_context& actor_system::context_of(detail::cell* c) noexcept { return c->context_; }

result<void> actor_system::tell(actor_ref target, envelope&& e) {
  if (!core_->accepting()) return errc::shutting_down;
  detail::envelope_node* node = e.release();
  if (node->payload_bytes() > core_->config_.message_bytes_max) {
    detail::release_node(node);
    return errc::message_too_large;
  }
  node->kind = message_kind::tell;
  node->target = target;
  return core_->send(node);
}

result<void> actor_system::receive_remote(envelope&& e) {
  detail::envelope_node* node = e.release();
  if (node->target.node != core_->config_.node) {
    node->replied = true;  // not ours to answer
    detail::release_node(node);
    return errc::invalid_argument;
  }
  core_->note_arrival(*node);
  return core_->send(node);
}

result<envelope> actor_system::ask_blocking(actor_ref target, envelope&& request, duration timeout,
                                            std::uint64_t reply_type) {
  if (core_->local_shard() != nullptr) return errc::invalid_argument;
  auto answer = std::make_shared<blocking_answer>();
  auto future = answer->promise.get_future();
  spawn_options options;
  if (target.node == core_->config_.node && target.shard < core_->shards_.size()) {
    options.shard = target.shard;
  }
  // The frame must hold the only reference: see blocking_answer.
  auto asker = spawn(options, &blocking_asker, target, std::move(request), timeout, reply_type,
                     std::move(answer));
  if (!asker) return asker.error();
  return future.get();
}

void actor_system::node_lost(std::uint32_t node, const std::string& reason) {
  core_->node_lost(node, reason);
}

void actor_system::stop(actor_ref target, std::error_code reason) {
  core_->send_control({}, target, detail::control::kill, reason);
}

void actor_system::register_name(const std::string& name, actor_ref ref) {
  std::lock_guard lock{core_->names_mutex_};
  core_->names_[name] = ref;
  core_->name_count_.store(core_->names_.size(), std::memory_order_relaxed);
}

void actor_system::unregister_name(const std::string& name) {
  std::lock_guard lock{core_->names_mutex_};
  core_->names_.erase(name);
  core_->name_count_.store(core_->names_.size(), std::memory_order_relaxed);
}

actor_ref actor_system::whereis(const std::string& name) const {
  std::lock_guard lock{core_->names_mutex_};
  auto it = core_->names_.find(name);
  return it == core_->names_.end() ? actor_ref{} : it->second;
}

std::size_t actor_system::shard_count() const noexcept { return core_->shards_.size(); }
std::shared_ptr<const coact::clock> actor_system::clock() const noexcept { return core_->clock_; }
std::uint32_t actor_system::node() const noexcept { return core_->config_.node; }

shard_counters actor_system::counters(std::size_t shard) const {
  return core_->shards_.at(shard)->counters_.snapshot();
}

shard_counters actor_system::counters() const {
  shard_counters total;
  for (const auto& s : core_->shards_) {
    const shard_counters c = s->counters_.snapshot();
    total.messages_delivered += c.messages_delivered;
    total.mailbox_high_water = std::max(total.mailbox_high_water, c.mailbox_high_water);
    total.asks_timed_out += c.asks_timed_out;
    total.dead_letters += c.dead_letters;
    total.mailbox_rejected += c.mailbox_rejected;
    total.actors_spawned += c.actors_spawned;
    total.actors_stopped += c.actors_stopped;
  }
  return total;
}

std::vector<dead_letter> actor_system::dead_letters() const {
  std::vector<dead_letter> all;
  for (const auto& s : core_->shards_) {
    std::lock_guard lock{s->dead_log_mutex_};
    all.insert(all.end(), s->dead_log_.begin(), s->dead_log_.end());
  }
  return all;
}

asio::io_context& actor_system::io_context(std::size_t shard) noexcept {
  return *core_->shards_[shard]->io_;
}

}  // namespace coact
