#include "train/training_events.h"

namespace tl {

nlohmann::json epoch_event_to_json(const EpochEvent& e) {
  nlohmann::json j = {{"epoch", e.epoch},       {"train_loss", e.train_loss}, {"train_accuracy", e.train_accuracy},
                      {"val_loss", e.val_loss}, {"val_accuracy", e.val_accuracy}, {"seconds", e.seconds}};
  if (e.domain_accuracy >= 0.0) {
    j["domain_accuracy"] = e.domain_accuracy;
    j["lambda"] = e.lambda;
  }
  if (!e.warning.empty()) j["warning"] = e.warning;
  return j;
}

EpochEvent epoch_event_from_json(const nlohmann::json& j) {
  EpochEvent e;
  e.epoch = j.at("epoch").get<int>();
  e.train_loss = j.at("train_loss").get<double>();
  e.train_accuracy = j.at("train_accuracy").get<double>();
  e.val_loss = j.at("val_loss").get<double>();
  e.val_accuracy = j.at("val_accuracy").get<double>();
  e.seconds = j.at("seconds").get<double>();
  e.domain_accuracy = j.value("domain_accuracy", e.domain_accuracy);
  e.lambda = j.value("lambda", e.lambda);
  e.warning = j.value("warning", e.warning);
  return e;
}

std::string run_status_name(RunStatus status) {
  switch (status) {
    case RunStatus::Finished:
      return "finished";
    case RunStatus::Cancelled:
      return "cancelled";
    case RunStatus::Failed:
      return "failed";
    case RunStatus::Diverged:
      return "diverged";
  }
  return "unknown";
}

std::string run_event_kind_name(RunEventKind kind) {
  switch (kind) {
    case RunEventKind::Start: return "start";
    case RunEventKind::Resume: return "resume";
    case RunEventKind::Checkpoint: return "checkpoint";
    case RunEventKind::PlanChange: return "plan_change";
    case RunEventKind::Warning: return "warning";
    case RunEventKind::Diverged: return "diverged";
    case RunEventKind::End: return "end";
  }
  return "warning";
}

std::optional<RunEventKind> run_event_kind_from_name(const std::string& name) {
  for (RunEventKind kind : {RunEventKind::Start, RunEventKind::Resume, RunEventKind::Checkpoint,
                            RunEventKind::PlanChange, RunEventKind::Warning, RunEventKind::Diverged,
                            RunEventKind::End}) {
    if (run_event_kind_name(kind) == name) return kind;
  }
  return std::nullopt;
}

}  // namespace tl
