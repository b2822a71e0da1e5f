#pragma once

// ui/ and app/ build with QT_NO_KEYWORDS because LibTorch uses `slots` and
// `signals` as identifiers, but qcustomplot.h itself is written with Qt's
// keywords (`signals:`, `foreach`). Include it only through this header so the
// keywords exist for exactly that one include.

#if !defined(signals)
#define signals Q_SIGNALS
#define TL_QCP_DEFINED_SIGNALS
#endif
#if !defined(slots)
#define slots Q_SLOTS
#define TL_QCP_DEFINED_SLOTS
#endif
#if !defined(emit)
#define emit Q_EMIT
#define TL_QCP_DEFINED_EMIT
#endif
#if !defined(foreach)
#define foreach Q_FOREACH
#define TL_QCP_DEFINED_FOREACH
#endif

#include <qcustomplot.h>

#ifdef TL_QCP_DEFINED_SIGNALS
#undef signals
#undef TL_QCP_DEFINED_SIGNALS
#endif
#ifdef TL_QCP_DEFINED_SLOTS
#undef slots
#undef TL_QCP_DEFINED_SLOTS
#endif
#ifdef TL_QCP_DEFINED_EMIT
#undef emit
#undef TL_QCP_DEFINED_EMIT
#endif
#ifdef TL_QCP_DEFINED_FOREACH
#undef foreach
#undef TL_QCP_DEFINED_FOREACH
#endif
