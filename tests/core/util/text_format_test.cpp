#include "util/text_format.h"

#include <gtest/gtest.h>

namespace tl {
namespace {

TEST(TextFormat, CountsGetACommaEveryThreeDigits) {
  EXPECT_EQ(format_count(0), "0");
  EXPECT_EQ(format_count(999), "999");
  EXPECT_EQ(format_count(1000), "1,000");
  EXPECT_EQ(format_count(1234567), "1,234,567");
  EXPECT_EQ(format_count(-93541), "-93,541");
}

TEST(TextFormat, ClockShowsMinutesAndSecondsAndHoursWhenNeeded) {
  EXPECT_EQ(format_clock(42), "0:42");
  EXPECT_EQ(format_clock(600), "10:00");
  EXPECT_EQ(format_clock(3723), "1:02:03");
  EXPECT_EQ(format_clock(-5), "0:00");
}

TEST(TextFormat, DurationIsSecondsUnderAMinuteAndUnknownWhenNegative) {
  EXPECT_EQ(format_duration(12.4), "12s");
  EXPECT_EQ(format_duration(65), "1:05");
  EXPECT_EQ(format_duration(-1), "--");
}

TEST(TextFormat, PercentRoundsToTheAskedDigitsAndDashesAMissingValue) {
  EXPECT_EQ(format_percent(0.8734), "87.3%");
  EXPECT_EQ(format_percent(0.8734, 0), "87%");
  EXPECT_EQ(format_percent(std::optional<double>()), "-");
  EXPECT_EQ(format_percent(std::optional<double>(0.5)), "50.0%");
}

TEST(TextFormat, DomainDistanceGivesMmdToFourDecimalsAndTheProxyADistanceToTwo) {
  EXPECT_EQ(format_domain_distance(0.012345, 0.4167), "MMD\u00b2 0.0123, proxy A-distance 0.42");
  EXPECT_EQ(format_domain_distance(0.25, 2.0), "MMD\u00b2 0.2500, proxy A-distance 2.00");
  EXPECT_EQ(format_domain_distance(std::nullopt, 1.0), "no similarity numbers (one domain only)");
  EXPECT_EQ(format_domain_distance(0.1, std::nullopt), "no similarity numbers (one domain only)");
}

}  // namespace
}  // namespace tl
