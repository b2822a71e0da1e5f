#include "schedule/timeline_strip.h"

#include "schedule/training_schedule.h"
#include "session/session_config.h"
#include "style/palette.h"
#include "support/ui_test_helpers.h"

#include <QImage>

namespace tl {
namespace {

using test::makeSession;

ScheduleSettings gradualCosine() {
  ScheduleSettings s;
  s.unfreeze = QStringLiteral("gradual");
  s.layerDecay = 0.5;
  s.lrShape = QStringLiteral("cosine");
  return s;
}

TEST(TimelineStrip, IsHiddenForTheDefaultScheduleAndShownForAnother) {
  auto session = makeSession();
  TimelineStrip strip(session.get());
  EXPECT_TRUE(strip.isHidden());
  ASSERT_TRUE(session->setSchedule(gradualCosine()));
  EXPECT_FALSE(strip.isHidden());
  ASSERT_TRUE(session->setSchedule(ScheduleSettings{}));
  EXPECT_TRUE(strip.isHidden());
}

// Every cell is core's schedule_timeline of the session's plan, model and config.
TEST(TimelineStrip, CellsAreTheCoreTimelinesRates) {
  auto session = makeSession();
  ASSERT_TRUE(session->setStrategy(QStringLiteral("full_fine_tuning"), 1, 1.0));
  session->setEpochs(5);
  ASSERT_TRUE(session->setSchedule(gradualCosine()));
  TimelineStrip strip(session.get());
  strip.setBatchesPerEpoch(7);

  const ExperimentConfig config = sessionConfig(*session);
  const PreparedModel& prepared = sessionPreparedModel(*session);
  const std::vector<TimelineRow> expected = schedule_timeline(
      prepared.plan, *prepared.model, config.transfer.schedule, 5, config.training.learning_rate, 7);
  ASSERT_EQ(strip.rows().size(), static_cast<int>(expected.size()));
  for (size_t r = 0; r < expected.size(); ++r) {
    const ScheduleTimelineRow& row = strip.rows()[static_cast<int>(r)];
    EXPECT_EQ(row.block.toStdString(), expected[r].block);
    ASSERT_EQ(row.lr.size(), static_cast<int>(expected[r].lr.size()));
    for (size_t e = 0; e < expected[r].lr.size(); ++e) EXPECT_EQ(row.lr[static_cast<int>(e)], expected[r].lr[e]);
  }
  EXPECT_EQ(strip.rows().back().block, QStringLiteral("head"));
  EXPECT_EQ(strip.rows().front().lr.front(), 0.0);  // gradual: the lowest block is frozen in epoch 1
  EXPECT_GT(strip.rows().back().lr.front(), 0.0);   // and the head trains

  // Drawn as computed: a training cell in its rate's colour, a frozen one grey
  // (or its hatching); a higher rate is darker.
  strip.resize(600, strip.sizeHint().height());
  const QImage image = strip.grab().toImage();
  const int head = static_cast<int>(strip.rows().size()) - 1;
  EXPECT_EQ(image.pixelColor(strip.cellRect(head, 1).center()), strip.lrColor(strip.rows()[head].lr[0]));
  const QColor frozen = image.pixelColor(strip.cellRect(0, 1).center());
  EXPECT_TRUE(frozen == TimelineStrip::frozenColor() || frozen == QColor(150, 150, 150)) << frozen.name().toStdString();
  EXPECT_LT(strip.lrColor(strip.rows()[head].lr[0]).lightness(), strip.lrColor(strip.rows()[head].lr[4]).lightness());
  EXPECT_LE(strip.sizeHint().height(), 90);
}

TEST(TimelineStrip, FollowsTheEpochCountAndMarksTheCurrentEpoch) {
  auto session = makeSession();
  ASSERT_TRUE(session->setSchedule(gradualCosine()));
  TimelineStrip strip(session.get());
  session->setEpochs(3);
  EXPECT_EQ(strip.rows().front().lr.size(), 3);
  session->setEpochs(8);
  EXPECT_EQ(strip.rows().front().lr.size(), 8);
  strip.resize(600, strip.sizeHint().height());
  strip.setCurrentEpoch(4);
  const QImage image = strip.grab().toImage();
  const QRect column = strip.cellRect(0, 4);
  EXPECT_EQ(image.pixelColor(column.center()), style::okabe_ito::kVermillion);
}

}  // namespace
}  // namespace tl
