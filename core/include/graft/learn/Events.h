#pragma once

#include <QElapsedTimer>
#include <QJsonObject>
#include <QMetaType>
#include <QString>
#include <QStringList>

#include <vector>

namespace graft::learn {

/// The parts of a run that report progress.
enum class Phase {
    Scan,          ///< reading the dataset (files)
    Vectors,       ///< loading word vectors (words)
    Features,      ///< extracting backbone features (images)
    LrFinder,      ///< the learning-rate sweep (batches)
    Train,         ///< epochs (batches of the run)
    Validate,      ///< validation after an epoch (samples)
    Export,        ///< writing an exported model (steps)
    ExportCheck,   ///< running the validation set through the re-loaded export (samples)
    CrossValidate, ///< folds
};
const char *nameOf(Phase phase); ///< "scan", "vectors", "features", "lr-finder", "train", ...

/// One progress report: `done` of `total` items of a phase, with rate and time left.
/// Value type: crosses threads in queued signals.
struct Progress
{
    Phase phase = Phase::Train;
    qint64 done = 0;
    qint64 total = 0;
    double itemsPerSecond = 0;
    double elapsedSeconds = 0;
    double etaSeconds = -1; ///< -1 when unknown
    /// Train: etaSeconds covers the stages timed so far only; a later stage that costs more per
    /// batch (fine-tuning through the backbone after a head on cached features) is not in it.
    bool etaPartial = false;
    // Phase::Train only: where in the run the batch was, and what it did.
    int epoch = 0; ///< 1-based
    int epochs = 0;
    int batch = 0; ///< 1-based within the epoch
    int batchesPerEpoch = 0;
    qint64 step = 0; ///< 1-based over the run (a resumed run counts the epochs before it)
    double loss = 0;
    double learningRate = 0;
};

/// Rate and time left of one phase, from the time since construction (or restart()).
class ProgressMeter
{
public:
    explicit ProgressMeter(Phase phase) : m_phase(phase) { m_clock.start(); }
    void restart() { m_clock.restart(); }
    /// The report for `done` of `total`; the rate counts items since the start.
    Progress at(qint64 done, qint64 total) const;
    /// The report for `done` of `total` after `elapsedSeconds`.
    static Progress make(Phase phase, qint64 done, qint64 total, double elapsedSeconds);

private:
    Phase m_phase;
    QElapsedTimer m_clock;
};

/// Per-epoch results, the same for every task.
struct EpochMetrics
{
    int epoch = 0;
    double trainLoss = 0;
    double trainAccuracy = 0;
    double valLoss = 0;
    double valAccuracy = 0; ///< language model: next-word accuracy
    double seconds = 0;
    double learningRate = 0; ///< at the last batch
    bool best = false;       ///< the kept epoch (so far)
    qint64 step = 0;         ///< the run's batch steps at the end of this epoch

    QJsonObject toJson() const;
    static EpochMetrics fromJson(const QJsonObject &json);
};

/// Something the engine wants a person to know. A code with arguments: ui/ translates it,
/// noticeText() gives the English for logs and the CLI.
struct Notice
{
    enum class Code {
        SkippedFile,          ///< args: file, problem
        Resumed,              ///< args: epoch
        EarlyStopped,         ///< args: epoch, best epoch, monitor name
        CheckpointNotSaved,   ///< args: problem
        FeatureCacheNotSaved, ///< args: problem
        LearningRateFound,    ///< args: rate
        VectorCoverage,       ///< args: covered words, vocabulary words, vector file
        RunSaved,             ///< args: run folder
        RunNotSaved,          ///< args: problem
        Cancelled,            ///< args: completed epochs
        FoldFinished,         ///< args: fold, folds, accuracy %, baseline accuracy %
    };
    Code code = Code::SkippedFile;
    QStringList args;
};
QString noticeText(const Notice &notice);

/// Receives a run's progress, epochs and notices. Called on the thread doing the work;
/// implementations forward value types to other threads and throttle (batches can come at
/// hundreds per second).
class Observer
{
public:
    virtual ~Observer() = default;
    virtual void progress(const Progress &progress) { (void)progress; }
    virtual void epochFinished(const EpochMetrics &metrics) { (void)metrics; }
    /// A resumed run starts: the epochs it continues from, as the checkpoint holds them (a
    /// GUI draws them; a log has printed them already).
    virtual void epochsRestored(const std::vector<EpochMetrics> &epochs) { (void)epochs; }
    virtual void notice(const Notice &notice) { (void)notice; }
};

} // namespace graft::learn

Q_DECLARE_METATYPE(graft::learn::Progress)
Q_DECLARE_METATYPE(graft::learn::EpochMetrics)
Q_DECLARE_METATYPE(graft::learn::Notice)
