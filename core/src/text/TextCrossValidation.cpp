// k-fold cross-validation of a text model against the bag-of-words baseline.
#include "TextRun.h"

#include "graft/text/BagOfWordsBaseline.h"
#include "graft/text/TextSplits.h"
#include "graft/text/TextTraining.h"
#include "graft/text/WordVectors.h"

#include <QElapsedTimer>
#include <QJsonArray>

#include <cmath>
#include <optional>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

namespace {

void meanStd(const std::vector<double> &v, double *mean, double *sd)
{
    *mean = 0;
    *sd = 0;
    if (v.empty())
        return;
    for (double x : v)
        *mean += x / double(v.size());
    for (double x : v)
        *sd += (x - *mean) * (x - *mean) / double(v.size());
    *sd = std::sqrt(*sd);
}

} // namespace

core::Result<PreparedTextRun> prepareTextRun(const TextTrainingConfig &config,
                                             const core::CancelToken &cancel)
{
    TextScanOptions scanOptions = config.scan;
    scanOptions.tokenizer = config.tokenizer;
    auto data = scanTextDataset(config.dataPath, scanOptions, {}, cancel);
    if (!data)
        return data.error();
    if (data->isBlocked())
        return makeError(ErrorCode::DatasetInvalid, data->blocking.join(QStringLiteral("; ")),
                         config.dataPath);
    PreparedTextRun run{std::move(data.value()), std::nullopt};
    if (!config.vectorsPath.isEmpty()) {
        auto v =
            WordVectors::load(config.vectorsPath, WordVectors::Format::Auto, config.maxVectorWords);
        if (!v)
            return v.error();
        run.vectors = std::move(v.value());
    }
    return run;
}

QJsonObject TextCrossValidation::toJson() const
{
    QJsonArray perFold;
    for (const TextFoldResult &f : results)
        perFold.append(QJsonObject{{"fold", f.fold},
                                   {"train", f.trainCount},
                                   {"val", f.valCount},
                                   {"accuracy", f.accuracy},
                                   {"baseline_accuracy", f.baselineAccuracy},
                                   {"seconds", f.seconds}});
    return QJsonObject{
        {"kind", "text"},
        {"cross_validation",
         QJsonObject{{"folds", folds},
                     {"samples", samples},
                     {"accuracy_mean", meanAccuracy},
                     {"accuracy_std", stdAccuracy},
                     {"baseline",
                      QJsonObject{{"method", "bag-of-words TF-IDF logistic regression"},
                                  {"accuracy_mean", meanBaselineAccuracy},
                                  {"accuracy_std", stdBaselineAccuracy}}},
                     {"beats_baseline", meanAccuracy > meanBaselineAccuracy},
                     {"per_fold", perFold}}},
        {"vector_coverage", vectorCoverage},
        {"config", config.toJson()},
    };
}

core::Result<TextCrossValidation>
crossValidateText(const TextTrainingConfig &config, int folds, const TextTrainingObserver &observer,
                  const std::function<void(const TextFoldResult &)> &onFold,
                  const core::CancelToken &cancel)
{
    if (folds < 2)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("cross-validation needs at least 2 folds"));
    auto run = prepareTextRun(config, cancel);
    if (!run)
        return run.error();
    const TextDataset *data = &run->data;
    const std::optional<WordVectors> &vectors = run->vectors;
    std::vector<int> labels;
    std::vector<int> counts(size_t(data->classes.size()), 0);
    for (const TextSample &s : data->samples) {
        labels.push_back(s.label);
        ++counts[size_t(s.label)];
    }
    for (int c = 0; c < int(counts.size()); ++c)
        if (counts[size_t(c)] < folds)
            return makeError(ErrorCode::DatasetInvalid,
                             QStringLiteral("class '%1' has %2 texts, fewer than the %3 folds")
                                 .arg(data->classes[c])
                                 .arg(counts[size_t(c)])
                                 .arg(folds),
                             config.dataPath);
    TextTrainingConfig foldConfig = config;
    foldConfig.restoreBest = false;        // the held-out fold must not pick the epoch
    foldConfig.earlyStoppingPatience = 0; // nor stop the run
    BagOfWordsOptions bowOptions;
    bowOptions.tokenizer = config.tokenizer;

    TextCrossValidation cv;
    cv.folds = folds;
    cv.samples = int(data->samples.size());
    cv.config = config;
    std::vector<double> acc, base;
    const auto splits = stratifiedKFold(labels, folds, uint64_t(config.seed));
    for (size_t f = 0; f < splits.size(); ++f) {
        QElapsedTimer clock;
        clock.start();
        auto bow = evaluateBagOfWords(*data, splits[f].train, splits[f].val, bowOptions,
                                      cancel);
        if (!bow)
            return bow.error();
        auto r = trainTextClassifier(*data, splits[f].train, splits[f].val, foldConfig,
                                     vectors ? &*vectors : nullptr, observer, cancel);
        if (!r)
            return r.error();
        TextFoldResult fr;
        fr.fold = int(f) + 1;
        fr.trainCount = int(splits[f].train.size());
        fr.valCount = int(splits[f].val.size());
        fr.accuracy = r->valAccuracy;
        fr.baselineAccuracy = bow->accuracy;
        fr.seconds = double(clock.elapsed()) / 1000.0;
        if (f == 0)
            cv.vectorCoverage = r->vectorCoverage;
        acc.push_back(fr.accuracy);
        base.push_back(fr.baselineAccuracy);
        cv.results.push_back(fr);
        if (onFold)
            onFold(fr);
    }
    meanStd(acc, &cv.meanAccuracy, &cv.stdAccuracy);
    meanStd(base, &cv.meanBaselineAccuracy, &cv.stdBaselineAccuracy);
    return cv;
}

} // namespace graft::text
