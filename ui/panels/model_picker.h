#pragma once

#include <QWidget>

#include <memory>

class QComboBox;
class QLabel;
class QPushButton;

namespace tl {

class ExperimentSession;

/// Chooses the model: built-in checkpoints, untrained architectures and
/// "Open…" for a checkpoint file, with what matters when choosing one
/// (architecture, size, cost, source task, data, accuracy, licence).
/// A file that does not load leaves the previous model in place; the message
/// goes out through the session's errorOccurred (the main window shows it) and
/// loadFailed(). setShowsErrorDialogs(true) makes the picker show it itself.
class ModelPicker : public QWidget {
  Q_OBJECT

 public:
  explicit ModelPicker(ExperimentSession* session, QWidget* parent = nullptr);
  ~ModelPicker() override;

  QComboBox* combo() const { return combo_; }
  /// Loads a checkpoint file as "Open…" does after its dialog.
  bool openCheckpoint(const QString& path);
  /// Off by default: the session's errorOccurred already reaches the user.
  void setShowsErrorDialogs(bool show) { showsErrorDialogs_ = show; }
  /// The details form as "label: value" lines (tests, screenshots' alt text).
  QString detailsText() const;

 public Q_SLOTS:
  void openFileDialog();

 Q_SIGNALS:
  void loadFailed(const QString& message);

 private:
  void buildDetailsForm();
  void populateChoices();
  void selectCurrentModel();  ///< the combo follows the session, also after a failure
  void showDetails();
  void chooseIndex(int index);
  void reportFailure(const QString& message);
  QLabel* addDetail(const QString& label);

  ExperimentSession* session_;
  QComboBox* combo_;
  QPushButton* open_;
  bool showsErrorDialogs_ = false;
  struct Details;
  std::unique_ptr<Details> details_;  ///< pointers to the form's labels (Qt owns the labels)
};

}  // namespace tl
