#include "analysis/feature_map_plot.h"

#include "analysis/pretrained_side.h"
#include "analysis/run_analysis.h"
#include "analysis/run_folder.h"
#include "panels/tensor_image.h"
#include "plot/qcustomplot_no_keywords.h"
#include "style/palette.h"
#include "style/presentation_scale.h"
#include "tasks/background_task.h"
#include "tasks/task_progress_bar.h"
#include "util/text_format.h"

#include <QComboBox>
#include <QEvent>
#include <QFileInfo>
#include <QFrame>
#include <QHBoxLayout>
#include <QLabel>
#include <QMouseEvent>
#include <QStandardItemModel>
#include <QVBoxLayout>

#include <torch/torch.h>

#include <array>
#include <limits>
#include <set>

namespace tl {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(s); }

namespace oi = style::okabe_ito;
const QColor kNotJudged(0x99, 0x99, 0x99);  ///< neutral: claims nothing

/// Class k's colour (the palette's hues in turn); yellow comes last, it is
/// the faintest on white. Markers, not colours, tell the domains apart.
QColor classColour(int64_t k) {
  static const std::array<QColor, 7> colours = {oi::kOrange, oi::kSkyBlue,    oi::kBluishGreen, oi::kReddishPurple,
                                                oi::kBlue,   oi::kVermillion, oi::kYellow};
  return colours[static_cast<size_t>(k) % colours.size()];
}

constexpr int kHoverRadius = 8;  ///< pixels from a point that still count as hovering it
constexpr int kExportWidth = 900;
constexpr int kExportHeight = 700;

/// The points drawn in one colour and marker, with their legend entry.
struct PointGroup {
  QString name;
  QColor colour;
  Domain domain = Domain::Target;
  std::vector<int> points;  ///< indices into the map's points
};

QCPScatterStyle::ScatterShape markerOf(Domain domain) {
  return domain == Domain::Source ? QCPScatterStyle::ssCircle : QCPScatterStyle::ssCross;
}

QString domainText(Domain domain) { return qs(domain_name(domain)); }

const std::vector<std::string>& classesOf(const FeatureMap& map, Domain domain) {
  return domain == Domain::Source ? map.source_classes : map.target_classes;
}

QString classText(const FeatureMap& map, const FeatureMapPoint& p) {
  const auto& names = classesOf(map, p.domain);
  return p.label >= 0 && p.label < static_cast<int64_t>(names.size()) ? qs(names[p.label])
                                                                       : QString::number(p.label);
}

std::vector<PointGroup> domainGroups(const FeatureMap& map) {
  std::vector<PointGroup> groups = {{domainText(Domain::Source), oi::kBlue, Domain::Source, {}},
                                    {domainText(Domain::Target), oi::kOrange, Domain::Target, {}}};
  for (int i = 0; i < static_cast<int>(map.points.size()); ++i) {
    groups[map.points[i].domain == Domain::Source ? 0 : 1].points.push_back(i);
  }
  return groups;
}

std::vector<PointGroup> classGroups(const FeatureMap& map) {
  std::vector<PointGroup> groups;
  for (const Domain domain : {Domain::Source, Domain::Target}) {
    const auto& names = classesOf(map, domain);
    const size_t first = groups.size();
    for (size_t k = 0; k < names.size(); ++k) {
      groups.push_back({domainText(domain) + QStringLiteral(": ") + qs(names[k]), classColour(static_cast<int64_t>(k)),
                        domain, {}});
    }
    for (int i = 0; i < static_cast<int>(map.points.size()); ++i) {
      const FeatureMapPoint& p = map.points[i];
      if (p.domain == domain && p.label >= 0 && p.label < static_cast<int64_t>(names.size())) {
        groups[first + static_cast<size_t>(p.label)].points.push_back(i);
      }
    }
  }
  return groups;
}

std::vector<PointGroup> correctnessGroups(const FeatureMap& map) {
  std::vector<PointGroup> groups = {{QObject::tr("source (not judged)"), kNotJudged, Domain::Source, {}},
                                    {QObject::tr("target: right"), oi::kBluishGreen, Domain::Target, {}},
                                    {QObject::tr("target: wrong"), oi::kVermillion, Domain::Target, {}},
                                    {QObject::tr("target (not judged)"), kNotJudged, Domain::Target, {}}};
  for (int i = 0; i < static_cast<int>(map.points.size()); ++i) {
    const FeatureMapPoint& p = map.points[i];
    const size_t group = p.domain == Domain::Source ? 0 : p.correct == 1 ? 1 : p.correct == 0 ? 2 : 3;
    groups[group].points.push_back(i);
  }
  return groups;
}

std::vector<PointGroup> groupsOf(const FeatureMap& map, FeatureMapPlot::Colouring colouring) {
  switch (colouring) {
    case FeatureMapPlot::Colouring::Domain: return domainGroups(map);
    case FeatureMapPlot::Colouring::Class: return classGroups(map);
    case FeatureMapPlot::Colouring::Correct: return correctnessGroups(map);
  }
  return {};
}

QPointF coordinates(const FeatureMapPoint& p, FeatureMapPlot::Projection projection) {
  return projection == FeatureMapPlot::Projection::Pca ? QPointF(p.pca_x, p.pca_y) : QPointF(p.tsne_x, p.tsne_y);
}

QString mapTitle(const std::string& model) {
  if (model == "pretrained") return QObject::tr("Pretrained model (before training)");
  if (model == "trained") return QObject::tr("Trained model (after training)");
  return qs(model);
}

QString correctnessText(int correct) {
  if (correct == 1) return QObject::tr("predicted right");
  if (correct == 0) return QObject::tr("predicted wrong");
  return QObject::tr("not judged");
}

int domainSlot(Domain domain) { return domain == Domain::Source ? 0 : 1; }

/// The images of a run the hover shows, by domain slot and index.
struct HoverImages {
  std::array<QHash<qint64, QImage>, 2> byDomain;
};

using WantedIndices = std::array<std::set<int64_t>, 2>;

void addImages(const Dataset& pixels, const std::set<int64_t>& wanted, QHash<qint64, QImage>& out) {
  for (const int64_t index : wanted) {
    if (index >= 0 && index < pixels.size()) out.insert(index, tensorToImage(pixels.images[index]));
  }
}

// The same images the analysis placed: the run's rebuilt test set and the
// pretrained checkpoint's source task (core/analysis, as analyze_run reads them).
HoverImages loadHoverImages(const std::string& runDir, const WantedIndices& wanted) {
  const RunFolder folder = load_run_folder(runDir);
  HoverImages images;
  addImages(run_test_pixels(folder), wanted[1], images.byDomain[1]);
  if (!wanted[0].empty()) {
    std::vector<std::string> notes;
    addImages(load_pretrained_side(folder, notes).source_pixels, wanted[0], images.byDomain[0]);
  }
  return images;
}

}  // namespace

FeatureMapPlot::FeatureMapPlot(QWidget* parent) : QWidget(parent), loader_(new BackgroundTask(this)) {
  setObjectName(QStringLiteral("featureMapPlot"));
  buildWidgets();
  PresentationScale* presentation = PresentationScale::instance();
  connect(presentation, &PresentationScale::changed, this, &FeatureMapPlot::setPresentationScale);
  scale_ = presentation->factor();
  applyScale();
  connect(loader_, &BackgroundTask::failed, this, [this](const QString& message) {
    imageError_ = message;
    note_->setText(tr("The images could not be loaded for the hover (%1); it shows the domain and class.").arg(message));
    note_->show();
  });
}

FeatureMapPlot::~FeatureMapPlot() = default;

void FeatureMapPlot::buildWidgets() {
  mapBox_ = new QComboBox;
  mapBox_->setToolTip(tr("The model whose features are shown: the checkpoint the run started from, or the model "
                         "the run trained"));
  projectionBox_ = new QComboBox;
  projectionBox_->addItem(tr("PCA"));
  projectionBox_->addItem(tr("t-SNE"));
  projectionBox_->setToolTip(tr("PCA keeps distances along the two directions of largest variance; t-SNE keeps "
                                "neighbourhoods, so only clusters, not distances between them, carry meaning"));
  colourBox_ = new QComboBox;
  colourBox_->addItem(tr("domain"));
  colourBox_->addItem(tr("class"));
  colourBox_->addItem(tr("right / wrong"));
  statistics_ = new QLabel;
  statistics_->setToolTip(tr("How far apart the source and target images lie at this layer, as the similarity meter "
                             "measures it: MMD² (0 when the two distributions match) and the proxy A-distance "
                             "2(1 − 2ε) of a linear domain classifier with error ε (0: the domains cannot be told "
                             "apart, 2: always)"));
  statistics_->setWordWrap(true);
  note_ = new QLabel;
  note_->setWordWrap(true);
  note_->hide();
  plot_ = new QCustomPlot;
  plot_->setMinimumSize(320, 240);
  plot_->setMouseTracking(true);
  // Thousands of points: drag and wheel to look into a cluster, double-click for all of them again.
  plot_->setInteractions(QCP::iRangeDrag | QCP::iRangeZoom);
  connect(plot_, &QCustomPlot::mouseDoubleClick, this, &FeatureMapPlot::showAllPoints);
  plot_->installEventFilter(this);
  // The legend beside the axes, so it never hides points, at the top of a
  // column whose empty rest takes the height its rows would spread over.
  auto* side = new QCPLayoutGrid;
  plot_->plotLayout()->addElement(0, 1, side);
  plot_->plotLayout()->setColumnStretchFactor(1, 0.001);
  plot_->axisRect()->insetLayout()->take(plot_->legend);
  side->addElement(0, 0, plot_->legend);
  side->addElement(1, 0, new QCPLayoutElement(plot_));  // an empty grid would have no height to take
  side->setRowStretchFactor(0, 0.001);
  plot_->legend->setLayer(QStringLiteral("legend"));
  plot_->legend->setBorderPen(Qt::NoPen);
  plot_->legend->setVisible(true);

  tip_ = new QFrame(this, Qt::ToolTip);
  tip_->setObjectName(QStringLiteral("featureMapHoverTip"));
  tip_->setFrameShape(QFrame::Box);
  tipImage_ = new QLabel;
  tipText_ = new QLabel;
  tipText_->setObjectName(QStringLiteral("featureMapHoverText"));
  auto* tipLayout = new QHBoxLayout(tip_);
  tipLayout->addWidget(tipImage_);
  tipLayout->addWidget(tipText_);

  auto* progress = new TaskProgressBar(loader_);
  auto* controls = new QHBoxLayout;
  controls->addWidget(mapBox_);
  controls->addWidget(new QLabel(tr("Projection:")));
  controls->addWidget(projectionBox_);
  controls->addWidget(new QLabel(tr("Colour by:")));
  controls->addWidget(colourBox_);
  controls->addStretch();
  auto* layout = new QVBoxLayout(this);
  layout->addLayout(controls);
  layout->addWidget(statistics_);
  layout->addWidget(progress);
  layout->addWidget(note_);
  layout->addWidget(plot_, 1);

  connect(mapBox_, &QComboBox::currentIndexChanged, this, [this](int index) {
    shown_ = index;
    showMap();
  });
  connect(projectionBox_, &QComboBox::currentIndexChanged, this, [this](int index) {
    setProjection(index == 1 ? Projection::Tsne : Projection::Pca);
  });
  connect(colourBox_, &QComboBox::currentIndexChanged, this,
          [this](int index) { setColouring(static_cast<Colouring>(index)); });
  connect(loader_, &BackgroundTask::started, this, [this] { note_->hide(); });
}

void FeatureMapPlot::setAnalysis(const RunAnalysis& analysis) {
  clear();
  maps_ = analysis.feature_maps;
  {
    const QSignalBlocker block(mapBox_);
    for (const auto& m : maps_) mapBox_->addItem(mapTitle(m.model), qs(m.model));
    shown_ = maps_.empty() ? -1 : static_cast<int>(maps_.size()) - 1;  // the trained model's, listed last
    mapBox_->setCurrentIndex(shown_);
  }
  showMap();
  if (!analysis.run_dir.empty() && !maps_.empty()) loadImages(analysis.run_dir);
}

void FeatureMapPlot::clear() {
  loader_->cancel();
  maps_.clear();
  shown_ = -1;
  for (auto& images : images_) images.clear();
  imageError_.clear();
  note_->hide();
  tip_->hide();
  {
    const QSignalBlocker block(mapBox_);
    mapBox_->clear();
  }
  showMap();
}

void FeatureMapPlot::loadImages(const std::string& runDir) {
  WantedIndices wanted;
  for (const auto& m : maps_) {
    for (const auto& p : m.map.points) wanted[domainSlot(p.domain)].insert(p.index);
  }
  loader_->start(
      [runDir, wanted](TaskContext& context) {
        context.progress(-1.0, tr("Loading the run's images for the hover…"));
        return loadHoverImages(runDir, wanted);
      },
      [this](const HoverImages& loaded) {
        images_[0] = loaded.byDomain[0];
        images_[1] = loaded.byDomain[1];
        Q_EMIT imagesLoaded();
      });
}

bool FeatureMapPlot::isLoadingImages() const { return loader_->isRunning(); }

int FeatureMapPlot::loadedImageCount() const {
  const ModelFeatureMap* m = shownMap();
  if (!m) return 0;
  int count = 0;
  for (const auto& p : m->map.points) count += images_[domainSlot(p.domain)].contains(p.index) ? 1 : 0;
  return count;
}

const ModelFeatureMap* FeatureMapPlot::shownMap() const {
  return shown_ >= 0 && shown_ < static_cast<int>(maps_.size()) ? &maps_[static_cast<size_t>(shown_)] : nullptr;
}

QStringList FeatureMapPlot::mapNames() const {
  QStringList names;
  for (const auto& m : maps_) names << qs(m.model);
  return names;
}

QString FeatureMapPlot::currentMap() const {
  const ModelFeatureMap* m = shownMap();
  return m ? qs(m->model) : QString();
}

void FeatureMapPlot::setCurrentMap(const QString& model) {
  const int index = mapBox_->findData(model);
  if (index >= 0) mapBox_->setCurrentIndex(index);
}

bool FeatureMapPlot::hasTsne() const {
  const ModelFeatureMap* m = shownMap();
  return m && m->map.has_tsne;
}

void FeatureMapPlot::setProjection(Projection projection) {
  projection_ = projection == Projection::Tsne && !hasTsne() ? Projection::Pca : projection;
  showMap();
}

void FeatureMapPlot::setColouring(Colouring colouring) {
  colouring_ = colouring;
  showMap();
}

void FeatureMapPlot::showMap() {
  if (projection_ == Projection::Tsne && !hasTsne()) projection_ = Projection::Pca;
  updateControls();
  addGroups();
  showStatistics();
  replotWhenVisible();
}

/// A plot on a page not on screen is drawn when it is shown: its thousands of
/// markers took 20–40 ms, spent in the pause after the Analysis view fills
/// its pages (tl_ui_bench analysis).
void FeatureMapPlot::replotWhenVisible() {
  if (plot_->isVisible()) {
    plot_->replot(QCustomPlot::rpQueuedReplot);
  } else {
    replotWhenShown_ = true;
  }
}

void FeatureMapPlot::updateControls() {
  const QSignalBlocker blockProjection(projectionBox_);
  const QSignalBlocker blockColour(colourBox_);
  if (auto* items = qobject_cast<QStandardItemModel*>(projectionBox_->model())) items->item(1)->setEnabled(hasTsne());
  projectionBox_->setCurrentIndex(projection_ == Projection::Tsne ? 1 : 0);
  colourBox_->setCurrentIndex(static_cast<int>(colouring_));
  const bool any = shownMap() != nullptr;
  mapBox_->setEnabled(any);
  projectionBox_->setEnabled(any);
  colourBox_->setEnabled(any);
}

void FeatureMapPlot::addGroups() {
  plot_->clearPlottables();
  const ModelFeatureMap* m = shownMap();
  if (!m) return;
  for (const PointGroup& group : groupsOf(m->map, colouring_)) {
    if (group.points.empty()) continue;
    QVector<double> xs, ys;
    for (const int i : group.points) {
      const QPointF at = coordinates(m->map.points[static_cast<size_t>(i)], projection_);
      xs << at.x();
      ys << at.y();
    }
    auto* curve = new QCPCurve(plot_->xAxis, plot_->yAxis);
    curve->setLineStyle(QCPCurve::lsNone);
    curve->setScatterStyle(
        QCPScatterStyle(markerOf(group.domain), QPen(group.colour, 1.5 * scale_), Qt::NoBrush, 6 * scale_));
    curve->setName(QStringLiteral("%1 (%2)").arg(group.name, qs(format_count(static_cast<int64_t>(xs.size())))));
    curve->setData(xs, ys);
  }
  fitAxes();
  if (projection_ == Projection::Pca) {
    const auto& variance = m->map.pca_explained_variance;
    const auto axisLabel = [&variance](size_t axis) {
      const QString name = QObject::tr("PC %1").arg(axis + 1);
      return axis < variance.size() ? QObject::tr("%1 (%2 of the variance)").arg(name, qs(format_percent(variance[axis])))
                                    : name;
    };
    plot_->xAxis->setLabel(axisLabel(0));
    plot_->yAxis->setLabel(axisLabel(1));
  } else {
    plot_->xAxis->setLabel(tr("t-SNE 1"));
    plot_->yAxis->setLabel(tr("t-SNE 2"));
  }
}

void FeatureMapPlot::fitAxes() {
  plot_->rescaleAxes();
  plot_->xAxis->scaleRange(1.05);
  plot_->yAxis->scaleRange(1.05);
}

void FeatureMapPlot::showAllPoints() {
  fitAxes();
  replotWhenVisible();
}

void FeatureMapPlot::setPresentationScale(double scale) {
  if (scale <= 0.0 || scale == scale_) return;
  scale_ = scale;
  applyScale();
  showMap();
}

void FeatureMapPlot::applyScale() {
  const QFont font = PresentationScale::scaledFont(PresentationScale::instance()->baseFont(), scale_);
  for (QCPAxis* axis : plot_->axisRect()->axes()) {
    axis->setLabelFont(font);
    axis->setTickLabelFont(font);
  }
  plot_->legend->setFont(font);
}

void FeatureMapPlot::showStatistics() {
  statistics_->setText(similarityText());
}

QString FeatureMapPlot::similarityText() const {
  const ModelFeatureMap* m = shownMap();
  if (!m) return QString();
  const FeatureMap& f = m->map;
  const QString images = tr("%1 source + %2 target images at %3 (%4 features)")
                             .arg(qs(format_count(f.count(Domain::Source))), qs(format_count(f.count(Domain::Target))),
                                  qs(f.layer), qs(format_count(f.features)));
  return tr("%1 · %2").arg(qs(format_domain_distance(f.mmd2, f.proxy_a_distance)), images);
}

FeatureMapPlot::Hover FeatureMapPlot::hoverAt(const QPoint& pixel) const {
  Hover hover;
  const ModelFeatureMap* m = shownMap();
  if (!m) return hover;
  double best = kHoverRadius * kHoverRadius;
  for (int i = 0; i < static_cast<int>(m->map.points.size()); ++i) {
    const QPointF at = coordinates(m->map.points[static_cast<size_t>(i)], projection_);
    const double dx = plot_->xAxis->coordToPixel(at.x()) - pixel.x();
    const double dy = plot_->yAxis->coordToPixel(at.y()) - pixel.y();
    if (dx * dx + dy * dy <= best) {
      best = dx * dx + dy * dy;
      hover.point = i;
    }
  }
  if (hover.point < 0) return hover;
  const FeatureMapPoint& p = m->map.points[static_cast<size_t>(hover.point)];
  hover.found = true;
  hover.text = tr("%1 image %2\n%3").arg(domainText(p.domain)).arg(p.index).arg(classText(m->map, p));
  if (p.domain == Domain::Target) hover.text += QLatin1Char('\n') + correctnessText(p.correct);
  hover.image = images_[domainSlot(p.domain)].value(p.index);
  return hover;
}

bool FeatureMapPlot::eventFilter(QObject* watched, QEvent* event) {
  if (watched == plot_ && event->type() == QEvent::Show && replotWhenShown_) {
    replotWhenShown_ = false;
    plot_->replot(QCustomPlot::rpQueuedReplot);
  } else if (watched == plot_ && event->type() == QEvent::MouseMove) {
    const auto* move = static_cast<QMouseEvent*>(event);
    showHover(move->position().toPoint(), move->globalPosition().toPoint());
  } else if (watched == plot_ && event->type() == QEvent::Leave) {
    tip_->hide();
  }
  return QWidget::eventFilter(watched, event);
}

void FeatureMapPlot::showHover(const QPoint& pixel, const QPoint& global) {
  const Hover hover = hoverAt(pixel);
  if (!hover.found) {
    tip_->hide();
    return;
  }
  tipText_->setText(hover.text);
  tipImage_->setVisible(!hover.image.isNull());
  if (!hover.image.isNull()) {
    tipImage_->setPixmap(QPixmap::fromImage(hover.image.scaled(hover.image.size() * 3, Qt::KeepAspectRatio,
                                                               Qt::FastTransformation)));
  }
  tip_->adjustSize();
  tip_->move(global + QPoint(16, 16));
  tip_->show();
}

bool FeatureMapPlot::exportTo(const QString& path) {
  const bool pdf = QFileInfo(path).suffix().compare(QStringLiteral("pdf"), Qt::CaseInsensitive) == 0;
  return pdf ? plot_->savePdf(path, kExportWidth, kExportHeight) : plot_->savePng(path, kExportWidth, kExportHeight);
}

}  // namespace tl
