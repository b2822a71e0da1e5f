#pragma once

// Event-loop waiting for gtest bodies (QTRY_* report to QtTest, not gtest).

#include <QElapsedTimer>
#include <QTest>

#include <functional>

namespace tl::test {

/// Spins the event loop until `done` holds or `timeoutMs` passes; returns done().
inline bool wait_until(const std::function<bool()>& done, int timeoutMs) {
  QElapsedTimer timer;
  timer.start();
  while (!done() && timer.elapsed() < timeoutMs) QTest::qWait(5);
  return done();
}

}  // namespace tl::test
