#pragma once

// What a schedule does, in words: one rule for the editor's sentence and the
// strategy step's summary.

#include <QString>

namespace tl {

struct ScheduleSettings;

/// A plain sentence of what the plan will do over the run, e.g. "Head only
/// for 2 epochs, then every trained block, the lowest at 1/10 of the rate;
/// constant learning rate."
QString scheduleSentence(const ScheduleSettings& schedule);

/// A short clause for the strategy step's one-line summary ("gradual
/// unfreezing every 2 epochs, cosine learning rate"); "" for the default
/// schedule, which changes nothing.
QString scheduleSummary(const ScheduleSettings& schedule);

/// A plan change's loss-plot marker: a schedule's ("schedule: unfrozen:
/// features.2.0, features.2.1") as short as the gap between two epochs'
/// markers allows ("thaw features.2"); any other change's details as they are.
QString planChangeMarkerLabel(const QString& details);

}  // namespace tl
