#pragma once

#include <coroutine>
#include <exception>
#include <optional>
#include <utility>

#include "coact/runtime/assert.hpp"
#include "coact/runtime/frame_allocator.hpp"

namespace coact {

template <class T = void>
class task;

namespace detail {

/// What every task's promise shares: who to resume when it finishes, and the exception
/// it finished with, if any.
struct promise_base {
  std::coroutine_handle<> continuation_;
  std::exception_ptr exception_;

  static void* operator new(std::size_t bytes) { return frame_allocator::allocate(bytes); }
  static void operator delete(void* frame, std::size_t bytes) noexcept {
    frame_allocator::deallocate(frame, bytes);
  }

  std::suspend_always initial_suspend() noexcept { return {}; }

  struct final_awaiter {
    bool await_ready() noexcept { return false; }
    template <class Promise>
    std::coroutine_handle<> await_suspend(std::coroutine_handle<Promise> h) noexcept {
      // A top-level actor body has no continuation: control returns to the shard loop,
      // which sees that the body is done.
      auto next = h.promise().continuation_;
      return next ? next : std::noop_coroutine();
    }
    void await_resume() noexcept {}
  };
  final_awaiter final_suspend() noexcept { return {}; }
  void unhandled_exception() noexcept { exception_ = std::current_exception(); }
};

template <class T>
struct promise final : promise_base {
  std::optional<T> value_;
  task<T> get_return_object() noexcept;
  template <class U>
  void return_value(U&& value) {
    value_.emplace(std::forward<U>(value));
  }
  T take() {
    if (exception_) std::rethrow_exception(exception_);
    COACT_ASSERT(value_.has_value());
    return std::move(*value_);
  }
};

template <>
struct promise<void> final : promise_base {
  task<void> get_return_object() noexcept;
  void return_void() noexcept {}
  void take() const {
    if (exception_) std::rethrow_exception(exception_);
  }
};

}  // namespace detail

/// A lazily started coroutine returning T. Owns its frame; awaiting it runs it to
/// completion on the awaiting actor's shard and yields its value (or rethrows).
/// Resumption is by symmetric transfer, so deep chains of awaits use no stack.
template <class T>
class [[nodiscard]] task {
 public:
  using promise_type = detail::promise<T>;
  using handle_type = std::coroutine_handle<promise_type>;

  task() = default;
  explicit task(handle_type h) noexcept : handle_(h) {}
  task(task&& other) noexcept : handle_(std::exchange(other.handle_, {})) {}
  task& operator=(task&& other) noexcept {
    if (this != &other) {
      destroy();
      handle_ = std::exchange(other.handle_, {});
    }
    return *this;
  }
  task(const task&) = delete;
  task& operator=(const task&) = delete;
  ~task() { destroy(); }

  [[nodiscard]] bool valid() const noexcept { return static_cast<bool>(handle_); }
  [[nodiscard]] handle_type handle() const noexcept { return handle_; }
  /// Gives up ownership of the frame; the caller must destroy it.
  [[nodiscard]] handle_type release() noexcept { return std::exchange(handle_, {}); }

  auto operator co_await() && noexcept {
    struct awaiter {
      handle_type handle_;
      bool await_ready() const noexcept { return !handle_ || handle_.done(); }
      std::coroutine_handle<> await_suspend(std::coroutine_handle<> caller) noexcept {
        handle_.promise().continuation_ = caller;
        return handle_;
      }
      T await_resume() { return handle_.promise().take(); }
    };
    return awaiter{handle_};
  }

 private:
  void destroy() noexcept {
    if (handle_) handle_.destroy();
  }
  handle_type handle_;
};

namespace detail {
template <class T>
task<T> promise<T>::get_return_object() noexcept {
  return task<T>{std::coroutine_handle<promise<T>>::from_promise(*this)};
}
inline task<void> promise<void>::get_return_object() noexcept {
  return task<void>{std::coroutine_handle<promise<void>>::from_promise(*this)};
}
}  // namespace detail

}  // namespace coact
