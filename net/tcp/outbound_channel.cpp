// The outbound channel of each peer: what route() takes for it, how it leaves (coalesced
// writes, or one frame at once when the writer is idle), its heartbeats, and how the
// connection to it is re-established.
#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/post.hpp>
#include <asio/write.hpp>
#include <capnp/message.h>

#include <algorithm>
#include <iterator>
#include <mutex>
#include <string>

#include "transport_impl.hpp"

namespace coact::net::tcp {
namespace {

void encode_message(const envelope& e, frame_words& out) {
  append_message_frame(header_of(e), payload_words(e), out);
}

void encode_heartbeat(frame_words& out, std::uint64_t sequence) {
  capnp::MallocMessageBuilder b{16};
  b.initRoot<wire::Frame>().initHeartbeat().setSequence(sequence);
  append_frame(b, out);
}

/// Writes what the socket takes of `bytes` at `data` now, without waiting: the bytes
/// written; a full socket buffer is no error.
std::size_t write_available(connection& c, const std::byte* data, std::size_t bytes,
                            std::error_code& ec) {
  std::size_t n = c.socket.write_some(asio::buffer(data, bytes), ec);
  if (ec == asio::error::would_block || ec == asio::error::try_again) {
    ec.clear();
    n = 0;
  }
  return n;
}

}  // namespace

result<void> transport::impl::route(envelope&& e) {
  peer* p = find_peer(e.target().node);
  if (p == nullptr) return refuse_message(e, errc::node_unreachable);
  // Refused here rather than by the peer, which would close the connection over it.
  if (message_frame_bytes(payload_words(e)) > options.limits.frame_bytes_max) {
    return refuse_message(e, errc::message_too_large);
  }
  if (io.get_executor().running_in_this_thread()) return route_here(*p, std::move(e));
  std::lock_guard lock{p->mutex};
  if (p->down || stopping_flag.load(std::memory_order_acquire)) {
    return refuse_message(e, errc::node_unreachable);
  }
  if (p->outbound.size() + p->encoded_frames.load(std::memory_order_relaxed) >=
      options.limits.outbound_queue_max) {
    return refuse_message(e, errc::overloaded);
  }
  p->outbound.push_back(std::move(e));
  p->outbound_count.store(p->outbound.size(), std::memory_order_relaxed);
  if (!p->wake_posted) {
    p->wake_posted = true;
    asio::post(io, [weak = weak_from_this(), p] {
      if (auto self_ = weak.lock()) p->wake->cancel();
    });
  }
  return success();
}

result<void> transport::impl::route_here(peer& p, envelope&& e) {
  if (p.down || stopping_flag.load(std::memory_order_acquire)) {
    return refuse_message(e, errc::node_unreachable);
  }
  const std::size_t queued = p.encoded_frames.load(std::memory_order_relaxed);
  if (queued + p.outbound_count.load(std::memory_order_relaxed) >=
      options.limits.outbound_queue_max) {
    return refuse_message(e, errc::overloaded);
  }
  if (p.writer_idle && !p.wake_check_posted && queued == 0 && p.can_write_now() &&
      p.outbound_count.load(std::memory_order_relaxed) == 0) {
    // The writer idle and nothing waiting: write this message now rather than resume
    // the writer for it. The writer sleeps on; what the same turn sends next is
    // encoded, and a check that runs once the turn is over wakes the writer for it.
    direct_words.clear();
    encode_message(e, direct_words);
    e.discard();
    write_now(*p.conn, direct_words, 1);
    p.wake_check_posted = true;
    asio::post(io, [weak = weak_from_this(), &p] {
      if (auto self_ = weak.lock()) {
        p.wake_check_posted = false;
        if (p.encoded_frames.load(std::memory_order_relaxed) != 0) p.wake_writer();
      }
    });
    return success();
  }
  encode_here(p, std::move(e), queued);
  if (!p.wake_check_posted) p.wake_writer();
  return success();
}

void transport::impl::encode_here(peer& p, envelope&& e, std::size_t queued) {
  if (p.encoded.empty() || p.last_chunk_frames == frames_per_write_max) {
    if (p.spare_chunks.empty()) {
      p.encoded.emplace_back();
    } else {
      p.encoded.push_back(std::move(p.spare_chunks.back()));
      p.spare_chunks.pop_back();
    }
    p.last_chunk_frames = 0;
  }
  frame_words& chunk = p.encoded.back();
  encode_message(e, chunk);
  e.discard();  // sent: the answer (or the loss) is the receiving node's to report
  // Room at once for as many more frames of this size as the chunk takes.
  if (++p.last_chunk_frames == 1) {
    chunk.reserve(std::min(chunk.size() * frames_per_write_max, chunk_words_reserved_max));
  }
  p.encoded_frames.store(queued + 1, std::memory_order_relaxed);
  if (p.last_chunk_frames == frames_per_write_max && p.encoded.size() == 1 && p.can_write_now()) {
    // A shard's turn may send many chunks before the writer runs again: this one
    // leaves now, so that the peer decodes it while the turn goes on, with the
    // heartbeats (a long flood would otherwise get the node marked down).
    direct_words.clear();
    std::size_t frames = p.take_oldest_chunk(direct_words);
    frames += heartbeat_if_due(p, direct_words, steady_now());
    write_now(*p.conn, direct_words, frames);
  }
}

std::size_t transport::impl::heartbeat_if_due(peer& p, frame_words& words, time_point now) const {
  if (now - p.last_beat < options.limits.heartbeat_interval) return 0;
  encode_heartbeat(words, ++p.beats);
  p.last_beat = now;
  return 1;
}

result<void> transport::impl::refuse_message(envelope& e, errc why) {
  e.discard();
  auto& counter = why == errc::overloaded          ? count.messages_overloaded
                  : why == errc::message_too_large ? count.frames_oversized
                                                   : count.messages_unreachable;
  counter.fetch_add(1, std::memory_order_relaxed);
  return why;
}

void transport::impl::write_now(connection& c, const frame_words& words, std::size_t frames) {
  const std::size_t bytes = words.size() * sizeof(capnp::word);
  const auto* data = reinterpret_cast<const std::byte*>(words.data());
  std::error_code ec;
  const std::size_t n = write_available(c, data, bytes, ec);
  if (ec) {
    close(c, "write failed: " + ec.message());
    return;
  }
  count.writes.fetch_add(1, std::memory_order_relaxed);
  count.frames_sent.fetch_add(frames, std::memory_order_relaxed);
  count.bytes_sent.fetch_add(n, std::memory_order_relaxed);
  if (n < bytes) {
    c.unsent.assign(data + n, data + bytes);
    c.owner->wake_writer();
  }
}

asio::awaitable<bool> transport::impl::write_words(connection& c, const frame_words& words,
                                                   std::size_t frames) {
  const std::size_t bytes = words.size() * sizeof(capnp::word);
  const auto* data = reinterpret_cast<const std::byte*>(words.data());
  // Most writes fit the socket's buffer: done at once, without a trip through the
  // reactor; only what does not fit waits for the socket.
  std::error_code ec;
  std::size_t n = write_available(c, data, bytes, ec);
  if (!ec && n < bytes) {
    auto [wait_ec, rest] =
        co_await asio::async_write(c.socket, asio::buffer(data + n, bytes - n), as_tuple);
    ec = wait_ec;
    n += rest;
  }
  if (ec) {
    close(c, "write failed: " + ec.message());
    co_return false;
  }
  count.writes.fetch_add(1, std::memory_order_relaxed);
  count.frames_sent.fetch_add(frames, std::memory_order_relaxed);
  count.bytes_sent.fetch_add(n, std::memory_order_relaxed);
  co_return true;
}

asio::awaitable<void> transport::impl::write_loop(std::shared_ptr<connection> c) {
  auto keep = shared_from_this();
  peer& p = *c->owner;
  frame_words words;
  std::deque<envelope> batch;
  p.last_beat = {};  // a new connection's first write carries a heartbeat
  while (!c->closed) {
    if (!c->unsent.empty()) {
      c->writing = true;
      auto [ec, n] = co_await asio::async_write(c->socket, asio::buffer(c->unsent), as_tuple);
      c->writing = false;
      if (ec) {
        close(*c, "write failed: " + ec.message());
        co_return;
      }
      count.bytes_sent.fetch_add(n, std::memory_order_relaxed);
      c->unsent.clear();
    }
    // What this thread's shards sent, encoded already, a chunk at a time.
    words.clear();
    std::size_t frames = p.encoded.empty() ? 0 : p.take_oldest_chunk(words);
    if (p.outbound_count.load(std::memory_order_relaxed) != 0) {
      // At most a write's worth at a time, so the peer decodes one batch while this
      // side encodes the next.
      std::lock_guard lock{p.mutex};
      const std::size_t take = std::min(p.outbound.size(), frames_per_write_max);
      std::move(p.outbound.begin(), p.outbound.begin() + static_cast<std::ptrdiff_t>(take),
                std::back_inserter(batch));
      p.outbound.erase(p.outbound.begin(), p.outbound.begin() + static_cast<std::ptrdiff_t>(take));
      p.outbound_count.store(p.outbound.size(), std::memory_order_relaxed);
      // More left: this loop comes back for it without a wake-up.
      p.wake_posted = !p.outbound.empty();
    }
    frames += batch.size();
    for (envelope& e : batch) {
      encode_message(e, words);
      e.discard();  // sent: the answer (or the loss) is the receiving node's to report
    }
    batch.clear();
    const time_point now = steady_now();
    frames += heartbeat_if_due(p, words, now);
    if (!words.empty()) {
      c->writing = true;
      const bool written = co_await write_words(*c, words, frames);
      c->writing = false;
      if (!written) co_return;
      continue;
    }
    // Another thread's message whose wake-up is still on its way is seen here; one
    // that comes later is woken for.
    if (p.outbound_count.load(std::memory_order_relaxed) != 0 ||
        p.encoded_frames.load(std::memory_order_relaxed) != 0) {
      continue;
    }
    p.wake->expires_after(options.limits.heartbeat_interval - (now - p.last_beat));
    p.writer_idle = true;
    (void)co_await p.wake->async_wait(as_tuple);  // cancelled: work arrived
    p.writer_idle = false;
  }
}

asio::awaitable<void> transport::impl::connect_loop(peer& p) {
  auto keep = shared_from_this();
  asio::ip::tcp::resolver resolver{io};
  const std::string port = std::to_string(p.address.port);
  while (!stopping) {
    // Resolved again on every attempt: a peer that moves keeps its name, not its address.
    auto [rec, endpoints] = co_await resolver.async_resolve(p.address.host, port, as_tuple);
    if (rec && !stopping && !std::exchange(p.resolve_failed, true)) {
      // Once until a resolution succeeds: the attempts go on, and so would the lines.
      log("cannot resolve " + p.address.host + ":" + port + " (node " + p.address.name +
          "): " + rec.message() + "; retrying");
    }
    if (!rec && !stopping) {
      p.resolve_failed = false;
      asio::ip::tcp::socket s{io};
      auto [ec, at] = co_await asio::async_connect(s, endpoints, as_tuple);
      if (!ec && !stopping) {
        auto c = std::make_shared<connection>(std::move(s), options.limits.frame_bytes_max);
        c->who = "node " + p.address.name;
        connections.push_back(c);
        if (co_await initiate(p, c)) {
          p.retry.reset();
          co_await run(p, c);
        }
      }
    }
    if (stopping) break;
    p.pause->expires_after(p.retry.next());
    (void)co_await p.pause->async_wait(as_tuple);
  }
}

}  // namespace coact::net::tcp
