#pragma once

// Torch-free on purpose (Q_OBJECT): the models and Grad-CAM live in the .cpp.

#include <QImage>
#include <QString>
#include <QStringList>
#include <QVector>
#include <QWidget>

#include <cstdint>
#include <memory>

class QButtonGroup;
class QComboBox;
class QGridLayout;
class QLabel;
class QPushButton;
class QRadioButton;

namespace tl {

class BackgroundTask;
class TaskProgressBar;
struct GradCamExplanation;
struct GradCamRun;

/// One model's explanation of the image shown.
struct GradCamView {
  QString model;             ///< "transfer", or the twin's name ("scratch twin")
  QImage overlay;            ///< the image with the heat map over it, at the model's input size
  QVector<float> heat;       ///< the Grad-CAM map, width × height values in [0, 1], row by row
  int width = 0;
  int height = 0;
  qint64 explainedClass = 0;  ///< the class the map explains
  qint64 predictedClass = 0;
  double probability = 0.0;   ///< softmax probability of the predicted class
  QString caption;            ///< as shown under the overlay
};

/// Why a model decided as it did: for one test image of a run (or any image
/// file), the Grad-CAM heat map at a chosen block laid over the image, for
/// the transfer model and, when the run exported it, the twin side by side,
/// each captioned with its prediction. The map explains either each model's
/// predicted class or the image's true class.
///
/// Loading the run's models and test images and computing the maps run on
/// background tasks; errors show as text in the panel.
class GradCamPanel : public QWidget {
  Q_OBJECT

 public:
  explicit GradCamPanel(QWidget* parent = nullptr);
  ~GradCamPanel() override;

  /// Loads the run folder's models and test images (in the background); an
  /// image asked for meanwhile is explained once they are loaded. An empty
  /// path clears the panel.
  void setRun(const QString& runDir);
  /// Explains test image `testIndex` of the run (an index into its test set,
  /// as in predictions.csv).
  void showImage(int64_t testIndex);
  /// Explains an image file, brought to the model's input size and channels.
  void showImageFile(const QString& path);
  void clear();

  /// The layers the map can be read at (spatial blocks), the default selected.
  QStringList layers() const;
  QString layer() const;
  void setLayer(const QString& layer);
  /// True: the maps explain the image's true class; false: each model's prediction.
  bool explainsTrueClass() const;
  void setExplainsTrueClass(bool trueClass);

  QString runDir() const { return runDir_; }
  bool isLoading() const;
  /// Loading, or computing a map.
  bool isBusy() const;
  /// The explanations shown: the transfer model's first, then the twin's.
  QVector<GradCamView> views() const { return views_; }
  /// The image as the models see it (before normalisation), at their input size.
  QImage image() const { return image_; }
  /// The error shown over the maps; empty when there is none.
  QString statusText() const;
  /// What the panel cannot show for this run (a twin without its model); empty otherwise.
  QString noteText() const;
  TaskProgressBar* progress() const { return progress_; }

 Q_SIGNALS:
  void runLoaded();
  /// The maps of the image asked for are shown.
  void explained();
  void failed(const QString& message);

 private:
  /// What to explain: a test image (index >= 0) or an image file.
  struct Subject {
    qint64 testIndex = -1;
    QString file;
    bool isSet() const { return testIndex >= 0 || !file.isEmpty(); }
  };

  void buildWidgets();
  void explain();
  void startExplaining();
  void finishExplaining();
  void showRun(const std::shared_ptr<GradCamRun>& run);
  void showExplanation(const GradCamExplanation& explanation);
  void showError(const QString& message);
  void clearViews();
  void chooseImageFile();

  BackgroundTask* loader_;
  BackgroundTask* explainer_;
  std::shared_ptr<GradCamRun> run_;
  QString runDir_;
  Subject subject_;
  bool explainAgain_ = false;  ///< asked while a map was being computed
  QVector<GradCamView> views_;
  QImage image_;

  QComboBox* layerBox_ = nullptr;
  QRadioButton* predictedButton_ = nullptr;
  QRadioButton* trueClassButton_ = nullptr;
  QPushButton* openFile_ = nullptr;
  TaskProgressBar* progress_ = nullptr;
  QLabel* status_ = nullptr;
  QLabel* note_ = nullptr;
  QGridLayout* grid_ = nullptr;
  QWidget* scale_ = nullptr;  ///< the colour map's key, shown with the maps
};

}  // namespace tl
