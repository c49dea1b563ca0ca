#pragma once

#include "ui/controllers/TrainingWorker.h"

#include <QObject>
#include <QPointer>
#include <QThread>

namespace graft::ui {

/// Owns the long-lived training thread and its worker; the only way widgets reach the Trainer.
/// All methods are called on the GUI thread; work is queued to the worker, one job at a time.
class TrainingController : public QObject
{
    Q_OBJECT
public:
    enum class Job { None, Train, FindLr, Predict, GradCam, Export, Explain };

    explicit TrainingController(QObject *parent = nullptr);
    ~TrainingController() override;

    bool isBusy() const { return m_job != Job::None; }
    Job job() const { return m_job; }
    bool hasModel() const { return m_hasModel; }
    QStringList classes() const { return m_classes; }
    /// True when the model trained last classifies text.
    bool hasTextModel() const { return m_hasModel && m_textModel; }

    /// Each returns false (and does nothing) while another job runs.
    bool startTraining(const train::TrainingConfig &config, const vision::ScanReport &dataset);
    bool findLearningRate(const train::TrainingConfig &config, const vision::ScanReport &dataset);
    bool predict(const QStringList &files, int topK);
    bool gradCam(const QString &file, int classIndex);
    bool exportTorchScript(const QString &path);
    bool startTextTraining(const text::TextTrainingConfig &config,
                           std::shared_ptr<const text::TextDataset> dataset);
    bool findTextLearningRate(const text::TextTrainingConfig &config,
                              std::shared_ptr<const text::TextDataset> dataset);
    bool predictText(const QStringList &texts, int topK);
    bool explainText(const QString &text, int classIndex = -1);
    bool trainLanguageModel(const text::LanguageModelConfig &config, const QString &outPath);
    bool crossValidateText(const text::TextTrainingConfig &config, int folds);

    /// Asks the running job to stop; it ends within about one batch.
    void stop();
    /// Cancels, stops the thread and waits for it (used when closing).
    void shutdown();

Q_SIGNALS:
    void busyChanged(bool busy);
    void batchesReady(const GraftBatchEvents &events);
    void epochReady(const graft::train::EpochMetrics &metrics);
    void phaseChanged(const QString &phase, qint64 done, qint64 total);
    void messageLogged(const QString &text);
    void trainingFinished(const graft::train::TrainingReport &report);
    void learningRateFound(const graft::train::LrFinderResult &result);
    void predictionsReady(const GraftPredictions &predictions);
    void gradCamReady(const QString &file, const graft::train::GradCam &cam);
    void exportFinished(const graft::train::ExportCheck &check);
    void failed(const QString &operation, const QString &text);
    void textTrainingFinished(const graft::text::TextTrainingReport &report);
    void textPredictionsReady(const GraftTextPredictions &predictions);
    void textExplained(const QString &text, const GraftTokenContributions &words);
    void languageModelTrained(const graft::text::LanguageModelReport &report);
    void textCrossValidated(const graft::text::TextCrossValidation &result);

private:
    bool begin(Job job);
    void finish();

    QThread m_thread;
    QPointer<TrainingWorker> m_worker;
    core::CancelToken m_cancel;
    Job m_job = Job::None;
    bool m_hasModel = false;
    bool m_textModel = false;
    QStringList m_classes;
};

} // namespace graft::ui
