#pragma once

#include "graft/core/Cancellation.h"
#include "graft/vision/ScanReport.h"
#include "graft/text/LanguageModel.h"
#include "graft/text/TextClassifier.h"
#include "graft/text/TextDataset.h"
#include "graft/text/TextTraining.h"
#include "graft/text/WordVectors.h"
#include "graft/train/Trainer.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>

#include <memory>
#include <optional>
#include <vector>

using GraftPredictions = std::vector<graft::train::Prediction>;
using GraftBatchEvents = QList<graft::train::BatchEvent>;
using GraftTextPredictions = std::vector<graft::text::TextPrediction>;
using GraftTokenContributions = std::vector<graft::text::TokenContribution>;
Q_DECLARE_METATYPE(graft::train::TrainingReport)
Q_DECLARE_METATYPE(graft::train::LrFinderResult)
Q_DECLARE_METATYPE(graft::train::ExportCheck)
Q_DECLARE_METATYPE(graft::train::GradCam)
Q_DECLARE_METATYPE(GraftPredictions)
Q_DECLARE_METATYPE(graft::text::TextTrainingReport)
Q_DECLARE_METATYPE(graft::text::LanguageModelReport)
Q_DECLARE_METATYPE(graft::text::TextCrossValidation)
Q_DECLARE_METATYPE(GraftTextPredictions)
Q_DECLARE_METATYPE(GraftTokenContributions)

namespace graft::ui {

/// Lives on the training thread and owns the Trainer (LibTorch grad mode is thread-local).
/// Its slots run there; progress leaves as value types in queued signals. Batch events are
/// buffered and flushed at most ~15 times a second; epoch ends are always delivered at once.
class TrainingWorker : public QObject, public train::TrainingObserver
{
    Q_OBJECT
public:
    explicit TrainingWorker(core::CancelToken cancel);
    ~TrainingWorker() override;

    void train(const train::TrainingConfig &config, const vision::ScanReport &dataset);
    void findLearningRate(const train::TrainingConfig &config, const vision::ScanReport &dataset);
    void predict(const QStringList &files, int topK);
    void gradCam(const QString &file, int classIndex);
    /// Exports the model trained last (image or text); ".onnx" picks ONNX.
    void exportTorchScript(const QString &path);
    /// Text: trains on the dataset's split (its own, else seeded by config.seed and
    /// config.valFraction), loading config.vectorsPath first.
    void trainText(const text::TextTrainingConfig &config,
                   std::shared_ptr<const text::TextDataset> dataset);
    /// Text: the learning-rate sweep on the training part of the same split.
    void findTextLearningRate(const text::TextTrainingConfig &config,
                              std::shared_ptr<const text::TextDataset> dataset);
    void predictText(const QStringList &texts, int topK);
    void explainText(const QString &text, int classIndex);
    /// Text: trains a language model on config.sources and saves it to `outPath`.
    void trainLanguageModel(const text::LanguageModelConfig &config, const QString &outPath);
    /// Text: k-fold cross-validation of `config` against the bag-of-words baseline.
    void crossValidateText(const text::TextTrainingConfig &config, int folds);

    // TrainingObserver (called on this thread by the Trainer)
    void batchFinished(const train::BatchEvent &event) override;
    void epochFinished(const train::EpochMetrics &metrics) override;
    void phaseProgress(const QString &phase, qint64 done, qint64 total) override;
    void message(const QString &text) override;

Q_SIGNALS:
    void batchesReady(const GraftBatchEvents &events);
    void epochReady(const graft::train::EpochMetrics &metrics);
    void phaseChanged(const QString &phase, qint64 done, qint64 total);
    void messageLogged(const QString &text);
    void trainingFinished(const graft::train::TrainingReport &report);
    void learningRateFound(const graft::train::LrFinderResult &result);
    void predictionsReady(const GraftPredictions &predictions);
    void gradCamReady(const QString &file, const graft::train::GradCam &cam);
    void exportFinished(const graft::train::ExportCheck &check);
    void textTrainingFinished(const graft::text::TextTrainingReport &report);
    void textPredictionsReady(const GraftTextPredictions &predictions);
    void textExplained(const QString &text, const GraftTokenContributions &words);
    void languageModelTrained(const graft::text::LanguageModelReport &report);
    void textCrossValidated(const graft::text::TextCrossValidation &result);
    /// `operation` is "train", "lr", "predict", "gradcam", "explain", "export",
    /// "language-model" or "cross-validate"; `text` is translated.
    void failed(const QString &operation, const QString &text);

private:
    /// Loads config.vectorsPath (if any) into `vectors`; emits failed(job, ...) and returns
    /// false when it cannot be read.
    bool loadWordVectors(const text::TextTrainingConfig &config, const QString &job,
                         std::optional<text::WordVectors> *vectors);
    bool setupFor(const train::TrainingConfig &config,
                  const vision::ScanReport &dataset,
                  const QString &operation);
    void flushBatches();

    std::unique_ptr<train::Trainer> m_trainer;
    std::shared_ptr<const text::TextClassifier> m_textModel; ///< set when text was trained last
    core::CancelToken m_cancel;
    GraftBatchEvents m_pending;
    QElapsedTimer m_sinceFlush;
    QElapsedTimer m_sincePhase;
};

} // namespace graft::ui
