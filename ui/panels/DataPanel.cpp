#include "ui/panels/DataPanel.h"

#include "graft/learn/Session.h"

#include "graft/text/TextSplits.h"
#include "graft/text/Tokenizer.h"
#include "graft/vision/ImageScanner.h"
#include "ui/util/ErrorText.h"
#include "ui/util/PlotAxes.h"
#include "ui/util/TableWidth.h"
#include "ui/util/Thumbnails.h"

#include <QDesktopServices>
#include <QDoubleSpinBox>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFileDialog>
#include <QFileInfo>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QListWidget>
#include <QMimeData>
#include <QProgressBar>
#include <QPromise>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QTableWidget>
#include <QTreeWidget>
#include <QUrl>
#include <QVBoxLayout>
#include <QtConcurrent/QtConcurrent>

#include <qcustomplot.h>

namespace graft::ui {

namespace {
constexpr int kThumbSide = 96;
constexpr int kThumbsPerClass = 24;
} // namespace

DataPanel::DataPanel(QWidget *parent) : QWidget(parent)
{
    setAcceptDrops(true);

    m_dropHint = new QLabel(this);
    m_dropHint->setWordWrap(true); // one long line would set the window's minimum width
    m_dropHint->setObjectName(QStringLiteral("dropHint"));
    m_pathLabel = new QLabel(this);
    m_pathLabel->setObjectName(QStringLiteral("datasetPath"));
    m_pathLabel->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_openButton = new QPushButton(this);
    m_rescanButton = new QPushButton(this);
    m_cancelButton = new QPushButton(this);
    m_cancelButton->setVisible(false);
    m_progress = new QProgressBar(this);
    m_progress->setVisible(false);

    m_seedLabel = new QLabel(this);
    m_seed = new QSpinBox(this);
    m_seed->setObjectName(QStringLiteral("splitSeed"));
    m_seed->setRange(0, 1'000'000);
    m_seed->setValue(42);
    m_valLabel = new QLabel(this);
    m_valFraction = new QDoubleSpinBox(this);
    m_valFraction->setObjectName(QStringLiteral("valFraction"));
    m_valFraction->setRange(0.05, 0.5);
    m_valFraction->setSingleStep(0.05);
    m_valFraction->setValue(0.2);
    m_splitLabel = new QLabel(this);
    m_splitText = LiveText(m_splitLabel);
    m_splitLabel->setObjectName(QStringLiteral("splitSummary"));

    auto *top = new QHBoxLayout;
    top->addWidget(m_openButton);
    top->addWidget(m_rescanButton);
    top->addWidget(m_pathLabel, 1);
    top->addWidget(m_progress);
    top->addWidget(m_cancelButton);
    auto *splitRow = new QHBoxLayout;
    splitRow->addWidget(m_seedLabel);
    splitRow->addWidget(m_seed);
    splitRow->addWidget(m_valLabel);
    splitRow->addWidget(m_valFraction);
    splitRow->addWidget(m_splitLabel, 1);

    m_classesBox = new QGroupBox(this);
    m_classTable = new QTableWidget(0, 5, m_classesBox);
    m_classTable->setObjectName(QStringLiteral("classTable"));
    m_classTable->setEditTriggers(QAbstractItemView::NoEditTriggers);
    m_classTable->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_classTable->setSelectionMode(QAbstractItemView::SingleSelection);
    // Count columns fit their headers ("Validation" was cut off); the name takes the rest.
    m_classTable->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_classTable->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_classTable->verticalHeader()->setVisible(false);
    (new QVBoxLayout(m_classesBox))->addWidget(m_classTable);

    m_balanceBox = new QGroupBox(this);
    m_balancePlot = new QCustomPlot(m_balanceBox);
    m_balancePlot->setObjectName(QStringLiteral("balancePlot"));
    m_balancePlot->setMinimumHeight(180);
    m_bars = new QCPBars(m_balancePlot->xAxis, m_balancePlot->yAxis);
    m_bars->setBrush(QColor(70, 130, 180));
    m_bars->setPen(Qt::NoPen);
    (new QVBoxLayout(m_balanceBox))->addWidget(m_balancePlot);

    m_thumbBox = new QGroupBox(this);
    m_thumbnails = new QListWidget(m_thumbBox);
    m_thumbnails->setObjectName(QStringLiteral("thumbnails"));
    m_thumbnails->setViewMode(QListView::IconMode);
    m_thumbnails->setFlow(QListView::LeftToRight);
    m_thumbnails->setWrapping(true);
    m_thumbnails->setResizeMode(QListView::Adjust);
    m_thumbnails->setIconSize(QSize(kThumbSide, kThumbSide));
    m_thumbnails->setUniformItemSizes(true);
    m_tokenPreview = new QLabel(m_thumbBox);
    m_tokenPreview->setObjectName(QStringLiteral("tokenPreview"));
    m_tokenPreview->setWordWrap(true);
    m_tokenPreview->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_tokenPreview->setVisible(false);
    auto *thumbLayout = new QVBoxLayout(m_thumbBox);
    thumbLayout->addWidget(m_thumbnails, 1);
    thumbLayout->addWidget(m_tokenPreview);

    m_problemsBox = new QGroupBox(this);
    m_problems = new QTreeWidget(m_problemsBox);
    m_problems->setObjectName(QStringLiteral("problems"));
    m_problems->setColumnCount(3);
    m_problems->setRootIsDecorated(false);
    m_openFolderButton = new QPushButton(m_problemsBox);
    m_openFolderButton->setEnabled(false);
    m_blockingLabel = new QLabel(m_problemsBox);
    m_blockingLabel->setObjectName(QStringLiteral("blocking"));
    m_blockingLabel->setWordWrap(true);
    m_blockingLabel->setStyleSheet(QStringLiteral("color: #b22222;"));
    auto *problemsLayout = new QVBoxLayout(m_problemsBox);
    problemsLayout->addWidget(m_blockingLabel);
    problemsLayout->addWidget(m_problems);
    problemsLayout->addWidget(m_openFolderButton, 0, Qt::AlignRight);

    auto *left = new QSplitter(Qt::Vertical, this);
    left->addWidget(m_classesBox);
    left->addWidget(m_balanceBox);
    auto *right = new QSplitter(Qt::Vertical, this);
    right->addWidget(m_thumbBox);
    right->addWidget(m_problemsBox);
    auto *body = new QSplitter(Qt::Horizontal, this);
    body->addWidget(left);
    body->addWidget(right);
    body->setStretchFactor(1, 1);

    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_dropHint);
    layout->addLayout(top);
    layout->addLayout(splitRow);
    layout->addWidget(body, 1);

    connect(m_openButton, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Open dataset folder"), m_path);
        if (!dir.isEmpty())
            openFolder(dir);
    });
    connect(m_rescanButton, &QPushButton::clicked, this, [this] {
        if (!m_path.isEmpty())
            openFolder(m_path);
    });
    connect(m_cancelButton, &QPushButton::clicked, this, [this] { m_scanCancel.requestCancel(); });
    connect(m_seed, &QSpinBox::valueChanged, this, &DataPanel::settingsChanged);
    connect(m_valFraction, &QDoubleSpinBox::valueChanged, this, &DataPanel::settingsChanged);
    // Text splits are made when training starts: show the counts they will have.
    connect(m_seed, &QSpinBox::valueChanged, this, [this] {
        if (m_text)
            showTextReport();
    });
    connect(m_valFraction, &QDoubleSpinBox::valueChanged, this, [this] {
        if (m_text)
            showTextReport();
    });
    connect(m_classTable, &QTableWidget::currentCellChanged, this, [this](int row) {
        if (m_text)
            showReviews(row);
        else
            showThumbnails(row);
    });
    connect(m_thumbnails, &QListWidget::currentItemChanged, this, [this](QListWidgetItem *item) {
        if (!m_text || !item)
            return;
        // The tokens the model will see: the tokenizer's defaults, as training uses them.
        const QString review = item->data(Qt::UserRole).toString();
        const QStringList tokens = text::Tokenizer().tokenize(review);
        m_tokenPreview->setText(tr("Tokens (%1): %2")
                                    .arg(tokens.size())
                                    .arg(tokens.mid(0, 200).join(QStringLiteral(" · "))));
    });
    connect(m_problems, &QTreeWidget::currentItemChanged, this,
            [this](QTreeWidgetItem *item) { m_openFolderButton->setEnabled(item != nullptr); });
    connect(m_problems, &QTreeWidget::itemDoubleClicked, this, &DataPanel::openProblemFolder);
    connect(m_openFolderButton, &QPushButton::clicked, this, &DataPanel::openProblemFolder);

    connect(&m_scanWatcher, &QFutureWatcher<ScanResult>::progressRangeChanged, m_progress,
            &QProgressBar::setRange);
    connect(&m_scanWatcher, &QFutureWatcher<ScanResult>::progressValueChanged, m_progress,
            &QProgressBar::setValue);
    connect(&m_scanWatcher, &QFutureWatcher<ScanResult>::finished, this, [this] {
        m_progress->setVisible(false);
        m_cancelButton->setVisible(false);
        const auto future = m_scanWatcher.future();
        if (future.resultCount() == 0) {
            Q_EMIT scanFinished(false);
            return;
        }
        const ScanResult result = future.result();
        if (result && result->texts) {
            m_report.reset();
            if (!*result->texts) {
                m_text.reset();
                showReport();
                if (result->texts->error().code != core::ErrorCode::Cancelled)
                    m_blockingLabel->setText(ErrorText::describe(result->texts->error()));
                Q_EMIT scanFinished(false);
                return;
            }
            m_text = std::make_shared<const text::TextDataset>(std::move(result->texts->value()));
            showTextReport();
            Q_EMIT scanFinished(true);
            return;
        }
        m_text.reset();
        if (!result || !result->images || !*result->images) {
            m_report.reset();
            showReport();
            if (result && result->images &&
                result->images->error().code != core::ErrorCode::Cancelled)
                m_blockingLabel->setText(ErrorText::describe(result->images->error()));
            Q_EMIT scanFinished(false);
            return;
        }
        m_report = std::move(result->images->value());
        showReport();
        Q_EMIT scanFinished(true);
    });
    connect(&m_thumbWatcher, &QFutureWatcher<QList<QImage>>::finished, this, [this] {
        const auto future = m_thumbWatcher.future();
        if (future.resultCount() == 0)
            return;
        const QList<QImage> images = future.result();
        for (int i = 0; i < images.size() && i < m_thumbnails->count(); ++i) {
            if (!images[i].isNull())
                m_thumbnails->item(i)->setIcon(QIcon(QPixmap::fromImage(images[i])));
        }
    });

    retranslate();
}

DataPanel::~DataPanel()
{
    m_scanCancel.requestCancel();
    m_scanWatcher.waitForFinished();
    m_thumbWatcher.waitForFinished();
}

int DataPanel::splitSeed() const
{
    return m_seed->value();
}

double DataPanel::valFraction() const
{
    return m_valFraction->value();
}

void DataPanel::setSplit(int seed, double fraction)
{
    m_seed->setValue(seed);
    m_valFraction->setValue(fraction);
}

bool DataPanel::isScanning() const
{
    return m_scanWatcher.isRunning();
}

void DataPanel::openFolder(const QString &path)
{
    // An earlier scan is cancelled, not waited for: the watcher follows the new one only, and
    // the old one ends within a file on its worker thread.
    m_scanCancel.requestCancel();
    m_scanCancel = core::CancelToken();
    m_path = QFileInfo(path).absoluteFilePath();
    m_pathLabel->setText(QDir::toNativeSeparators(m_path));
    m_blockingLabel->clear();

    vision::ScanOptions options;
    options.seed = m_seed->value();
    options.valFraction = m_valFraction->value();
    const core::CancelToken cancel = m_scanCancel;
    const QString root = m_path;
    m_progress->setRange(0, 0);
    m_progress->setVisible(true);
    m_cancelButton->setVisible(true);
    // The lambda must not touch `this`: it may outlive a scan that is being replaced.
    m_scanWatcher.setFuture(QtConcurrent::run([root, options, cancel](QPromise<ScanResult> &p) {
        auto progress = [&p](qint64 done, qint64 total) {
            p.setProgressRange(0, int(qMin<qint64>(total, INT_MAX)));
            p.setProgressValue(int(qMin<qint64>(done, INT_MAX)));
        };
        auto outcome = std::make_shared<ScanOutcome>();
        if (learn::detectKind(root) == learn::TaskKind::Text)
            outcome->texts = text::scanTextDataset(root, {}, progress, cancel);
        else
            outcome->images = vision::scanImageFolder(root, options, progress, cancel);
        p.addResult(outcome);
    }));
    Q_EMIT settingsChanged();
}

void DataPanel::showReport()
{
    m_tokenPreview->setVisible(false);
    m_thumbnails->setViewMode(QListView::IconMode);
    m_thumbnails->setFlow(QListView::LeftToRight);
    m_thumbnails->setWrapping(true);
    m_thumbnails->setUniformItemSizes(true);
    m_thumbnails->setAlternatingRowColors(false);
    m_thumbnails->setWordWrap(false);
    m_classTable->setRowCount(0);
    m_problems->clear();
    m_thumbnails->clear();
    m_splitLabel->clear();
    QVector<double> ticks, counts;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    if (m_report) {
        const vision::ScanReport &r = *m_report;
        m_classTable->setRowCount(int(r.classes.size()));
        int maxCount = 0;
        for (int i = 0; i < int(r.classes.size()); ++i) {
            const vision::ClassSummary &c = r.classes[size_t(i)];
            const QList<int> values = {c.usable[0], c.usable[1], c.usable[2], c.total()};
            m_classTable->setItem(i, 0, new QTableWidgetItem(c.name));
            for (int col = 0; col < values.size(); ++col) {
                auto *item = new QTableWidgetItem;
                item->setData(Qt::DisplayRole, values[col]);
                item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
                m_classTable->setItem(i, col + 1, item);
            }
            ticks << i + 1;
            counts << c.total();
            ticker->addTick(i + 1, c.name);
            maxCount = qMax(maxCount, c.total());
        }
        m_balancePlot->yAxis->setRange(0, qMax(1.0, maxCount * 1.1));
        m_balancePlot->xAxis->setRange(0.3, r.classes.size() + 0.7);

        m_splitText.set([this, predefined = r.predefinedSplit,
                         train = r.count(vision::Split::Train), val = r.count(vision::Split::Val),
                         test = r.count(vision::Split::Test)] {
            return (predefined ? tr("Split from folders: %1 train, %2 validation, %3 test")
                               : tr("Seeded split: %1 train, %2 validation, %3 test"))
                .arg(train)
                .arg(val)
                .arg(test);
        });

        for (const vision::ImageEntry *e : r.problems()) {
            auto *item = new QTreeWidgetItem(m_problems);
            item->setText(0, e->relativePath);
            item->setData(1, Qt::UserRole, QString::fromLatin1(vision::fileStatusName(e->status)));
            item->setText(2, e->message);
            item->setData(0, Qt::UserRole, e->path);
            item->setToolTip(0, e->path);
        }
        QStringList blocking;
        for (const vision::BlockingProblem &b : r.blocking)
            blocking << b.message;
        blocking << r.warnings;
        m_blockingLabel->setText(blocking.join(QLatin1Char('\n')));
        if (!r.classes.empty())
            m_classTable->setCurrentCell(0, 0);
    }
    m_bars->setData(ticks, counts);
    m_balancePlot->xAxis->setTicker(ticker);
    fitClassAxis(m_balancePlot->xAxis, ticker->ticks().values());
    m_balancePlot->replot(QCustomPlot::rpQueuedReplot);
    retranslate();
}

void DataPanel::showThumbnails(int classRow)
{
    m_thumbnails->clear();
    if (!m_report || classRow < 0 || classRow >= int(m_report->classes.size()))
        return;
    QStringList files;
    for (const vision::ImageEntry &e : m_report->entries) {
        if (e.classIndex == classRow && e.usable()) {
            files << e.path;
            if (files.size() >= kThumbsPerClass)
                break;
        }
    }
    QPixmap placeholder(kThumbSide, kThumbSide);
    placeholder.fill(palette().color(QPalette::Mid));
    for (const QString &f : files) {
        auto *item = new QListWidgetItem(QIcon(placeholder), QFileInfo(f).fileName(), m_thumbnails);
        item->setToolTip(f);
    }
    // Only the newest request's images are applied: a running job is left to finish.
    m_thumbWatcher.setFuture(QtConcurrent::run([files] {
        QList<QImage> images;
        for (const QString &f : files)
            images << Thumbnails::load(f, kThumbSide);
        return images;
    }));
}

void DataPanel::showTextReport()
{
    showReport(); // clears the widgets
    if (!m_text)
        return;
    const text::TextDataset &t = *m_text;
    m_thumbnails->setViewMode(QListView::ListMode);
    m_thumbnails->setFlow(QListView::TopToBottom);
    m_thumbnails->setWrapping(false);
    m_thumbnails->setUniformItemSizes(false);
    m_thumbnails->setAlternatingRowColors(true);
    m_thumbnails->setWordWrap(true);
    m_tokenPreview->setVisible(true);
    m_tokenPreview->clear();
    // The split training will use: the data's own, else seeded as set here.
    const text::SplitIndices split =
        text::splitTextDataset(t, m_valFraction->value(), m_seed->value());
    const int classes = int(t.classes.size());
    std::vector<int> train(size_t(classes), 0), val(size_t(classes), 0);
    for (int i : split.train)
        ++train[size_t(t.samples[size_t(i)].label)];
    for (int i : split.val)
        ++val[size_t(t.samples[size_t(i)].label)];
    QVector<double> ticks, counts;
    QSharedPointer<QCPAxisTickerText> ticker(new QCPAxisTickerText);
    m_classTable->setRowCount(classes);
    int maxCount = 0;
    for (int c = 0; c < classes; ++c) {
        const int test = t.count(c, QStringLiteral("test"));
        const int total = t.count(c);
        const QList<int> values = {train[size_t(c)], val[size_t(c)], test, total};
        m_classTable->setItem(c, 0, new QTableWidgetItem(t.classes[c]));
        for (int col = 0; col < values.size(); ++col) {
            auto *item = new QTableWidgetItem;
            item->setData(Qt::DisplayRole, values[col]);
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            m_classTable->setItem(c, col + 1, item);
        }
        ticks << c + 1;
        counts << total;
        ticker->addTick(c + 1, t.classes[c]);
        maxCount = qMax(maxCount, total);
    }
    m_bars->setData(ticks, counts);
    m_balancePlot->xAxis->setTicker(ticker);
    fitClassAxis(m_balancePlot->xAxis, ticker->ticks().values());
    m_balancePlot->yAxis->setRange(0, qMax(1.0, maxCount * 1.1));
    m_balancePlot->xAxis->setRange(0.3, classes + 0.7);
    m_balancePlot->replot(QCustomPlot::rpQueuedReplot);
    m_splitText.set([this, train = split.train.size(), val = split.val.size(),
                     median = t.medianTokens, most = t.maxTokens] {
        return tr("Reviews: %1 train, %2 validation; %3 tokens per review (median), %4 at most")
            .arg(train)
            .arg(val)
            .arg(median)
            .arg(most);
    });
    for (const text::TextIssue &issue : t.issues) {
        auto *item = new QTreeWidgetItem(m_problems);
        item->setText(0, issue.line > 0 ? QStringLiteral("%1:%2").arg(issue.file).arg(issue.line)
                                        : issue.file);
        item->setData(1, Qt::UserRole, issue.kind);
        item->setText(2, issue.message);
        item->setData(0, Qt::UserRole, issue.file);
        item->setToolTip(0, issue.file);
    }
    m_blockingLabel->setText(t.blocking.join(QLatin1Char('\n')));
    retranslate();
    if (classes > 0)
        m_classTable->setCurrentCell(0, 0);
}

void DataPanel::showReviews(int classRow)
{
    m_thumbnails->clear();
    m_tokenPreview->clear();
    if (!m_text || classRow < 0 || classRow >= int(m_text->classes.size()))
        return;
    int shown = 0;
    for (const text::TextSample &s : m_text->samples) {
        if (s.label != classRow)
            continue;
        QString preview = s.text.simplified();
        if (preview.size() > 220)
            preview = preview.left(217) + QStringLiteral("...");
        auto *item = new QListWidgetItem(preview, m_thumbnails);
        item->setData(Qt::UserRole, s.text);
        item->setToolTip(s.line > 0 ? QStringLiteral("%1:%2").arg(s.file).arg(s.line) : s.file);
        if (++shown >= 200)
            break;
    }
}

void DataPanel::openProblemFolder()
{
    const QTreeWidgetItem *item = m_problems->currentItem();
    if (!item)
        return;
    const QString file = item->data(0, Qt::UserRole).toString();
    QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(file).absolutePath()));
}

void DataPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void DataPanel::dragEnterEvent(QDragEnterEvent *event)
{
    if (event->mimeData()->hasUrls())
        event->acceptProposedAction();
}

void DataPanel::dropEvent(QDropEvent *event)
{
    static const QStringList tables{QStringLiteral("csv"), QStringLiteral("tsv"),
                                    QStringLiteral("txt")};
    for (const QUrl &url : event->mimeData()->urls()) {
        const QFileInfo info(url.toLocalFile());
        if (info.isDir() || (info.isFile() && tables.contains(info.suffix().toLower()))) {
            openFolder(info.absoluteFilePath());
            event->acceptProposedAction();
            return;
        }
    }
}

void DataPanel::retranslate()
{
    m_dropHint->setText(tr("Drop an image folder here: one subfolder per class, optionally "
                           "inside train/ and val/ folders. Reviews work too: one .txt per "
                           "review in class folders, or a CSV/TSV file."));
    if (m_path.isEmpty())
        m_pathLabel->setText(tr("No dataset loaded."));
    m_openButton->setText(tr("&Open folder..."));
    m_rescanButton->setText(tr("&Rescan"));
    m_cancelButton->setText(tr("Cancel"));
    m_seedLabel->setText(tr("Split seed:"));
    m_seed->setToolTip(tr("Seed of the random train/validation split (used when the folder "
                          "has no train/ and val/ subfolders)."));
    m_valLabel->setText(tr("Validation fraction:"));
    m_valFraction->setToolTip(tr("Share of each class held out for validation."));
    m_classesBox->setTitle(tr("Classes"));
    m_classTable->setHorizontalHeaderLabels(
        {tr("Class"), tr("Train"), tr("Validation"), tr("Test"), tr("Total")});
    fitTableWidth(m_classTable);
    m_balanceBox->setTitle(tr("Class balance"));
    m_balancePlot->yAxis->setLabel(m_text ? tr("Reviews") : tr("Images"));
    m_balancePlot->replot(QCustomPlot::rpQueuedReplot);
    m_thumbBox->setTitle(m_text ? tr("Reviews of the selected class (select one to see its tokens)")
                                : tr("Thumbnails of the selected class"));
    m_problemsBox->setTitle(tr("Problems"));
    m_problems->setHeaderLabels({tr("File"), tr("Problem"), tr("Detail")});
    m_openFolderButton->setText(tr("Open containing folder"));
    m_splitText.refresh();
    // Problem kinds are ids from core, named in the UI language (again after a switch).
    for (int i = 0; i < m_problems->topLevelItemCount(); ++i) {
        QTreeWidgetItem *item = m_problems->topLevelItem(i);
        const QString id = item->data(1, Qt::UserRole).toString();
        item->setText(1, ErrorText::problemKind(id));
        item->setToolTip(1, id);
    }
}

} // namespace graft::ui
