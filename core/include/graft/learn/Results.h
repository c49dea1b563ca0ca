#pragma once

#include "graft/learn/Config.h"
#include "graft/learn/Events.h"
#include "graft/vision/ImageDecoder.h"

#include <QDateTime>
#include <QJsonObject>
#include <QMetaType>
#include <QStringList>

#include <memory>
#include <utility>
#include <vector>

namespace graft::learn {

class Model;

/// What a sample is, for any task: an image file, or a text with the file (and line) it
/// came from. A typed text has neither file nor line.
struct SampleRef
{
    QString file;
    int line = 0; ///< 1-based record of a CSV/TSV file; 0 otherwise
    QString text; ///< the text itself (text tasks)

    static SampleRef image(const QString &file) { return {file, 0, {}}; }
    static SampleRef ofText(const QString &text, const QString &file = {}, int line = 0)
    {
        return {file, line, text};
    }
    /// "file", "file:line" or the text's first 60 characters.
    QString label() const;
    QJsonObject toJson() const;
    static SampleRef fromJson(const QJsonObject &json);
};

struct ClassMetrics
{
    double precision = 0, recall = 0, f1 = 0;
    int support = 0;
};

struct Mistake
{
    int sample = 0; ///< index into Evaluation::samples
    int trueLabel = 0;
    int predicted = 0;
    float probability = 0;     ///< of the predicted class
    float trueProbability = 0; ///< of the true class
    float loss = 0;            ///< cross-entropy of this sample
};

/// How a model does on labelled samples (the same for images and texts).
struct Evaluation
{
    double accuracy = 0;
    double loss = 0;
    std::vector<SampleRef> samples;                ///< those that could be scored, in order
    std::vector<int> labels;                       ///< per sample, in the model's classes
    std::vector<std::vector<float>> probabilities; ///< per sample
    std::vector<int> predictions;                  ///< per sample
    std::vector<std::vector<int>> confusion;       ///< [true][predicted]
    std::vector<ClassMetrics> perClass;
    std::vector<Mistake> mistakes; ///< worst (highest loss) first

    int count() const { return int(samples.size()); }
    /// Accuracy, loss, confusion and per-class metrics from probabilities (rows sum to 1).
    static Evaluation compute(std::vector<SampleRef> samples,
                              std::vector<int> labels,
                              std::vector<std::vector<float>> probabilities,
                              int classCount);
    /// accuracy, loss, samples, confusion, per_class, misclassified [{file|text, line, true,
    /// predicted, prob, loss}] (at most `maxMistakes`); probabilities when `withScores`.
    QJsonObject
    toJson(const QStringList &classes, int maxMistakes = 1000, bool withScores = false) const;
    static Evaluation fromJson(const QJsonObject &json, const QStringList &classes);
};

/// A model's top classes for one input.
struct Prediction
{
    SampleRef input;
    std::vector<std::pair<int, float>> top; ///< class index and probability, best first
    QString error;                          ///< non-empty when the input could not be used
    int tokens = -1;        ///< text: tokens fed to the model (after the length cap)
    int unknownTokens = -1; ///< text: of those, tokens outside the vocabulary
};
using Predictions = std::vector<Prediction>;

/// How much one token pushed a prediction: the drop of the class log-probability when the
/// token is left out (occlusion). Negative weights argue against the class.
struct TokenContribution
{
    QString token;
    double weight = 0;
};
using TokenContributions = std::vector<TokenContribution>;

/// Heat map of class evidence for one image (Grad-CAM on the last used group).
struct GradCam
{
    vision::RgbImage image; ///< the preprocessed input as RGB (inputSize x inputSize)
    int mapWidth = 0;
    int mapHeight = 0;
    std::vector<float> heat; ///< inputSize x inputSize, in [0, 1]
    int classIndex = 0;
};

/// Learning-rate finder result: the loss curve of an exponential sweep.
struct LrFinderResult
{
    std::vector<double> learningRates;
    std::vector<double> losses; ///< smoothed
    double suggested = 1e-3;    ///< steepest descent point

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

/// What an export's check measured when the written file was loaded back.
struct ExportCheck
{
    QString path;
    QString format;      ///< "torchscript" or "onnx"
    QString checkedWith; ///< "LibTorch (the re-loaded file)" or "OpenCV DNN"
    int samples = 0;
    double agreement = 0; ///< share of identical top-1 predictions
    double maxAbsProbabilityDiff = 0;

    QJsonObject toJson() const;
};

/// The outcome of one training run, for every task.
struct RunReport
{
    TaskKind kind = TaskKind::Image;
    QStringList classes;
    std::vector<EpochMetrics> epochs;
    int bestEpoch = 0;                      ///< the kept epoch (0 = none)
    Monitor monitor = Monitor::ValAccuracy; ///< the rule that chose it
    bool keptLast = false; ///< no selection: the last epoch was kept (cross-validation)
    Evaluation validation; ///< of the kept weights
    bool cancelled = false;
    bool earlyStopped = false;
    QJsonObject timings; ///< seconds per phase: scan, vectors, features, train, ...
    QJsonObject details; ///< task figures: train/val counts, vocabulary, coverage, ...
    RunConfig config;
    QString runDir; ///< the run folder written for it (empty when none)
    QString id;     ///< that folder's name
    QDateTime created;
    QString graftVersion;
    /// The trained model (kept weights); null when no epoch finished. Immutable.
    std::shared_ptr<const Model> model;

    double valAccuracy() const { return validation.accuracy; }
    /// "finished", "cancelled" or "early-stopped".
    QString status() const;
    /// kind, classes, val_accuracy, val_loss, best_epoch, monitor, epochs, validation,
    /// timings, details, cancelled, early_stopped, config.
    QJsonObject toJson() const;
    static RunReport fromJson(const QJsonObject &json);
};

/// One fold of a cross-validation: the model and the bag-of-words baseline on the same texts.
struct FoldResult
{
    int fold = 0; ///< 1-based
    int trainCount = 0;
    int valCount = 0;
    double accuracy = 0;         ///< the configured model, last epoch (no selection on the fold)
    double baselineAccuracy = 0; ///< bag-of-words TF-IDF logistic regression
    double seconds = 0;
};

struct CrossValidation
{
    int folds = 0;
    std::vector<FoldResult> results;
    double meanAccuracy = 0, stdAccuracy = 0; ///< over folds (population std)
    double meanBaselineAccuracy = 0, stdBaselineAccuracy = 0;
    int samples = 0;
    double vectorCoverage = 0; ///< of the first fold's vocabulary
    RunConfig config;

    QJsonObject toJson() const;
};

} // namespace graft::learn

Q_DECLARE_METATYPE(graft::learn::RunReport)
Q_DECLARE_METATYPE(graft::learn::LrFinderResult)
Q_DECLARE_METATYPE(graft::learn::ExportCheck)
Q_DECLARE_METATYPE(graft::learn::GradCam)
Q_DECLARE_METATYPE(graft::learn::Predictions)
Q_DECLARE_METATYPE(graft::learn::TokenContributions)
Q_DECLARE_METATYPE(graft::learn::CrossValidation)
