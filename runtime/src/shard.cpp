#include "detail/shard.hpp"

#include <asio/post.hpp>

#include <algorithm>
#include <exception>

#include "coact/runtime/assert.hpp"
#include "coact/runtime/sim/buggify.hpp"
#include "detail/cell.hpp"
#include "detail/suspension.hpp"
#include "detail/system_core.hpp"

namespace coact::detail {
namespace {

thread_local shard* this_shard = nullptr;

/// Turns between two looks at the inbox and the io_context, so that neither
/// cross-shard messages nor timers starve behind a busy run queue.
constexpr std::size_t turns_per_round = 256;
constexpr std::chrono::microseconds spin_yield_after{50};
constexpr std::uint64_t io_poll_rounds = 64;
constexpr std::uint32_t outbox_batch_max = 64;

void cpu_relax() noexcept {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}

stop_reason reason_of_body(const cell& c) {
  if (c.body_.promise->exception_) {
    try {
      std::rethrow_exception(c.body_.promise->exception_);
    } catch (const std::exception& e) {
      return {make_error_code(errc::actor_failed), e.what()};
    } catch (...) {
      return {make_error_code(errc::actor_failed), "unknown exception"};
    }
  }
  if (c.body_.outcome != nullptr && c.body_.outcome->has_value() &&
      (*c.body_.outcome)->has_error()) {
    const std::error_code code = (*c.body_.outcome)->error();
    return {code, code.message()};
  }
  return {};
}

}  // namespace

shard_counters atomic_counters::snapshot() const noexcept {
  constexpr auto r = std::memory_order_relaxed;
  return {messages_delivered.load(r), mailbox_high_water.load(r), asks_timed_out.load(r),
          dead_letters.load(r),       mailbox_rejected.load(r),   actors_spawned.load(r),
          actors_stopped.load(r)};
}

shard::shard(system_core& system, std::uint32_t index, asio::io_context* external)
    : system_(system), index_(index), table_(system.config_.incarnation << 20),
      embedded_(external != nullptr),
      // An embedded shard cannot spin or park: every transition posts a wake-up.
      sleeping_(external != nullptr) {
  if (external == nullptr) {
    owned_io_ = std::make_unique<asio::io_context>(1);
    io_ = owned_io_.get();
  } else {
    io_ = external;
  }
  work_.emplace(io_->get_executor());
  // A simulated shard's timers are fired by the simulator. Without an Asio timer its
  // io_context has no reactor either, so polling it costs no system call.
  if (!system.config_.simulated) alarm_ = std::make_unique<asio::steady_timer>(*io_);
}

shard::~shard() {
  COACT_ASSERT(!thread_.joinable());
  discard_queued();
}

shard* shard::current() noexcept { return this_shard; }

time_point shard::now() const noexcept { return system_.clock_->now(); }

void shard::start_thread() {
  thread_ = std::thread{[this] { run_thread(); }};
}

void shard::run_thread() {
  this_shard = this;
  const auto spin =
      std::chrono::duration_cast<std::chrono::nanoseconds>(system_.config_.spin_before_park);
  std::uint64_t rounds = 0;
  while (!stop_requested_.load(std::memory_order_relaxed)) {
    bool worked = process(turns_per_round);
    if (!timers_.empty() && timers_.earliest() <= now()) {
      fire_timers();
      worked = true;
    }
    // Polling the io_context costs a system call whenever a timer or socket is armed,
    // so a busy shard looks at it only every few rounds; an idle one runs it when parked.
    if (++rounds % io_poll_rounds == 0 && io_->poll() > 0) worked = true;
    if (worked || run_head_ != nullptr || deferred_head_ != nullptr) continue;
    // Idle: look for work a while before parking, since parking and waking a thread
    // costs tens of µs. Past the first 50 µs, yield the core between looks: on a
    // busy machine the shard we wait for may need this very core to answer.
    const auto start = std::chrono::steady_clock::now();
    auto spin_end = start + spin;
    if (!timers_.empty()) {
      const auto timer_due = start + (timers_.earliest() - now());
      spin_end = std::min(spin_end, timer_due);
    }
    for (auto t = start; inbox_.empty() && t < spin_end; t = std::chrono::steady_clock::now()) {
      if (t - start < spin_yield_after) {
        for (int i = 0; i < 64 && inbox_.empty(); ++i) cpu_relax();
      } else {
        std::this_thread::yield();
      }
    }
    if (!inbox_.empty() || (!timers_.empty() && timers_.earliest() <= now())) continue;
    sleeping_.store(true, std::memory_order_seq_cst);
    if (inbox_.empty() && !stop_requested_.load(std::memory_order_relaxed)) io_->run_one();
    sleeping_.store(false, std::memory_order_relaxed);
  }
  this_shard = nullptr;
}

void shard::wake() {
  // A weak reference: a handler left queued on the shard's own io_context must not keep
  // the shard (which owns that io_context) alive, or neither is ever freed.
  asio::post(*io_, [weak = weak_from_this()] {
    if (auto self = weak.lock()) self->process_from_handler();
  });
}

void shard::process_from_handler() {
  if (closed_ || processing_) return;
  shard* const previous = this_shard;
  this_shard = this;
  process(turns_per_round);
  this_shard = previous;
  // An embedded shard yields to the program's other handlers between rounds.
  if (embedded_ && (run_head_ != nullptr || deferred_head_ != nullptr || !inbox_.empty())) {
    wake();
  }
}

result<void> shard::accept(envelope_node* node) {
  shard* const from = this_shard;
  if (from == this) return deliver(node, true);
  if (from != nullptr && from->batching_ && &from->system_ == &system_) {
    from->stage(*this, node);
  } else {
    receive_chain(node, node);
  }
  return success();
}

void shard::receive_chain(envelope_node* newest, envelope_node* oldest) {
  if (inbox_.push(newest, oldest) && sleeping_.load(std::memory_order_seq_cst)) wake();
}

void shard::stage(shard& target, envelope_node* node) {
  if (outboxes_.empty()) outboxes_.resize(system_.shards_.size());
  outbox& o = outboxes_[target.index_];
  node->next = o.newest;
  o.newest = node;
  if (o.oldest == nullptr) o.oldest = node;
  if (!o.listed) {
    o.listed = true;
    outbox_targets_.push_back(target.index_);
  }
  // A long turn must not hold many messages back, nor let a chain grow without bound.
  if (++o.count == outbox_batch_max) {
    target.receive_chain(o.newest, o.oldest);
    o.newest = o.oldest = nullptr;
    o.count = 0;
  }
}

void shard::flush_outboxes() {
  for (const std::uint32_t index : outbox_targets_) {
    outbox& o = outboxes_[index];
    if (o.newest != nullptr) system_.shards_[index]->receive_chain(o.newest, o.oldest);
    o = {};
  }
  outbox_targets_.clear();
}

bool shard::process(std::size_t turns_max) {
  if (closed_) return false;
  processing_ = true;
  bool worked = false;
  std::size_t turns = 0;
  for (;;) {
    if (!inbox_.empty()) {
      drain_inbox();
      worked = true;
    }
    if (deferred_head_ != nullptr) {
      drain_deferred();
      worked = true;
    }
    if (run_head_ == nullptr || turns >= turns_max) break;
    // A batch of turns between looks at the inbox.
    for (std::size_t batch = 0; run_head_ != nullptr && batch < 64 && turns < turns_max;
         ++batch, ++turns) {
      cell* c = run_head_;
      run_head_ = c->next_ready_;
      if (run_head_ == nullptr) run_tail_ = nullptr;
      c->next_ready_ = nullptr;
      c->in_run_queue_ = false;
      if (c->state_ == cell::state::dead) {
        delete c;
        continue;
      }
      run(c);
      if (deferred_head_ != nullptr) drain_deferred();
    }
    worked = true;
  }
  processing_ = false;
  return worked;
}

void shard::run(cell* c) {
  running_ = c;
  set_unanswered_sink(&unanswered_);
  batching_ = true;
  // Launched tasks first: what they awaited has arrived. Tasks they wake go next turn.
  if (c->tasks_ && !c->tasks_->ready.empty()) {
    std::vector<child_task*> ready;
    ready.swap(c->tasks_->ready);
    for (child_task* t : ready) {
      if (c->task_failure() != nullptr) break;
      run_child(c, t);
    }
  }
  if (c->task_failure() == nullptr &&
      (c->state_ == cell::state::ready || c->state_ == cell::state::created)) {
    c->state_ = cell::state::running;
    // A fault site: in simulation, a turn now and then ends after one message, so that
    // tests meet the interleavings a loaded machine produces.
    c->turn_left_ = COACT_SIM_BUGGIFY(0.05) ? 1 : c->turn_messages_;
    c->resume_.resume();
  }
  batching_ = false;
  // Before anything else leaves: what the turn sent keeps its order ahead of the replies
  // to its dropped asks and of its Down messages.
  if (!outbox_targets_.empty()) flush_outboxes();
  set_unanswered_sink(nullptr);
  running_ = nullptr;
  const std::optional<stop_reason>* failure = c->task_failure();
  const bool stopped = c->body_.frame.done() || failure != nullptr;
  for (const unanswered_ask& ask : unanswered_) {
    ask.system->reply_error(ask.asker, ask.responder, ask.correlation,
                            make_error_code(stopped ? errc::actor_gone : errc::no_reply));
  }
  unanswered_.clear();
  if (stopped) {
    c->state_ = cell::state::waiting;  // not running any more; finalize may proceed
    // may delete c: touch it no more
    finalize(c, failure != nullptr ? **failure : reason_of_body(*c));
    return;
  }
  COACT_ASSERT(c->state_ != cell::state::running);
}

void shard::run_child(cell* c, child_task* t) {
  child_task* const outer = c->running_child_;
  c->running_child_ = t;
  t->ready = false;
  t->resume.resume();
  c->running_child_ = outer;
  if (!t->frame.done()) return;
  std::optional<stop_reason>& failure = c->tasks_->failure;
  if (t->promise->exception_ && !failure) {
    try {
      std::rethrow_exception(t->promise->exception_);
    } catch (const std::exception& e) {
      failure = stop_reason{make_error_code(errc::actor_failed), e.what()};
    } catch (...) {
      failure = stop_reason{make_error_code(errc::actor_failed), "unknown exception"};
    }
  }
  std::erase_if(c->tasks_->all, [t](const std::unique_ptr<child_task>& owned) {
    if (owned.get() != t) return false;
    owned->frame.destroy();
    return true;
  });
}

void shard::drain_inbox() {
  envelope_node* node = inbox_.take_all();
  while (node != nullptr) {
    envelope_node* next = node->next;
    node->next = nullptr;
    (void)deliver(node, false);
    node = next;
  }
}

void shard::drain_deferred() {
  while (deferred_head_ != nullptr) {
    envelope_node* node = deferred_head_;
    deferred_head_ = node->next;
    if (deferred_head_ == nullptr) deferred_tail_ = nullptr;
    node->next = nullptr;
    handle_system(node);
  }
}

void shard::schedule(cell* c) noexcept {
  if (c->state_ == cell::state::dead) return;
  // Queued for a launched task, the cell may still hold a waiting body: mark it ready.
  if (c->state_ != cell::state::created) c->state_ = cell::state::ready;
  requeue(c);
}

void shard::schedule(cell* c, child_task* t) noexcept {
  if (t->ready) return;
  t->ready = true;
  c->tasks_->ready.push_back(t);
  requeue(c);
}

void shard::requeue(cell* c) noexcept {
  if (c->in_run_queue_) return;
  c->in_run_queue_ = true;
  c->next_ready_ = nullptr;
  if (run_tail_ != nullptr) {
    run_tail_->next_ready_ = c;
  } else {
    run_head_ = c;
  }
  run_tail_ = c;
  if (embedded_ && !processing_ && this_shard == this) wake();
}

void shard::start(cell* c) {
  if (c->state_ != cell::state::created) return;
  c->in_run_queue_ = false;
  requeue(c);
}

result<void> shard::deliver(envelope_node* node, bool synchronous) {
  switch (node->kind) {
    case message_kind::reply: {
      pending_asks::entry* e = pending_.find(node->correlation);
      if (e == nullptr || e->asker != node->target) {
        dead_letter(node, make_error_code(errc::timeout));
        return success();
      }
      atomic_counters::bump(counters_.messages_delivered);
      const std::uint64_t id = node->correlation;
      if (node->error) {
        const std::error_code error = node->error;
        release_node(node);
        complete_ask(id, error);
      } else {
        complete_ask(id, envelope{node});
      }
      return success();
    }
    case message_kind::system:
      if (node->ctl == control::start) {
        if (cell* c = table_.find(node->target.id, node->target.generation)) start(c);
        release_node(node);
        return success();
      }
      // Never act on a control in the middle of someone's turn (it could stop the
      // running actor) or inside another stop (it would recurse along links).
      node->next = nullptr;
      if (deferred_tail_ != nullptr) {
        deferred_tail_->next = node;
      } else {
        deferred_head_ = node;
      }
      deferred_tail_ = node;
      if (embedded_ && !processing_) wake();
      return success();
    case message_kind::tell:
    case message_kind::ask:
      break;
  }
  cell* c = table_.find(node->target.id, node->target.generation);
  // A synchronous sender learns a failure from the result, so its ask gets no error
  // reply as well.
  if (c == nullptr) {
    node->replied = node->replied || synchronous;
    dead_letter(node, make_error_code(errc::actor_gone));
    if (synchronous) return errc::actor_gone;
    return success();
  }
  if (c->mailbox_capacity_ != 0 && c->queued_ >= c->mailbox_capacity_) {
    atomic_counters::bump(counters_.mailbox_rejected);
    if (synchronous) {
      node->replied = true;
      release_node(node);
      return errc::overloaded;
    }
    if (node->kind == message_kind::ask) {
      system_.reply_error(node, make_error_code(errc::overloaded));
      node->replied = true;
    }
    release_node(node);
    return success();
  }
  enqueue_message(c, node);
  return success();
}

void shard::enqueue_message(cell* c, envelope_node* node) {
  c->push_back(node);
  atomic_counters::bump(counters_.messages_delivered);
  if (c->queued_ > counters_.mailbox_high_water.load(std::memory_order_relaxed)) {
    counters_.mailbox_high_water.store(c->queued_, std::memory_order_relaxed);
  }
  if (c->state_ == cell::state::waiting && c->receiving_ && c->matches(node)) schedule(c);
}

void shard::handle_system(envelope_node* node) {
  cell* c = table_.find(node->target.id, node->target.generation);
  const actor_ref other = node->sender;
  switch (node->ctl) {
    case control::kill:
      if (c != nullptr) finalize(c, {node->error, node->error.message()});
      break;
    case control::monitor:
      if (c != nullptr) {
        c->monitors_.push_back(other);
      } else {
        system_.notify_stop(other, node->target, control::down,
                            {make_error_code(errc::actor_gone), "no such actor"});
      }
      break;
    case control::demonitor:
      if (c != nullptr) std::erase(c->monitors_, other);
      break;
    case control::link:
      if (c != nullptr) {
        if (std::find(c->links_.begin(), c->links_.end(), other) == c->links_.end()) {
          c->links_.push_back(other);
        }
      } else {
        system_.notify_stop(other, node->target, control::exit,
                            {make_error_code(errc::actor_gone), "no such actor"});
      }
      break;
    case control::unlink:
      if (c != nullptr) std::erase(c->links_, other);
      break;
    case control::exit:
      if (c == nullptr) break;
      std::erase(c->links_, other);
      if (c->trap_exit_) {
        enqueue_message(c, node);  // system messages are never bounded
        return;
      }
      if (node->error) finalize(c, {node->error, "linked actor stopped: " + node->error.message()});
      break;
    case control::down:
      if (c != nullptr) {
        enqueue_message(c, node);
        return;
      }
      break;
    case control::none:
    case control::start:
      break;
  }
  release_node(node);
}

void shard::finalize(cell* c, const stop_reason& reason) {
  COACT_ASSERT(c->state_ != cell::state::running && c->state_ != cell::state::dead);
  c->state_ = cell::state::dead;
  for (const auto& tick : c->ticks_) cancel_timer(tick.second);
  c->ticks_.clear();
  // Asks this actor leaves unanswered fail with actor_gone rather than no_reply.
  set_unanswered_error(errc::actor_gone);
  // The tasks first: they may refer to state in the body's frame.
  if (c->tasks_) {
    c->tasks_->ready.clear();
    for (auto& t : c->tasks_->all) t->frame.destroy();
    c->tasks_->all.clear();
  }
  c->body_.frame.destroy();
  while (c->head_ != nullptr) {
    envelope_node* node = c->unlink_after(nullptr, c->head_);
    release_node(node);
  }
  set_unanswered_error(errc::no_reply);
  table_.release(c->ref_.id);
  for (const actor_ref& watcher : c->monitors_) {
    system_.notify_stop(watcher, c->ref_, control::down, reason);
  }
  for (const actor_ref& linked : c->links_) {
    system_.notify_stop(linked, c->ref_, control::exit, reason);
  }
  system_.forget_names(c->ref_);
  system_.forget_watches(c->ref_);
  atomic_counters::bump(counters_.actors_stopped);
  if (!c->in_run_queue_) delete c;
}

void shard::dead_letter(const coact::dead_letter& letter) {
  atomic_counters::bump(counters_.dead_letters);
  if (system_.config_.dead_letter_log_max > 0) {
    std::lock_guard lock{dead_log_mutex_};
    if (dead_log_.size() == system_.config_.dead_letter_log_max) dead_log_.pop_front();
    dead_log_.push_back(letter);
  }
}

void shard::dead_letter(envelope_node* node, std::error_code reason) {
  dead_letter({node->target, node->sender, node->type_id, node->kind, reason});
  if (node->kind == message_kind::ask && !node->replied) {
    system_.reply_error(node, make_error_code(errc::actor_gone));
    node->replied = true;
  }
  release_node(node);
}

std::uint64_t shard::add_timer(duration after, const timer_action& action) {
  const std::uint64_t id = timers_.add(now() + after, action);
  arm_alarm();
  return id;
}

bool shard::cancel_timer(std::uint64_t id) {
  timer_action action;
  if (!timers_.cancel(id, &action)) return false;
  if (action.message != nullptr) {
    action.message->replied = true;
    release_node(action.message);
  }
  return true;
}

void shard::fail_asks_to(std::uint32_t node, std::error_code error) {
  if (closed_) return;
  for (const std::uint64_t id : pending_.to_node(node)) complete_ask(id, error);
  process_from_handler();
}

void shard::fire_due_timers() {
  if (closed_) return;
  // On the shard's thread (the alarm's handler or the simulator), posing as the shard so
  // that what the timers wake is scheduled here.
  shard* const previous = this_shard;
  this_shard = this;
  fire_timers();
  this_shard = previous;
  process_from_handler();
}

void shard::arm_alarm() {
  // A simulated shard's timers are fired by the simulator, in virtual time.
  if (timers_.empty() || !alarm_) return;
  const time_point earliest = timers_.earliest();
  if (alarm_at_ && *alarm_at_ <= earliest) return;
  alarm_at_ = earliest;
  alarm_->expires_after(std::max(duration{0}, earliest - now()));
  alarm_->async_wait([weak = weak_from_this()](const std::error_code& ec) {
    auto self = weak.lock();  // weak for the same reason as in wake()
    if (!self || ec == asio::error::operation_aborted || self->closed_) return;
    self->alarm_at_.reset();
    self->fire_due_timers();
    self->arm_alarm();
  });
}

void shard::fire_timers() {
  const time_point t = now();
  while (!timers_.empty() && timers_.earliest() <= t) fire(timers_.pop());
}

void shard::fire(const timer_action& action) {
  using kind = timer_action::kind;
  if (action.what == kind::deliver) {
    (void)system_.send(action.message);
    return;
  }
  if (action.what == kind::ask_deadline) {
    pending_asks::entry* e = pending_.find(action.token);
    if (e == nullptr) return;
    e->timer = 0;  // firing now: nothing to cancel
    atomic_counters::bump(counters_.asks_timed_out);
    complete_ask(action.token, make_error_code(errc::timeout));
    return;
  }
  cell* c = table_.find(action.owner.id, action.owner.generation);
  if (c == nullptr) return;
  if (action.what == kind::tick) {
    auto it = std::find_if(c->ticks_.begin(), c->ticks_.end(),
                           [&](const auto& t) { return t.first == action.token; });
    if (it == c->ticks_.end()) return;
    it->second = add_timer(action.period, action);
    message<sys::Tick> tick;
    tick->setTimer(action.token);
    envelope_node* node = std::move(tick).take().release();
    node->target = c->ref_;
    node->sender = c->ref_;
    node->kind = message_kind::system;
    node->ctl = control::none;
    node->system = &system_;
    enqueue_message(c, node);
    return;
  }
  if (action.what == kind::wake_child) {
    if (child_task* t = c->tasks_ ? c->tasks_->find(action.token) : nullptr) schedule(c, t);
    return;
  }
  if (c->state_ == cell::state::waiting && c->wait_epoch_ == action.token) {
    c->wait_timed_out_ = true;
    schedule(c);
  }
}

result<std::uint64_t> shard::start_ask(cell* asker, actor_ref target, envelope request,
                                       duration timeout, pending_asks::sink to) {
  if (!system_.accepting()) return errc::shutting_down;
  envelope_node* node = request.release();
  if (auto sized = check_size(asker, node); !sized) return sized.error();
  const std::uint64_t id = pending_.add(to, asker->ref_, target);
  node->kind = message_kind::ask;
  node->correlation = id;
  node->sender = asker->ref_;
  node->target = target;
  if (auto sent = system_.send(node); !sent) {
    pending_.remove(id);
    return sent.error();
  }
  pending_.find(id)->timer =
      add_timer(timeout, {timer_action::kind::ask_deadline, asker->ref_, id});
  return id;
}

void shard::abandon_ask(std::uint64_t id) {
  if (auto* e = pending_.find(id)) cancel_timer(e->timer);
  pending_.remove(id);
}

void shard::complete_ask(std::uint64_t id, result<envelope> outcome) {
  pending_asks::entry* e = pending_.find(id);
  COACT_ASSERT(e != nullptr);
  const pending_asks::sink to = e->to;
  if (e->timer != 0) cancel_timer(e->timer);
  pending_.remove(id);
  if (to.group != nullptr) {
    to.group->complete(to.target, std::move(outcome));
  } else {
    to.single->complete(std::move(outcome));
  }
}

void shard::stop_all_actors() {
  std::vector<cell*> live;
  table_.for_each([&](cell* c) { live.push_back(c); });
  for (cell* c : live) {
    if (c->state_ != cell::state::dead) {
      finalize(c, {make_error_code(errc::shutting_down), "actor system shut down"});
    }
  }
  drain_deferred();
  while (run_head_ != nullptr) {
    cell* c = run_head_;
    run_head_ = c->next_ready_;
    c->in_run_queue_ = false;
    if (c->state_ == cell::state::dead) delete c;
  }
  run_tail_ = nullptr;
  while (!timers_.empty()) {
    timer_action action = timers_.pop();
    if (action.message != nullptr) {
      action.message->replied = true;
      release_node(action.message);
    }
  }
  alarm_.reset();
  closed_ = true;
}

void shard::stop_thread() {
  stop_requested_.store(true, std::memory_order_relaxed);
  work_.reset();
  if (thread_.joinable()) {
    asio::post(*io_, [] {});
    thread_.join();
  }
}

void shard::discard_queued() {
  envelope_node* node = inbox_.take_all();
  while (node != nullptr) {
    envelope_node* next = node->next;
    node->replied = true;
    release_node(node);
    node = next;
  }
  while (deferred_head_ != nullptr) {
    envelope_node* next = deferred_head_->next;
    deferred_head_->replied = true;
    release_node(deferred_head_);
    deferred_head_ = next;
  }
  deferred_tail_ = nullptr;
}

}  // namespace coact::detail
