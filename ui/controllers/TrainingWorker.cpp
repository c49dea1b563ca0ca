#include "ui/controllers/TrainingWorker.h"

#include "ui/util/ErrorText.h"

#include "graft/text/WordVectors.h"

#include <optional>

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
                              const vision::ScanReport &dataset,
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

void TrainingWorker::train(const train::TrainingConfig &config, const vision::ScanReport &dataset)
{
    if (!setupFor(config, dataset, QStringLiteral("train")))
        return;
    auto result = m_trainer->train(this, m_cancel);
    flushBatches();
    if (!result) {
        Q_EMIT failed(QStringLiteral("train"), ErrorText::describe(result.error()));
        return;
    }
    m_textModel.reset();
    Q_EMIT trainingFinished(result.value());
}

void TrainingWorker::findLearningRate(const train::TrainingConfig &config,
                                      const vision::ScanReport &dataset)
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
    const bool onnx = path.endsWith(QLatin1String(".onnx"), Qt::CaseInsensitive);
    auto result = m_textModel ? (onnx ? m_textModel->exportOnnx(path, m_cancel)
                                      : m_textModel->exportTorchScript(path, m_cancel))
                  : onnx      ? m_trainer->exportOnnx(path, m_cancel)
                              : m_trainer->exportTorchScript(path, m_cancel);
    if (!result) {
        Q_EMIT failed(QStringLiteral("export"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT exportFinished(result.value());
}

bool TrainingWorker::loadWordVectors(const text::TextTrainingConfig &config, const QString &job,
                                     std::optional<text::WordVectors> *vectors)
{
    if (config.vectorsPath.isEmpty())
        return true;
    Q_EMIT phaseChanged(QStringLiteral("vectors"), 0, 1);
    auto v = text::WordVectors::load(config.vectorsPath, text::WordVectors::Format::Auto,
                                     config.maxVectorWords);
    if (!v) {
        Q_EMIT failed(job, ErrorText::describe(v.error()));
        return false;
    }
    *vectors = std::move(v.value());
    Q_EMIT phaseChanged(QStringLiteral("vectors"), 1, 1);
    return true;
}

void TrainingWorker::findTextLearningRate(const text::TextTrainingConfig &config,
                                          std::shared_ptr<const text::TextDataset> dataset)
{
    m_cancel.reset();
    m_pending.clear();
    std::optional<text::WordVectors> vectors;
    if (!loadWordVectors(config, QStringLiteral("lr"), &vectors))
        return;
    const text::TextSplit split = text::splitTextDataset(*dataset, config.valFraction, config.seed);
    text::TextTrainingObserver obs;
    obs.onBatch = [this](const train::BatchEvent &e) {
        phaseProgress(QStringLiteral("lr-finder"), e.batch, e.batchesPerEpoch);
    };
    auto result = text::findTextLearningRate(*dataset, split.train, config,
                                             vectors ? &*vectors : nullptr, obs, m_cancel);
    if (!result) {
        Q_EMIT failed(QStringLiteral("lr"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT learningRateFound(result.value());
}

void TrainingWorker::trainText(const text::TextTrainingConfig &config,
                               std::shared_ptr<const text::TextDataset> dataset)
{
    m_cancel.reset();
    m_pending.clear();
    std::optional<text::WordVectors> vectors;
    if (!loadWordVectors(config, QStringLiteral("train"), &vectors))
        return;
    const text::TextSplit split = text::splitTextDataset(*dataset, config.valFraction, config.seed);
    text::TextTrainingObserver obs;
    obs.onBatch = [this](const train::BatchEvent &e) { batchFinished(e); };
    obs.onEpoch = [this](const train::EpochMetrics &m) { epochFinished(m); };
    obs.onMessage = [this](const QString &text) { message(text); };
    auto result = text::trainTextClassifier(*dataset, split.train, split.val, config,
                                            vectors ? &*vectors : nullptr, obs, m_cancel);
    flushBatches();
    if (!result) {
        Q_EMIT failed(QStringLiteral("train"), ErrorText::describe(result.error()));
        return;
    }
    m_textModel = result->model;
    Q_EMIT textTrainingFinished(result.value());
}

void TrainingWorker::trainLanguageModel(const text::LanguageModelConfig &config,
                                        const QString &outPath)
{
    m_cancel.reset();
    text::LanguageModelObserver obs;
    const qint64 epochs = config.epochs;
    obs.onBatch = [this, epochs](const train::BatchEvent &e) {
        Q_EMIT phaseChanged(QStringLiteral("language-model"),
                            qint64(e.epoch - 1) * e.batchesPerEpoch + e.batch,
                            epochs * e.batchesPerEpoch);
    };
    obs.onEpoch = [this](const text::LanguageModelEpoch &m) {
        message(tr("Language model, epoch %1: validation perplexity %2")
                    .arg(m.epoch)
                    .arg(m.valPerplexity, 0, 'f', 1));
    };
    auto result = text::trainLanguageModel(config, outPath, obs, m_cancel);
    if (!result) {
        Q_EMIT failed(QStringLiteral("language-model"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT languageModelTrained(result.value());
}

void TrainingWorker::crossValidateText(const text::TextTrainingConfig &config, int folds)
{
    m_cancel.reset();
    const auto onFold = [this, folds](const text::TextFoldResult &f) {
        message(tr("Fold %1 of %2: model %3 %, bag-of-words baseline %4 %")
                    .arg(f.fold)
                    .arg(folds)
                    .arg(f.accuracy * 100, 0, 'f', 1)
                    .arg(f.baselineAccuracy * 100, 0, 'f', 1));
        Q_EMIT phaseChanged(QStringLiteral("cross-validate"), f.fold, folds);
    };
    auto result = text::crossValidateText(config, folds, {}, onFold, m_cancel);
    if (!result) {
        Q_EMIT failed(QStringLiteral("cross-validate"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT textCrossValidated(result.value());
}

void TrainingWorker::predictText(const QStringList &texts, int topK)
{
    if (!m_textModel) {
        Q_EMIT failed(QStringLiteral("predict"), tr("Train a text model first."));
        return;
    }
    auto result = m_textModel->predict(texts, topK);
    if (!result) {
        Q_EMIT failed(QStringLiteral("predict"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT textPredictionsReady(result.value());
}

void TrainingWorker::explainText(const QString &text, int classIndex)
{
    if (!m_textModel) {
        Q_EMIT failed(QStringLiteral("explain"), tr("Train a text model first."));
        return;
    }
    auto result = m_textModel->explain(text, classIndex);
    if (!result) {
        Q_EMIT failed(QStringLiteral("explain"), ErrorText::describe(result.error()));
        return;
    }
    Q_EMIT textExplained(text, result.value());
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
