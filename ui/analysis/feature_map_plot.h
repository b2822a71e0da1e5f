#pragma once

// Torch-free on purpose (Q_OBJECT): the run's images are loaded in the .cpp.

#include <QHash>
#include <QImage>
#include <QPoint>
#include <QString>
#include <QStringList>
#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;
class QCustomPlot;
class QFrame;
class QLabel;

namespace tl {

class BackgroundTask;
struct ModelFeatureMap;
struct RunAnalysis;

/// Where a run's source and target images lie in a model's feature space: the
/// points of a feature map (source images, then target images) as a scatter,
/// placed by PCA or t-SNE, coloured by domain, class or right/wrong, with
/// circles for source images and crosses for target ones so the plot reads
/// without colour too. A switch shows the map of the pretrained model or of
/// the trained one, with that map's MMD² and proxy A-distance beside it.
/// Hovering a point shows its image (loaded from the run in the background)
/// with its domain, class and whether the model got it right.
class FeatureMapPlot : public QWidget {
  Q_OBJECT

 public:
  enum class Projection { Pca, Tsne };
  enum class Colouring { Domain, Class, Correct };

  /// What hovering a pixel of the plot shows: the nearest point within a few pixels.
  struct Hover {
    bool found = false;
    int point = -1;  ///< index into the shown map's points
    QString text;
    QImage image;    ///< null when the run's images are not (yet) loaded
  };

  explicit FeatureMapPlot(QWidget* parent = nullptr);
  ~FeatureMapPlot() override;

  /// Shows the analysis's feature maps (the trained model's first) and loads
  /// the images of its run folder for the hover, in the background.
  void setAnalysis(const tl::RunAnalysis& analysis);
  void clear();
  /// Writes the plot as PDF (a .pdf path) or PNG (anything else); false when
  /// the file could not be written.
  bool exportTo(const QString& path);

  /// The maps there are ("pretrained", "trained") and the one shown.
  QStringList mapNames() const;
  QString currentMap() const;
  void setCurrentMap(const QString& model);
  Projection projection() const { return projection_; }
  void setProjection(Projection projection);
  /// t-SNE can be chosen only when the shown map has it.
  bool hasTsne() const;
  Colouring colouring() const { return colouring_; }
  void setColouring(Colouring colouring);

  /// The MMD² and proxy A-distance of the shown map, as printed beside it.
  QString similarityText() const;
  Hover hoverAt(const QPoint& pixel) const;
  /// Images of the run loaded for the hover: the number of points that have one.
  int loadedImageCount() const;
  /// Why the run's images could not be loaded; empty when they were (or are loading).
  QString imageError() const { return imageError_; }
  bool isLoadingImages() const;
  QCustomPlot* customPlot() const { return plot_; }

  /// Presentation mode's factor (ui/style/presentation_scale): the plot's
  /// fonts, markers and pens grow with it. Followed from the application's
  /// PresentationScale.
  void setPresentationScale(double scale);
  double presentationScale() const { return scale_; }
  /// Back to every point after dragging or zooming (also a double-click).
  void showAllPoints();

 Q_SIGNALS:
  void imagesLoaded();

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void buildWidgets();
  void showMap();
  void replotWhenVisible();
  void addGroups();
  void updateControls();
  void showStatistics();
  void loadImages(const std::string& runDir);
  void showHover(const QPoint& pixel, const QPoint& global);
  void applyScale();
  void fitAxes();
  const ModelFeatureMap* shownMap() const;

  std::vector<ModelFeatureMap> maps_;
  int shown_ = -1;  ///< index into maps_
  Projection projection_ = Projection::Pca;
  Colouring colouring_ = Colouring::Domain;
  double scale_ = 1.0;
  bool replotWhenShown_ = false;  ///< changed while hidden
  /// Images by domain (0 source, 1 target) and index in its domain's image set.
  QHash<qint64, QImage> images_[2];
  QString imageError_;

  BackgroundTask* loader_;
  QComboBox* mapBox_ = nullptr;
  QComboBox* projectionBox_ = nullptr;
  QComboBox* colourBox_ = nullptr;
  QLabel* statistics_ = nullptr;
  QLabel* note_ = nullptr;
  QCustomPlot* plot_ = nullptr;
  QFrame* tip_ = nullptr;
  QLabel* tipImage_ = nullptr;
  QLabel* tipText_ = nullptr;
};

}  // namespace tl
