#pragma once

// Torch-free, so the window can tell a comparison's jobs apart by type.

#include <cstdint>
#include <string>

namespace tl {

/// What a job of a run trains: the transfer run itself, or the twin it is
/// compared with (from scratch, or DANN's source-only control).
enum class JobRole { Transfer, ScratchTwin, SourceOnlyTwin };

/// "transfer", "scratch twin", "source-only twin".
std::string job_role_name(JobRole role);

/// Which job of a run is training: its seed and role, and its place among the
/// run's jobs (a comparison over K seeds with twins has 2K).
struct JobIdentity {
  uint64_t seed = 0;
  JobRole role = JobRole::Transfer;
  int index = 0;  ///< 0-based, in training order
  int count = 1;  ///< jobs in the run
  int seeds = 1;  ///< seeds in the run

  bool is_twin() const { return role != JobRole::Transfer; }
  bool operator==(const JobIdentity& o) const {
    return seed == o.seed && role == o.role && index == o.index && count == o.count && seeds == o.seeds;
  }
};

/// For people: "transfer", "scratch twin"; in a run over several seeds
/// "seed 2 transfer", "seed 2 scratch twin".
std::string job_label(const JobIdentity& job);

}  // namespace tl
