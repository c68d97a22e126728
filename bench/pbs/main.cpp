// coact-pbs-bench: the staleness of partial quorums (Bailis et al., PBS, VLDB 2012)
// measured on coact's quorum policy in the simulator, beside the paper's WARS model of
// the same delay distributions.
#include <CLI/CLI.hpp>

#include <cstdio>
#include <string>
#include <vector>

#include "delay_model.hpp"
#include "pbs_experiment.hpp"
#include "wars_model.hpp"

namespace {

using namespace coact::bench;

constexpr int exit_ok = 0;
constexpr int exit_failed = 1;
constexpr int exit_bad_input = 2;

struct settings {
  std::vector<std::string> models{"lnkd-ssd", "lnkd-disk", "ymmr"};
  std::vector<std::uint32_t> levels{1, 2, 3};
  pbs_options experiment;
  std::uint64_t model_trials = 1'000'000;
  bool curves = false;
};

/// Milliseconds to three significant digits, without an exponent.
std::string ms(double v) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, v >= 100 ? "%.0f" : "%.3g", v);
  return buffer;
}

std::string visibility(bool found, double v) { return found ? ms(v) : "> 10 s"; }

int run(settings s) {
  std::printf(
      "N = %u; simulator: %llu + %llu writes per (R, W), each read back at every "
      "offset; WARS model: %llu trials\n\n",
      s.experiment.replica_count, static_cast<unsigned long long>(s.experiment.coarse_trials),
      static_cast<unsigned long long>(s.experiment.fine_trials),
      static_cast<unsigned long long>(s.model_trials));
  std::printf(
      "| model | R | W | read p99.9 ms | write p99.9 ms | P(consistent at ack) | "
      "t-visibility 99.9%% ms | WARS: read p99.9 | WARS: write p99.9 | WARS: P(at ack) | "
      "WARS: t-visibility |\n");
  std::printf("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |\n");
  bool failed = false;
  std::vector<pbs_measurement> measured;
  std::vector<std::string> measured_model;
  for (const std::string& name : s.models) {
    auto model = parse_delay_model(name);
    if (!model) {
      std::fprintf(stderr, "coact-pbs-bench: --models %s: expected one of %s\n", name.c_str(),
                   delay_model_help);
      return exit_bad_input;
    }
    s.experiment.delays = model.value();
    for (const std::uint32_t r : s.levels) {
      for (const std::uint32_t w : s.levels) {
        if (r > s.experiment.replica_count || w > s.experiment.replica_count) continue;
        const auto m = measure_pbs(r, w, s.experiment);
        const auto p = predict_wars(model.value().delays, s.experiment.replica_count, r, w,
                                    s.model_trials, s.experiment.seed);
        if (!m) {
          std::printf("| %s | %u | %u | failed: %s |\n", name.c_str(), r, w,
                      m.error().message().c_str());
          failed = true;
          continue;
        }
        const pbs_measurement& v = m.value();
        // A strict quorum must never be stale: that is the policy's guarantee, checked.
        const bool strict = r + w > s.experiment.replica_count;
        if (v.failed > 0 || (strict && v.at_commit.fresh != v.at_commit.reads)) failed = true;
        std::printf("| %s | %u | %u | %s | %s | %.4f (%llu reads) | %s | %s | %s | %.4f | %s |\n",
                    name.c_str(), r, w, ms(v.read_p999_ms).c_str(), ms(v.write_p999_ms).c_str(),
                    v.at_commit.probability(), static_cast<unsigned long long>(v.at_commit.reads),
                    visibility(v.t_visibility_found, v.t_visibility_999_ms).c_str(),
                    ms(p.read_p999_ms).c_str(), ms(p.write_p999_ms).c_str(), p.consistent_at_commit,
                    ms(p.t_visibility_999_ms).c_str());
        std::fflush(stdout);
        measured.push_back(v);
        measured_model.push_back(name);
      }
    }
  }
  std::printf(
      "\nt-visibility: the smallest offset after the acknowledgement at which the measured "
      "probability, fitted as non-decreasing in the offset, reaches 99.9%% (offsets 20 per "
      "decade around it, so within 12%%). WARS: the PBS paper's model of the same delays, "
      "by Monte Carlo.\n");
  if (s.curves) {
    for (std::size_t i = 0; i < measured.size(); ++i) {
      std::printf("\n%s R=%u W=%u: offset ms, reads, P(consistent)\n", measured_model[i].c_str(),
                  measured[i].r, measured[i].w);
      for (const visibility_sample& c : measured[i].curve) {
        std::printf("  %10.4f %8llu %.5f\n", c.offset_ms, static_cast<unsigned long long>(c.reads),
                    c.probability());
      }
    }
  }
  return failed ? exit_failed : exit_ok;
}

}  // namespace

int main(int argc, char** argv) {
  settings s;
  CLI::App app{"coact-pbs-bench: staleness of partial quorums (PBS) on coact's quorum policy"};
  app.add_option("--models", s.models, std::string{"delay models: "} + delay_model_help)
      ->delimiter(',')
      ->capture_default_str();
  app.add_option("--levels", s.levels, "R and W values to combine (ONE=1, TWO=2, THREE=3)")
      ->delimiter(',')
      ->check(CLI::Range(1, 3))
      ->capture_default_str();
  app.add_option("--coarse-trials", s.experiment.coarse_trials,
                 "writes of the coarse stage, per (R, W)")
      ->check(CLI::Range(1, 100'000'000))
      ->capture_default_str();
  app.add_option("--fine-trials", s.experiment.fine_trials,
                 "writes of the fine stage around the 99.9% crossing (0: none)")
      ->check(CLI::Range(0, 100'000'000))
      ->capture_default_str();
  app.add_option("--writers", s.experiment.writers, "clients writing at once")
      ->check(CLI::Range(1, 100'000))
      ->capture_default_str();
  app.add_option("--model-trials", s.model_trials, "trials of the WARS model")
      ->check(CLI::Range(1, 1'000'000'000))
      ->capture_default_str();
  app.add_option("--seed", s.experiment.seed, "seed of the simulator and the model")
      ->capture_default_str();
  app.add_flag("--curves", s.curves, "also print every measured offset's probability");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? exit_ok : exit_bad_input;
  }
  return run(std::move(s));
}
