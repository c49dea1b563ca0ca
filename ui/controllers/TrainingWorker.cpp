#include "ui/controllers/TrainingWorker.h"

#include "ui/util/ErrorText.h"

namespace graft::ui {

namespace {
constexpr qint64 kFlushIntervalMs = 66; // ~15 Hz
}

TrainingWorker::TrainingWorker(core::CancelToken cancel)
    : m_trainer(std::make_unique<train::Trainer>()), m_cancel(std::move(cancel))
{
    m_sinceFlush.start();
    m_sincePhase.start();
}

TrainingWorker::~TrainingWorker() = default;

bool TrainingWorker::setupFor(const train::TrainingConfig &config,
                              const data::ScanReport &dataset,
                              const QString &operation)
{
    m_cancel.reset();
    m_pending.clear();
    const core::Status st = m_trainer->setup(config, dataset);
    if (!st) {
        Q_EMIT failed(operation, ErrorText::describe(st.error()));
        return false;
    }
    return true;
}

void TrainingWorker::train(const train::TrainingConfig &config, const data::ScanReport &dataset)
{
    if (!setupFor(config, dataset, QStringLiteral("train")))
        return;
    auto result = m_trainer->train(this, m_cancel);
    flushBatches();
    if (!result) {
        Q_EMIT failed(QStringLiteral("train"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT trainingFinished(result.value());
}

void TrainingWorker::findLearningRate(const train::TrainingConfig &config,
                                      const data::ScanReport &dataset)
{
    if (!setupFor(config, dataset, QStringLiteral("lr")))
        return;
    auto result = m_trainer->findLearningRate(this, m_cancel);
    flushBatches();
    if (!result) {
        Q_EMIT failed(QStringLiteral("lr"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT learningRateFound(result.value());
}

void TrainingWorker::predict(const QStringList &files, int topK)
{
    auto result = m_trainer->predict(files, topK);
    if (!result) {
        Q_EMIT failed(QStringLiteral("predict"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT predictionsReady(result.value());
}

void TrainingWorker::gradCam(const QString &file, int classIndex)
{
    auto result = m_trainer->gradCam(file, classIndex);
    if (!result) {
        Q_EMIT failed(QStringLiteral("gradcam"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT gradCamReady(file, result.value());
}

void TrainingWorker::exportTorchScript(const QString &path)
{
    m_cancel.reset();
    // The file name picks the format: .onnx for ONNX (checked with OpenCV DNN), else TorchScript.
    auto result = path.endsWith(QLatin1String(".onnx"), Qt::CaseInsensitive)
                      ? m_trainer->exportOnnx(path, m_cancel)
                      : m_trainer->exportTorchScript(path, m_cancel);
    if (!result) {
        Q_EMIT failed(QStringLiteral("export"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT exportFinished(result.value());
}

void TrainingWorker::batchFinished(const train::BatchEvent &event)
{
    m_pending.append(event);
    if (m_sinceFlush.elapsed() >= kFlushIntervalMs || event.batch == event.batchesPerEpoch)
        flushBatches();
}

void TrainingWorker::epochFinished(const train::EpochMetrics &metrics)
{
    flushBatches();
    Q_EMIT epochReady(metrics);
}

void TrainingWorker::phaseProgress(const QString &phase, qint64 done, qint64 total)
{
    if (done == total || m_sincePhase.elapsed() >= kFlushIntervalMs) {
        m_sincePhase.restart();
        Q_EMIT phaseChanged(phase, done, total);
    }
}

void TrainingWorker::message(const QString &text)
{
    Q_EMIT messageLogged(text);
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
