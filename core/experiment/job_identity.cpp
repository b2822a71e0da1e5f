#include "experiment/job_identity.h"

namespace tl {

std::string job_role_name(JobRole role) {
  switch (role) {
    case JobRole::Transfer: return "transfer";
    case JobRole::ScratchTwin: return "scratch twin";
    case JobRole::SourceOnlyTwin: return "source-only twin";
  }
  return "transfer";
}

std::string job_label(const JobIdentity& job) {
  const std::string role = job_role_name(job.role);
  return job.seeds > 1 ? "seed " + std::to_string(job.seed) + " " + role : role;
}

}  // namespace tl
