#include "graft/learn/Results.h"
#include "graft/learn/Model.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>
#include <numeric>

namespace graft::learn {

QString SampleRef::label() const
{
    if (!file.isEmpty())
        return line > 0 ? QStringLiteral("%1:%2").arg(file).arg(line) : file;
    const QString t = text.simplified();
    return t.size() > 60 ? t.left(57) + QStringLiteral("...") : t;
}

QJsonObject SampleRef::toJson() const
{
    QJsonObject o;
    if (!file.isEmpty())
        o.insert("file", file);
    if (line > 0)
        o.insert("line", line);
    if (!text.isEmpty())
        o.insert("text", text);
    return o;
}

SampleRef SampleRef::fromJson(const QJsonObject &o)
{
    return {o.value("file").toString(), o.value("line").toInt(), o.value("text").toString()};
}

Evaluation Evaluation::compute(std::vector<SampleRef> samples,
                               std::vector<int> labels,
                               std::vector<std::vector<float>> probabilities,
                               int classCount)
{
    Evaluation ev;
    ev.confusion.assign(size_t(classCount), std::vector<int>(size_t(classCount), 0));
    double lossSum = 0;
    int correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        const auto &p = probabilities[i];
        const int pred = int(std::max_element(p.begin(), p.end()) - p.begin());
        const int t = labels[i];
        ev.predictions.push_back(pred);
        ++ev.confusion[size_t(t)][size_t(pred)];
        const float loss = -std::log(std::max(p[size_t(t)], 1e-12f));
        lossSum += loss;
        if (pred == t)
            ++correct;
        else
            ev.mistakes.push_back({int(i), t, pred, p[size_t(pred)], p[size_t(t)], loss});
    }
    std::stable_sort(ev.mistakes.begin(), ev.mistakes.end(),
                     [](const Mistake &a, const Mistake &b) { return a.loss > b.loss; });
    const double n = double(labels.size());
    ev.accuracy = n > 0 ? correct / n : 0;
    ev.loss = n > 0 ? lossSum / n : 0;
    for (int c = 0; c < classCount; ++c) {
        ClassMetrics &m = ev.perClass.emplace_back();
        const int tp = ev.confusion[size_t(c)][size_t(c)];
        int predicted = 0;
        for (int k = 0; k < classCount; ++k) {
            predicted += ev.confusion[size_t(k)][size_t(c)];
            m.support += ev.confusion[size_t(c)][size_t(k)];
        }
        m.precision = predicted ? double(tp) / predicted : 0;
        m.recall = m.support ? double(tp) / m.support : 0;
        m.f1 =
            m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall) : 0;
    }
    ev.samples = std::move(samples);
    ev.labels = std::move(labels);
    ev.probabilities = std::move(probabilities);
    return ev;
}

QJsonObject Evaluation::toJson(const QStringList &classes, int maxMistakes, bool withScores) const
{
    QJsonArray conf;
    for (const auto &row : confusion) {
        QJsonArray r;
        for (int v : row)
            r.append(v);
        conf.append(r);
    }
    QJsonArray per;
    for (size_t c = 0; c < perClass.size(); ++c)
        per.append(QJsonObject{{"class", classes.value(int(c))},
                               {"precision", perClass[c].precision},
                               {"recall", perClass[c].recall},
                               {"f1", perClass[c].f1},
                               {"support", perClass[c].support}});
    QJsonArray mis;
    for (const Mistake &m : mistakes) {
        if (mis.size() >= maxMistakes)
            break;
        QJsonObject o = samples[size_t(m.sample)].toJson();
        if (o.contains("text"))
            o.insert("text", o.value("text").toString().left(500));
        o.insert("true", classes.value(m.trueLabel));
        o.insert("predicted", classes.value(m.predicted));
        o.insert("prob", m.probability);
        o.insert("true_prob", m.trueProbability);
        o.insert("loss", m.loss);
        mis.append(o);
    }
    QJsonObject out{{"accuracy", accuracy}, {"loss", loss},     {"samples", count()},
                    {"confusion", conf},    {"per_class", per}, {"misclassified", mis}};
    if (withScores) {
        QJsonArray refs, labs, probs;
        for (size_t i = 0; i < samples.size(); ++i) {
            refs.append(samples[i].toJson());
            labs.append(labels[i]);
            QJsonArray row;
            for (float p : probabilities[i])
                row.append(double(p));
            probs.append(row);
        }
        out.insert("sample_refs", refs);
        out.insert("labels", labs);
        out.insert("probabilities", probs);
    }
    return out;
}

Evaluation Evaluation::fromJson(const QJsonObject &json, const QStringList &classes)
{
    std::vector<SampleRef> refs;
    std::vector<int> labels;
    std::vector<std::vector<float>> probs;
    const QJsonArray r = json.value("sample_refs").toArray(), l = json.value("labels").toArray(),
                     p = json.value("probabilities").toArray();
    for (qsizetype i = 0; i < r.size() && i < l.size() && i < p.size(); ++i) {
        std::vector<float> row;
        for (const auto &v : p[i].toArray())
            row.push_back(float(v.toDouble()));
        const int label = l[i].toInt();
        if (int(row.size()) != classes.size() || label < 0 || label >= classes.size())
            continue; // damaged entry: left out rather than trusted
        refs.push_back(SampleRef::fromJson(r[i].toObject()));
        labels.push_back(label);
        probs.push_back(std::move(row));
    }
    return compute(std::move(refs), std::move(labels), std::move(probs), int(classes.size()));
}

double LrFinderResult::sweepRate(int step)
{
    const double lo = 1e-6, hi = 1.0;
    return lo * std::pow(hi / lo, double(step) / (kSweepSteps - 1));
}

bool LrFinderResult::record(double learningRate, double loss)
{
    m_average = 0.9 * m_average + 0.1 * loss;
    const double smooth = m_average / (1.0 - std::pow(0.9, double(losses.size() + 1)));
    learningRates.push_back(learningRate);
    losses.push_back(smooth);
    if (!std::isfinite(loss) || smooth > 4 * m_best)
        return false;
    m_best = std::min(m_best, smooth);
    return true;
}

void LrFinderResult::suggest()
{
    // Steepest descent of the smoothed loss over log(lr), before the minimum.
    const size_t m = losses.size();
    size_t minAt = 0;
    for (size_t i = 0; i < m; ++i)
        if (losses[i] < losses[minAt])
            minAt = i;
    double steepest = 0;
    suggested = m ? learningRates[minAt] / 10.0 : 1e-3;
    for (size_t i = 2; i + 2 < m && i <= minAt; ++i) {
        const double g = (losses[i + 2] - losses[i - 2]) /
                         (std::log(learningRates[i + 2]) - std::log(learningRates[i - 2]));
        if (g < steepest) {
            steepest = g;
            suggested = learningRates[i];
        }
    }
    suggested = std::clamp(suggested, 1e-5, 0.1);
}

QJsonObject ExportCheck::toJson() const
{
    return QJsonObject{{"path", path},
                       {"format", format},
                       {"checked_with", checkedWith},
                       {"samples", samples},
                       {"agreement", agreement},
                       {"max_abs_prob_diff", maxAbsProbabilityDiff}};
}

QString RunReport::status() const
{
    return cancelled      ? QStringLiteral("cancelled")
           : earlyStopped ? QStringLiteral("early-stopped")
                          : QStringLiteral("finished");
}

QJsonObject RunReport::toJson() const
{
    QJsonArray eps;
    for (const auto &e : epochs)
        eps.append(e.toJson());
    const QJsonObject val = validation.toJson(classes, 1000, true);
    QJsonObject o{
        {"format", "graft-run"},
        {"graft_version", QStringLiteral(GRAFT_VERSION)},
        {"kind", nameOf(kind)},
        {"classes", QJsonArray::fromStringList(classes)},
        {"val_accuracy", validation.accuracy},
        {"val_loss", validation.loss},
        {"best_epoch", bestEpoch},
        {"monitor", keptLast ? "last" : nameOf(monitor)},
        {"epochs", eps},
        {"confusion", val.value("confusion")},
        {"per_class", val.value("per_class")},
        {"misclassified", val.value("misclassified")},
        {"validation", val},
        {"timings", timings},
        {"feature_seconds", timings.value("features").toDouble()},
        {"total_seconds", timings.value("total").toDouble()},
        {"details", details},
        {"cancelled", cancelled},
        {"early_stopped", earlyStopped},
        {"status", status()},
        {"config", config.toJson()},
    };
    if (!id.isEmpty())
        o.insert("id", id);
    if (created.isValid())
        o.insert("created", created.toString(Qt::ISODateWithMs));
    if (model)
        o.insert("model", model->describe());
    return o;
}

RunReport RunReport::fromJson(const QJsonObject &j)
{
    RunReport r;
    parse(j.value("kind").toString(), &r.kind);
    r.classes = j.value("classes").toVariant().toStringList();
    for (const auto &e : j.value("epochs").toArray())
        r.epochs.push_back(EpochMetrics::fromJson(e.toObject()));
    r.bestEpoch = j.value("best_epoch").toInt();
    r.keptLast = j.value("monitor").toString() == QLatin1String("last");
    parse(j.value("monitor").toString(), &r.monitor);
    r.validation = Evaluation::fromJson(j.value("validation").toObject(), r.classes);
    r.cancelled = j.value("cancelled").toBool();
    r.earlyStopped = j.value("early_stopped").toBool();
    r.timings = j.value("timings").toObject();
    r.details = j.value("details").toObject();
    r.config = RunConfig::fromJson(j.value("config").toObject());
    r.id = j.value("id").toString();
    r.created = QDateTime::fromString(j.value("created").toString(), Qt::ISODateWithMs);
    r.graftVersion = j.value("graft_version").toString();
    return r;
}

QJsonObject CrossValidation::toJson() const
{
    QJsonArray perFold;
    for (const FoldResult &f : results)
        perFold.append(QJsonObject{{"fold", f.fold},
                                   {"train", f.trainCount},
                                   {"val", f.valCount},
                                   {"accuracy", f.accuracy},
                                   {"baseline_accuracy", f.baselineAccuracy},
                                   {"seconds", f.seconds}});
    return QJsonObject{
        {"kind", nameOf(config.kind)},
        {"cross_validation",
         QJsonObject{{"folds", folds},
                     {"samples", samples},
                     {"accuracy_mean", meanAccuracy},
                     {"accuracy_std", stdAccuracy},
                     {"baseline", QJsonObject{{"method", "bag-of-words TF-IDF logistic regression"},
                                              {"accuracy_mean", meanBaselineAccuracy},
                                              {"accuracy_std", stdBaselineAccuracy}}},
                     {"beats_baseline", meanAccuracy > meanBaselineAccuracy},
                     {"per_fold", perFold}}},
        {"vector_coverage", vectorCoverage},
        {"config", config.toJson()},
    };
}

// ---- Model defaults and the generic calls ----------------------------------------------------

namespace {
core::Error unsupported(const char *what)
{
    return core::makeError(core::ErrorCode::Unsupported,
                           QStringLiteral("this model cannot %1").arg(QLatin1String(what)));
}
} // namespace

QStringList Model::tokenize(const QString &, int *unknown) const
{
    if (unknown)
        *unknown = 0;
    return {};
}
core::Result<TokenContributions> Model::explain(const QString &, int) const
{
    return unsupported("explain texts");
}
core::Result<GradCam> Model::gradCam(const QString &, int) const
{
    return unsupported("compute Grad-CAM");
}
core::Status Model::writeExport(const QString &, const QString &) const
{
    return unsupported("be exported (export the model it came from)");
}
core::Status Model::saveWeights(const QString &) const
{
    return unsupported("be saved in a run folder");
}

core::Result<Predictions> predict(const Model &model,
                                  const std::vector<SampleRef> &inputs,
                                  int topK,
                                  const core::CancelToken &cancel)
{
    auto scores = model.score(inputs, cancel);
    if (!scores)
        return scores.error();
    Predictions out;
    for (size_t i = 0; i < inputs.size(); ++i) {
        Prediction p;
        p.input = inputs[i];
        p.error = scores->errors.value(qsizetype(i));
        const auto &row = scores->probabilities[i];
        std::vector<int> order(row.size());
        std::iota(order.begin(), order.end(), 0);
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return row[size_t(a)] > row[size_t(b)]; });
        for (int k = 0; k < std::min<int>(std::max(1, topK), int(order.size())); ++k)
            p.top.emplace_back(order[size_t(k)], row[size_t(order[size_t(k)])]);
        if (model.kind() == TaskKind::Text) {
            int unknown = 0;
            p.tokens = int(model.tokenize(inputs[i].text, &unknown).size());
            p.unknownTokens = unknown;
        }
        out.push_back(std::move(p));
    }
    return out;
}

core::Result<Evaluation> evaluate(const Model &model,
                                  const std::vector<SampleRef> &samples,
                                  const std::vector<int> &labels,
                                  const QStringList &sampleClasses,
                                  const core::CancelToken &cancel,
                                  Observer *observer)
{
    std::vector<int> map;
    for (const QString &c : sampleClasses) {
        const int i = int(model.classes().indexOf(c));
        if (i < 0)
            return core::makeError(
                core::ErrorCode::InvalidArgument,
                QStringLiteral("class '%1' is not one of the model's classes (%2)")
                    .arg(c, model.classes().join(QStringLiteral(", "))));
        map.push_back(i);
    }
    auto scores = model.score(samples, cancel, observer);
    if (!scores)
        return scores.error();
    std::vector<SampleRef> kept;
    std::vector<int> keptLabels;
    std::vector<std::vector<float>> probs;
    for (size_t i = 0; i < samples.size(); ++i) {
        if (scores->probabilities[i].empty()) {
            if (observer)
                observer->notice({Notice::Code::SkippedFile,
                                  {samples[i].label(), scores->errors.value(qsizetype(i))}});
            continue;
        }
        kept.push_back(samples[i]);
        keptLabels.push_back(map[size_t(labels[i])]);
        probs.push_back(std::move(scores->probabilities[i]));
    }
    return Evaluation::compute(std::move(kept), std::move(keptLabels), std::move(probs),
                               int(model.classes().size()));
}

} // namespace graft::learn
