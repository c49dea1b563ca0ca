#pragma once
// Internal: the one training loop and its callbacks (fastai's Learner, Lightning's Trainer).
// A task supplies only its data, model and loss (TrainTask); everything else is a callback
// written once: schedules, the learning-rate finder, the kept epoch, early stopping, the NaN
// guard, checkpoints and progress.

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/io/Safetensors.h"
#include "graft/learn/Config.h"
#include "graft/learn/Events.h"
#include "graft/learn/Results.h"

#include <torch/nn/module.h>
#include <torch/optim/optimizer.h>
#include <torch/types.h>

#include <QElapsedTimer>
#include <QJsonObject>

#include <algorithm>
#include <memory>
#include <optional>
#include <random>
#include <string>
#include <utility>
#include <vector>

namespace graft::learn {

/// Named tensors (parameters and buffers) of a model.
using NamedTensors = std::vector<std::pair<std::string, torch::Tensor>>;
/// Detached deep copies.
NamedTensors cloneTensors(const NamedTensors &tensors);
/// Copies `from` into the tensors of `into` with the same names (in place, no grad).
void copyTensors(const NamedTensors &into, const NamedTensors &from);
/// Parameters and buffers ("buffer:" + name) of a module, under `prefix`.
NamedTensors moduleState(torch::nn::Module &module, const std::string &prefix = {});

/// A LibTorch tensor as a safetensors blob (float32, int64 and uint8 kept as they are).
io::TensorBlob tensorBlob(std::string name, const torch::Tensor &tensor);
/// A tensor of a safetensors file (F32, I64 or U8), copied out of the file buffer.
torch::Tensor tensorFromFile(const io::SafetensorsFile &file, const io::TensorInfo &info);
/// Loads tensors named `prefix` + name from `file` into `into` (shapes must match).
core::Status
loadTensors(const io::SafetensorsFile &file, const std::string &prefix, const NamedTensors &into);

/// Parameters the optimizer trains at lr * lrFactor; `decay` applies the weight decay to those
/// with more than one dimension (never to biases, norms and embeddings' scale).
struct ParamGroup
{
    std::vector<torch::Tensor> params;
    double lrFactor = 1.0;
    bool decay = true;
};

/// One training batch: its loss (with grad), and how many items it held and got right.
struct StepOutput
{
    torch::Tensor loss;
    qint64 items = 0;
    qint64 correct = 0;
};

/// Loss and accuracy of the current weights on the validation data.
struct Validation
{
    double loss = 0;
    double accuracy = 0;
};

/// What a task gives the loop: its data source, model and loss.
class TrainTask
{
public:
    /// A part of the run with its own freeze plan and restarted schedule (fastai's fine_tune:
    /// the head first, then the unfrozen backbone at a lower rate).
    struct Stage
    {
        int epochs = 1;
        double lrFactor = 1.0;
        /// Stages of one class cost about the same per batch; the time left counts a later
        /// stage of another class only once it has run (its batches are not timed yet).
        int costClass = 0;
    };
    virtual ~TrainTask() = default;

    /// Work before the loop (feature extraction, tokenising, loading vectors); adds its
    /// seconds to `timings`.
    virtual core::Status
    prepare(Observer *observer, const core::CancelToken &cancel, QJsonObject &timings) = 0;
    /// After the loop, with the kept weights: report.validation, report.model (with its
    /// check samples) and report.details.
    virtual core::Status
    finish(RunReport &report, Observer *observer, const core::CancelToken &cancel) = 0;
    virtual std::vector<Stage> stages() const = 0;
    /// Enters stage `s` (freeze plan, data source); returns the parameters to optimise.
    virtual std::vector<ParamGroup> beginStage(int s) = 0;
    /// Before each epoch (1-based over the run): new groups when they change within a stage
    /// (gradual unfreezing rebuilds the optimizer), else nullopt. Sets training modes.
    virtual std::optional<std::vector<ParamGroup>> beginEpoch(int epoch) = 0;
    virtual qint64 batchesPerEpoch(int s) const = 0;
    /// Forward pass and loss of the epoch's next batch; nullopt at its end. Deterministic
    /// given (seed, epoch), so that a resumed run sees the same batches.
    virtual std::optional<StepOutput> nextBatch(int epoch) = 0;
    /// After backward, before the optimizer step (gradient clipping).
    virtual void beforeStep() {}
    virtual bool hasValidation() const = 0;
    virtual core::Result<Validation> validate(const core::CancelToken &cancel) = 0;
    /// The tensors a training step can change (snapshots, checkpoints, the kept epoch).
    virtual NamedTensors state() = 0;
    /// Data and settings that must match for a checkpoint to be resumed.
    virtual QString fingerprint() const = 0;
    virtual std::pair<double, double> adamBetas() const { return {0.9, 0.999}; }
};

class Learner;

/// What a checkpoint holds: tensors and JSON, filled by the loop and each callback.
struct CheckpointData
{
    std::vector<io::TensorBlob> blobs;
    QJsonObject meta;
    const io::SafetensorsFile *file = nullptr; ///< when loading
};

/// A hook into the loop (fastai's Callback). Errors from beforeFit/afterLoss end the run.
class Callback
{
public:
    virtual ~Callback() = default;
    virtual core::Status beforeFit(Learner &) { return {}; }
    virtual void beforeEpoch(Learner &) {}
    virtual void beforeBatch(Learner &) {}
    virtual core::Status afterLoss(Learner &) { return {}; }
    virtual void afterBatch(Learner &) {}
    virtual void afterEpoch(Learner &) {}
    virtual void afterFit(Learner &) {}
    /// Checkpoints: what this callback needs to continue exactly.
    virtual void saveState(const Learner &, CheckpointData &) const {}
    virtual core::Status loadState(Learner &, const CheckpointData &) { return {}; }
};

/// The training loop: epochs of batches over the task's stages, calling the callbacks in the
/// order they were added. Synchronous; checks `cancel` before every batch.
class Learner
{
public:
    Learner(TrainTask &task, const RunConfig &config, Observer *observer, core::CancelToken cancel);

    Learner &add(std::unique_ptr<Callback> callback);
    /// The usual set for a training run: schedule, NaN guard, kept epoch (unless `keepLast`),
    /// early stopping, checkpoints and progress.
    Learner &addStandardCallbacks(bool keepLast = false);
    /// Runs the stages. Cancellation is not an error (`cancelled`); NaN/Inf loss is.
    core::Status fit();

    // The loop's state, for callbacks.
    TrainTask &task;
    const RunConfig config; // a copy: callers may pass a temporary
    Observer *observer = nullptr;
    core::CancelToken cancel;
    std::vector<TrainTask::Stage> stages;
    int epochs = 0;     ///< over all stages
    int startEpoch = 1; ///< > 1 when resumed
    int epoch = 0;      ///< current, 1-based
    int stage = 0;
    int stageFirstEpoch = 1;
    qint64 batch = 0; ///< 1-based within the epoch
    qint64 batchesPerEpoch = 0;
    qint64 stageStep = 0; ///< 0-based step within the stage (the schedule's position)
    qint64 stageSteps = 0;
    qint64 stepsDone = 0; ///< steps of this fit() call (for rates and ETA)
    qint64 stepsPlanned = 0;
    qint64 globalStep = 0; ///< steps since the run began (resumed runs count earlier ones)
    double lrFactor = 1.0; ///< set by the schedule before each batch
    double batchLoss = 0;
    qint64 epochItems = 0; ///< items trained on in this epoch so far
    EpochMetrics metrics;  ///< of the epoch being run
    std::vector<EpochMetrics> history;
    int bestEpoch = 0;
    bool skipValidation = false;
    bool stopRequested = false;
    bool earlyStopped = false;
    bool cancelled = false;
    QElapsedTimer clock;      ///< since fit() began
    QElapsedTimer epochClock; ///< since the epoch began

    double learningRate() const; ///< of the first parameter group, now
    NamedTensors snapshot() { return cloneTensors(task.state()); }
    void restore(const NamedTensors &saved) { copyTensors(task.state(), saved); }
    torch::optim::Optimizer *optimizer() const { return m_optimizer.get(); }
    /// Checkpoint loading: optimizer state to apply when `atStage` is entered at `atEpoch`.
    void setPendingOptimizerState(int atStage, int atEpoch, CheckpointData data)
    {
        m_pending = Pending{atStage, atEpoch, std::move(data)};
    }
    void saveOptimizerState(CheckpointData &data) const;
    const std::vector<std::unique_ptr<Callback>> &callbacks() const { return m_callbacks; }

private:
    void buildOptimizer(const std::vector<ParamGroup> &groups, double lr);
    void applyLearningRate();
    void applyPendingOptimizerState();
    core::Status runEpoch();

    std::vector<std::unique_ptr<Callback>> m_callbacks;
    std::unique_ptr<torch::optim::Optimizer> m_optimizer;
    std::vector<double> m_baseLrs;
    struct Pending
    {
        int stage = -1, epoch = -1;
        CheckpointData data;
    } m_pending;
};

/// Is `a` better than `b` under `monitor`: higher accuracy (ties: lower loss), or lower loss
/// (ties: higher accuracy). Written once for the kept epoch and early stopping.
bool isBetter(const EpochMetrics &a, const EpochMetrics &b, Monitor monitor);

/// Sweeps the rate exponentially, recording the loss into `result`, and stops when it
/// diverges or after LrFinderResult::kSweepSteps batches; restores the weights at the end.
std::unique_ptr<Callback> lrFinderCallback(LrFinderResult *result);

/// Cross-entropy for classifiers, the same for every task: config.labelSmoothing, and with
/// config.balancedClassWeights weights n / (classes x count) from the training `classCounts`.
torch::Tensor classificationLoss(const torch::Tensor &logits,
                                 const torch::Tensor &labels,
                                 const RunConfig &config,
                                 const std::vector<int> &classCounts);

/// `items` shuffled for (seed, epoch): the same order whenever that epoch is run, so a resumed
/// run sees the batches an uninterrupted one would.
template<typename T> std::vector<T> epochOrder(std::vector<T> items, int seed, int epoch)
{
    std::mt19937_64 rng(std::uint64_t(seed) * 1000003u + std::uint64_t(epoch));
    std::shuffle(items.begin(), items.end(), rng);
    return items;
}

/// Notice::Code::SkippedFile from a "file: problem" message.
void noticeSkipped(Observer *observer, const QString &fileAndProblem);

/// The checkpoint file in a checkpoint folder.
QString checkpointFile(const QString &checkpointDir);

/// A device setting ("auto", "cpu", "cuda", "cuda:N") as the device it selects here; an
/// error when CUDA is asked for and this LibTorch build or machine has none.
core::Result<torch::Device> resolveDevice(const QString &name);

} // namespace graft::learn
