#include "coact/runtime/actor_context.hpp"

#include "coact/runtime/assert.hpp"
#include "detail/cell.hpp"
#include "detail/suspension.hpp"
#include "detail/system_core.hpp"

namespace coact {
namespace {

using detail::check_size;
using detail::shard_of;

}  // namespace

// ---- receive ----

receive_awaiter::~receive_awaiter() {
  if (timer_ != 0) shard_of(cell_).cancel_timer(timer_);
}

bool receive_awaiter::await_ready() noexcept {
  // The mailbox is the body's: a launched task that took messages would steal them.
  COACT_ASSERT(cell_->running_child_ == nullptr);
  if (cell_->turn_left_ == 0) return false;
  if (type_filter_ == 0) return cell_->head_ != nullptr;
  detail::envelope_node* prev = nullptr;
  return cell_->find(type_filter_, &prev) != nullptr;
}

void receive_awaiter::await_suspend(std::coroutine_handle<> h) {
  detail::envelope_node* prev = nullptr;
  if (cell_->find(type_filter_, &prev) != nullptr) {
    // Out of turn budget with messages waiting: let the other ready actors go first.
    cell_->resume_ = h;
    shard_of(cell_).schedule(cell_);
    return;
  }
  detail::begin_wait(cell_, h);
  cell_->receiving_ = true;
  cell_->receive_filter_ = type_filter_;
  if (timeout_) {
    timer_ = shard_of(cell_).add_timer(
        *timeout_, {detail::timer_action::kind::wake_receive, cell_->ref_, cell_->wait_epoch_});
  }
}

result<envelope> receive_awaiter::await_resume() noexcept {
  cell_->receiving_ = false;
  if (timer_ != 0) {
    shard_of(cell_).cancel_timer(std::exchange(timer_, 0));
  }
  detail::envelope_node* prev = nullptr;
  detail::envelope_node* node = cell_->find(type_filter_, &prev);
  if (node == nullptr) return errc::timeout;
  if (cell_->turn_left_ > 0) --cell_->turn_left_;
  return envelope{cell_->unlink_after(prev, node)};
}

// ---- ask ----

ask_awaiter::~ask_awaiter() {
  if (pending_ != 0) shard_of(cell_).abandon_ask(pending_);
}

bool ask_awaiter::await_suspend(std::coroutine_handle<> h) {
  auto started =
      shard_of(cell_).start_ask(cell_, target_, std::move(request_), timeout_, {.single = this});
  if (!started) {
    outcome_.emplace(started.error());
    return false;
  }
  pending_ = started.value();
  waiter_ = detail::suspend(cell_, h);
  return true;
}

void ask_awaiter::complete(result<envelope> outcome) noexcept {
  pending_ = 0;
  outcome_.emplace(std::move(outcome));
  detail::wake(cell_, waiter_);
}

result<envelope> ask_awaiter::await_resume() noexcept {
  result<envelope> r = std::move(*outcome_);
  if (r && reply_type_ != 0 && r.value().type_id() != reply_type_) {
    return errc::malformed_message;
  }
  return r;
}

// ---- sleep and yield ----

sleep_awaiter::~sleep_awaiter() {
  if (timer_ != 0) shard_of(cell_).cancel_timer(timer_);
}

void sleep_awaiter::await_suspend(std::coroutine_handle<> h) {
  detail::child_task* const waiter = detail::suspend(cell_, h);
  if (waiter != nullptr) {
    timer_ = shard_of(cell_).add_timer(
        duration_, {detail::timer_action::kind::wake_child, cell_->ref_, waiter->id});
    return;
  }
  timer_ = shard_of(cell_).add_timer(
      duration_, {detail::timer_action::kind::wake_sleep, cell_->ref_, cell_->wait_epoch_});
}

void yield_awaiter::await_suspend(std::coroutine_handle<> h) {
  // Ready again at once, without the wait state: the rest of the shard goes first.
  detail::child_task* const t = cell_->running_child_;
  (t != nullptr ? t->resume : cell_->resume_) = h;
  detail::wake(cell_, t);
}

// ---- context ----

actor_ref actor_context::ref() const noexcept { return cell_->ref_; }
actor_system& actor_context::system() const noexcept { return cell_->shard_->system_.facade_; }
std::uint32_t actor_context::shard() const noexcept { return cell_->shard_->index_; }
time_point actor_context::now() const noexcept { return cell_->shard_->now(); }

void actor_context::tell(actor_ref target, envelope&& e) {
  const dead_letter letter{target, cell_->ref_, e.type_id(), message_kind::tell, {}};
  if (auto sent = try_tell(target, std::move(e)); !sent) refused(letter, sent.error());
}

result<void> actor_context::try_tell(actor_ref target, envelope&& e) {
  detail::envelope_node* node = e.release();
  if (auto sized = check_size(cell_, node); !sized) return sized;
  node->kind = message_kind::tell;
  node->sender = cell_->ref_;
  node->target = target;
  return cell_->shard_->system_.send(node);
}

void actor_context::reply(envelope& request, envelope&& response) {
  detail::envelope_node* req = request.node();
  const dead_letter letter{req != nullptr ? req->sender : actor_ref{},
                           cell_->ref_,
                           response.type_id(),
                           message_kind::reply,
                           {}};
  if (req == nullptr || req->kind != message_kind::ask || req->replied) {
    refused(letter, make_error_code(errc::invalid_argument));
    return;
  }
  detail::envelope_node* node = response.release();
  if (auto sized = check_size(cell_, node); !sized) {
    refused(letter, sized.error());
    return;
  }
  req->replied = true;
  node->kind = message_kind::reply;
  node->correlation = req->correlation;
  node->sender = cell_->ref_;
  node->target = req->sender;
  if (auto sent = cell_->shard_->system_.send(node); !sent) refused(letter, sent.error());
}

void actor_context::reply_error(envelope& request, std::error_code error) {
  detail::envelope_node* req = request.node();
  if (req == nullptr || req->kind != message_kind::ask || req->replied) {
    refused({req != nullptr ? req->sender : actor_ref{}, cell_->ref_, 0, message_kind::reply, {}},
            make_error_code(errc::invalid_argument));
    return;
  }
  req->replied = true;
  cell_->shard_->system_.reply_error(req, error);
}

void actor_context::refused(dead_letter letter, std::error_code reason) {
  // A local target that was gone is already counted, when the runtime dropped the message.
  if (reason == errc::actor_gone) return;
  letter.reason = reason;
  cell_->shard_->dead_letter(letter);
}

void actor_context::launch(task<void> t) {
  auto frame = t.release();
  auto owned = std::make_unique<detail::child_task>();
  owned->frame = frame;
  owned->promise = &frame.promise();
  owned->resume = frame;
  if (!cell_->tasks_) cell_->tasks_ = std::make_unique<detail::child_tasks>();
  owned->id = cell_->tasks_->next_id++;
  detail::child_task* const child = owned.get();
  cell_->tasks_->all.push_back(std::move(owned));
  shard_of(cell_).run_child(cell_, child);
}

timer_id actor_context::send_after(actor_ref target, duration delay, envelope&& e) {
  detail::envelope_node* node = e.release();
  node->kind = message_kind::tell;
  node->sender = cell_->ref_;
  node->target = target;
  node->system = &cell_->shard_->system_;
  detail::timer_action action{detail::timer_action::kind::deliver, cell_->ref_, 0, node};
  return shard_of(cell_).add_timer(delay, action);
}

timer_id actor_context::tick_every(duration period) {
  detail::shard& s = shard_of(cell_);
  // A tick re-arms under a new queue id each period, so the actor keeps a stable id:
  // the first arming's id, mapped to the current one in ticks_.
  detail::timer_action action{detail::timer_action::kind::tick, cell_->ref_, 0, nullptr, period};
  action.token = s.next_tick_++;
  const std::uint64_t id = s.add_timer(period, action);
  cell_->ticks_.push_back({action.token, id});
  return action.token;
}

bool actor_context::cancel_timer(timer_id id) noexcept {
  detail::shard& s = shard_of(cell_);
  auto& ticks = cell_->ticks_;
  for (auto it = ticks.begin(); it != ticks.end(); ++it) {
    if (it->first == id) {
      s.cancel_timer(it->second);
      ticks.erase(it);
      return true;
    }
  }
  // Only a send_after of this actor: its asks' deadlines and its sleeps are not its to cancel.
  const detail::timer_action* action = s.timers_.find(id);
  if (action == nullptr || action->owner != cell_->ref_ ||
      action->what != detail::timer_action::kind::deliver) {
    return false;
  }
  return s.cancel_timer(id);
}

void actor_context::monitor(actor_ref target) {
  cell_->shard_->system_.send_control(cell_->ref_, target, detail::control::monitor);
}

void actor_context::demonitor(actor_ref target) {
  cell_->shard_->system_.send_control(cell_->ref_, target, detail::control::demonitor);
}

void actor_context::link(actor_ref target) {
  if (std::find(cell_->links_.begin(), cell_->links_.end(), target) == cell_->links_.end()) {
    cell_->links_.push_back(target);
  }
  cell_->shard_->system_.send_control(cell_->ref_, target, detail::control::link);
}

void actor_context::unlink(actor_ref target) {
  std::erase(cell_->links_, target);
  cell_->shard_->system_.send_control(cell_->ref_, target, detail::control::unlink);
}

void actor_context::trap_exit(bool enabled) noexcept { cell_->trap_exit_ = enabled; }

void actor_context::stop(actor_ref target, std::error_code reason) {
  cell_->shard_->system_.send_control(cell_->ref_, target, detail::control::kill, reason);
}

// ---- wire helpers ----

stop_reason reason_of(sys::Reason::Reader reason) {
  const std::string category = reason.getCategory();
  const std::error_category* cat = &std::generic_category();
  if (category == error_category().name()) {
    cat = &error_category();
  } else if (category == std::system_category().name()) {
    cat = &std::system_category();
  }
  return {std::error_code{reason.getCode(), *cat}, reason.getWhat()};
}

actor_ref ref_of(sys::ActorRef::Reader r) noexcept {
  return {r.getNode(), r.getShard(), r.getId(), r.getGeneration()};
}

void set_ref(sys::ActorRef::Builder b, actor_ref r) noexcept {
  b.setNode(r.node);
  b.setShard(r.shard);
  b.setId(r.id);
  b.setGeneration(r.generation);
}

}  // namespace coact
