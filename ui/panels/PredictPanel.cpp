#include "ui/panels/PredictPanel.h"

#include "ui/controllers/TrainingController.h"
#include "ui/util/ErrorText.h"
#include "ui/util/WordHighlight.h"

#include "graft/io/AtomicFile.h"
#include "graft/text/TextDecoder.h"

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
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeWidget>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

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

    m_textLabel = new QLabel(this);
    m_textInput = new QPlainTextEdit(this);
    m_textInput->setObjectName(QStringLiteral("textInput"));
    m_textInput->setMaximumHeight(110);
    m_classify = new QPushButton(this);
    m_classify->setObjectName(QStringLiteral("classifyText"));
    m_explanation = new QTextBrowser(this);
    m_explanation->setObjectName(QStringLiteral("textExplanation"));
    m_explanation->setMaximumHeight(160);
    for (QWidget *w : {static_cast<QWidget *>(m_textLabel), static_cast<QWidget *>(m_textInput),
                       static_cast<QWidget *>(m_classify), static_cast<QWidget *>(m_explanation)})
        w->setVisible(false);

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
    auto *textRow = new QHBoxLayout;
    textRow->addWidget(m_textInput, 1);
    textRow->addWidget(m_classify, 0, Qt::AlignTop);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_hint);
    layout->addWidget(m_textLabel);
    layout->addLayout(textRow);
    layout->addLayout(top);
    layout->addWidget(body, 1);
    layout->addWidget(m_explanation);

    connect(m_add, &QPushButton::clicked, this, [this] {
        const QStringList files =
            m_textMode ? QFileDialog::getOpenFileNames(this, tr("Texts to classify"), QString(),
                                                       tr("Text files (*.txt);;All files (*)"))
                       : QFileDialog::getOpenFileNames(
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
    connect(m_classify, &QPushButton::clicked, this, [this] {
        const QString text = m_textInput->toPlainText().trimmed();
        if (!text.isEmpty())
            predictTexts({text});
    });
    connect(m_controller, &TrainingController::modelChanged, this,
            [this](const learn::RunReport &r) { setTextMode(r.kind == learn::TaskKind::Text); });
    connect(&m_gather, &QFutureWatcher<Gathered>::finished, this, [this] {
        const Gathered g = m_gather.result();
        if (!g.error.isEmpty()) {
            QMessageBox::warning(this, tr("Predict"), g.error);
            return;
        }
        if (g.inputs.empty())
            return;
        m_texts.clear();
        for (const auto &r : g.inputs)
            m_texts << r.text;
        if (!m_controller->predict(g.inputs, m_topK->value()))
            QMessageBox::information(this, tr("Predict"),
                                     tr("Wait for the current job to finish."));
    });
    connect(m_controller, &TrainingController::explained, this,
            [this](const QString &text, const learn::TokenContributions &words) {
                if (m_textMode && text == m_pendingExplain)
                    m_explanation->setHtml(
                        QStringLiteral("<p>%1</p><p><small>%2</small></p>")
                            .arg(highlightedWordsHtml(words),
                                 tr("Green words pushed the model towards its prediction, red "
                                    "words against it.")
                                     .toHtmlEscaped()));
            });
    connect(m_controller, &TrainingController::failed, this,
            [this](const QString &operation, const QString &text) {
                if (operation == QLatin1String("predict"))
                    QMessageBox::warning(this, tr("Predict"), text);
            });
    connect(m_results, &QTreeWidget::currentItemChanged, this, [this] {
        const int row = m_results->indexOfTopLevelItem(m_results->currentItem());
        showBars(row);
        // Text: which words decided, computed on the training thread.
        if (m_textMode && row >= 0 && row < m_texts.size()) {
            m_explanation->clear();
            m_pendingExplain = m_texts[row];
            if (!m_controller->explainText(m_pendingExplain))
                QTimer::singleShot(200, this, [this, row] {
                    if (m_texts.value(row) == m_pendingExplain)
                        m_controller->explainText(m_pendingExplain);
                });
        }
    });
    retranslate();
}

void PredictPanel::setTextMode(bool text)
{
    m_textMode = text;
    for (QWidget *w : {static_cast<QWidget *>(m_textLabel), static_cast<QWidget *>(m_textInput),
                       static_cast<QWidget *>(m_classify), static_cast<QWidget *>(m_explanation)})
        w->setVisible(text);
    m_results->clear();
    m_predictions.clear();
    m_texts.clear();
    m_explanation->clear();
    showBars(-1);
    retranslate();
}

void PredictPanel::predictTexts(const QStringList &texts)
{
    if (!m_controller->hasTextModel()) {
        QMessageBox::information(this, tr("Predict"), tr("Train a text model first."));
        return;
    }
    GraftSampleRefs inputs;
    for (const QString &t : texts)
        inputs.push_back(learn::SampleRef::ofText(t));
    m_texts = texts;
    if (!m_controller->predict(inputs, m_topK->value()))
        QMessageBox::information(this, tr("Predict"), tr("Wait for the current job to finish."));
}

void PredictPanel::predictFiles(const QStringList &paths)
{
    if (!m_controller->hasModel()) {
        QMessageBox::information(this, tr("Predict"), tr("Train a model first."));
        return;
    }
    if (m_gather.isRunning())
        return;
    const bool text = m_textMode;
    // Walking folders and reading files can take long: off the GUI thread.
    m_gather.setFuture(QtConcurrent::run([paths, text] {
        Gathered g;
        if (text) {
            // A text model: each dropped file is one review.
            for (const QString &p : paths) {
                auto t = text::readTextFile(p);
                if (!t) {
                    g.error = ErrorText::describe(t.error());
                    return g;
                }
                g.inputs.push_back(learn::SampleRef::ofText(t->text, p));
            }
            return g;
        }
        static const QStringList filters = {QStringLiteral("*.jpg"), QStringLiteral("*.jpeg"),
                                            QStringLiteral("*.png"), QStringLiteral("*.bmp"),
                                            QStringLiteral("*.gif"), QStringLiteral("*.webp"),
                                            QStringLiteral("*.tif"), QStringLiteral("*.tiff")};
        QStringList files;
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
        for (const QString &f : files)
            g.inputs.push_back(learn::SampleRef::image(f));
        return g;
    }));
}

void PredictPanel::showResults(const learn::Predictions &predictions)
{
    m_predictions = predictions;
    m_classes = m_controller->classes();
    m_results->clear();
    for (const learn::Prediction &p : predictions) {
        auto *item = new QTreeWidgetItem(m_results);
        if (m_textMode) {
            QString shown = (p.input.file.isEmpty() ? p.input.text : p.input.file).simplified();
            if (shown.size() > 120)
                shown = shown.left(117) + QStringLiteral("...");
            item->setText(0, shown);
        } else {
            item->setText(0, QFileInfo(p.input.file).fileName());
        }
        item->setToolTip(0, p.input.file.isEmpty() ? p.input.text.left(2000) : p.input.file);
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
    QByteArray out = m_textMode ? "text,rank,class,probability\n" : "file,rank,class,probability\n";
    for (const learn::Prediction &p : m_predictions) {
        int rank = 1;
        const QString what = m_textMode && p.input.file.isEmpty() ? p.input.text : p.input.file;
        for (const auto &[cls, prob] : p.top) {
            out += csvField(what).toUtf8() + ',' + QByteArray::number(rank++) + ',' +
                   csvField(m_classes.value(cls)).toUtf8() + ',' +
                   QByteArray::number(double(prob), 'f', 6) + '\n';
        }
    }
    return io::writeFileAtomically(path, out).ok();
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
    m_hint->setText(m_textMode
                        ? tr("Type or paste a review below, or drop .txt files here, to classify "
                             "them with the trained text model.")
                        : tr("Drop images or a folder here to classify them with the trained "
                             "model."));
    m_textLabel->setText(tr("Review:"));
    m_textInput->setPlaceholderText(tr("e.g. The battery died after two days."));
    m_classify->setText(tr("C&lassify"));
    m_add->setText(m_textMode ? tr("&Add text files...") : tr("&Add images..."));
    m_save->setText(tr("Save as &CSV..."));
    m_topKLabel->setText(tr("Top classes:"));
    m_results->setHeaderLabels(
        {m_textMode ? tr("Text") : tr("File"), tr("Prediction"), tr("Probability")});
    m_plot->xAxis->setLabel(tr("Probability"));
    m_plot->replot(QCustomPlot::rpQueuedReplot);
}

} // namespace graft::ui
