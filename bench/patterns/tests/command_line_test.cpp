// coact-pattern-bench as people and scripts run it: --list names every variant by slug,
// --histories writes one history per run that coact's reader loads, bad output paths,
// unknown policies and zipfian constants outside (0, 1) are refused before anything runs
// (exit 2, naming them), and SIGINT reports what was measured, the run in progress marked
// partial, after progress lines on standard error, and exits 130.
#include <catch2/catch.hpp>
#include <fcntl.h>
#include <nlohmann/json.hpp>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "coact/check/history_json.hpp"
#include "policy_catalog.hpp"

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

/// A directory of its own for one test, removed at the end.
class scratch_dir {
 public:
  scratch_dir() {
    static int count = 0;
    path_ = fs::temp_directory_path() / ("coact-pattern-bench-test-" + std::to_string(::getpid()) +
                                         "-" + std::to_string(count++));
    fs::remove_all(path_);
    fs::create_directories(path_);
  }
  scratch_dir(const scratch_dir&) = delete;
  scratch_dir& operator=(const scratch_dir&) = delete;
  ~scratch_dir() { fs::remove_all(path_); }
  [[nodiscard]] const fs::path& path() const { return path_; }

 private:
  fs::path path_;
};

std::string read_file(const fs::path& file) {
  std::ifstream in{file};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

struct outcome {
  int exit_code = -1;
  std::string out;
  std::string err;
};

/// Runs the benchmark with `args` (no quoting needed: no spaces in them) to completion.
outcome bench(const scratch_dir& dir, const std::string& args) {
  const fs::path out = dir.path() / "stdout";
  const fs::path err = dir.path() / "stderr";
  const std::string command =
      std::string{COACT_PATTERN_BENCH} + " " + args + " >" + out.string() + " 2>" + err.string();
  const int status = std::system(command.c_str());
  REQUIRE(WIFEXITED(status));
  return {WEXITSTATUS(status), read_file(out), read_file(err)};
}

}  // namespace

// Proves --list prints one line per variant: its slug first, then "linearizable" or "-",
// then its name and its descriptor's promise.
TEST_CASE("the listing prints every variant's slug and promise", "[bench]") {
  const scratch_dir dir;
  const auto listed = bench(dir, "--list");
  REQUIRE(listed.exit_code == 0);
  std::istringstream lines{listed.out};
  std::string line;
  std::vector<std::string> slugs;
  while (std::getline(lines, line)) {
    std::istringstream fields{line};
    std::string slug;
    std::string claim;
    fields >> slug >> claim;
    slugs.push_back(slug);
    CHECK((claim == "linearizable" || claim == "-"));
  }
  const auto catalog = coact::bench::policy_catalog();
  REQUIRE(slugs.size() == catalog.size());
  for (std::size_t i = 0; i < catalog.size(); ++i) {
    CHECK(slugs[i] == catalog[i].slug);
    CHECK(listed.out.find(catalog[i].name + ": ") != std::string::npos);
  }
  CHECK(listed.out.find("strong                               linearizable strong (Raft): "
                        "linearizable get, put and cas") != std::string::npos);
}

// Proves --histories writes exactly one file per run, named
// <runtime>-<nodes>n-<dcs>dc-<slug>.jsonl, each a history that check::load_history reads
// back with every operation of the run.
TEST_CASE("histories are written one file per run", "[bench]") {
  const scratch_dir dir;
  const fs::path histories = dir.path() / "histories";
  fs::create_directory(histories);
  const auto ran = bench(dir,
                         "--runtime sim,tcp --nodes 3 --dcs 1,2 --clients 2 --ops 10 "
                         "--keys 5 --policies single,quorum-one-one --histories " +
                             histories.string());
  INFO(ran.out << ran.err);
  REQUIRE(ran.exit_code == 0);
  std::set<std::string> names;
  for (const auto& entry : fs::directory_iterator{histories}) {
    names.insert(entry.path().filename().string());
    const auto h = coact::check::load_history(entry.path());
    INFO(entry.path());
    REQUIRE(h);
    CHECK(coact::check::pair_operations(h.value()).value().size() == 2 * 10);
  }
  CHECK(names == std::set<std::string>{"sim-3n-1dc-single.jsonl", "sim-3n-1dc-quorum-one-one.jsonl",
                                       "sim-3n-2dc-single.jsonl", "sim-3n-2dc-quorum-one-one.jsonl",
                                       "tcp-3n-1dc-single.jsonl", "tcp-3n-1dc-quorum-one-one.jsonl",
                                       "tcp-3n-2dc-single.jsonl",
                                       "tcp-3n-2dc-quorum-one-one.jsonl"});
}

// Proves output paths that cannot be written are refused before any run, with exit 2 and
// a message naming the option and the path: a missing directory, a file where a directory
// is expected, a directory where a file is expected.
TEST_CASE("bad output paths are refused before running", "[bench]") {
  const scratch_dir dir;
  const std::string missing = (dir.path() / "missing").string();
  const std::string file = (dir.path() / "plain-file").string();
  std::ofstream{file} << "x";
  const std::string directory = dir.path().string();
  for (const auto& [args, named] : std::vector<std::pair<std::string, std::string>>{
           {"--json " + missing + "/out.json", "--json " + missing + "/out.json: " + missing},
           {"--csv " + missing + "/out.csv", "--csv " + missing + "/out.csv: " + missing},
           {"--svg " + directory, "--svg " + directory},
           {"--histories " + missing, "--histories " + missing},
           {"--histories " + file, "--histories " + file}}) {
    INFO(args);
    const auto refused = bench(dir, "--runtime sim --nodes 3 --dcs 1 --ops 10 " + args);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find(named) != std::string::npos);
    CHECK(refused.out.find("workload:") == std::string::npos);
  }
}

// Proves an unknown --policies entry exits 2, naming it and listing the valid slugs.
TEST_CASE("an unknown policy is refused, naming it", "[bench]") {
  const scratch_dir dir;
  const auto refused = bench(dir, "--policies strong,quorum-two-two");
  CHECK(refused.exit_code == 2);
  CHECK(refused.err.find("unknown policy 'quorum-two-two'") != std::string::npos);
  CHECK(refused.err.find("dynamo-consistent") != std::string::npos);
}

// Proves a --zipf-s outside (0, 1), which YCSB's zipfian cannot draw from, exits 2 before
// any run, naming the option and the range.
TEST_CASE("a zipfian constant outside (0, 1) is refused", "[bench]") {
  const scratch_dir dir;
  for (const std::string bad : {"0", "1", "1.5", "10"}) {
    INFO(bad);
    const auto refused = bench(dir, "--runtime sim --nodes 3 --dcs 1 --ops 10 --zipf-s " + bad);
    CHECK(refused.exit_code == 2);
    CHECK(refused.err.find("--zipf-s " + bad + ": expected a zipfian constant in (0, 1)") !=
          std::string::npos);
    CHECK(refused.out.find("workload:") == std::string::npos);
  }
  const auto ran = bench(dir,
                         "--runtime sim --nodes 3 --dcs 1 --clients 2 --ops 10 --policies single "
                         "--zipf-s 0.5");
  INFO(ran.out << ran.err);
  CHECK(ran.exit_code == 0);
  CHECK(ran.out.find("zipfian 0.5") != std::string::npos);
}

// Proves a long run prints its progress on standard error, and SIGINT ends it with exit
// 130 after printing and writing what it measured: the run in progress, marked partial.
TEST_CASE("SIGINT reports the partial run and exits 130", "[bench][slow]") {
  const scratch_dir dir;
  const std::string json = (dir.path() / "out.json").string();
  const std::string out = (dir.path() / "stdout").string();
  const std::string err = (dir.path() / "stderr").string();
  std::vector<std::string> args{COACT_PATTERN_BENCH,
                                "--runtime",
                                "sim",
                                "--nodes",
                                "3",
                                "--dcs",
                                "1",
                                "--policies",
                                "single",
                                "--clients",
                                "8",
                                "--ops",
                                "10000000",
                                "--json",
                                json};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_addopen(&actions, 1, out.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, 2, err.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  pid_t pid = 0;
  REQUIRE(posix_spawn(&pid, COACT_PATTERN_BENCH, &actions, nullptr, argv.data(), environ) == 0);
  posix_spawn_file_actions_destroy(&actions);

  // Progress lines start after 3 s of a run.
  const auto deadline = std::chrono::steady_clock::now() + 60s;
  while (read_file(err).find("operations (") == std::string::npos &&
         std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(100ms);
  }
  ::kill(pid, SIGINT);
  int status = 0;
  REQUIRE(::waitpid(pid, &status, 0) == pid);
  const std::string progress = read_file(err);
  INFO(progress);
  CHECK(progress.find("coact-pattern-bench: run 1 of 1, sim-3n-1dc-single: ") != std::string::npos);
  REQUIRE(WIFEXITED(status));
  CHECK(WEXITSTATUS(status) == 130);
  CHECK(read_file(out).find("partial: interrupted after") != std::string::npos);
  const auto rows = nlohmann::json::parse(read_file(json));
  REQUIRE(rows.size() == 1);
  CHECK(rows[0]["error"].get<std::string>().starts_with("partial: interrupted after"));
  CHECK(rows[0]["reads_ok"].get<double>() > 0);
}
