#include "coact/net/tcp/transport.hpp"

#include <asio/co_spawn.hpp>
#include <asio/connect.hpp>
#include <asio/detached.hpp>
#include <asio/experimental/as_tuple.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/steady_timer.hpp>
#include <asio/use_awaitable.hpp>
#include <asio/write.hpp>
#include <capnp/message.h>
#include <capnp/serialize.h>
#include <kj/exception.h>

#include <algorithm>
#include <atomic>
#include <cstdio>
#include <cstring>
#include <deque>
#include <future>
#include <iterator>
#include <mutex>
#include <optional>
#include <random>
#include <string>
#include <utility>

#include "coact/net/registry.capnp.h"
#include "coact/net/tcp/frame_codec.hpp"
#include "coact/net/tcp/frame_parser.hpp"
#include "coact/net/tcp/handshake.hpp"
#include "coact/net/tcp/message_frame.hpp"
#include "coact/net/tcp/wire.capnp.h"
#include "coact/runtime/wire.hpp"

namespace coact::net::tcp {
namespace {

using asio::awaitable;
using asio_tcp = asio::ip::tcp;
constexpr auto as_tuple = asio::experimental::as_tuple(asio::use_awaitable);

/// Frames per socket write: enough to amortise the system call, few enough that the
/// receiving side starts decoding while this side still encodes, and that a write's
/// words are still in cache when the kernel copies them.
constexpr std::size_t frames_per_write_max = 1024;

/// Written chunks of encoded frames a peer keeps for reuse.
constexpr std::size_t spare_chunks_max = 4;

/// The most words a new chunk reserves at once (256 KiB): room for a whole chunk of
/// small messages, so that it never grows word by word.
constexpr std::size_t chunk_words_reserved_max = std::size_t{1} << 15;

time_point steady_now() noexcept {
  return {
      std::chrono::duration_cast<duration>(std::chrono::steady_clock::now().time_since_epoch())};
}

/// A local actor watching (monitor) or linked to a remote one: told when its node is lost.
struct watch {
  actor_ref local;
  actor_ref remote;
  bool link = false;
  friend bool operator==(const watch&, const watch&) = default;
};

struct connection;

struct peer {
  peer(peer_address a, bool connects, const transport_limits& limits, std::uint64_t seed)
      : address(std::move(a)), we_connect(connects), detector(limits.failure_detector),
        retry(limits.reconnect, sim::prng{seed}) {}

  peer_address address;
  bool we_connect;

  // Shared with route() on other threads than the transport's.
  std::mutex mutex;
  std::deque<envelope> outbound;
  bool down = false;  // written (locked) on the transport's thread, which reads it unlocked
  bool wake_posted = false;
  std::vector<watch> watches;
  /// outbound.size(), stored under the mutex, for the transport's thread to read unlocked.
  std::atomic<std::size_t> outbound_count{0};
  /// Frames in `encoded`, stored by the transport's thread, for the queue's bound.
  std::atomic<std::size_t> encoded_frames{0};

  // The transport's thread only.
  /// What the shards hosted on the transport's thread routed, encoded at once (their
  /// envelopes back in the pool already), for the writer: chunks of up to
  /// frames_per_write_max frames, one write each.
  std::deque<frame_words> encoded;
  std::size_t last_chunk_frames = 0;      // frames in encoded.back()
  std::vector<frame_words> spare_chunks;  // written ones, for reuse
  peer_state state = peer_state::connecting;
  std::shared_ptr<connection> conn;
  phi_accrual_detector detector;
  backoff retry;
  std::optional<asio::steady_timer> wake;   // the writer waits on it for work
  std::optional<asio::steady_timer> pause;  // between attempts to connect
  bool writer_idle = false;                 // the writer waits on `wake`, queue empty
  bool wake_check_posted = false;           // see route_here
  time_point last_beat{};                   // when the last heartbeat was written
  std::uint64_t beats = 0;                  // heartbeats written

  /// Drops what is encoded and not yet taken by the writer; returns how many frames.
  std::size_t drop_encoded() noexcept {
    encoded.clear();
    last_chunk_frames = 0;
    return encoded_frames.exchange(0, std::memory_order_relaxed);
  }
};

struct connection {
  connection(asio_tcp::socket s, std::size_t frame_bytes_max)
      : socket(std::move(s)), decoder(frame_bytes_max) {
    // write_words writes at once what fits and waits only for the rest.
    std::error_code ignored;
    socket.non_blocking(true, ignored);
  }
  asio_tcp::socket socket;
  frame_decoder decoder;
  peer* owner = nullptr;
  bool closed = false;
  std::string who = "an unidentified peer";
  /// What a direct send could not write at once: the writer sends it before anything else.
  std::vector<std::byte> unsent;
  /// The writer waits for the socket to take a write: nothing else may write meanwhile.
  bool writing = false;
};

}  // namespace

struct transport::impl : std::enable_shared_from_this<impl> {
  impl(asio::io_context& io_context, transport_options o, cluster_secret s)
      : io(io_context), options(std::move(o)), secret(std::move(s)), acceptor(io_context),
        detector_timer(io_context), self{options.cluster, options.node_name, options.node_id} {
    std::random_device entropy;
    for (const peer_address& a : options.peers) {
      auto p = std::make_unique<peer>(a, options.node_id < a.node_id, options.limits,
                                      (std::uint64_t{entropy()} << 32) | entropy());
      p->wake.emplace(io_context);
      p->pause.emplace(io_context);
      peers.push_back(std::move(p));
    }
  }

  asio::io_context& io;
  transport_options options;
  cluster_secret secret;
  asio_tcp::acceptor acceptor;
  asio::steady_timer detector_timer;
  node_identity self;
  actor_system* system = nullptr;
  std::vector<std::unique_ptr<peer>> peers;
  std::vector<std::shared_ptr<connection>> connections;  // every open one
  frame_words direct_words;                              // what route_here writes at once
  bool stopping = false;

  struct atomic_counters {
    std::atomic<std::uint64_t> frames_sent{0}, frames_received{0}, bytes_sent{0}, bytes_received{0},
        writes{0}, connections_accepted{0}, connections_refused{0}, handshakes_completed{0},
        handshakes_refused{0}, frames_malformed{0}, frames_oversized{0}, messages_overloaded{0},
        messages_unreachable{0}, nodes_lost{0};
  } count;

  void log(const std::string& line) const {
    if (options.log) {
      options.log(line);
    } else {
      std::fprintf(stderr, "coact-net %s: %s\n", options.node_name.c_str(), line.c_str());
    }
  }

  peer* find_peer(std::uint32_t node) const noexcept {
    for (const auto& p : peers) {
      if (p->address.node_id == node) return p.get();
    }
    return nullptr;
  }

  // ---- sending ----

  result<void> route(envelope&& e) {
    peer* p = find_peer(e.target().node);
    if (p == nullptr) return refuse_message(e, errc::node_unreachable);
    if (io.get_executor().running_in_this_thread()) return route_here(*p, std::move(e));
    std::lock_guard lock{p->mutex};
    if (p->down || stopping_flag.load(std::memory_order_acquire)) {
      return refuse_message(e, errc::node_unreachable);
    }
    if (p->outbound.size() + p->encoded_frames.load(std::memory_order_relaxed) >=
        options.limits.outbound_queue_max) {
      return refuse_message(e, errc::overloaded);
    }
    // The whole header only for system messages: encode_message reads it for the rest.
    if (e.kind() == message_kind::system) track(*p, header_of(e));
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

  /// route() on the transport's own thread, from a shard it hosts: no lock, and the
  /// message is encoded now, while its words are in cache, rather than queued.
  result<void> route_here(peer& p, envelope&& e) {
    if (p.down || stopping_flag.load(std::memory_order_acquire)) {
      return refuse_message(e, errc::node_unreachable);
    }
    const std::size_t queued = p.encoded_frames.load(std::memory_order_relaxed);
    if (queued + p.outbound_count.load(std::memory_order_relaxed) >=
        options.limits.outbound_queue_max) {
      return refuse_message(e, errc::overloaded);
    }
    if (e.kind() == message_kind::system) {
      std::lock_guard lock{p.mutex};
      track(p, header_of(e));
    }
    if (p.writer_idle && !p.wake_check_posted && queued == 0 && can_write_now(p) &&
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
          if (p.encoded_frames.load(std::memory_order_relaxed) != 0) self_->wake_writer(p);
        }
      });
      return success();
    }
    encode_here(p, std::move(e), queued);
    if (!p.wake_check_posted) wake_writer(p);
    return success();
  }

  /// Resumes the writer if it waits for work.
  static void wake_writer(peer& p) {
    if (std::exchange(p.writer_idle, false)) p.wake->cancel();
  }

  /// Encodes `e` into the last chunk of `p`, which holds `queued` frames in all; a chunk
  /// that fills is written at once if it is the oldest and the writer is not writing.
  void encode_here(peer& p, envelope&& e, std::size_t queued) {
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
    if (p.last_chunk_frames == frames_per_write_max && p.encoded.size() == 1 && can_write_now(p)) {
      // A shard's turn may send many chunks before the writer runs again: this one
      // leaves now, so that the peer decodes it while the turn goes on, with the
      // heartbeats (a long flood would otherwise get the node marked down).
      direct_words.clear();
      std::size_t frames = take_oldest_chunk(p, direct_words);
      frames += heartbeat_if_due(p, direct_words, steady_now());
      write_now(*p.conn, direct_words, frames);
    }
  }

  /// Appends a heartbeat to `words` if one is due for `p` at `now`; the frames appended.
  std::size_t heartbeat_if_due(peer& p, frame_words& words, time_point now) const {
    if (now - p.last_beat < options.limits.heartbeat_interval) return 0;
    encode_heartbeat(words, ++p.beats);
    p.last_beat = now;
    return 1;
  }

  static bool can_write_now(const peer& p) noexcept {
    return p.conn && !p.conn->closed && !p.conn->writing && p.conn->unsent.empty();
  }

  /// Moves the oldest chunk of `p` into `into` (empty), whose buffer goes back for
  /// reuse; returns its frames.
  static std::size_t take_oldest_chunk(peer& p, frame_words& into) {
    const std::size_t frames = p.encoded.size() == 1 ? p.last_chunk_frames : frames_per_write_max;
    into.swap(p.encoded.front());
    if (p.spare_chunks.size() < spare_chunks_max) {
      p.spare_chunks.push_back(std::move(p.encoded.front()));
    }
    p.encoded.pop_front();
    if (p.encoded.empty()) p.last_chunk_frames = 0;
    p.encoded_frames.store(p.encoded_frames.load(std::memory_order_relaxed) - frames,
                           std::memory_order_relaxed);
    return frames;
  }

  /// Counts and drops a message route() cannot take.
  result<void> refuse_message(envelope& e, errc why) {
    e.discard();
    auto& counter =
        why == errc::overloaded ? count.messages_overloaded : count.messages_unreachable;
    counter.fetch_add(1, std::memory_order_relaxed);
    return why;
  }

  /// Remembers which local actors watch remote ones, to tell them if the node is lost.
  static void track(peer& p, const wire_header& h) {
    const watch w{h.sender, h.target,
                  h.control == system_control::link || h.control == system_control::unlink};
    switch (h.control) {
      case system_control::monitor:
      case system_control::link:
        if (std::find(p.watches.begin(), p.watches.end(), w) == p.watches.end()) {
          p.watches.push_back(w);
        }
        break;
      case system_control::demonitor:
      case system_control::unlink:
        std::erase(p.watches, w);
        break;
      default:
        break;
    }
  }

  static void encode_message(const envelope& e, frame_words& out) {
    append_message_frame(header_of(e), payload_words(e), out);
  }

  static void encode_heartbeat(frame_words& out, std::uint64_t sequence) {
    capnp::MallocMessageBuilder b{16};
    b.initRoot<wire::Frame>().initHeartbeat().setSequence(sequence);
    append_frame(b, out);
  }

  /// Writes `words` (`frames` frames) at once, on the transport's thread, while the
  /// writer is not writing; what the socket does not take is left to the writer, which
  /// sends it first.
  /// Writes what the socket takes of `bytes` at `data` now, without waiting: the bytes
  /// written; a full socket buffer is no error.
  static std::size_t write_available(connection& c, const std::byte* data, std::size_t bytes,
                                     std::error_code& ec) {
    std::size_t n = c.socket.write_some(asio::buffer(data, bytes), ec);
    if (ec == asio::error::would_block || ec == asio::error::try_again) {
      ec.clear();
      n = 0;
    }
    return n;
  }

  void write_now(connection& c, const frame_words& words, std::size_t frames) {
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
      wake_writer(*c.owner);
    }
  }

  awaitable<bool> write_words(connection& c, const frame_words& words, std::size_t frames) {
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

  /// Sends what route() queued, all that is there in one write, and a heartbeat every
  /// interval; returns when the connection closes.
  awaitable<void> write_loop(std::shared_ptr<connection> c) {
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
      std::size_t frames = p.encoded.empty() ? 0 : take_oldest_chunk(p, words);
      if (p.outbound_count.load(std::memory_order_relaxed) != 0) {
        // At most a write's worth at a time, so the peer decodes one batch while this
        // side encodes the next.
        std::lock_guard lock{p.mutex};
        const std::size_t take = std::min(p.outbound.size(), frames_per_write_max);
        std::move(p.outbound.begin(), p.outbound.begin() + static_cast<std::ptrdiff_t>(take),
                  std::back_inserter(batch));
        p.outbound.erase(p.outbound.begin(),
                         p.outbound.begin() + static_cast<std::ptrdiff_t>(take));
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

  // ---- receiving ----

  /// The next frame of `c` during its handshake, as a reader; null if the connection
  /// closed or sent something that is not a frame.
  awaitable<std::unique_ptr<capnp::FlatArrayMessageReader>> read_frame(connection& c) {
    for (;;) {
      auto frame = c.decoder.next();
      if (!frame) {
        refuse_frame(c, frame.error());
        co_return nullptr;
      }
      if (!frame.value().empty()) {
        count.frames_received.fetch_add(1, std::memory_order_relaxed);
        co_return std::make_unique<capnp::FlatArrayMessageReader>(
            kj::arrayPtr(frame.value().data(), frame.value().size()), reader_options());
      }
      if (!co_await receive_more(c)) co_return nullptr;
    }
  }

  /// Receives what the socket has into the decoder; false when the connection closed.
  awaitable<bool> receive_more(connection& c) {
    const auto room = c.decoder.prepare();
    auto [ec, n] =
        co_await c.socket.async_read_some(asio::buffer(room.data(), room.size()), as_tuple);
    if (ec) {
      close(c, ec == asio::error::eof ? "closed by the peer" : "read failed: " + ec.message());
      co_return false;
    }
    count.bytes_received.fetch_add(n, std::memory_order_relaxed);
    c.decoder.commit(n);
    co_return true;
  }

  /// Counts a frame that breaks the protocol and closes its connection.
  void malformed(connection& c, const std::string& reason) {
    count.frames_malformed.fetch_add(1, std::memory_order_relaxed);
    close(c, reason);
  }

  capnp::ReaderOptions reader_options() const {
    return frame_reader_options(options.limits.frame_bytes_max);
  }

  void refuse_frame(connection& c, std::error_code why) {
    if (why == errc::message_too_large) {
      count.frames_oversized.fetch_add(1, std::memory_order_relaxed);
      close(c,
            "frame over the limit of " + std::to_string(options.limits.frame_bytes_max) + " bytes");
    } else {
      malformed(c, "malformed frame: " + why.message());
    }
  }

  awaitable<void> read_loop(std::shared_ptr<connection> c) {
    auto keep = shared_from_this();
    const capnp::ReaderOptions reader_limits = reader_options();
    while (!c->closed) {
      // Every whole frame received so far, each read in place, then more bytes.
      for (;;) {
        auto frame = c->decoder.next();
        if (!frame) {
          refuse_frame(*c, frame.error());
          co_return;
        }
        if (frame.value().empty()) break;
        count.frames_received.fetch_add(1, std::memory_order_relaxed);
        if (auto m = read_message_frame(frame.value())) {
          // The layout this transport writes: header read in place, payload checked.
          if (!deliver(*c, m->header,
                       envelope_of(*m, reader_limits, options.limits.frame_bytes_max))) {
            co_return;
          }
          continue;
        }
        try {
          capnp::FlatArrayMessageReader reader{
              kj::arrayPtr(frame.value().data(), frame.value().size()), reader_limits};
          if (!handle(*c, reader.getRoot<wire::Frame>())) co_return;
        } catch (const kj::Exception& e) {
          malformed(*c, "malformed frame: " + std::string{e.getDescription().cStr()});
          co_return;
        }
      }
      if (!co_await receive_more(*c)) co_return;
    }
  }

  /// One frame on an established connection; false when it closed the connection.
  bool handle(connection& c, wire::Frame::Reader f) {
    peer& p = *c.owner;
    switch (f.which()) {
      case wire::Frame::MESSAGE:
        return deliver(c, f.getMessage());
      case wire::Frame::HEARTBEAT:
        p.detector.heartbeat(steady_now());
        return true;
      case wire::Frame::GOODBYE:
        close(c, "the peer said goodbye: " + std::string{f.getGoodbye().getReason().cStr()});
        return false;
      case wire::Frame::HELLO:
      case wire::Frame::AUTH:
        malformed(c, "a handshake frame on an established connection");
        return false;
    }
    malformed(c, "a frame of unknown kind " + std::to_string(static_cast<unsigned>(f.which())));
    return false;
  }

  bool deliver(connection& c, wire::Frame::Message::Reader m) {
    const wire_header h = message_header(m);
    return deliver(c, h, envelope_from_wire(h, m.getPayload(), options.limits.frame_bytes_max));
  }

  /// A received message `e` (or why it could not be read) with header `h`.
  bool deliver(connection& c, const wire_header& h, result<envelope> e) {
    if (h.target.node != options.node_id || h.sender.node != c.owner->address.node_id) {
      malformed(c, "a message addressed from or to the wrong node");
      return false;
    }
    if (!e) {
      malformed(c, "a message with a bad header or payload: " + e.error().message());
      return false;
    }
    if (h.kind == message_kind::system &&
        (h.control == system_control::down || h.control == system_control::exit)) {
      std::lock_guard lock{c.owner->mutex};
      std::erase(c.owner->watches, watch{h.target, h.sender, h.control == system_control::exit});
    }
    if (h.target.shard == registry_of(0).shard) {
      answer_lookup(h, std::move(e).value());
      return true;
    }
    (void)system->receive_remote(std::move(e).value());
    return true;
  }

  void answer_lookup(const wire_header& request, envelope&& e) {
    if (request.kind != message_kind::ask || !e.is<registry::Lookup>()) {
      e.discard();
      return;
    }
    const actor_ref found = system->whereis(e.get<registry::Lookup>().getName());
    e.discard();
    capnp::MallocMessageBuilder b{16};
    auto r = b.initRoot<registry::Found>();
    r.setFound(found.valid());
    r.setNode(found.node);
    r.setShard(found.shard);
    r.setId(found.id);
    r.setGeneration(found.generation);
    wire_header reply;
    reply.kind = message_kind::reply;
    reply.target = request.sender;
    reply.sender = registry_of(options.node_id);
    reply.correlation = request.correlation;
    reply.type_id = capnp::typeId<registry::Found>();
    auto answer = envelope_from_wire(reply, b.getRoot<capnp::AnyPointer>().asReader(),
                                     options.limits.frame_bytes_max);
    if (answer) (void)route(std::move(answer).value());
  }

  // ---- connections ----

  void close(connection& c, const std::string& reason) {
    if (c.closed) return;
    c.closed = true;
    if (!stopping) log("connection with " + c.who + " closed: " + reason);
    std::error_code ignored;
    c.socket.shutdown(asio_tcp::socket::shutdown_both, ignored);
    c.socket.close(ignored);
    if (c.owner != nullptr) c.owner->wake->cancel();
    std::erase_if(connections, [&](const auto& held) { return held.get() == &c; });
  }

  awaitable<bool> send_frame(connection& c, capnp::MessageBuilder& b) {
    frame_words words;
    append_frame(b, words);
    co_return co_await write_words(c, words, 1);
  }

  /// Says why, then closes: a refused peer learns the reason too.
  awaitable<void> refuse(connection& c, const std::string& reason) {
    count.handshakes_refused.fetch_add(1, std::memory_order_relaxed);
    capnp::MallocMessageBuilder b{32};
    b.initRoot<wire::Frame>().initGoodbye().setReason(reason);
    (void)co_await send_frame(c, b);
    close(c, "handshake refused: " + reason);
  }

  /// Closes the connection if its handshake is not over by the deadline.
  void arm_handshake_deadline(const std::shared_ptr<connection>& c,
                              const std::shared_ptr<asio::steady_timer>& deadline) {
    deadline->expires_after(options.limits.handshake_timeout);
    deadline->async_wait([weak = weak_from_this(), c](std::error_code ec) {
      auto self_ = weak.lock();
      if (!ec && self_ && c->owner == nullptr) self_->close(*c, "handshake deadline passed");
    });
  }

  /// The established connection of `p`: replaces an older one, and runs until it closes.
  awaitable<void> run(peer& p, std::shared_ptr<connection> c) {
    // Batching is this transport's own: Nagle's algorithm would only add latency.
    std::error_code ignored;
    c->socket.set_option(asio_tcp::no_delay(true), ignored);
    if (p.conn) close(*p.conn, "replaced by a new connection");
    c->owner = &p;
    c->who = "node " + p.address.name;
    p.conn = c;
    p.state = peer_state::up;
    {
      std::lock_guard lock{p.mutex};
      p.down = false;
    }
    p.detector.reset();
    p.detector.heartbeat(steady_now());
    count.handshakes_completed.fetch_add(1, std::memory_order_relaxed);
    asio::co_spawn(io, read_loop(c), asio::detached);
    co_await write_loop(c);
    if (p.conn == c) {
      p.conn.reset();
      if (p.state == peer_state::up) p.state = peer_state::connecting;
    }
  }

  awaitable<void> connect_loop(peer& p) {
    auto keep = shared_from_this();
    asio_tcp::resolver resolver{io};
    while (!stopping) {
      auto [rec, endpoints] =
          co_await resolver.async_resolve(p.address.host, std::to_string(p.address.port), as_tuple);
      if (!rec && !stopping) {
        asio_tcp::socket s{io};
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

  awaitable<bool> initiate(peer& p, std::shared_ptr<connection> c) {
    auto deadline = std::make_shared<asio::steady_timer>(io);
    arm_handshake_deadline(c, deadline);
    handshake_initiator hs{self, secret};
    capnp::MallocMessageBuilder hello{64};
    hs.write_hello(hello.initRoot<wire::Frame>().initHello());
    if (!co_await send_frame(*c, hello)) co_return false;
    auto reply = co_await read_frame(*c);
    if (!reply) co_return false;
    try {
      const auto f = reply->getRoot<wire::Frame>();
      if (f.which() == wire::Frame::GOODBYE) {
        close(*c, "refused by the peer: " + std::string{f.getGoodbye().getReason().cStr()});
        co_return false;
      }
      if (f.which() != wire::Frame::HELLO) {
        co_await refuse(*c, "expected a hello");
        co_return false;
      }
      capnp::MallocMessageBuilder auth{32};
      refusal why = refusal::none;
      auto peer_id = hs.on_hello(f.getHello(), auth.initRoot<wire::Frame>().initAuth(), &why);
      if (!peer_id) {
        co_await refuse(*c, to_string(why));
        co_return false;
      }
      if (peer_id.value().node_id != p.address.node_id || peer_id.value().node != p.address.name) {
        co_await refuse(*c, "expected node " + p.address.name + ", found " + peer_id.value().node);
        co_return false;
      }
      if (!co_await send_frame(*c, auth)) co_return false;
    } catch (const kj::Exception& e) {
      malformed(*c, "malformed handshake frame: " + std::string{e.getDescription().cStr()});
      co_return false;
    }
    deadline->cancel();
    co_return !c->closed;
  }

  awaitable<void> respond(std::shared_ptr<connection> c) {
    auto keep = shared_from_this();
    auto deadline = std::make_shared<asio::steady_timer>(io);
    arm_handshake_deadline(c, deadline);
    handshake_responder hs{self, secret};
    auto hello = co_await read_frame(*c);
    if (!hello) co_return;
    peer* p = nullptr;
    try {
      const auto f = hello->getRoot<wire::Frame>();
      if (f.which() != wire::Frame::HELLO) {
        co_await refuse(*c, "expected a hello");
        co_return;
      }
      const auto h = f.getHello();
      p = find_peer(h.getNodeId());
      if (p == nullptr || p->we_connect || p->address.name != h.getNode().cStr()) {
        co_await refuse(*c, "unknown node " + std::string{h.getNode().cStr()});
        co_return;
      }
      capnp::MallocMessageBuilder reply{64};
      refusal why = refusal::none;
      if (!hs.on_hello(h, reply.initRoot<wire::Frame>().initHello(), &why)) {
        co_await refuse(*c, to_string(why));
        co_return;
      }
      if (!co_await send_frame(*c, reply)) co_return;
    } catch (const kj::Exception& e) {
      malformed(*c, "malformed handshake frame: " + std::string{e.getDescription().cStr()});
      co_return;
    }
    auto auth = co_await read_frame(*c);
    if (!auth) co_return;
    try {
      const auto f = auth->getRoot<wire::Frame>();
      refusal why = refusal::out_of_order;
      if (f.which() != wire::Frame::AUTH || !hs.on_auth(f.getAuth(), &why)) {
        co_await refuse(*c, to_string(why));
        co_return;
      }
    } catch (const kj::Exception& e) {
      malformed(*c, "malformed handshake frame: " + std::string{e.getDescription().cStr()});
      co_return;
    }
    deadline->cancel();
    if (c->closed) co_return;
    co_await run(*p, c);
  }

  awaitable<void> accept_loop() {
    auto keep = shared_from_this();
    while (!stopping) {
      auto [ec, s] = co_await acceptor.async_accept(as_tuple);
      if (ec) {
        if (stopping) co_return;
        continue;
      }
      count.connections_accepted.fetch_add(1, std::memory_order_relaxed);
      if (connections.size() >= options.limits.connections_max) {
        count.connections_refused.fetch_add(1, std::memory_order_relaxed);
        log("connection refused: already " + std::to_string(connections.size()) +
            " connections, the limit");
        std::error_code ignored;
        s.close(ignored);
        continue;
      }
      auto c = std::make_shared<connection>(std::move(s), options.limits.frame_bytes_max);
      connections.push_back(c);
      asio::co_spawn(io, respond(c), asio::detached);
    }
  }

  // ---- failure detection ----

  awaitable<void> detector_loop() {
    auto keep = shared_from_this();
    while (!stopping) {
      detector_timer.expires_after(options.limits.heartbeat_interval);
      (void)co_await detector_timer.async_wait(as_tuple);
      if (stopping) co_return;
      const time_point now = steady_now();
      for (auto& p : peers) {
        if (p->state != peer_state::down && !p->detector.available(now)) lose(*p);
      }
    }
  }

  /// The failure detector gave up on `p`: what waits for it fails, its watchers learn.
  void lose(peer& p) {
    count.nodes_lost.fetch_add(1, std::memory_order_relaxed);
    log("node " + p.address.name + " is down (no heartbeat)");
    p.state = peer_state::down;
    std::deque<envelope> dropped;
    std::vector<watch> watches;
    {
      std::lock_guard lock{p.mutex};
      p.down = true;
      dropped.swap(p.outbound);
      p.outbound_count.store(0, std::memory_order_relaxed);
      watches.swap(p.watches);
    }
    count.messages_unreachable.fetch_add(dropped.size() + p.drop_encoded(),
                                         std::memory_order_relaxed);
    for (envelope& e : dropped) e.discard();
    const auto gone = make_error_code(errc::node_unreachable);
    system->fail_asks_to_node(p.address.node_id, gone);
    for (const watch& w : watches) {
      if (w.link) {
        system->notify_exit(w.local, w.remote, gone);
      } else {
        system->notify_down(w.local, w.remote, gone);
      }
    }
    if (p.conn) close(*p.conn, "node marked down");
  }

  // ---- life ----

  result<std::uint16_t> start() {
    if (system == nullptr) return errc::invalid_argument;
    std::error_code ec;
    const auto address = asio::ip::make_address(options.listen_host, ec);
    if (ec) return errc::invalid_argument;
    const asio_tcp::endpoint at{address, options.listen_port};
    acceptor.open(at.protocol(), ec);
    if (!ec) acceptor.set_option(asio_tcp::acceptor::reuse_address(true), ec);
    if (!ec) acceptor.bind(at, ec);
    if (!ec) acceptor.listen(asio::socket_base::max_listen_connections, ec);
    if (ec) {
      log("cannot listen on " + options.listen_host + ":" + std::to_string(options.listen_port) +
          ": " + ec.message());
      return errc::invalid_argument;
    }
    const auto port = acceptor.local_endpoint().port();
    asio::post(io, [self_ = shared_from_this()] {
      const time_point now = steady_now();
      for (auto& p : self_->peers) {
        // Counts from now: a peer that never answers is declared down like a lost one.
        p->detector.heartbeat(now);
        if (p->we_connect) asio::co_spawn(self_->io, self_->connect_loop(*p), asio::detached);
      }
      asio::co_spawn(self_->io, self_->accept_loop(), asio::detached);
      asio::co_spawn(self_->io, self_->detector_loop(), asio::detached);
    });
    return port;
  }

  void stop() {
    std::promise<void> done;
    stopping_flag.store(true, std::memory_order_release);
    asio::post(io, [self_ = shared_from_this(), &done] {
      self_->stopping = true;
      std::error_code ignored;
      self_->acceptor.close(ignored);
      self_->detector_timer.cancel();
      for (auto& p : self_->peers) {
        p->wake->cancel();
        p->pause->cancel();
        (void)p->drop_encoded();
        std::lock_guard lock{p->mutex};
        for (envelope& e : p->outbound) e.discard();
        p->outbound.clear();
        p->outbound_count.store(0, std::memory_order_relaxed);
      }
      auto open = self_->connections;
      for (auto& c : open) self_->close(*c, "transport stopped");
      done.set_value();
    });
    done.get_future().wait();
  }

  std::atomic<bool> stopping_flag{false};
};

transport::transport(asio::io_context& io, transport_options options, cluster_secret secret)
    : impl_(std::make_shared<impl>(io, std::move(options), std::move(secret))) {}

transport::~transport() = default;

void transport::attach(actor_system& system) { impl_->system = &system; }

result<std::uint16_t> transport::start() { return impl_->start(); }

void transport::stop() { impl_->stop(); }

result<void> transport::route(envelope&& e) { return impl_->route(std::move(e)); }

transport_counters transport::counters() const {
  constexpr auto r = std::memory_order_relaxed;
  const auto& c = impl_->count;
  return {c.frames_sent.load(r),
          c.frames_received.load(r),
          c.bytes_sent.load(r),
          c.bytes_received.load(r),
          c.writes.load(r),
          c.connections_accepted.load(r),
          c.connections_refused.load(r),
          c.handshakes_completed.load(r),
          c.handshakes_refused.load(r),
          c.frames_malformed.load(r),
          c.frames_oversized.load(r),
          c.messages_overloaded.load(r),
          c.messages_unreachable.load(r),
          c.nodes_lost.load(r)};
}

peer_state transport::state(std::uint32_t node) const {
  // Read from other threads for tests and metrics: a snapshot, possibly stale.
  std::promise<peer_state> answer;
  asio::post(impl_->io, [this, node, &answer] {
    const peer* p = impl_->find_peer(node);
    answer.set_value(p == nullptr ? peer_state::down : p->state);
  });
  return answer.get_future().get();
}

}  // namespace coact::net::tcp
