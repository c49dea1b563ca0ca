#include "ui/panels/PredictPanel.h"

#include "ui/controllers/TrainingController.h"

#include <QDirIterator>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QMessageBox>
#include <QMimeData>
#include <QPushButton>
#include <QSaveFile>
#include <QSpinBox>
#include <QSplitter>
#include <QTreeWidget>
#include <QVBoxLayout>

#include <qcustomplot.h>

namespace graft::ui {

namespace {
QString csvField(QString s)
{
    if (s.contains(QLatin1Char(',')) || s.contains(QLatin1Char('"')) ||
        s.contains(QLatin1Char('\n')))
        return QLatin1Char('"') + s.replace(QLatin1Char('"'), QStringLiteral("\"\"")) +
               QLatin1Char('"');
    return s;
}
} // namespace

PredictPanel::PredictPanel(TrainingController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    setAcceptDrops(true);
    m_hint = new QLabel(this);
    m_add = new QPushButton(this);
    m_save = new QPushButton(this);
    m_save->setEnabled(false);
    m_topKLabel = new QLabel(this);
    m_topK = new QSpinBox(this);
    m_topK->setRange(1, 20);
    m_topK->setValue(5);
    m_results = new QTreeWidget(this);
    m_results->setObjectName(QStringLiteral("predictions"));
    m_results->setColumnCount(3);
    m_results->setRootIsDecorated(false);
    m_results->header()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_plot = new QCustomPlot(this);
    m_plot->setMinimumWidth(320);
    m_bars = new QCPBars(m_plot->yAxis, m_plot->xAxis);
    m_bars->setBrush(QColor(70, 130, 180));
    m_bars->setPen(Qt::NoPen);
    m_plot->xAxis->setRange(0, 1);
    m_plot->yAxis->setRangeReversed(true);

    auto *top = new QHBoxLayout;
    top->addWidget(m_add);
    top->addWidget(m_topKLabel);
    top->addWidget(m_topK);
    top->addStretch(1);
    top->addWidget(m_save);
    auto *body = new QSplitter(Qt::Horizontal, this);
    body->addWidget(m_results);
    body->addWidget(m_plot);
    body->setStretchFactor(0, 1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_hint);
    layout->addLayout(top);
    layout->addWidget(body, 1);

    connect(m_add, &QPushButton::clicked, this, [this] {
        const QStringList files = QFileDialog::getOpenFileNames(
            this, tr("Images to classify"), QString(),
            tr("Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff)"));
        if (!files.isEmpty())
            predictFiles(files);
    });
    connect(m_save, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Save predictions"),
                                                          QStringLiteral("predictions.csv"),
                                                          tr("CSV files (*.csv)"));
        if (!path.isEmpty() && !saveCsv(path))
            QMessageBox::warning(this, tr("Save predictions"), tr("Could not write %1.").arg(path));
    });
    connect(m_controller, &TrainingController::predictionsReady, this, &PredictPanel::showResults);
    connect(m_controller, &TrainingController::failed, this,
            [this](const QString &operation, const QString &text) {
                if (operation == QLatin1String("predict"))
                    QMessageBox::warning(this, tr("Predict"), text);
            });
    connect(m_results, &QTreeWidget::currentItemChanged, this,
            [this] { showBars(m_results->indexOfTopLevelItem(m_results->currentItem())); });
    retranslate();
}

void PredictPanel::predictFiles(const QStringList &paths)
{
    QStringList files;
    static const QStringList filters = {QStringLiteral("*.jpg"), QStringLiteral("*.jpeg"),
                                        QStringLiteral("*.png"), QStringLiteral("*.bmp"),
                                        QStringLiteral("*.gif"), QStringLiteral("*.webp"),
                                        QStringLiteral("*.tif"), QStringLiteral("*.tiff")};
    for (const QString &p : paths) {
        if (QFileInfo(p).isDir()) {
            QDirIterator it(p, filters, QDir::Files, QDirIterator::Subdirectories);
            while (it.hasNext())
                files << it.next();
        } else {
            files << p;
        }
    }
    files.sort();
    if (files.isEmpty())
        return;
    if (!m_controller->hasModel()) {
        QMessageBox::information(this, tr("Predict"), tr("Train a model first."));
        return;
    }
    if (!m_controller->predict(files, m_topK->value()))
        QMessageBox::information(this, tr("Predict"), tr("Wait for the current job to finish."));
}

void PredictPanel::showResults(const GraftPredictions &predictions)
{
    m_predictions = predictions;
    m_classes = m_controller->classes();
    m_results->clear();
    for (const train::Prediction &p : predictions) {
        auto *item = new QTreeWidgetItem(m_results);
        item->setText(0, QFileInfo(p.file).fileName());
        item->setToolTip(0, p.file);
        if (!p.error.isEmpty()) {
            item->setText(1, tr("error"));
            item->setText(2, p.error);
        } else if (!p.top.empty()) {
            item->setText(1, m_classes.value(p.top.front().first));
            item->setText(2, QString::number(p.top.front().second * 100, 'f', 1) +
                                 QStringLiteral(" %"));
        }
    }
    m_save->setEnabled(!predictions.empty());
    if (m_results->topLevelItemCount() > 0)
        m_results->setCurrentItem(m_results->topLevelItem(0));
}

void PredictPanel::showBars(int row)
{
    QVector<double> keys, values;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    if (row >= 0 && row < int(m_predictions.size())) {
        int i = 0;
        for (const auto &[cls, prob] : m_predictions[size_t(row)].top) {
            keys << i;
            values << prob;
            ticker->addTick(i, m_classes.value(cls));
            ++i;
        }
    }
    m_bars->setData(keys, values);
    m_plot->yAxis->setTicker(ticker);
    m_plot->yAxis->setRange(-0.6, qMax(1, int(keys.size())) - 0.4);
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

bool PredictPanel::saveCsv(const QString &path) const
{
    QSaveFile file(path);
    if (!file.open(QIODevice::WriteOnly | QIODevice::Text))
        return false;
    QByteArray out = "file,rank,class,probability\n";
    for (const train::Prediction &p : m_predictions) {
        int rank = 1;
        for (const auto &[cls, prob] : p.top) {
            out += csvField(p.file).toUtf8() + ',' + QByteArray::number(rank++) + ',' +
                   csvField(m_classes.value(cls)).toUtf8() + ',' +
                   QByteArray::number(double(prob), 'f', 6) + '\n';
        }
    }
    return file.write(out) == out.size() && file.commit();
}

void PredictPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void PredictPanel::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void PredictPanel::dropEvent(QDropEvent *event)
{
    QStringList paths;
    for (const QUrl &url : event->mimeData()->urls())
        if (url.isLocalFile())
            paths << url.toLocalFile();
    if (!paths.isEmpty()) {
        event->acceptProposedAction();
        predictFiles(paths);
    }
}

void PredictPanel::retranslate()
{
    m_hint->setText(tr("Drop images or a folder here to classify them with the trained model."));
    m_add->setText(tr("&Add images..."));
    m_save->setText(tr("Save as &CSV..."));
    m_topKLabel->setText(tr("Top classes:"));
    m_results->setHeaderLabels({tr("File"), tr("Prediction"), tr("Probability")});
    m_plot->xAxis->setLabel(tr("Probability"));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace graft::ui
