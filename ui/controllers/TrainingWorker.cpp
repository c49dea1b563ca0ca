#include "ui/controllers/TrainingWorker.h"

#include "ui/util/ErrorText.h"

#include "graft/export/Exporter.h"

#include <QDir>
#include <QFileInfo>

namespace graft::ui {

namespace {
constexpr qint64 kFlushIntervalMs = 66; // ~15 Hz
}

TrainingWorker::TrainingWorker()
{
    m_sinceFlush.start();
    m_sinceProgress.start();
}

TrainingWorker::~TrainingWorker() = default;

void TrainingWorker::begin()
{
    m_pending.clear();
    m_sinceProgress.restart();
}

void TrainingWorker::train(const learn::RunConfig &config,
                           const learn::Dataset &data,
                           core::CancelToken cancel)
{
    begin();
    auto result = learn::train(config, data, this, cancel);
    flushBatches();
    if (!result) {
        Q_EMIT failed(QStringLiteral("train"), ErrorText::describe(result.error()));
        return;
    }
    if (result->model)
        m_model = result->model;
    Q_EMIT trainingFinished(result.value());
}

void TrainingWorker::findLearningRate(const learn::RunConfig &config,
                                      const learn::Dataset &data,
                                      core::CancelToken cancel)
{
    begin();
    // A fresh model of the configuration sweeps; the trained one (m_model) is not touched.
    auto result = learn::findLearningRate(config, data, this, cancel);
    if (!result) {
        Q_EMIT failed(QStringLiteral("lr"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT learningRateFound(result.value());
}

void TrainingWorker::crossValidate(const learn::RunConfig &config,
                                   const learn::Dataset &data,
                                   int folds,
                                   core::CancelToken cancel)
{
    begin();
    auto result = learn::crossValidate(config, data, folds, this, cancel);
    if (!result) {
        Q_EMIT failed(QStringLiteral("cross-validate"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT crossValidated(result.value());
}

void TrainingWorker::trainLanguageModel(const learn::RunConfig &config,
                                        const QString &outPath,
                                        core::CancelToken cancel)
{
    begin();
    auto result = learn::train(config, learn::Dataset(), this, cancel);
    flushBatches();
    core::Status saved;
    if (!result)
        saved = result.error();
    else if (result->cancelled || !result->model)
        saved = core::makeError(core::ErrorCode::Cancelled, QStringLiteral("nothing was written"));
    else
        saved = result->model->saveWeights(outPath);
    if (!saved) {
        Q_EMIT failed(QStringLiteral("language-model"), ErrorText::describe(saved.error()));
        return;
    }
    Q_EMIT languageModelTrained(result.value(), outPath);
}

void TrainingWorker::predict(const GraftSampleRefs &inputs, int topK, core::CancelToken cancel)
{
    if (!m_model) {
        Q_EMIT failed(QStringLiteral("predict"), tr("Train a model first."));
        return;
    }
    auto result = learn::predict(*m_model, inputs, topK, cancel);
    if (!result) {
        Q_EMIT failed(QStringLiteral("predict"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT predictionsReady(result.value());
}

void TrainingWorker::explain(const QString &text, int classIndex)
{
    if (!m_model) {
        Q_EMIT failed(QStringLiteral("explain"), tr("Train a text model first."));
        return;
    }
    auto result = m_model->explain(text, classIndex);
    if (!result) {
        Q_EMIT failed(QStringLiteral("explain"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT explained(text, result.value());
}

void TrainingWorker::gradCam(const QString &file, int classIndex)
{
    if (!m_model) {
        Q_EMIT failed(QStringLiteral("gradcam"), tr("Train a model first."));
        return;
    }
    auto result = m_model->gradCam(file, classIndex);
    if (!result) {
        Q_EMIT failed(QStringLiteral("gradcam"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT gradCamReady(file, result.value());
}

void TrainingWorker::exportModel(const QString &path, core::CancelToken cancel)
{
    begin();
    if (!m_model) {
        Q_EMIT failed(QStringLiteral("export"), tr("Train a model first."));
        return;
    }
    auto result = exports::exportModel(*m_model, path, cancel, this);
    if (!result) {
        Q_EMIT failed(QStringLiteral("export"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT exportFinished(result.value());
}

void TrainingWorker::openModel(const QString &path,
                               const learn::RunConfig &config,
                               const learn::Dataset &data,
                               core::CancelToken cancel)
{
    begin();
    const QFileInfo info(path);
    learn::RunReport report;
    if (info.isDir() || info.fileName() == QLatin1String("run.json")) {
        auto run = learn::loadRun(info.isDir() ? info.absoluteFilePath() : info.absolutePath());
        if (!run) {
            Q_EMIT failed(QStringLiteral("open-model"), ErrorText::describe(run.error()));
            return;
        }
        report = std::move(run.value());
    } else {
        auto model = exports::loadModel(path);
        if (!model) {
            Q_EMIT failed(QStringLiteral("open-model"), ErrorText::describe(model.error()));
            return;
        }
        report.model = model.value();
        report.kind = report.model->kind();
        report.classes = report.model->classes();
        // An export carries no evaluation: score it on this project's validation split.
        if (!data.isEmpty() && data.kind() == report.kind) {
            std::vector<learn::SampleRef> refs;
            std::vector<int> labels;
            data.samples(QStringLiteral("val"), config, &refs, &labels);
            auto eval = learn::evaluate(*report.model, refs, labels, data.classes(), cancel, this);
            if (!eval) {
                Q_EMIT failed(QStringLiteral("open-model"), ErrorText::describe(eval.error()));
                return;
            }
            report.validation = std::move(eval.value());
        }
    }
    if (!report.model || report.kind == learn::TaskKind::LanguageModel) {
        Q_EMIT failed(
            QStringLiteral("open-model"),
            tr("%1 holds no classifier to predict with.").arg(QDir::toNativeSeparators(path)));
        return;
    }
    m_model = report.model;
    Q_EMIT modelOpened(report, path);
}

void TrainingWorker::progress(const learn::Progress &p)
{
    if (p.phase == learn::Phase::Train) {
        m_pending.append(p);
        if (m_sinceFlush.elapsed() >= kFlushIntervalMs || p.batch == p.batchesPerEpoch)
            flushBatches();
        return;
    }
    if (p.done >= p.total || m_sinceProgress.elapsed() >= kFlushIntervalMs) {
        m_sinceProgress.restart();
        Q_EMIT progressChanged(p);
    }
}

void TrainingWorker::epochFinished(const learn::EpochMetrics &metrics)
{
    flushBatches();
    Q_EMIT epochReady(metrics);
}

void TrainingWorker::epochsRestored(const std::vector<learn::EpochMetrics> &epochs)
{
    for (const learn::EpochMetrics &m : epochs)
        Q_EMIT epochReady(m);
}

void TrainingWorker::notice(const learn::Notice &n)
{
    Q_EMIT noticeRaised(n);
}

void TrainingWorker::flushBatches()
{
    m_sinceFlush.restart();
    if (m_pending.isEmpty())
        return;
    Q_EMIT batchesReady(m_pending);
    m_pending.clear();
}

} // namespace graft::ui
