#include "session/session_error_box.h"

#include <QMessageBox>
#include <QString>

namespace tl {

void showSessionError(QWidget* parent, const QString& title, const QString& message) {
  auto* box = new QMessageBox(QMessageBox::Warning, title.isEmpty() ? QObject::tr("Transfer Lab") : title, message,
                              QMessageBox::Ok, parent);
  box->setAttribute(Qt::WA_DeleteOnClose);
  box->open();
}

}  // namespace tl
