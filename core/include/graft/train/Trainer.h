#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/vision/ImageDecoder.h"
#include "graft/vision/ScanReport.h"
#include "graft/train/TrainingTypes.h"

#include <QJsonObject>
#include <QStringList>

#include <memory>
#include <vector>

namespace graft::train {

/// Receives training progress. Called on the training thread; implementations forward value
/// types to other threads (the GUI throttles and queues them).
class TrainingObserver
{
public:
    virtual ~TrainingObserver() = default;
    virtual void batchFinished(const BatchEvent &event) { (void)event; }
    virtual void epochFinished(const EpochMetrics &metrics) { (void)metrics; }
    /// A stage of work such as "features" (feature extraction), with items done of total.
    virtual void phaseProgress(const QString &phase, qint64 done, qint64 total)
    {
        (void)phase, (void)done, (void)total;
    }
    /// Human-readable notes (skipped files, early stopping, resume...).
    virtual void message(const QString &text) { (void)text; }
};

struct Misclassified
{
    QString file;
    int trueLabel = 0;
    int predicted = 0;
    float probability = 0;     ///< of the predicted class
    float trueProbability = 0; ///< of the true class
    float loss = 0;            ///< cross-entropy of this sample
};

struct ClassMetrics
{
    double precision = 0, recall = 0, f1 = 0;
    int support = 0;
};

/// Honest evaluation of a split.
struct Evaluation
{
    double accuracy = 0;
    double loss = 0;
    int samples = 0;
    std::vector<std::vector<int>> confusion; ///< [true][predicted]
    std::vector<ClassMetrics> perClass;
    std::vector<Misclassified> misclassified; ///< worst (highest loss) first
    std::vector<std::vector<float>> probabilities; ///< per sample, in sample order
    std::vector<int> predictions;
    QStringList files;

    QJsonObject toJson(const QStringList &classes) const;
};

/// Learning-rate finder result: the loss curve of an exponential sweep.
struct LrFinderResult
{
    std::vector<double> learningRates;
    std::vector<double> losses;        ///< smoothed
    double suggested = 1e-3;           ///< steepest descent point

    /// The sweep: kSweepSteps rates from 1e-6 to 1, growing exponentially.
    static constexpr int kSweepSteps = 100;
    static double sweepRate(int step);
    /// Adds a step's rate and raw loss (kept smoothed, bias-corrected); false when the sweep
    /// should stop (the loss is not finite or above 4x the lowest so far).
    bool record(double learningRate, double loss);
    /// Sets `suggested`: the steepest descent of the loss over log(lr) before its minimum
    /// (clamped to [1e-5, 0.1]); the minimum's lr / 10 when there is no descent.
    void suggest();

private:
    double m_average = 0;
    double m_best = 1e300;
};

struct TrainingReport
{
    QStringList classes;
    std::vector<EpochMetrics> epochs;
    int bestEpoch = 0;
    double valAccuracy = 0;
    Evaluation validation;
    double totalSeconds = 0;
    double featureSeconds = 0;         ///< time spent extracting/caching features
    bool cancelled = false;
    bool earlyStopped = false;
    TrainingConfig config;

    QJsonObject toJson() const;
};

struct Prediction
{
    QString file;
    std::vector<std::pair<int, float>> top; ///< class index and probability, best first
    QString error;                          ///< non-empty when the file could not be used
};

/// Heat map of class evidence for one image (Grad-CAM on the last used group).
struct GradCam
{
    vision::RgbImage image;        ///< the preprocessed input as RGB (inputSize x inputSize)
    int mapWidth = 0;
    int mapHeight = 0;
    std::vector<float> heat;     ///< inputSize x inputSize, in [0, 1]
    int classIndex = 0;
};

/// What export measured when re-loading the written file.
struct ExportCheck
{
    int samples = 0;
    double agreement = 0;            ///< share of identical top-1 predictions
    double maxAbsProbabilityDiff = 0;
    QString path;
};

/// The model.json written beside an exported model: "dir/ants.pt" -> "dir/ants.json",
/// "dir/ants.onnx" -> "dir/ants.onnx.json".
QString modelJsonPath(const QString &modelPath);

/// Resolves a device setting ("auto", "cpu", "cuda", "cuda:N") to the device it selects here,
/// e.g. "cpu"; an error when CUDA is requested but this LibTorch build or machine has none.
core::Result<QString> checkDevice(const QString &name);

/// Owns one image classifier (backbone + head) and trains, evaluates, predicts and exports it.
/// All calls are synchronous; run them on one worker thread (LibTorch grad mode is
/// thread-local). `cancel` may be requested from any thread and takes effect within one batch.
class Trainer
{
public:
    Trainer();
    ~Trainer();
    Trainer(const Trainer &) = delete;
    Trainer &operator=(const Trainer &) = delete;

    /// Prepares a run on a scanned dataset (must be trainable). Builds the backbone.
    core::Status setup(const TrainingConfig &config, const vision::ScanReport &dataset);

    core::Result<LrFinderResult> findLearningRate(TrainingObserver *observer,
                                                  const core::CancelToken &cancel);

    /// Trains with the configured recipe. On cancel, returns the report so far with
    /// `cancelled` set (the last checkpoint is intact). NaN/Inf loss stops with
    /// NumericalError and keeps the last good weights.
    core::Result<TrainingReport> train(TrainingObserver *observer, const core::CancelToken &cancel);

    core::Result<Evaluation> evaluate(const std::vector<vision::Sample> &samples,
                                      const core::CancelToken &cancel = {});
    core::Result<std::vector<Prediction>> predict(const QStringList &files, int topK = 5);
    core::Result<GradCam> gradCam(const QString &file, int classIndex);

    /// Writes a TorchScript file (backbone + head) atomically, and modelJsonPath(path) beside
    /// it (labels, input size and preprocessing for other programs), then reloads the model
    /// and runs the validation samples through it, comparing with this model.
    core::Result<ExportCheck> exportTorchScript(const QString &path,
                                                const core::CancelToken &cancel = {});

    /// Writes an ONNX file (opset 13, one file, outputs "logits" and "probabilities") and
    /// model.json beside it, then loads it with OpenCV DNN and compares its predictions with
    /// this model on the validation samples.
    core::Result<ExportCheck> exportOnnx(const QString &path, const core::CancelToken &cancel = {});

    QStringList classes() const;
    const TrainingConfig &config() const;
    bool isTrained() const;
    /// Where the model runs after setup(): "cpu", "cuda:0", ...
    QString deviceInUse() const;

private:
    struct Impl;
    std::unique_ptr<Impl> d;
};

} // namespace graft::train
