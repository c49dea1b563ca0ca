#pragma once
// Internal: LibTorch helpers shared by the text training code (classifier and language model).

#include "graft/core/Result.h"
#include "graft/text/Tokenizer.h"
#include "graft/text/Vocabulary.h"
#include "graft/train/TrainingTypes.h"

#include <torch/torch.h>

#include <QJsonObject>
#include <QString>

namespace graft::text {

class WordVectors;

/// Learning rate at `step` of `total`: one-cycle (fastai: lr/25 up to lr, then down to
/// lr/25/1e4, cosine), cosine with linear warm-up, or constant.
double scheduledLr(double lr, train::Schedule schedule, double warmupFraction, int64_t step,
                   int64_t total);

/// A training-batch event: `step` of `total` steps overall (ETA from the time so far);
/// `itemsPerBatch` > 0 fills the rate (texts per second).
inline train::BatchEvent batchEvent(int epoch, int64_t batch, int64_t batchesPerEpoch, int64_t step,
                                    int64_t total, double loss, double lr, double elapsedSeconds,
                                    int itemsPerBatch)
{
    train::BatchEvent ev;
    ev.epoch = epoch;
    ev.batch = int(batch);
    ev.batchesPerEpoch = int(batchesPerEpoch);
    ev.globalStep = step;
    ev.loss = loss;
    ev.learningRate = lr;
    ev.elapsedSeconds = elapsedSeconds;
    if (itemsPerBatch > 0 && elapsedSeconds > 0)
        ev.imagesPerSecond = double(step * itemsPerBatch) / elapsedSeconds;
    if (step > 0 && elapsedSeconds > 0)
        ev.etaSeconds = elapsedSeconds / double(step) * double(std::max<int64_t>(0, total - step));
    ev.phase = QStringLiteral("train");
    return ev;
}

/// Fills `weight` [vocab, dim]: rows of words found in `vectors` get their vector, the others
/// random with the spread of the found ones (fastText .bin models give unseen words a vector
/// from their n-grams instead); <pad> and <unk> are zero. Returns how many vocabulary words
/// (after the two specials) got a pretrained or subword vector.
int initEmbeddingFromVectors(torch::Tensor weight, const Vocabulary &vocab,
                             const WordVectors &vectors);

/// A saved language model's weights (see LanguageModel.h).
struct LanguageModelWeights
{
    Vocabulary vocab;
    Tokenizer::Options tokenizer;
    torch::Tensor embedding;        ///< [V, D]
    torch::Tensor wIh, wHh, bIh, bHh; ///< one LSTM layer, PyTorch gate order
    int hidden = 0;
    QJsonObject metadata;
};
core::Result<LanguageModelWeights> loadLanguageModel(const QString &path);

/// Runs `fn` (returning a core::Result) and turns LibTorch and other exceptions into errors.
template <typename Fn>
auto guardTorch(Fn &&fn) -> decltype(fn())
{
    try {
        return fn();
    } catch (const c10::Error &e) {
        return core::makeError(
            core::ErrorCode::Internal,
            QStringLiteral("LibTorch: %1").arg(QString::fromUtf8(e.what_without_backtrace())));
    } catch (const std::exception &e) {
        return core::makeError(core::ErrorCode::Internal, QString::fromUtf8(e.what()));
    }
}

} // namespace graft::text
