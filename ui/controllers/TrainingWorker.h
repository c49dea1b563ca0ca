#pragma once

#include "graft/core/Cancellation.h"
#include "graft/learn/Model.h"
#include "graft/learn/Session.h"

#include <QElapsedTimer>
#include <QList>
#include <QObject>

#include <vector>

using GraftProgressList = QList<graft::learn::Progress>;
using GraftSampleRefs = std::vector<graft::learn::SampleRef>;

namespace graft::ui {

/// Lives on the training thread and keeps the model trained (or opened) last: LibTorch grad
/// mode is thread-local, and the model is an immutable value a sweep or a new run never
/// touches. Its slots run there; each job gets its own cancellation token. Progress leaves as
/// value types in queued signals: training batches are buffered and flushed at most ~15 times
/// a second, other phases are throttled the same; epoch ends and notices go at once.
class TrainingWorker : public QObject, public learn::Observer
{
    Q_OBJECT
public:
    TrainingWorker();
    ~TrainingWorker() override;

    void
    train(const learn::RunConfig &config, const learn::Dataset &data, core::CancelToken cancel);
    void findLearningRate(const learn::RunConfig &config,
                          const learn::Dataset &data,
                          core::CancelToken cancel);
    void crossValidate(const learn::RunConfig &config,
                       const learn::Dataset &data,
                       int folds,
                       core::CancelToken cancel);
    /// Trains a language model and saves it to `outPath`; the classifier model is kept.
    void trainLanguageModel(const learn::RunConfig &config,
                            const QString &outPath,
                            core::CancelToken cancel);
    void predict(const GraftSampleRefs &inputs, int topK, core::CancelToken cancel);
    void explain(const QString &text, int classIndex);
    void gradCam(const QString &file, int classIndex);
    /// ".onnx" writes ONNX, anything else TorchScript; both are re-loaded and checked.
    void exportModel(const QString &path, core::CancelToken cancel);
    /// Makes the model of `path` the current one: a run folder (or its run.json) with its
    /// evaluation, or a `.pt`/`.onnx` export, then evaluated on the validation split of
    /// `data` when that holds the same task.
    void openModel(const QString &path,
                   const learn::RunConfig &config,
                   const learn::Dataset &data,
                   core::CancelToken cancel);

    // learn::Observer (called on this thread by core)
    void progress(const learn::Progress &progress) override;
    void epochFinished(const learn::EpochMetrics &metrics) override;
    /// The plot draws a resumed run's earlier epochs like new ones.
    void epochsRestored(const std::vector<learn::EpochMetrics> &epochs) override;
    void notice(const learn::Notice &notice) override;

Q_SIGNALS:
    void batchesReady(const GraftProgressList &batches);
    void progressChanged(const graft::learn::Progress &progress);
    void epochReady(const graft::learn::EpochMetrics &metrics);
    void noticeRaised(const graft::learn::Notice &notice);
    void trainingFinished(const graft::learn::RunReport &report);
    void learningRateFound(const graft::learn::LrFinderResult &result);
    void crossValidated(const graft::learn::CrossValidation &result);
    void languageModelTrained(const graft::learn::RunReport &report, const QString &path);
    void predictionsReady(const graft::learn::Predictions &predictions);
    void explained(const QString &text, const graft::learn::TokenContributions &words);
    void gradCamReady(const QString &file, const graft::learn::GradCam &cam);
    void exportFinished(const graft::learn::ExportCheck &check);
    void modelOpened(const graft::learn::RunReport &report, const QString &path);
    /// `operation` is "train", "lr", "cross-validate", "language-model", "predict", "explain",
    /// "gradcam", "export" or "open-model"; `text` is translated.
    void failed(const QString &operation, const QString &text);

private:
    void begin();
    void flushBatches();

    learn::ModelPtr m_model;
    GraftProgressList m_pending;
    QElapsedTimer m_sinceFlush;
    QElapsedTimer m_sinceProgress;
};

} // namespace graft::ui
