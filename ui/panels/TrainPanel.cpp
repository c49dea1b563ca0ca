#include "ui/panels/TrainPanel.h"

#include "ui/controllers/TrainingController.h"
#include "ui/panels/RunsPanel.h"
#include "ui/util/ErrorText.h"
#include "ui/widgets/LossPlot.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QFormLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QJsonArray>
#include <QLabel>
#include <QPlainTextEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSpinBox>
#include <QSplitter>
#include <QVBoxLayout>

#include <cmath>

namespace graft::ui {

namespace {

QString formatSeconds(double seconds)
{
    if (seconds < 0 || !std::isfinite(seconds))
        return QStringLiteral("--");
    const int s = int(std::lround(seconds));
    return QStringLiteral("%1:%2:%3")
        .arg(s / 3600)
        .arg((s / 60) % 60, 2, 10, QLatin1Char('0'))
        .arg(s % 60, 2, 10, QLatin1Char('0'));
}

void setLabel(QFormLayout *form, QWidget *field, const QString &text, const QString &tip)
{
    if (auto *label = qobject_cast<QLabel *>(form->labelForField(field)))
        label->setText(text);
    field->setToolTip(tip);
}

} // namespace

TrainPanel::TrainPanel(TrainingController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    m_paramsBox = new QGroupBox(this);
    m_form = new QFormLayout(m_paramsBox);
    auto spin = [this](const char *name, int lo, int hi, int value) {
        auto *s = new QSpinBox(m_paramsBox);
        s->setObjectName(QString::fromLatin1(name));
        s->setRange(lo, hi);
        s->setValue(value);
        m_form->addRow(QStringLiteral("-"), s);
        connect(s, &QSpinBox::valueChanged, this, &TrainPanel::settingsChanged);
        return s;
    };
    auto dspin = [this](const char *name, double lo, double hi, double value, int decimals,
                        double step) {
        auto *s = new QDoubleSpinBox(m_paramsBox);
        s->setObjectName(QString::fromLatin1(name));
        s->setDecimals(decimals);
        s->setRange(lo, hi);
        s->setSingleStep(step);
        s->setValue(value);
        m_form->addRow(QStringLiteral("-"), s);
        connect(s, &QDoubleSpinBox::valueChanged, this, &TrainPanel::settingsChanged);
        return s;
    };
    auto combo = [this](const char *name, int count) {
        auto *c = new QComboBox(m_paramsBox);
        c->setObjectName(QString::fromLatin1(name));
        for (int i = 0; i < count; ++i)
            c->addItem(QString(), i);
        m_form->addRow(QStringLiteral("-"), c);
        connect(c, &QComboBox::currentIndexChanged, this, &TrainPanel::settingsChanged);
        return c;
    };
    auto check = [this](const char *name) {
        auto *c = new QCheckBox(m_paramsBox);
        c->setObjectName(QString::fromLatin1(name));
        m_form->addRow(QStringLiteral("-"), c);
        connect(c, &QCheckBox::toggled, this, &TrainPanel::settingsChanged);
        return c;
    };
    m_epochs = spin("epochs", 1, 1000, 10);
    m_headEpochs = spin("headEpochs", 0, 100, 2);
    m_batchSize = spin("batchSize", 1, 1024, 32);
    m_learningRate =
        dspin("learningRate", 0.000001, 1.0,
              learn::RunConfig::defaults(learn::TaskKind::Image).learningRate, 6, 0.0001);
    m_backboneFactor = dspin("backboneLrFactor", 0.0, 1.0, 0.1, 3, 0.05);
    m_weightDecay = dspin("weightDecay", 0.0, 1.0, 0.01, 4, 0.005);
    m_labelSmoothing = dspin("labelSmoothing", 0.0, 0.5, 0.0, 2, 0.05);
    m_head = combo("head", 2);
    m_optimizer = combo("optimizer", 2);
    m_schedule = combo("schedule", 3);
    m_augment = check("augment");
    m_balanced = check("balancedClassWeights");
    m_monitor = combo("monitor", 2);
    m_patience = spin("earlyStopping", 0, 100, 0);
    m_seed = spin("seed", 0, 1'000'000, 42);

    m_findLr = new QPushButton(this);
    m_findLr->setObjectName(QStringLiteral("findLr"));
    m_train = new QPushButton(this);
    m_train->setObjectName(QStringLiteral("train"));
    m_stop = new QPushButton(this);
    m_stop->setObjectName(QStringLiteral("stop"));
    m_status = new QLabel(this);
    m_statusText = LiveText(m_status);
    m_status->setObjectName(QStringLiteral("trainStatus"));
    m_status->setWordWrap(true); // a long result line would widen the settings column
    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_findLr);
    buttons->addWidget(m_train);
    buttons->addWidget(m_stop);

    auto *left = new QWidget(this);
    auto *leftLayout = new QVBoxLayout(left);
    leftLayout->setContentsMargins(0, 0, 0, 0);
    leftLayout->addWidget(m_paramsBox);
    leftLayout->addLayout(buttons);
    leftLayout->addWidget(m_status);
    leftLayout->addStretch(1);

    m_progress = new QProgressBar(this);
    m_progress->setObjectName(QStringLiteral("trainProgress"));
    m_epochLabel = new QLabel(this);
    m_throughput = new QLabel(this);
    m_eta = new QLabel(this);
    m_elapsed = new QLabel(this);
    auto *stats = new QHBoxLayout;
    stats->addWidget(m_epochLabel);
    stats->addWidget(m_throughput);
    stats->addWidget(m_elapsed);
    stats->addWidget(m_eta);
    stats->addStretch(1);

    m_plot = new LossPlot(this);
    m_lrPlot = new QCustomPlot(this);
    m_lrPlot->setObjectName(QStringLiteral("lrPlot"));
    m_lrPlot->setMinimumHeight(140);
    m_lrPlot->addGraph();
    m_lrPlot->graph(0)->setPen(QPen(QColor(25, 80, 160), 2));
    m_lrPlot->addGraph();
    m_lrPlot->graph(1)->setLineStyle(QCPGraph::lsNone);
    m_lrPlot->graph(1)->setScatterStyle(
        QCPScatterStyle(QCPScatterStyle::ssCircle, QPen(Qt::red), QBrush(Qt::red), 8));
    m_lrPlot->xAxis->setScaleType(QCPAxis::stLogarithmic);
    m_lrPlot->xAxis->setTicker(QSharedPointer<QCPAxisTickerLog>(new QCPAxisTickerLog));
    m_lrHint = new QLabel(this);
    m_log = new QPlainTextEdit(this);
    m_log->setReadOnly(true);
    m_log->setMaximumBlockCount(500);

    auto *plots = new QSplitter(Qt::Vertical, this);
    plots->addWidget(m_plot);
    auto *lrBox = new QWidget(plots);
    auto *lrLayout = new QVBoxLayout(lrBox);
    lrLayout->setContentsMargins(0, 0, 0, 0);
    lrLayout->addWidget(m_lrHint);
    lrLayout->addWidget(m_lrPlot, 1);
    plots->addWidget(lrBox);
    plots->addWidget(m_log);
    plots->setStretchFactor(0, 3);
    plots->setStretchFactor(1, 1);
    plots->setStretchFactor(2, 1);

    auto *right = new QWidget(this);
    auto *rightLayout = new QVBoxLayout(right);
    rightLayout->setContentsMargins(0, 0, 0, 0);
    rightLayout->addWidget(m_progress);
    rightLayout->addLayout(stats);
    rightLayout->addWidget(plots, 1);

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(left);
    layout->addWidget(right, 1);

    connect(m_train, &QPushButton::clicked, this, &TrainPanel::trainRequested);
    connect(m_findLr, &QPushButton::clicked, this, &TrainPanel::findLrRequested);
    connect(m_stop, &QPushButton::clicked, m_controller, &TrainingController::stop);
    connect(m_controller, &TrainingController::busyChanged, this, [this](bool busy) {
        if (busy && (m_controller->job() == TrainingController::Job::Train ||
                     m_controller->job() == TrainingController::Job::LanguageModel)) {
            m_plot->clearCurves();
            m_liveRunDir.clear();
            showHistory(m_history);
            m_progress->setValue(0);
            m_log->clear();
            m_totalEpochs = m_epochs->value();
        }
        updateButtons();
    });
    connect(m_controller, &TrainingController::batchesReady, this, &TrainPanel::onBatches);
    connect(m_controller, &TrainingController::epochReady, this,
            [this](const learn::EpochMetrics &m) {
                m_plot->addEpoch(m);
                if (m_controller->job() == TrainingController::Job::LanguageModel)
                    m_log->appendPlainText(tr("Language model, epoch %1: validation perplexity %2, "
                                              "next-word accuracy %3 %")
                                               .arg(m.epoch)
                                               .arg(std::exp(m.valLoss), 0, 'f', 1)
                                               .arg(m.valAccuracy * 100, 0, 'f', 1));
                else
                    m_log->appendPlainText(tr("Epoch %1: train loss %2, validation loss %3, "
                                              "validation accuracy %4 %")
                                               .arg(m.epoch)
                                               .arg(m.trainLoss, 0, 'f', 4)
                                               .arg(m.valLoss, 0, 'f', 4)
                                               .arg(m.valAccuracy * 100, 0, 'f', 1));
            });
    connect(m_controller, &TrainingController::progressChanged, this, &TrainPanel::onProgress);
    connect(m_controller, &TrainingController::noticeRaised, this,
            [this](const learn::Notice &n) { m_log->appendPlainText(ErrorText::notice(n)); });
    connect(m_controller, &TrainingController::learningRateFound, this, &TrainPanel::showLrCurve);
    connect(m_controller, &TrainingController::crossValidated, this,
            [this](const learn::CrossValidation &cv) {
                const auto summary = [this, folds = cv.folds, m = cv.meanAccuracy,
                                      sd = cv.stdAccuracy, bm = cv.meanBaselineAccuracy,
                                      bsd = cv.stdBaselineAccuracy] {
                    return tr("%1-fold cross-validation: %2 % (sd %3) for this model, %4 % (sd "
                              "%5) for a bag-of-words logistic regression on the same folds.")
                        .arg(folds)
                        .arg(m * 100, 0, 'f', 1)
                        .arg(sd * 100, 0, 'f', 1)
                        .arg(bm * 100, 0, 'f', 1)
                        .arg(bsd * 100, 0, 'f', 1);
                };
                m_log->appendPlainText(summary());
                m_statusText.set(summary);
            });
    connect(m_controller, &TrainingController::trainingFinished, this,
            [this](const learn::RunReport &r) {
                // Built again after a language switch (the report itself is not kept).
                m_statusText.set([this, best = r.bestEpoch, cancelled = r.cancelled,
                                  acc = r.valAccuracy(), monitor = r.monitor] {
                    if (best == 0)
                        return tr("Stopped before the first epoch ended; no model was kept.");
                    return (cancelled
                                ? tr("Stopped. Kept epoch %2 (%3): validation accuracy %1 %.")
                                : tr("Finished. Kept epoch %2 (%3): validation accuracy %1 %."))
                        .arg(acc * 100, 0, 'f', 1)
                        .arg(best)
                        .arg(ErrorText::monitor(monitor));
                });
                if (!r.cancelled)
                    m_progress->setValue(m_progress->maximum());
                if (r.kind == learn::TaskKind::Text)
                    m_log->appendPlainText(
                        tr("%1 training and %2 validation reviews, vocabulary of %3 words, %4 % of "
                           "the training words found in the word vectors.")
                            .arg(r.details.value("train_count").toInt())
                            .arg(r.details.value("val_count").toInt())
                            .arg(r.details.value("vocabulary_size").toInt())
                            .arg(r.details.value("vector_coverage").toDouble() * 100, 0, 'f', 1));
            });
    connect(m_controller, &TrainingController::languageModelTrained, this,
            [this](const learn::RunReport &r) {
                m_statusText.set([this, val = r.details.value("val_perplexity").toDouble(),
                                  unigram = r.details.value("unigram_perplexity").toDouble()] {
                    return tr("Language model saved: validation perplexity %1 (word frequencies "
                              "alone: %2).")
                        .arg(val, 0, 'f', 1)
                        .arg(unigram, 0, 'f', 1);
                });
                m_progress->setValue(m_progress->maximum());
            });
    connect(m_controller, &TrainingController::failed, this,
            [this](const QString &operation, const QString &text) {
                if (operation == QLatin1String("train") || operation == QLatin1String("lr") ||
                    operation == QLatin1String("cross-validate") ||
                    operation == QLatin1String("language-model")) {
                    m_statusText.setFixed(text);
                    m_log->appendPlainText(text);
                }
            });
    connect(m_lrPlot, &QCustomPlot::mousePress, this, [this](QMouseEvent *event) {
        if (m_lrPlot->graph(0)->dataCount() == 0)
            return;
        const double lr = m_lrPlot->xAxis->pixelToCoord(event->position().x());
        if (lr > 0 && std::isfinite(lr)) {
            m_learningRate->setValue(lr);
            m_lrPlot->graph(1)->data()->clear();
            m_lrPlot->graph(1)->addData(lr, m_lrPlot->yAxis->pixelToCoord(event->position().y()));
            m_lrPlot->replot(QCustomPlot::rpQueuedReplot);
        }
    });

    retranslate();
    updateButtons();
}

void TrainPanel::onBatches(const GraftProgressList &batches)
{
    const TrainingController::Job job = m_controller->job();
    if (batches.isEmpty() ||
        (job != TrainingController::Job::Train && job != TrainingController::Job::LanguageModel))
        return;
    m_plot->addBatches(batches);
    const learn::Progress &e = batches.last();
    const int total = int(qMin<qint64>(e.total, INT_MAX));
    m_progress->setRange(0, qMax(1, total));
    m_progress->setValue(int(qMin<qint64>(e.done, total)));
    m_epochLabel->setText(tr("Epoch %1 of %2").arg(e.epoch).arg(e.epochs));
    m_throughput->setText(m_kind == learn::TaskKind::Image
                              ? tr("%1 images/s").arg(e.itemsPerSecond, 0, 'f', 1)
                          : job == TrainingController::Job::LanguageModel
                              ? tr("%1 words/s").arg(e.itemsPerSecond, 0, 'f', 0)
                              : tr("%1 reviews/s").arg(e.itemsPerSecond, 0, 'f', 1));
    m_elapsed->setText(tr("Elapsed %1").arg(formatSeconds(e.elapsedSeconds)));
    m_eta->setText(e.etaPartial
                       ? tr("Remaining: %1 for the head, then the fine-tuning (not timed yet)")
                             .arg(formatSeconds(e.etaSeconds))
                       : tr("Remaining %1").arg(formatSeconds(e.etaSeconds)));
    m_statusText.set([=, this] { return tr("Training..."); });
}

void TrainPanel::onProgress(const learn::Progress &p)
{
    // Only this tab's jobs: an export's check or an opened model's evaluation has its own tab.
    const TrainingController::Job job = m_controller->job();
    if (job != TrainingController::Job::Train && job != TrainingController::Job::FindLr &&
        job != TrainingController::Job::CrossValidate &&
        job != TrainingController::Job::LanguageModel)
        return;
    // Every phase before and after the epochs (features, vectors, the sweep, folds, exports)
    // drives the same bar, with its own rate and time left.
    const int total = int(qMin<qint64>(p.total, INT_MAX));
    m_progress->setRange(0, qMax(1, total));
    m_progress->setValue(int(qMin<qint64>(p.done, total)));
    m_epochLabel->setText(ErrorText::phase(p.phase));
    m_throughput->setText(
        p.phase == learn::Phase::Vectors ? QString() : tr("%1 of %2").arg(p.done).arg(p.total));
    m_elapsed->setText(tr("Elapsed %1").arg(formatSeconds(p.elapsedSeconds)));
    m_eta->setText(tr("Remaining %1").arg(formatSeconds(p.etaSeconds)));
    m_statusText.set([=, this] { return ErrorText::phase(p.phase) + QStringLiteral("..."); });
}

void TrainPanel::showLrCurve(const learn::LrFinderResult &result)
{
    QVector<double> x(result.learningRates.begin(), result.learningRates.end());
    QVector<double> y(result.losses.begin(), result.losses.end());
    const int n = int(qMin(x.size(), y.size()));
    x.resize(n);
    y.resize(n);
    m_lrPlot->graph(0)->setData(x, y);
    m_lrPlot->graph(1)->data()->clear();
    m_lrPlot->rescaleAxes();
    if (result.suggested > 0) {
        m_learningRate->setValue(result.suggested);
        double yAt = 0;
        for (int i = 0; i < n; ++i) {
            if (x[i] >= result.suggested) {
                yAt = y[i];
                break;
            }
        }
        m_lrPlot->graph(1)->addData(result.suggested, yAt);
    }
    m_lrPlot->replot(QCustomPlot::rpQueuedReplot);
    m_statusText.set([this, lr = result.suggested] {
        return tr("Suggested learning rate: %1 (click the curve to choose another)")
            .arg(lr, 0, 'g', 3);
    });
}

void TrainPanel::applyTo(learn::RunConfig &config) const
{
    config.epochs = m_epochs->value();
    config.batchSize = m_batchSize->value();
    config.learningRate = m_learningRate->value();
    config.weightDecay = m_weightDecay->value();
    config.labelSmoothing = m_labelSmoothing->value();
    config.optimizer = learn::OptimizerKind(m_optimizer->currentIndex());
    config.schedule = learn::Schedule(m_schedule->currentIndex());
    config.balancedClassWeights = m_balanced->isChecked();
    config.monitor = learn::Monitor(m_monitor->currentIndex());
    config.patience = m_patience->value();
    config.seed = m_seed->value();
    config.image.headEpochs = m_headEpochs->value();
    config.image.backboneLrFactor = m_backboneFactor->value();
    config.image.head = learn::ImageHead(m_head->currentIndex());
    config.image.augment = m_augment->isChecked();
    config.image.augmentation.enabled = config.image.augment;
}

void TrainPanel::setFrom(const learn::RunConfig &config)
{
    m_epochs->setValue(config.epochs);
    m_headEpochs->setValue(config.image.headEpochs);
    m_batchSize->setValue(config.batchSize);
    m_learningRate->setValue(config.learningRate);
    m_backboneFactor->setValue(config.image.backboneLrFactor);
    m_weightDecay->setValue(config.weightDecay);
    m_labelSmoothing->setValue(config.labelSmoothing);
    m_head->setCurrentIndex(int(config.image.head));
    m_optimizer->setCurrentIndex(int(config.optimizer));
    m_schedule->setCurrentIndex(int(config.schedule));
    m_augment->setChecked(config.image.augment);
    m_balanced->setChecked(config.balancedClassWeights);
    m_monitor->setCurrentIndex(int(config.monitor));
    m_patience->setValue(config.patience);
    m_seed->setValue(config.seed);
}

void TrainPanel::setAugment(bool on)
{
    m_augment->setChecked(on);
}

bool TrainPanel::augment() const
{
    return m_augment->isChecked();
}

void TrainPanel::setTaskKind(learn::TaskKind kind)
{
    if (kind == m_kind)
        return;
    const double oldDefault = learn::RunConfig::defaults(m_kind).learningRate;
    if (std::abs(m_learningRate->value() - oldDefault) < 1e-12)
        m_learningRate->setValue(learn::RunConfig::defaults(kind).learningRate);
    m_kind = kind;
    const bool image = kind == learn::TaskKind::Image;
    for (QWidget *w :
         {static_cast<QWidget *>(m_headEpochs), static_cast<QWidget *>(m_backboneFactor),
          static_cast<QWidget *>(m_head), static_cast<QWidget *>(m_augment)})
        m_form->setRowVisible(w, image);
    retranslate();
}

void TrainPanel::showHistory(const QJsonArray &runs, const QString &liveRunDir)
{
    m_history = runs;
    if (!liveRunDir.isNull())
        m_liveRunDir = liveRunDir;
    m_plot->clearComparisons();
    for (int i = 0; i < runs.size(); ++i) {
        const QJsonObject run = runs[i].toObject();
        if (!run.value(QStringLiteral("compare")).toBool(true) ||
            (!m_liveRunDir.isEmpty() &&
             run.value(QStringLiteral("run_dir")).toString() == m_liveRunDir))
            continue;
        QVector<double> steps, losses;
        for (const QJsonValue &p : run.value(QStringLiteral("curve")).toArray()) {
            const QJsonArray pair = p.toArray();
            steps << pair.at(0).toDouble();
            losses << pair.at(1).toDouble();
        }
        if (steps.isEmpty())
            continue;
        QString name = RunsPanel::nameOf(run, i);
        if (run.value(QStringLiteral("best_epoch")).toInt() > 0)
            name = tr("%1: %2 %")
                       .arg(name)
                       .arg(run.value(QStringLiteral("val_accuracy")).toDouble() * 100, 0, 'f', 1);
        m_plot->addComparison(steps, losses, name);
    }
}

void TrainPanel::updateButtons()
{
    const bool busy = m_controller->isBusy();
    m_train->setEnabled(!busy);
    m_findLr->setEnabled(!busy);
    m_stop->setEnabled(busy);
    m_paramsBox->setEnabled(!busy);
    if (!busy && m_status->text().isEmpty())
        m_statusText.set([=, this] { return tr("Idle."); });
    if (busy && m_controller->job() == TrainingController::Job::FindLr)
        m_statusText.set([=, this] { return tr("Finding the learning rate..."); });
    if (busy && (m_controller->job() == TrainingController::Job::Train ||
                 m_controller->job() == TrainingController::Job::CrossValidate ||
                 m_controller->job() == TrainingController::Job::LanguageModel))
        m_statusText.set([=, this] { return tr("Preparing..."); });
}

void TrainPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void TrainPanel::retranslate()
{
    m_paramsBox->setTitle(tr("Hyperparameters"));
    const bool image = m_kind == learn::TaskKind::Image;
    setLabel(m_form, m_epochs, tr("Epochs:"),
             image ? tr("Passes over the training images.")
                   : tr("Passes over the training reviews."));
    setLabel(m_form, m_headEpochs, tr("Head-only epochs:"),
             tr("Fine-tuning recipes first train the new head alone for this many epochs."));
    setLabel(m_form, m_batchSize, tr("Batch size:"),
             image ? tr("Images per optimisation step. Smaller uses less memory.")
                   : tr("Reviews per optimisation step. Smaller uses less memory."));
    setLabel(m_form, m_learningRate, tr("Learning rate:"),
             tr("Peak learning rate of the head. Use Find learning rate to choose it."));
    setLabel(m_form, m_backboneFactor, tr("Backbone rate factor:"),
             tr("Trainable backbone groups learn at the head rate times this factor times "
                "their multiplier."));
    setLabel(m_form, m_weightDecay, tr("Weight decay:"),
             tr("Decoupled weight decay (AdamW); keeps weights small."));
    setLabel(m_form, m_labelSmoothing, tr("Label smoothing:"),
             tr("Spreads this share of each target over the other classes."));
    setLabel(m_form, m_head, tr("Head:"), tr("The new classifier on top of the backbone."));
    m_head->setItemText(0, tr("Linear"));
    m_head->setItemText(1, tr("Small MLP"));
    setLabel(m_form, m_optimizer, tr("Optimizer:"), tr("AdamW suits most cases."));
    m_optimizer->setItemText(0, tr("AdamW"));
    m_optimizer->setItemText(1, tr("SGD with momentum"));
    setLabel(m_form, m_schedule, tr("Schedule:"), tr("How the learning rate changes over time."));
    m_schedule->setItemText(0, tr("One-cycle"));
    m_schedule->setItemText(1, tr("Cosine with warm-up"));
    m_schedule->setItemText(2, tr("Constant"));
    setLabel(m_form, m_augment, tr("Augmentation:"),
             tr("Random crops, flips, small rotations and colour jitter on training images."));
    setLabel(m_form, m_balanced, tr("Balance classes:"),
             tr("Weight the loss so that rare classes count as much as common ones."));
    setLabel(m_form, m_monitor, tr("Keep the epoch with:"),
             tr("Which epoch's weights become the model, and what early stopping watches. The "
                "same rule for images and texts."));
    m_monitor->setItemText(0, tr("Best validation accuracy"));
    m_monitor->setItemText(1, tr("Lowest validation loss"));
    setLabel(m_form, m_patience, tr("Early stopping patience:"),
             tr("Stop after this many epochs without a better epoch by the rule above (0 = off)."));
    setLabel(m_form, m_seed, tr("Seed:"), tr("Random seed for initialisation and shuffling."));
    m_findLr->setText(tr("Find &learning rate"));
    m_findLr->setToolTip(tr("Sweep the learning rate over a few batches and plot the loss."));
    m_train->setText(tr("&Train"));
    m_train->setToolTip(tr("Start training (Ctrl+T)."));
    m_stop->setText(tr("&Stop"));
    m_stop->setToolTip(tr("Stop after the current batch (Esc)."));
    m_epochLabel->setText(tr("Epoch -"));
    m_throughput->setText(image ? tr("- images/s") : tr("- reviews/s"));
    m_elapsed->setText(tr("Elapsed --"));
    m_eta->setText(tr("Remaining --"));
    m_lrHint->setText(tr("Learning-rate finder: click the curve to pick a rate."));
    m_lrPlot->xAxis->setLabel(tr("Learning rate"));
    m_lrPlot->yAxis->setLabel(tr("Loss"));
    m_lrPlot->replot(QCustomPlot::rpQueuedReplot);
    m_plot->retranslate();
    m_statusText.refresh();
}

} // namespace graft::ui
