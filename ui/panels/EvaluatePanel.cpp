#include "ui/panels/EvaluatePanel.h"

#include "ui/controllers/TrainingController.h"
#include "ui/util/PlotAxes.h"
#include "ui/util/TableWidth.h"
#include "ui/util/Thumbnails.h"
#include "ui/util/WordHighlight.h"
#include "ui/widgets/ImageViewDialog.h"

#include <QEvent>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QPushButton>
#include <QSplitter>
#include <QTableWidget>
#include <QTextBrowser>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

#include <qcustomplot.h>

namespace graft::ui {

namespace {
constexpr int kThumbSide = 112;
constexpr int kMaxGallery = 200;
} // namespace

EvaluatePanel::EvaluatePanel(TrainingController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("evalSummary"));

    m_confusionBox = new QGroupBox(this);
    m_confusionPlot = new QCustomPlot(m_confusionBox);
    m_confusionPlot->setObjectName(QStringLiteral("confusionPlot"));
    m_confusionPlot->setMinimumSize(300, 260);
    // Class names need no tick marks (beside a count they read as a minus sign).
    for (QCPAxis *axis : {m_confusionPlot->xAxis, m_confusionPlot->yAxis}) {
        axis->setTickLength(0, 0);
        axis->setSubTicks(false);
    }
    m_confusion = new QCPColorMap(m_confusionPlot->xAxis, m_confusionPlot->yAxis);
    QCPColorGradient gradient;
    gradient.setColorStopAt(0, QColor(250, 250, 255));
    gradient.setColorStopAt(1,
                            QColor(30, 70, 150)); // dark at the maximum: white labels stay legible
    m_confusion->setGradient(gradient);
    m_confusion->setInterpolate(false);
    m_confusionPlot->yAxis->setRangeReversed(true);
    (new QVBoxLayout(m_confusionBox))->addWidget(m_confusionPlot);

    m_metricsBox = new QGroupBox(this);
    m_metrics = new QTableWidget(0, 5, m_metricsBox);
    m_metrics->setObjectName(QStringLiteral("classMetrics"));
    m_metrics->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_metrics->verticalHeader()->setVisible(false);
    m_metrics->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_metrics->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    (new QVBoxLayout(m_metricsBox))->addWidget(m_metrics);

    m_galleryBox = new QGroupBox(this);
    m_gallery = new QListWidget(m_galleryBox);
    m_gallery->setObjectName(QStringLiteral("mistakes"));
    m_gallery->setViewMode(QListView::IconMode);
    m_gallery->setResizeMode(QListView::Adjust);
    m_gallery->setIconSize(QSize(kThumbSide, kThumbSide));
    m_gallery->setGridSize(QSize(kThumbSide + 40, kThumbSide + 56));
    m_gallery->setWordWrap(true);
    m_showAll = new QPushButton(m_galleryBox);
    m_explanation = new QTextBrowser(m_galleryBox);
    m_explanation->setObjectName(QStringLiteral("explanation"));
    m_explanation->setVisible(false);
    auto *galleryLayout = new QVBoxLayout(m_galleryBox);
    galleryLayout->addWidget(m_gallery, 1);
    galleryLayout->addWidget(m_explanation, 1);
    galleryLayout->addWidget(m_showAll, 0, Qt::AlignRight);

    auto *left = new QSplitter(Qt::Vertical, this);
    left->addWidget(m_confusionBox);
    left->addWidget(m_metricsBox);
    auto *body = new QSplitter(Qt::Horizontal, this);
    body->addWidget(left);
    body->addWidget(m_galleryBox);
    body->setStretchFactor(1, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_summary);
    layout->addWidget(body, 1);

    connect(m_controller, &TrainingController::modelChanged, this, &EvaluatePanel::showReport);
    connect(m_gallery, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (m_text)
            explainItem(item);
    });
    connect(m_controller, &TrainingController::explained, this,
            [this](const QString &text, const learn::TokenContributions &words) {
                if (!m_text || text != m_pendingExplain)
                    return;
                const QListWidgetItem *item = m_gallery->currentItem();
                const QString heading = item ? item->data(Qt::UserRole + 2).toString() : QString();
                m_explanation->setHtml(
                    QStringLiteral("<p><b>%1</b></p><p>%2</p><p><small>%3</small></p>")
                        .arg(heading.toHtmlEscaped(), highlightedWordsHtml(words),
                             tr("Green words pushed the model towards its "
                                "prediction, red words against it (how much "
                                "the prediction drops when the word is left "
                                "out).")
                                 .toHtmlEscaped()));
            });
    // A job was running when the review was selected: ask again once the worker is free.
    connect(m_controller, &TrainingController::busyChanged, this, [this](bool busy) {
        if (!busy && m_text && m_explanation->toPlainText().isEmpty() && m_gallery->currentItem())
            explainItem(m_gallery->currentItem());
    });
    connect(m_confusionPlot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        const int n = int(m_classes.size());
        if (n == 0)
            return;
        const int pred =
            int(std::lround(m_confusionPlot->xAxis->pixelToCoord(event->position().x())));
        const int truth =
            int(std::lround(m_confusionPlot->yAxis->pixelToCoord(event->position().y())));
        if (pred >= 0 && pred < n && truth >= 0 && truth < n)
            setFilter(truth, pred);
    });
    connect(m_showAll, &QPushButton::clicked, this, [this] { setFilter(-1, -1); });
    // itemActivated comes with a double-click (or Enter); itemDoubleClicked as well would open
    // the view twice.
    connect(m_gallery, &QListWidget::itemActivated, this, &EvaluatePanel::openItem);
    connect(&m_thumbWatcher, &QFutureWatcher<QList<QImage>>::finished, this, [this] {
        if (m_thumbWatcher.future().resultCount() == 0)
            return;
        const QList<QImage> images = m_thumbWatcher.future().result();
        // The images follow the gallery's items that were waiting for one, in order.
        int next = 0;
        for (int i = 0; i < m_gallery->count() && next < images.size(); ++i) {
            QListWidgetItem *item = m_gallery->item(i);
            if (!item->data(Qt::UserRole + 4).toBool())
                continue;
            const QImage &image = images[next++];
            item->setData(Qt::UserRole + 4, false);
            if (image.isNull())
                continue;
            m_thumbCache.insert(item->data(Qt::UserRole).toString(), image);
            item->setIcon(QIcon(QPixmap::fromImage(image)));
        }
    });
    retranslate();
}

EvaluatePanel::~EvaluatePanel()
{
    m_thumbWatcher.waitForFinished();
}

void EvaluatePanel::explainItem(QListWidgetItem *item)
{
    m_explanation->clear();
    if (!item)
        return;
    const int index = item->data(Qt::UserRole + 3).toInt();
    if (index < 0 || index >= int(m_eval.mistakes.size()))
        return;
    const learn::Mistake &m = m_eval.mistakes[size_t(index)];
    m_pendingExplain = m_eval.samples[size_t(m.sample)].text;
    // Explained for the (wrongly) predicted class: which words misled the model.
    m_controller->explainText(m_pendingExplain, m.predicted);
}

void EvaluatePanel::showReport(const learn::RunReport &report)
{
    m_text = report.kind == learn::TaskKind::Text;
    m_explanation->setVisible(m_text);
    m_explanation->clear();
    if (m_text) {
        m_gallery->setViewMode(QListView::ListMode);
        m_gallery->setIconSize(QSize());
        m_gallery->setGridSize(QSize());
        m_gallery->setWordWrap(true);
        m_gallery->setAlternatingRowColors(true);
    } else {
        m_gallery->setViewMode(QListView::IconMode);
        m_gallery->setIconSize(QSize(kThumbSide, kThumbSide));
        m_gallery->setGridSize(QSize(kThumbSide + 40, kThumbSide + 56));
        m_gallery->setAlternatingRowColors(false);
    }
    m_classes = report.classes;
    m_eval = report.validation;
    if (m_thumbCache.size() > 4000)
        m_thumbCache.clear();
    const int n = int(m_classes.size());

    m_confusion->data()->setSize(n, n);
    m_confusion->data()->setRange(QCPRange(0, qMax(0, n - 1)), QCPRange(0, qMax(0, n - 1)));
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    int maxCell = 1;
    for (int t = 0; t < n && t < int(m_eval.confusion.size()); ++t) {
        ticker->addTick(t, m_classes[t]);
        for (int p = 0; p < n && p < int(m_eval.confusion[size_t(t)].size()); ++p) {
            const int v = m_eval.confusion[size_t(t)][size_t(p)];
            m_confusion->data()->setCell(p, t, v);
            maxCell = qMax(maxCell, v);
        }
    }
    m_confusion->setDataRange(QCPRange(0, maxCell));
    m_confusionPlot->xAxis->setTicker(ticker);
    m_confusionPlot->yAxis->setTicker(ticker);
    // Many classes: the predicted-class names turn upright instead of running into each other,
    // and each row gets the height its name needs.
    fitClassAxis(m_confusionPlot->xAxis, m_classes);
    m_confusionPlot->setMinimumHeight(qMax(220, n * (fontMetrics().height() + 4) + 120));
    m_confusionPlot->xAxis->setRange(-0.5, n - 0.5);
    m_confusionPlot->yAxis->setRange(-0.5, n - 0.5);
    m_confusionPlot->clearItems();
    for (int t = 0; t < n && t < int(m_eval.confusion.size()); ++t) {
        for (int p = 0; p < n && p < int(m_eval.confusion[size_t(t)].size()); ++p) {
            auto *label = new QCPItemText(m_confusionPlot);
            label->position->setCoords(p, t);
            label->setText(QString::number(m_eval.confusion[size_t(t)][size_t(p)]));
            label->setColor(m_eval.confusion[size_t(t)][size_t(p)] > maxCell / 2 ? Qt::white
                                                                                 : Qt::black);
        }
    }
    m_confusionPlot->replot(QCustomPlot::rpQueuedReplot);

    m_metrics->setRowCount(n);
    for (int i = 0; i < n; ++i) {
        const learn::ClassMetrics m =
            i < int(m_eval.perClass.size()) ? m_eval.perClass[size_t(i)] : learn::ClassMetrics{};
        m_metrics->setItem(i, 0, new QTableWidgetItem(m_classes[i]));
        const QList<double> values = {m.precision, m.recall, m.f1};
        for (int c = 0; c < values.size(); ++c)
            m_metrics->setItem(i, c + 1, new QTableWidgetItem(QString::number(values[c], 'f', 3)));
        m_metrics->setItem(i, 4, new QTableWidgetItem(QString::number(m.support)));
    }
    setFilter(-1, -1);
    retranslate();
}

void EvaluatePanel::setFilter(int trueLabel, int predicted)
{
    m_filterTrue = trueLabel;
    m_filterPred = predicted;
    fillGallery();
    retranslate();
}

int EvaluatePanel::galleryCount() const
{
    return m_gallery->count();
}

void EvaluatePanel::fillGallery()
{
    m_gallery->clear();
    QStringList files;
    QPixmap placeholder(kThumbSide, kThumbSide);
    placeholder.fill(palette().color(QPalette::Mid));
    for (int i = 0; i < int(m_eval.mistakes.size()); ++i) {
        const learn::Mistake &m = m_eval.mistakes[size_t(i)];
        if (m_filterTrue >= 0 && (m.trueLabel != m_filterTrue || m.predicted != m_filterPred))
            continue;
        const learn::SampleRef &ref = m_eval.samples[size_t(m.sample)];
        const QString truth = m_classes.value(m.trueLabel);
        const QString pred = m_classes.value(m.predicted);
        QListWidgetItem *item = nullptr;
        if (m_text) {
            const QString heading = tr("true: %1, predicted: %2 (%3 %)")
                                        .arg(truth, pred)
                                        .arg(m.probability * 100, 0, 'f', 0);
            QString preview = ref.text.simplified();
            if (preview.size() > 240)
                preview = preview.left(237) + QStringLiteral("...");
            item = new QListWidgetItem(heading + QLatin1Char('\n') + preview, m_gallery);
            item->setData(Qt::UserRole + 2, heading);
            item->setToolTip(ref.line > 0 ? QStringLiteral("%1:%2").arg(ref.file).arg(ref.line)
                                          : ref.file);
        } else {
            // Filtered to one cell, the title names both classes: the caption need not repeat
            // them on every image.
            const QString caption = m_filterTrue >= 0 ? tr("%1 %\n%2")
                                                            .arg(m.probability * 100, 0, 'f', 0)
                                                            .arg(QFileInfo(ref.file).fileName())
                                                      : tr("true: %1\npred: %2 (%3 %)")
                                                            .arg(truth, pred)
                                                            .arg(m.probability * 100, 0, 'f', 0);
            // Thumbnails already loaded are shown at once; the rest load off the GUI thread.
            const QImage cached = m_thumbCache.value(ref.file);
            item = new QListWidgetItem(
                QIcon(cached.isNull() ? placeholder : QPixmap::fromImage(cached)), caption,
                m_gallery);
            item->setToolTip(ref.file);
            if (cached.isNull())
                files << ref.file;
            item->setData(Qt::UserRole + 4, cached.isNull());
        }
        item->setData(Qt::UserRole, ref.file);
        item->setData(Qt::UserRole + 1, m.predicted);
        item->setData(Qt::UserRole + 3, i);
        if (m_gallery->count() >= kMaxGallery)
            break;
    }
    if (m_text || files.isEmpty())
        return;
    m_thumbWatcher.setFuture(QtConcurrent::run([files] {
        QList<QImage> images;
        for (const QString &f : files)
            images << Thumbnails::load(f, kThumbSide);
        return images;
    }));
}

void EvaluatePanel::openItem(QListWidgetItem *item)
{
    if (!item || m_text)
        return;
    auto *dialog = new ImageViewDialog(m_controller, item->data(Qt::UserRole).toString(),
                                       item->text(), item->data(Qt::UserRole + 1).toInt(), this);
    dialog->show();
}

void EvaluatePanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void EvaluatePanel::retranslate()
{
    if (m_classes.isEmpty())
        m_summary->setText(tr("Train a model to see how it does on the validation images."));
    else if (m_eval.count() == 0)
        m_summary->setText(tr("This model has no evaluation yet: open the dataset it was trained "
                              "on, then open the model again."));
    else if (m_text)
        m_summary->setText(tr("Validation: %1 reviews, accuracy %2 %, loss %3, %4 mistakes.")
                               .arg(m_eval.count())
                               .arg(m_eval.accuracy * 100, 0, 'f', 1)
                               .arg(m_eval.loss, 0, 'f', 4)
                               .arg(m_eval.mistakes.size()));
    else
        m_summary->setText(tr("Validation: %1 images, accuracy %2 %, loss %3, %4 mistakes.")
                               .arg(m_eval.count())
                               .arg(m_eval.accuracy * 100, 0, 'f', 1)
                               .arg(m_eval.loss, 0, 'f', 4)
                               .arg(m_eval.mistakes.size()));
    m_confusionBox->setTitle(tr("Confusion matrix (click a cell to filter)"));
    m_confusionPlot->xAxis->setLabel(tr("Predicted"));
    m_confusionPlot->yAxis->setLabel(tr("True"));
    m_confusionPlot->replot(QCustomPlot::rpQueuedReplot);
    m_metricsBox->setTitle(tr("Per class"));
    m_metrics->setHorizontalHeaderLabels({tr("Class"), tr("Precision"), tr("Recall"), tr("F1"),
                                          m_text ? tr("Reviews") : tr("Images")});
    fitTableWidth(m_metrics);
    if (m_filterTrue >= 0)
        m_galleryBox->setTitle(
            tr("Mistakes: %1 predicted as %2")
                .arg(m_classes.value(m_filterTrue), m_classes.value(m_filterPred)));
    else if (m_text)
        m_galleryBox->setTitle(tr("Mistakes, worst first (select one to see which words decided)"));
    else
        m_galleryBox->setTitle(tr("Mistakes, worst first (double-click for a large view)"));
    m_showAll->setText(tr("Show all mistakes"));
}

} // namespace graft::ui
