#include "graft/text/BagOfWordsBaseline.h"

#include <QHash>
#include <QSet>

#include <algorithm>
#include <cmath>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

namespace {
using SparseRow = std::vector<std::pair<int, float>>;
} // namespace

core::Result<learn::Evaluation> evaluateBagOfWords(const TextDataset &data,
                                                   const std::vector<int> &trainIdx,
                                                   const std::vector<int> &valIdx,
                                                   const Tokenizer::Options &tokenizer,
                                                   const core::CancelToken &cancel)
{
    const int k = int(data.classes.size());
    if (k < 2 || trainIdx.empty())
        return makeError(ErrorCode::DatasetInvalid,
                         QStringLiteral("need at least two classes and some training texts"));
    const Tokenizer tok(tokenizer);

    // Vocabulary and document frequencies from the training texts only.
    std::vector<QStringList> trainTerms;
    trainTerms.reserve(trainIdx.size());
    QHash<QString, int> df;
    for (int i : trainIdx) {
        trainTerms.push_back(tok.tokenize(data.samples[i].text));
        const QStringList &ts = trainTerms.back();
        for (const QString &t : QSet<QString>(ts.begin(), ts.end()))
            ++df[t];
    }
    QHash<QString, int> feature;
    std::vector<float> idf;
    QStringList sortedTerms = df.keys();
    std::sort(sortedTerms.begin(), sortedTerms.end());
    const double n = double(trainIdx.size());
    for (const QString &t : sortedTerms) {
        feature.insert(t, int(idf.size()));
        idf.push_back(float(std::log((1.0 + n) / (1.0 + df.value(t))) + 1.0));
    }
    const int f = int(idf.size());

    auto vectorise = [&](const QStringList &ts) {
        QHash<int, float> counts;
        for (const QString &t : ts) {
            const auto it = feature.constFind(t);
            if (it != feature.constEnd())
                counts[*it] += 1.0f;
        }
        SparseRow row;
        row.reserve(counts.size());
        double norm = 0;
        for (auto it = counts.cbegin(); it != counts.cend(); ++it) {
            const float v = (1.0f + std::log(it.value())) * idf[it.key()];
            row.emplace_back(it.key(), v);
            norm += double(v) * v;
        }
        if (norm > 0)
            for (auto &[c, v] : row)
                v = float(v / std::sqrt(norm));
        std::sort(row.begin(), row.end());
        return row;
    };

    std::vector<SparseRow> x;
    std::vector<int> y;
    double maxNorm2 = 0;
    for (size_t r = 0; r < trainIdx.size(); ++r) {
        x.push_back(vectorise(trainTerms[r]));
        y.push_back(data.samples[trainIdx[r]].label);
        double s = 0;
        for (const auto &[c, v] : x.back())
            s += double(v) * v;
        maxNorm2 = std::max(maxNorm2, s);
    }

    // Objective: mean cross-entropy + lambda/2 |W|^2 (bias unregularised), lambda = 1/(C n),
    // the same optimum as scikit-learn's C * sum(CE) + |W|^2 / 2.
    const double lambda = 1.0 / n;
    const double lipschitz = 0.5 * (maxNorm2 + 1.0) + lambda;
    const double step = 1.0 / lipschitz;
    const size_t wsize = size_t(f + 1) * size_t(k); // last row: bias
    std::vector<double> w(wsize, 0.0), wPrev(wsize, 0.0), v(wsize, 0.0), grad(wsize, 0.0);
    std::vector<double> logits(k), p(k);

    auto scores = [&](const std::vector<double> &wt, const SparseRow &row, std::vector<double> &s) {
        for (int c = 0; c < k; ++c)
            s[c] = wt[size_t(f) * k + c];
        for (const auto &[j, val] : row)
            for (int c = 0; c < k; ++c)
                s[c] += wt[size_t(j) * k + c] * val;
    };
    auto softmax = [&](std::vector<double> &s) {
        const double m = *std::max_element(s.begin(), s.end());
        double z = 0;
        for (double &e : s)
            z += (e = std::exp(e - m));
        for (double &e : s)
            e /= z;
    };

    double t = 1.0;
    for (int it = 0; it < 300; ++it) {
        if (cancel.isCancelled())
            return makeError(ErrorCode::Cancelled, QStringLiteral("baseline cancelled"));
        std::fill(grad.begin(), grad.end(), 0.0);
        for (size_t r = 0; r < x.size(); ++r) {
            scores(v, x[r], p);
            softmax(p);
            p[y[r]] -= 1.0;
            for (int c = 0; c < k; ++c)
                grad[size_t(f) * k + c] += p[c] / n;
            for (const auto &[j, val] : x[r])
                for (int c = 0; c < k; ++c)
                    grad[size_t(j) * k + c] += p[c] * val / n;
        }
        for (size_t i = 0; i < size_t(f) * k; ++i)
            grad[i] += lambda * v[i];
        // Nesterov (FISTA without the prox): w = v - step * grad; v = w + beta (w - wPrev).
        const double tNext = 0.5 * (1.0 + std::sqrt(1.0 + 4.0 * t * t));
        const double beta = (t - 1.0) / tNext;
        for (size_t i = 0; i < wsize; ++i) {
            wPrev[i] = w[i];
            w[i] = v[i] - step * grad[i];
            v[i] = w[i] + beta * (w[i] - wPrev[i]);
        }
        t = tNext;
    }

    std::vector<learn::SampleRef> refs;
    std::vector<int> labels;
    std::vector<std::vector<float>> probs;
    for (int i : valIdx) {
        const TextSample &s = data.samples[size_t(i)];
        scores(w, vectorise(tok.tokenize(s.text)), logits);
        softmax(logits);
        refs.push_back(learn::SampleRef::ofText(s.text, s.file, s.line));
        labels.push_back(s.label);
        probs.emplace_back(logits.begin(), logits.end());
    }
    return learn::Evaluation::compute(std::move(refs), std::move(labels), std::move(probs), k);
}

} // namespace graft::text
