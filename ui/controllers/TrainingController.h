#pragma once

#include "ui/controllers/TrainingWorker.h"

#include <QObject>
#include <QPointer>
#include <QThread>

namespace graft::ui {

/// Owns the long-lived training thread and its worker; the only way widgets reach the engine.
/// All methods are called on the GUI thread; work is queued to the worker, one job at a time,
/// each with its own cancellation token (so a Stop pressed as a job starts is never lost).
class TrainingController : public QObject
{
    Q_OBJECT
public:
    enum class Job {
        None,
        Train,
        FindLr,
        CrossValidate,
        LanguageModel,
        Predict,
        GradCam,
        Export,
        Explain,
        OpenModel
    };

    explicit TrainingController(QObject *parent = nullptr);
    ~TrainingController() override;

    bool isBusy() const { return m_job != Job::None; }
    Job job() const { return m_job; }
    /// A classifier was trained in this session or opened (the worker keeps it).
    bool hasModel() const { return m_hasModel; }
    bool hasTextModel() const { return m_hasModel && m_modelKind == learn::TaskKind::Text; }
    learn::TaskKind modelKind() const { return m_modelKind; }
    QStringList classes() const { return m_classes; }

    /// Each returns false (and does nothing) while another job runs.
    bool startTraining(const learn::RunConfig &config, const learn::Dataset &data);
    bool findLearningRate(const learn::RunConfig &config, const learn::Dataset &data);
    bool crossValidate(const learn::RunConfig &config, const learn::Dataset &data, int folds);
    bool trainLanguageModel(const learn::RunConfig &config, const QString &outPath);
    bool predict(const GraftSampleRefs &inputs, int topK);
    bool explainText(const QString &text, int classIndex = -1);
    bool gradCam(const QString &file, int classIndex);
    bool exportModel(const QString &path);
    /// Opens a run folder, its run.json, or a .pt/.onnx export as the current model (see
    /// TrainingWorker::openModel); modelOpened or failed("open-model", ...) follows.
    bool openModel(const QString &path, const learn::RunConfig &config, const learn::Dataset &data);

    /// Asks the running job to stop; it ends within about one batch.
    void stop();
    /// Cancels, stops the thread and waits for it (used when closing).
    void shutdown();

Q_SIGNALS:
    void busyChanged(bool busy);
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
    /// The current model changed (a run finished with one, or one was opened): what Evaluate,
    /// Predict and Export show and use.
    void modelChanged(const graft::learn::RunReport &report);
    void failed(const QString &operation, const QString &text);

private:
    /// Starts `job` with a new cancellation token; false while another runs.
    bool begin(Job job);
    void finish();
    template<typename Fn> bool queue(Job job, Fn &&fn);

    QThread m_thread;
    QPointer<TrainingWorker> m_worker;
    core::CancelToken m_cancel; ///< the running job's
    Job m_job = Job::None;
    bool m_hasModel = false;
    learn::TaskKind m_modelKind = learn::TaskKind::Image;
    QStringList m_classes;
};

} // namespace graft::ui
