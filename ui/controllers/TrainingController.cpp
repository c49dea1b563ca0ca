#include "ui/controllers/TrainingController.h"

namespace graft::ui {

TrainingController::TrainingController(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<train::BatchEvent>();
    qRegisterMetaType<text::LanguageModelReport>();
    qRegisterMetaType<text::TextCrossValidation>();
    qRegisterMetaType<train::EpochMetrics>();
    qRegisterMetaType<GraftBatchEvents>();
    qRegisterMetaType<train::TrainingReport>();
    qRegisterMetaType<train::LrFinderResult>();
    qRegisterMetaType<train::ExportCheck>();
    qRegisterMetaType<train::GradCam>();
    qRegisterMetaType<GraftPredictions>();
    qRegisterMetaType<text::TextTrainingReport>();
    qRegisterMetaType<GraftTextPredictions>();
    qRegisterMetaType<GraftTokenContributions>();

    m_thread.setObjectName(QStringLiteral("graft-training"));
    auto *worker = new TrainingWorker(m_cancel);
    worker->moveToThread(&m_thread);
    m_worker = worker;
    connect(&m_thread, &QThread::finished, worker, &QObject::deleteLater);

    connect(worker, &TrainingWorker::batchesReady, this, &TrainingController::batchesReady);
    connect(worker, &TrainingWorker::epochReady, this, &TrainingController::epochReady);
    connect(worker, &TrainingWorker::phaseChanged, this, &TrainingController::phaseChanged);
    connect(worker, &TrainingWorker::messageLogged, this, &TrainingController::messageLogged);
    connect(worker, &TrainingWorker::trainingFinished, this,
            [this](const train::TrainingReport &report) {
                m_hasModel = !report.epochs.empty();
                m_textModel = false;
                m_classes = report.classes;
                finish();
                Q_EMIT trainingFinished(report);
            });
    connect(worker, &TrainingWorker::languageModelTrained, this,
            [this](const text::LanguageModelReport &report) {
                finish();
                Q_EMIT languageModelTrained(report);
            });
    connect(worker, &TrainingWorker::textCrossValidated, this,
            [this](const text::TextCrossValidation &result) {
                finish();
                Q_EMIT textCrossValidated(result);
            });
    connect(worker, &TrainingWorker::learningRateFound, this,
            [this](const train::LrFinderResult &result) {
                finish();
                Q_EMIT learningRateFound(result);
            });
    connect(worker, &TrainingWorker::predictionsReady, this,
            [this](const GraftPredictions &predictions) {
                finish();
                Q_EMIT predictionsReady(predictions);
            });
    connect(worker, &TrainingWorker::gradCamReady, this,
            [this](const QString &file, const train::GradCam &cam) {
                finish();
                Q_EMIT gradCamReady(file, cam);
            });
    connect(worker, &TrainingWorker::exportFinished, this, [this](const train::ExportCheck &check) {
        finish();
        Q_EMIT exportFinished(check);
    });
    connect(worker, &TrainingWorker::textTrainingFinished, this,
            [this](const text::TextTrainingReport &report) {
                m_hasModel = report.model != nullptr;
                m_textModel = m_hasModel;
                m_classes = report.classes;
                finish();
                Q_EMIT textTrainingFinished(report);
            });
    connect(worker, &TrainingWorker::textPredictionsReady, this,
            [this](const GraftTextPredictions &predictions) {
                finish();
                Q_EMIT textPredictionsReady(predictions);
            });
    connect(worker, &TrainingWorker::textExplained, this,
            [this](const QString &text, const GraftTokenContributions &words) {
                finish();
                Q_EMIT textExplained(text, words);
            });
    connect(worker, &TrainingWorker::failed, this,
            [this](const QString &operation, const QString &text) {
                finish();
                Q_EMIT failed(operation, text);
            });
    m_thread.start();
}

TrainingController::~TrainingController()
{
    shutdown();
}

bool TrainingController::begin(Job job)
{
    if (m_job != Job::None || !m_worker || !m_thread.isRunning())
        return false;
    m_job = job;
    m_cancel.reset();
    Q_EMIT busyChanged(true);
    return true;
}

void TrainingController::finish()
{
    m_job = Job::None;
    Q_EMIT busyChanged(false);
}

bool TrainingController::startTraining(const train::TrainingConfig &config,
                                       const vision::ScanReport &dataset)
{
    if (!begin(Job::Train))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, config, dataset] { worker->train(config, dataset); },
        Qt::QueuedConnection);
    return true;
}

bool TrainingController::findLearningRate(const train::TrainingConfig &config,
                                          const vision::ScanReport &dataset)
{
    if (!begin(Job::FindLr))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, config, dataset] { worker->findLearningRate(config, dataset); },
        Qt::QueuedConnection);
    return true;
}

bool TrainingController::predict(const QStringList &files, int topK)
{
    if (!m_hasModel || m_textModel || !begin(Job::Predict))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, files, topK] { worker->predict(files, topK); }, Qt::QueuedConnection);
    return true;
}

bool TrainingController::gradCam(const QString &file, int classIndex)
{
    if (!m_hasModel || m_textModel || !begin(Job::GradCam))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, file, classIndex] { worker->gradCam(file, classIndex); },
        Qt::QueuedConnection);
    return true;
}

bool TrainingController::exportTorchScript(const QString &path)
{
    if (!m_hasModel || !begin(Job::Export))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, path] { worker->exportTorchScript(path); }, Qt::QueuedConnection);
    return true;
}

bool TrainingController::startTextTraining(const text::TextTrainingConfig &config,
                                           std::shared_ptr<const text::TextDataset> dataset)
{
    if (!dataset || !begin(Job::Train))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, config, dataset] { worker->trainText(config, dataset); },
        Qt::QueuedConnection);
    return true;
}

bool TrainingController::findTextLearningRate(const text::TextTrainingConfig &config,
                                              std::shared_ptr<const text::TextDataset> dataset)
{
    if (!dataset || !begin(Job::FindLr))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, config, dataset] { worker->findTextLearningRate(config, dataset); },
        Qt::QueuedConnection);
    return true;
}

bool TrainingController::trainLanguageModel(const text::LanguageModelConfig &config,
                                            const QString &outPath)
{
    if (!begin(Job::Train))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, config, outPath] { worker->trainLanguageModel(config, outPath); },
        Qt::QueuedConnection);
    return true;
}

bool TrainingController::crossValidateText(const text::TextTrainingConfig &config, int folds)
{
    if (!begin(Job::Train))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, config, folds] { worker->crossValidateText(config, folds); },
        Qt::QueuedConnection);
    return true;
}

bool TrainingController::predictText(const QStringList &texts, int topK)
{
    if (!hasTextModel() || !begin(Job::Predict))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, texts, topK] { worker->predictText(texts, topK); }, Qt::QueuedConnection);
    return true;
}

bool TrainingController::explainText(const QString &text, int classIndex)
{
    if (!hasTextModel() || !begin(Job::Explain))
        return false;
    TrainingWorker *worker = m_worker;
    QMetaObject::invokeMethod(
        worker, [worker, text, classIndex] { worker->explainText(text, classIndex); },
        Qt::QueuedConnection);
    return true;
}

void TrainingController::stop()
{
    m_cancel.requestCancel();
}

void TrainingController::shutdown()
{
    if (!m_thread.isRunning())
        return;
    m_cancel.requestCancel();
    m_thread.quit();
    m_thread.wait();
}

} // namespace graft::ui
