#pragma once

class QString;
class QWidget;

namespace tl {

/// Shows why the session refused a panel's edit (the reason its fallible call
/// returned), in a warning box over `parent`. open(), not exec(): the event
/// loop and a running training keep going. An empty title reads "Transfer Lab".
void showSessionError(QWidget* parent, const QString& title, const QString& message);

}  // namespace tl
