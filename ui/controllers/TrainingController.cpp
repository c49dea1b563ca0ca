#include "ui/controllers/TrainingController.h"

namespace graft::ui {

TrainingController::TrainingController(QObject *parent) : QObject(parent)
{
    qRegisterMetaType<learn::Progress>();
    qRegisterMetaType<GraftProgressList>();
    qRegisterMetaType<learn::EpochMetrics>();
    qRegisterMetaType<learn::Notice>();
    qRegisterMetaType<learn::RunReport>();
    qRegisterMetaType<learn::LrFinderResult>();
    qRegisterMetaType<learn::CrossValidation>();
    qRegisterMetaType<learn::Predictions>();
    qRegisterMetaType<learn::TokenContributions>();
    qRegisterMetaType<learn::GradCam>();
    qRegisterMetaType<learn::ExportCheck>();

    m_thread.setObjectName(QStringLiteral("graft-training"));
    auto *worker = new TrainingWorker;
    worker->moveToThread(&m_thread);
    m_worker = worker;
    connect(&m_thread, &QThread::finished, worker, &QObject::deleteLater);

    connect(worker, &TrainingWorker::batchesReady, this, &TrainingController::batchesReady);
    connect(worker, &TrainingWorker::progressChanged, this, &TrainingController::progressChanged);
    connect(worker, &TrainingWorker::epochReady, this, &TrainingController::epochReady);
    connect(worker, &TrainingWorker::noticeRaised, this, &TrainingController::noticeRaised);
    // A job's result ends it: the controller is free again before the panels hear of it.
    const auto ending = [this](auto signal, auto relay) {
        connect(m_worker, signal, this, [this, relay](const auto &...args) {
            finish();
            Q_EMIT(this->*relay)(args...);
        });
    };
    connect(worker, &TrainingWorker::trainingFinished, this, [this](const learn::RunReport &r) {
        if (r.model) {
            m_hasModel = true;
            m_modelKind = r.kind;
            m_classes = r.classes;
        }
        finish();
        Q_EMIT trainingFinished(r);
        if (r.model)
            Q_EMIT modelChanged(r);
    });
    connect(worker, &TrainingWorker::modelOpened, this,
            [this](const learn::RunReport &r, const QString &path) {
                m_hasModel = true;
                m_modelKind = r.kind;
                m_classes = r.classes;
                finish();
                Q_EMIT modelOpened(r, path);
                Q_EMIT modelChanged(r);
            });
    ending(&TrainingWorker::learningRateFound, &TrainingController::learningRateFound);
    ending(&TrainingWorker::crossValidated, &TrainingController::crossValidated);
    ending(&TrainingWorker::languageModelTrained, &TrainingController::languageModelTrained);
    ending(&TrainingWorker::predictionsReady, &TrainingController::predictionsReady);
    ending(&TrainingWorker::explained, &TrainingController::explained);
    ending(&TrainingWorker::gradCamReady, &TrainingController::gradCamReady);
    ending(&TrainingWorker::exportFinished, &TrainingController::exportFinished);
    ending(&TrainingWorker::failed, &TrainingController::failed);
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
    m_cancel = core::CancelToken();
    Q_EMIT busyChanged(true);
    return true;
}

void TrainingController::finish()
{
    m_job = Job::None;
    Q_EMIT busyChanged(false);
}

template<typename Fn> bool TrainingController::queue(Job job, Fn &&fn)
{
    if (!begin(job))
        return false;
    QMetaObject::invokeMethod(
        m_worker,
        [worker = m_worker.data(), cancel = m_cancel, fn = std::forward<Fn>(fn)] {
            fn(worker, cancel);
        },
        Qt::QueuedConnection);
    return true;
}

bool TrainingController::startTraining(const learn::RunConfig &config, const learn::Dataset &data)
{
    return queue(Job::Train, [config, data](TrainingWorker *w, const core::CancelToken &c) {
        w->train(config, data, c);
    });
}

bool TrainingController::findLearningRate(const learn::RunConfig &config,
                                          const learn::Dataset &data)
{
    return queue(Job::FindLr, [config, data](TrainingWorker *w, const core::CancelToken &c) {
        w->findLearningRate(config, data, c);
    });
}

bool TrainingController::crossValidate(const learn::RunConfig &config,
                                       const learn::Dataset &data,
                                       int folds)
{
    return queue(Job::CrossValidate,
                 [config, data, folds](TrainingWorker *w, const core::CancelToken &c) {
                     w->crossValidate(config, data, folds, c);
                 });
}

bool TrainingController::trainLanguageModel(const learn::RunConfig &config, const QString &outPath)
{
    return queue(Job::LanguageModel,
                 [config, outPath](TrainingWorker *w, const core::CancelToken &c) {
                     w->trainLanguageModel(config, outPath, c);
                 });
}

bool TrainingController::predict(const GraftSampleRefs &inputs, int topK)
{
    if (!m_hasModel)
        return false;
    return queue(Job::Predict, [inputs, topK](TrainingWorker *w, const core::CancelToken &c) {
        w->predict(inputs, topK, c);
    });
}

bool TrainingController::explainText(const QString &text, int classIndex)
{
    if (!hasTextModel())
        return false;
    return queue(Job::Explain, [text, classIndex](TrainingWorker *w, const core::CancelToken &) {
        w->explain(text, classIndex);
    });
}

bool TrainingController::gradCam(const QString &file, int classIndex)
{
    if (!m_hasModel || m_modelKind != learn::TaskKind::Image)
        return false;
    return queue(Job::GradCam, [file, classIndex](TrainingWorker *w, const core::CancelToken &) {
        w->gradCam(file, classIndex);
    });
}

bool TrainingController::exportModel(const QString &path)
{
    if (!m_hasModel)
        return false;
    return queue(Job::Export, [path](TrainingWorker *w, const core::CancelToken &c) {
        w->exportModel(path, c);
    });
}

bool TrainingController::openModel(const QString &path,
                                   const learn::RunConfig &config,
                                   const learn::Dataset &data)
{
    return queue(Job::OpenModel,
                 [path, config, data](TrainingWorker *w, const core::CancelToken &c) {
                     w->openModel(path, config, data, c);
                 });
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
