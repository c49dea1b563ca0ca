#include "train/Metrics.h"

#include <QJsonArray>

#include <algorithm>
#include <cmath>

namespace graft::train {

Evaluation computeEvaluation(const std::vector<std::vector<float>> &probabilities,
                             const std::vector<int> &labels, const QStringList &files,
                             int classCount)
{
    Evaluation ev;
    ev.samples = int(labels.size());
    ev.confusion.assign(size_t(classCount), std::vector<int>(size_t(classCount), 0));
    ev.probabilities = probabilities;
    ev.files = files;
    double lossSum = 0;
    int correct = 0;
    for (size_t i = 0; i < labels.size(); ++i) {
        const auto &p = probabilities[i];
        const int pred = int(std::max_element(p.begin(), p.end()) - p.begin());
        const int t = labels[i];
        ev.predictions.push_back(pred);
        ++ev.confusion[size_t(t)][size_t(pred)];
        const float pt = std::max(p[size_t(t)], 1e-12f);
        const float loss = -std::log(pt);
        lossSum += loss;
        if (pred == t) {
            ++correct;
        } else {
            ev.misclassified.push_back({i < size_t(files.size()) ? files[qsizetype(i)] : QString(),
                                        t, pred, p[size_t(pred)], p[size_t(t)], loss});
        }
    }
    std::sort(ev.misclassified.begin(), ev.misclassified.end(),
              [](const Misclassified &a, const Misclassified &b) { return a.loss > b.loss; });
    ev.accuracy = ev.samples ? double(correct) / ev.samples : 0;
    ev.loss = ev.samples ? lossSum / ev.samples : 0;
    for (int c = 0; c < classCount; ++c) {
        int tp = ev.confusion[size_t(c)][size_t(c)], predicted = 0, actual = 0;
        for (int k = 0; k < classCount; ++k) {
            predicted += ev.confusion[size_t(k)][size_t(c)];
            actual += ev.confusion[size_t(c)][size_t(k)];
        }
        ClassMetrics m;
        m.support = actual;
        m.precision = predicted ? double(tp) / predicted : 0;
        m.recall = actual ? double(tp) / actual : 0;
        m.f1 = m.precision + m.recall > 0 ? 2 * m.precision * m.recall / (m.precision + m.recall)
                                          : 0;
        ev.perClass.push_back(m);
    }
    return ev;
}

QJsonObject Evaluation::toJson(const QStringList &classes) const
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
        per.append(QJsonObject{{"class", c < size_t(classes.size()) ? classes[qsizetype(c)] : QString()},
                               {"precision", perClass[c].precision},
                               {"recall", perClass[c].recall},
                               {"f1", perClass[c].f1},
                               {"support", perClass[c].support}});
    QJsonArray mis;
    for (const auto &m : misclassified)
        mis.append(QJsonObject{{"file", m.file},
                               {"true", classes.value(m.trueLabel)},
                               {"predicted", classes.value(m.predicted)},
                               {"prob", m.probability},
                               {"true_prob", m.trueProbability},
                               {"loss", m.loss}});
    return QJsonObject{{"accuracy", accuracy}, {"loss", loss},           {"samples", samples},
                       {"confusion", conf},    {"per_class", per},       {"misclassified", mis}};
}

QJsonObject TrainingReport::toJson() const
{
    QJsonArray eps;
    for (const auto &e : epochs)
        eps.append(e.toJson());
    const QJsonObject val = validation.toJson(classes);
    return QJsonObject{
        {"kind", "image"},
        {"classes", QJsonArray::fromStringList(classes)},
        {"val_accuracy", valAccuracy},
        {"val_loss", validation.loss},
        {"best_epoch", bestEpoch},
        {"epochs", eps},
        {"confusion", val.value("confusion")},
        {"per_class", val.value("per_class")},
        {"misclassified", val.value("misclassified")},
        {"total_seconds", totalSeconds},
        {"feature_seconds", featureSeconds},
        {"cancelled", cancelled},
        {"early_stopped", earlyStopped},
        {"config", config.toJson()},
        {"graft_version", QStringLiteral(GRAFT_VERSION)},
    };
}

} // namespace graft::train
