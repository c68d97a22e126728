// net/throughput/asio and net/rtt/asio: the yardstick for the coact transport, raw Asio
// over one loopback TCP socket pair with blocking calls, one thread at each end. A frame
// is a 4-byte little-endian length and the payload, as compact as framing gets.
#include <asio/io_context.hpp>
#include <asio/ip/tcp.hpp>
#include <asio/read.hpp>
#include <asio/write.hpp>
#include <benchmark/benchmark.h>

#include <array>
#include <bit>
#include <chrono>
#include <cstring>
#include <future>
#include <thread>
#include <vector>

#include "net_bench.hpp"

namespace coact::bench {
namespace {

using asio_tcp = asio::ip::tcp;

static_assert(std::endian::native == std::endian::little, "frames carry little-endian lengths");

constexpr std::size_t length_bytes = sizeof(std::uint32_t);
constexpr std::size_t frame_bytes = length_bytes + payload_bytes;

/// Bytes the reader asks the kernel for at once.
constexpr std::size_t read_buffer_bytes = 256u << 10;

/// Two connected sockets on 127.0.0.1, Nagle off on both (as a latency-minded program
/// sets them); `near` is used on the benchmark's thread, `far` on a thread of its own.
struct socket_pair {
  socket_pair() : near(io), far(io) {
    asio_tcp::acceptor acceptor{io, {asio::ip::make_address("127.0.0.1"), 0}};
    near.connect(acceptor.local_endpoint());
    acceptor.accept(far);
    near.set_option(asio_tcp::no_delay(true));
    far.set_option(asio_tcp::no_delay(true));
  }

  asio::io_context io;
  asio_tcp::socket near;
  asio_tcp::socket far;
};

/// Writes frame `sequence` at `at`.
void put_frame(std::byte* at, std::uint64_t sequence) noexcept {
  const auto length = static_cast<std::uint32_t>(payload_bytes);
  std::memcpy(at, &length, length_bytes);
  fill_payload({at + length_bytes, payload_bytes}, sequence);
}

/// The payload of the frame at `at`, or an empty span if its length is not payload_bytes.
std::span<const std::byte> payload_of(const std::byte* at) noexcept {
  std::uint32_t length = 0;
  std::memcpy(&length, at, length_bytes);
  if (length != payload_bytes) return {};
  return {at + length_bytes, payload_bytes};
}

// ---- net/throughput/asio ----

/// Reads frames until `count` have arrived in order or the stream ends or breaks; returns
/// how many arrived in order.
std::int64_t count_frames(asio_tcp::socket& socket, std::int64_t count) {
  std::vector<std::byte> buffer(read_buffer_bytes);
  std::size_t held = 0;  // bytes at the front of buffer: the start of a partial frame
  std::int64_t frames = 0;
  while (frames < count) {
    std::error_code ec;
    held += socket.read_some(asio::buffer(buffer.data() + held, buffer.size() - held), ec);
    if (ec) return frames;
    std::size_t at = 0;
    for (; held - at >= frame_bytes; at += frame_bytes) {
      const auto payload = payload_of(buffer.data() + at);
      if (payload.empty() || sequence_of(payload) != static_cast<std::uint64_t>(frames)) {
        return frames;
      }
      ++frames;
    }
    std::memmove(buffer.data(), buffer.data() + at, held - at);
    held -= at;
  }
  return frames;
}

/// Sends `count` frames, up to asio_frames_per_write in each write; false on an error.
bool send_frames(asio_tcp::socket& socket, std::int64_t count) {
  std::vector<std::byte> batch(static_cast<std::size_t>(asio_frames_per_write) * frame_bytes);
  for (std::int64_t sent = 0; sent < count;) {
    const std::int64_t frames = std::min(asio_frames_per_write, count - sent);
    for (std::int64_t i = 0; i < frames; ++i, ++sent) {
      put_frame(batch.data() + static_cast<std::size_t>(i) * frame_bytes,
                static_cast<std::uint64_t>(sent));
    }
    std::error_code ec;
    asio::write(socket, asio::buffer(batch.data(), static_cast<std::size_t>(frames) * frame_bytes),
                ec);
    if (ec) return false;
  }
  return true;
}

/// net/throughput/asio: one reader thread per iteration, over one socket pair for all.
void throughput(benchmark::State& state) {
  socket_pair sockets;
  const std::int64_t count = scaled(throughput_messages);
  for (auto _ : state) {
    std::promise<std::int64_t> counted;
    auto frames = counted.get_future();
    std::thread reader{[&] { counted.set_value(count_frames(sockets.far, count)); }};
    const bool sent = send_frames(sockets.near, count);
    std::error_code ignored;
    if (!sent || frames.wait_for(run_time_max) != std::future_status::ready) {
      // Unblocks a reader still waiting for frames that will not come.
      sockets.far.shutdown(asio_tcp::socket::shutdown_both, ignored);
    }
    reader.join();
    if (!sent || frames.get() != count) {
      state.SkipWithError("the reader did not count every frame sent");
      return;
    }
  }
  state.SetItemsProcessed(state.iterations() * count);
}

// ---- net/rtt/asio ----

/// Sends back every frame it reads until the stream ends or breaks.
void echo_frames(asio_tcp::socket& socket) {
  std::array<std::byte, frame_bytes> frame{};
  for (;;) {
    std::error_code ec;
    asio::read(socket, asio::buffer(frame), ec);
    if (ec) return;
    asio::write(socket, asio::buffer(frame), ec);
    if (ec) return;
  }
}

/// net/rtt/asio: one echo thread for all iterations; the percentiles are the last run's.
void rtt(benchmark::State& state) {
  socket_pair sockets;
  std::thread echo{[&] { echo_frames(sockets.far); }};
  const std::int64_t round_trips = scaled(rtt_round_trips);
  std::vector<double> latencies_ns;
  latencies_ns.reserve(static_cast<std::size_t>(round_trips));
  bool ok = true;
  std::array<std::byte, frame_bytes> request{};
  std::array<std::byte, frame_bytes> reply{};
  for (auto _ : state) {
    latencies_ns.clear();
    for (std::int64_t i = 0; i < round_trips && ok; ++i) {
      put_frame(request.data(), static_cast<std::uint64_t>(i));
      const auto start = std::chrono::steady_clock::now();
      std::error_code ec;
      asio::write(sockets.near, asio::buffer(request), ec);
      if (!ec) asio::read(sockets.near, asio::buffer(reply), ec);
      latencies_ns.push_back(
          static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(
                                  std::chrono::steady_clock::now() - start)
                                  .count()));
      const auto payload = payload_of(reply.data());
      ok = !ec && !payload.empty() && sequence_of(payload) == static_cast<std::uint64_t>(i);
    }
    if (!ok) break;
  }
  // The echo sees the end of the stream and returns.
  std::error_code ignored;
  sockets.near.shutdown(asio_tcp::socket::shutdown_send, ignored);
  echo.join();
  if (!ok) {
    state.SkipWithError("a round trip failed or came back wrong");
    return;
  }
  state.SetItemsProcessed(state.iterations() * round_trips);
  state.counters["p50_ns"] = percentile(latencies_ns, 50.0);
  state.counters["p99_ns"] = percentile(latencies_ns, 99.0);
}

BENCHMARK(throughput)->Name("net/throughput/asio")->UseRealTime()->Unit(benchmark::kMillisecond);
BENCHMARK(rtt)->Name("net/rtt/asio")->UseRealTime()->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace coact::bench
