// The only translation unit of the text module that includes LibTorch.
#include "graft/text/TextTraining.h"

#include "TextClassifierImpl.h"
#include "TextRun.h"
#include "TextTorch.h"
#include "train/TensorBlob.h"

#include "graft/core/Runtime.h"
#include "graft/text/TextSplits.h"
#include "graft/text/Vocabulary.h"
#include "graft/text/WordVectors.h"
#include "graft/io/Safetensors.h"

#include <torch/torch.h>

#include <QDir>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <numeric>
#include <optional>
#include <random>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

namespace {

/// [B, T, F] features, [B, T] mask -> [B, 2F]: mean and max over the masked positions.
torch::Tensor maskedMeanMax(const torch::Tensor &x, const torch::Tensor &mask)
{
    const torch::Tensor m = mask.unsqueeze(-1);
    const torch::Tensor mean = (x * m).sum(1) / m.sum(1).clamp_min(1.0);
    const torch::Tensor mx = x.masked_fill(m == 0, -1e4).amax(1);
    return torch::cat({mean, mx}, 1);
}

/// [B, T] time indices that reverse each row within its length (the last position with a
/// token, + 1) and leave the padding after it in place. Its own inverse.
torch::Tensor reverseWithinLength(const torch::Tensor &mask)
{
    const int64_t t = mask.size(1);
    const torch::Tensor pos = torch::arange(t, torch::kLong).unsqueeze(0);
    const torch::Tensor len = (mask.gt(0).to(torch::kLong) * (pos + 1)).amax(1, true);
    return torch::where(pos < len, len - 1 - pos, pos);
}

/// x [B, T, F] reordered along time by `order` [B, T].
torch::Tensor gatherTime(const torch::Tensor &x, const torch::Tensor &order)
{
    return x.gather(1, order.unsqueeze(-1).expand({-1, -1, x.size(2)}));
}

struct TextNetImpl : torch::nn::Module
{
    TextNetImpl(int64_t vocab, int64_t dim, int64_t classes, const TextTrainingConfig &c)
        : head(c.head)
    {
        embedding = register_module(
            "embedding",
            torch::nn::Embedding(torch::nn::EmbeddingOptions(vocab, dim).padding_idx(0)));
        int64_t features = 2 * dim;
        if (head == TextHead::Cnn) {
            convs = register_module("convs", torch::nn::ModuleList());
            for (int k : c.cnnKernelSizes)
                convs->push_back(torch::nn::Conv1d(torch::nn::Conv1dOptions(dim, c.cnnFilters, k)));
            features = int64_t(c.cnnFilters) * c.cnnKernelSizes.size();
            minLength = *std::max_element(c.cnnKernelSizes.begin(), c.cnnKernelSizes.end());
        } else if (head == TextHead::BiLstm) {
            const int64_t hidden = std::max(1, c.lstmHidden);
            lstmForward = register_module(
                "lstm_forward",
                torch::nn::LSTM(torch::nn::LSTMOptions(dim, hidden).batch_first(true)));
            lstmBackward = register_module(
                "lstm_backward",
                torch::nn::LSTM(torch::nn::LSTMOptions(dim, hidden).batch_first(true)));
            features = 4 * hidden;
        }
        dropout = register_module("dropout", torch::nn::Dropout(c.dropout));
        fc = register_module("fc", torch::nn::Linear(features, classes));
    }

    /// ids [B,T] int64, mask [B,T] float (1 = token). Returns logits [B,C].
    torch::Tensor forward(const torch::Tensor &ids, const torch::Tensor &mask)
    {
        torch::Tensor e = embedding(ids);
        torch::Tensor feat;
        if (head == TextHead::MeanMax) {
            feat = maskedMeanMax(e, mask);
        } else if (head == TextHead::BiLstm) {
            // The backward direction reads each text reversed within its own length, so
            // padding after the text changes nothing (batched = one text at a time).
            const torch::Tensor order = reverseWithinLength(mask);
            const torch::Tensor fwd = std::get<0>(lstmForward->forward(e));
            const torch::Tensor rev = std::get<0>(lstmBackward->forward(gatherTime(e, order)));
            feat = maskedMeanMax(torch::cat({fwd, gatherTime(rev, order)}, 2), mask);
        } else {
            const torch::Tensor x = e.transpose(1, 2);
            std::vector<torch::Tensor> pooled;
            for (const auto &conv : *convs)
                pooled.push_back(torch::relu(conv->as<torch::nn::Conv1d>()->forward(x)).amax(2));
            feat = torch::cat(pooled, 1);
        }
        return fc(dropout(feat));
    }

    TextHead head;
    int minLength = 1;
    torch::nn::Embedding embedding{nullptr};
    torch::nn::ModuleList convs{nullptr};
    torch::nn::LSTM lstmForward{nullptr}, lstmBackward{nullptr};
    torch::nn::Dropout dropout{nullptr};
    torch::nn::Linear fc{nullptr};
};
TORCH_MODULE(TextNet);

struct Batch
{
    torch::Tensor ids, mask, labels;
};

Batch makeBatch(const std::vector<std::vector<int64_t>> &encoded,
                const std::vector<int> &labels,
                const std::vector<int> &rows,
                size_t begin,
                size_t end,
                int minLength)
{
    int64_t len = minLength;
    for (size_t i = begin; i < end; ++i)
        len = std::max<int64_t>(len, int64_t(encoded[rows[i]].size()));
    const int64_t b = int64_t(end - begin);
    auto ids = torch::zeros({b, len}, torch::kLong);
    auto mask = torch::zeros({b, len}, torch::kFloat);
    auto y = torch::empty({b}, torch::kLong);
    auto ia = ids.accessor<int64_t, 2>();
    auto ma = mask.accessor<float, 2>();
    for (int64_t r = 0; r < b; ++r) {
        const auto &seq = encoded[rows[begin + size_t(r)]];
        for (size_t t = 0; t < seq.size(); ++t) {
            ia[r][int64_t(t)] = seq[t];
            ma[r][int64_t(t)] = 1.0f;
        }
        y[r] = labels[rows[begin + size_t(r)]];
    }
    return Batch{ids, mask, y};
}

/// Class probabilities of `rows`, in batches (exact for the masked mean-max and BiLSTM heads;
/// the CNN head sees zero padding up to the batch's longest text, as in training).
std::vector<std::vector<float>> predictRows(TextNet &net,
                                            const std::vector<std::vector<int64_t>> &encoded,
                                            const std::vector<int> &labels,
                                            const std::vector<int> &rows,
                                            int batchSize)
{
    torch::NoGradGuard noGrad;
    net->eval();
    std::vector<std::vector<float>> out;
    out.reserve(rows.size());
    for (size_t b = 0; b < rows.size(); b += size_t(batchSize)) {
        const size_t e = std::min(rows.size(), b + size_t(batchSize));
        Batch batch = makeBatch(encoded, labels, rows, b, e, net->minLength);
        const torch::Tensor p =
            torch::softmax(net->forward(batch.ids, batch.mask), 1).contiguous();
        for (int64_t r = 0; r < p.size(0); ++r) {
            const float *row = p[r].data_ptr<float>();
            out.emplace_back(row, row + p.size(1));
        }
    }
    return out;
}

TextEvaluation evaluate(TextNet &net,
                        const TextDataset &data,
                        const std::vector<std::vector<int64_t>> &encoded,
                        const std::vector<int> &labels,
                        const std::vector<int> &rows,
                        const std::vector<int> &sampleOf,
                        int batchSize)
{
    std::vector<int> sampleRows, rowLabels;
    for (int r : rows) {
        sampleRows.push_back(sampleOf[size_t(r)]);
        rowLabels.push_back(labels[size_t(r)]);
    }
    return buildTextEvaluation(data, sampleRows, rowLabels,
                               predictRows(net, encoded, labels, rows, batchSize));
}

core::Result<TextTrainingReport> trainImpl(const TextDataset &data,
                                           const std::vector<int> &trainIdx,
                                           const std::vector<int> &valIdx,
                                           const TextTrainingConfig &requested,
                                           const WordVectors *vectors,
                                           const TextTrainingObserver &observer,
                                           const core::CancelToken &cancel,
                                           train::LrFinderResult *sweep = nullptr)
{
    QElapsedTimer clock;
    clock.start();
    // A language model fixes the tokenizer, the embedding and the (forward) LSTM.
    TextTrainingConfig config = requested;
    std::optional<LanguageModelWeights> lm;
    if (!config.languageModelPath.isEmpty()) {
        if (vectors)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("give word vectors to the language model, not to a "
                                            "classifier that starts from one"));
        auto loaded = loadLanguageModel(config.languageModelPath);
        if (!loaded)
            return loaded.error();
        lm = std::move(loaded.value());
        config.head = TextHead::BiLstm;
        config.lstmHidden = lm->hidden;
        config.tokenizer = lm->tokenizer;
    }
    const int classes = int(data.classes.size());
    if (classes < 2)
        return makeError(ErrorCode::DatasetInvalid, QStringLiteral("need at least two classes"));
    if (trainIdx.empty())
        return makeError(ErrorCode::DatasetInvalid, QStringLiteral("no training texts"));
    if (config.epochs < 1 || config.batchSize < 1 || !(config.learningRate > 0))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("epochs, batch size and learning rate must be positive"));
    core::setComputeThreads(config.threads);
    torch::manual_seed(uint64_t(config.seed));

    // Tokenise; rows 0..nTrain-1 are training texts, the rest validation texts.
    Tokenizer::Options tokOptions = config.tokenizer;
    tokOptions.maxTokens = config.maxTokens;
    if (config.subwordVocab > 0 && !lm) {
        // Subword pieces learnt from the training texts only.
        Tokenizer::Options wordOptions = tokOptions;
        wordOptions.subwordMerges.clear();
        wordOptions.maxTokens = 0;
        const Tokenizer words(wordOptions);
        std::vector<QStringList> corpus;
        for (int i : trainIdx)
            corpus.push_back(words.tokenize(data.samples[size_t(i)].text));
        auto merges = Tokenizer::trainSubwords(corpus, config.subwordVocab);
        if (!merges)
            return merges.error();
        tokOptions.subwordMerges = merges.value();
    }
    const Tokenizer tok(tokOptions);
    if (!tok.isValid())
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("the subword merges in the tokenizer settings are malformed"));
    std::vector<int> sampleOf;
    std::vector<QStringList> tokens;
    for (int i : trainIdx) {
        sampleOf.push_back(i);
        tokens.push_back(tok.tokenize(data.samples[i].text));
    }
    for (int i : valIdx) {
        sampleOf.push_back(i);
        tokens.push_back(tok.tokenize(data.samples[i].text));
    }
    const std::vector<QStringList> trainTokens(tokens.begin(), tokens.begin() + trainIdx.size());
    Vocabulary vocab = Vocabulary::build(trainTokens, config.minFrequency, config.maxVocabulary);
    int covered = 0;
    if (lm) {
        // The language model's words first (their rows come from it), then new training words.
        for (int id = 2; id < vocab.size(); ++id)
            covered += lm->vocab.contains(vocab.token(id)) ? 1 : 0;
        QStringList all = lm->vocab.tokens().mid(2);
        for (const QString &w : vocab.tokens().mid(2))
            if (!lm->vocab.contains(w))
                all.append(w);
        vocab = Vocabulary::fromTokens(all);
    } else if (vectors) {
        std::vector<float> scratch(size_t(vectors->dimension()));
        for (int id = 2; id < vocab.size(); ++id)
            covered += vectors->lookup(vocab.token(id)) >= 0 ||
                               vectors->subwordVector(vocab.token(id), scratch.data())
                           ? 1
                           : 0;
        // Words of the vector file unseen in training still carry their pretrained meaning.
        QStringList all = vocab.tokens().mid(2);
        const int cap = config.maxVocabulary > 0 ? config.maxVocabulary : INT32_MAX;
        for (const QString &w : vectors->words()) {
            if (all.size() + 2 >= cap)
                break;
            if (!vocab.contains(w))
                all.append(w);
        }
        vocab = Vocabulary::fromTokens(all);
    }
    const int trainVocab =
        int(Vocabulary::build(trainTokens, config.minFrequency, config.maxVocabulary).size()) - 2;

    std::vector<std::vector<int64_t>> encoded;
    std::vector<int> labels;
    for (size_t r = 0; r < tokens.size(); ++r) {
        encoded.push_back(vocab.encode(tokens[r]));
        if (encoded.back().empty())
            encoded.back().push_back(Vocabulary::kUnk);
        labels.push_back(data.samples[sampleOf[r]].label);
    }
    std::vector<int> trainRows(trainIdx.size()), valRows(valIdx.size());
    std::iota(trainRows.begin(), trainRows.end(), 0);
    std::iota(valRows.begin(), valRows.end(), int(trainIdx.size()));

    const int64_t dim = lm ? lm->embedding.size(1)
                           : (vectors ? vectors->dimension() : config.embeddingDim);
    TextNet net(int64_t(vocab.size()), dim, classes, config);
    if (lm) {
        torch::NoGradGuard noGrad;
        torch::Tensor w = net->embedding->weight;
        const int64_t known = lm->embedding.size(0);
        w.normal_(0.0, lm->embedding.narrow(0, 2, known - 2).std().item<double>());
        w.narrow(0, 0, known).copy_(lm->embedding);
        auto p = net->lstmForward->named_parameters();
        p["weight_ih_l0"].copy_(lm->wIh);
        p["weight_hh_l0"].copy_(lm->wHh);
        p["bias_ih_l0"].copy_(lm->bIh);
        p["bias_hh_l0"].copy_(lm->bHh);
    } else if (vectors) {
        torch::NoGradGuard noGrad;
        initEmbeddingFromVectors(net->embedding->weight, vocab, *vectors);
    }

    // Parameter groups with their own rate factors. With a language model: the head, the
    // pretrained LSTM at lr/2.6 and the embedding at lr/2.6^2, unfrozen one epoch after the
    // other (ULMFiT's gradual unfreezing and discriminative rates). Else the head and the
    // embedding at embeddingLrFactor.
    struct Group
    {
        std::vector<torch::Tensor> params;
        double factor = 1.0;
        double decay = 0.0;
        int fromEpoch = 1;
    };
    Group head{{}, 1.0, config.weightDecay, 1};
    Group body{{}, 1.0 / 2.6, config.weightDecay, 2};
    Group emb{{}, lm ? 1.0 / (2.6 * 2.6) : config.embeddingLrFactor, 0.0, lm ? 3 : 1};
    for (const auto &p : net->named_parameters()) {
        if (p.key().rfind("embedding.", 0) == 0)
            emb.params.push_back(p.value());
        else if (lm && p.key().rfind("lstm_forward.", 0) == 0)
            body.params.push_back(p.value());
        else
            head.params.push_back(p.value());
    }
    std::vector<Group> plan{head};
    if (!body.params.empty())
        plan.push_back(body);
    if (config.freezeEmbeddings)
        for (auto &p : emb.params)
            p.requires_grad_(false);
    else
        plan.push_back(emb);
    std::vector<torch::optim::OptimizerParamGroup> groups;
    for (const Group &g : plan)
        groups.emplace_back(g.params, std::make_unique<torch::optim::AdamWOptions>(
                                          torch::optim::AdamWOptions(config.learningRate)
                                              .weight_decay(g.decay)));
    torch::optim::AdamW optimizer(std::move(groups));

    TextTrainingReport report;
    report.classes = data.classes;
    report.trainCount = int(trainIdx.size());
    report.valCount = int(valIdx.size());
    report.vocabularySize = vocab.size();
    report.vectorCoverage = trainVocab > 0 ? double(covered) / trainVocab : 0.0;
    report.config = config;

    const int64_t batchesPerEpoch =
        (int64_t(trainRows.size()) + config.batchSize - 1) / config.batchSize;
    const int64_t totalSteps = batchesPerEpoch * config.epochs;
    int64_t step = 0;
    std::mt19937_64 rng(uint64_t(config.seed) * 7919u + 1u);
    double bestLoss = INFINITY;
    int sinceBest = 0;
    std::vector<torch::Tensor> bestState;

    if (sweep) {
        // Learning-rate finder: the exponential sweep over up to 100 batches, on the groups
        // that train first; the network is thrown away afterwards.
        const int steps = train::LrFinderResult::kSweepSteps;
        net->train();
        for (Group &g : plan)
            for (torch::Tensor &p : g.params)
                p.requires_grad_(g.fromEpoch <= 1);
        size_t pos = trainRows.size();
        for (int i = 0; i < steps; ++i) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
            const double lr = train::LrFinderResult::sweepRate(i);
            for (size_t g = 0; g < plan.size(); ++g)
                static_cast<torch::optim::AdamWOptions &>(optimizer.param_groups()[g].options())
                    .lr(lr * plan[g].factor);
            if (pos + size_t(config.batchSize) > trainRows.size()) {
                for (size_t k = trainRows.size(); k > 1; --k)
                    std::swap(trainRows[k - 1], trainRows[rng() % k]);
                pos = 0;
            }
            const size_t to = std::min(trainRows.size(), pos + size_t(config.batchSize));
            Batch batch = makeBatch(encoded, labels, trainRows, pos, to, net->minLength);
            pos = to;
            optimizer.zero_grad();
            const torch::Tensor loss =
                torch::cross_entropy_loss(net->forward(batch.ids, batch.mask), batch.labels);
            const double lv = loss.item<double>();
            const bool goOn = sweep->record(lr, lv);
            if (observer.onBatch) {
                train::BatchEvent ev = batchEvent(0, i + 1, steps, i + 1, steps, lv, lr, 0, 0);
                ev.phase = QStringLiteral("lr-finder");
                observer.onBatch(ev);
            }
            if (!goOn)
                break;
            loss.backward();
            optimizer.step();
        }
        sweep->suggest();
        return report;
    }

    // Checkpoints: the weights (and the best epoch's) after every epoch, so that a stopped or
    // killed run continues where it was.
    const QString checkpointPath =
        config.checkpointDir.isEmpty()
            ? QString()
            : QDir(config.checkpointDir).filePath(QStringLiteral("checkpoint.safetensors"));
    const QString fingerprint = QStringLiteral("%1\n%2\n%3")
                                    .arg(data.classes.join(QLatin1Char(',')))
                                    .arg(vocab.size())
                                    .arg(trainIdx.size());
    int startEpoch = 1;
    if (config.resume && !checkpointPath.isEmpty() && QFileInfo::exists(checkpointPath)) {
        auto file = io::SafetensorsFile::open(checkpointPath);
        if (!file)
            return file.error();
        const QJsonObject meta = file->metadata();
        if (meta.value("format").toString() != QLatin1String("graft-checkpoint") ||
            meta.value("kind").toString() != QLatin1String("text"))
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("not a Graft text checkpoint"), checkpointPath);
        if (meta.value("fingerprint").toString() != fingerprint)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the checkpoint was written for other data or "
                                            "settings (classes, vocabulary or split differ)"),
                             checkpointPath);
        torch::NoGradGuard noGrad;
        auto params = net->parameters();
        for (size_t i = 0; i < params.size(); ++i) {
            for (const char *prefix : {"net.", "best."}) {
                const io::TensorInfo *t = file->find(prefix + std::to_string(i));
                if (!t) {
                    if (prefix == std::string("net."))
                        return makeError(ErrorCode::InvalidFormat,
                                         QStringLiteral("tensor %1 is missing").arg(i),
                                         checkpointPath);
                    continue;
                }
                const std::vector<float> values = file->toFloat(*t);
                if (int64_t(values.size()) != params[i].numel())
                    return makeError(ErrorCode::InvalidFormat,
                                     QStringLiteral("tensor %1 has the wrong size").arg(i),
                                     checkpointPath);
                const torch::Tensor v =
                    torch::from_blob(const_cast<float *>(values.data()), params[i].sizes()).clone();
                if (prefix == std::string("net."))
                    params[i].copy_(v);
                else
                    bestState.push_back(v);
            }
        }
        if (!bestState.empty() && bestState.size() != params.size())
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("the best epoch's weights are incomplete"),
                             checkpointPath);
        for (const auto &e :
             QJsonDocument::fromJson(meta.value("epochs").toString().toUtf8()).array())
            report.epochs.push_back(train::EpochMetrics::fromJson(e.toObject()));
        startEpoch = meta.value("epoch").toString().toInt() + 1;
        report.bestEpoch = meta.value("best_epoch").toString().toInt();
        bestLoss = meta.value("best_loss").toString().toDouble();
        sinceBest = meta.value("since_best").toString().toInt();
        if (startEpoch > config.epochs + 1)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("the checkpoint holds %1 epochs, more than the %2 "
                                            "asked for; ask for more epochs or start afresh")
                                 .arg(startEpoch - 1)
                                 .arg(config.epochs),
                             checkpointPath);
        if (startEpoch < 2 || int(report.epochs.size()) != startEpoch - 1)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("the checkpoint's epoch count is inconsistent"),
                             checkpointPath);
        // Replay the finished epochs' shuffles so that the next ones see the same order.
        for (int e = 1; e < startEpoch; ++e)
            for (size_t i = trainRows.size(); i > 1; --i)
                std::swap(trainRows[i - 1], trainRows[rng() % i]);
        step = int64_t(startEpoch - 1) * batchesPerEpoch;
        if (observer.onMessage)
            observer.onMessage(QStringLiteral("resumed after epoch %1").arg(startEpoch - 1));
    }
    const auto saveCheckpoint = [&](int epoch) -> core::Status {
        std::vector<io::TensorBlob> blobs;
        const auto params = net->parameters();
        for (size_t i = 0; i < params.size(); ++i)
            blobs.push_back(train::tensorBlob("net." + std::to_string(i), params[i]));
        for (size_t i = 0; i < bestState.size(); ++i)
            blobs.push_back(train::tensorBlob("best." + std::to_string(i), bestState[i]));
        QJsonArray eps;
        for (const auto &e : report.epochs)
            eps.append(e.toJson());
        const std::map<QString, QString> meta{
            {QStringLiteral("format"), QStringLiteral("graft-checkpoint")},
            {QStringLiteral("kind"), QStringLiteral("text")},
            {QStringLiteral("epoch"), QString::number(epoch)},
            {QStringLiteral("fingerprint"), fingerprint},
            {QStringLiteral("best_epoch"), QString::number(report.bestEpoch)},
            {QStringLiteral("best_loss"), QString::number(bestLoss, 'g', 17)},
            {QStringLiteral("since_best"), QString::number(sinceBest)},
            {QStringLiteral("epochs"),
             QString::fromUtf8(QJsonDocument(eps).toJson(QJsonDocument::Compact))},
            {QStringLiteral("config"),
             QString::fromUtf8(QJsonDocument(config.toJson()).toJson(QJsonDocument::Compact))}};
        if (!QDir().mkpath(config.checkpointDir))
            return makeError(ErrorCode::WriteFailed, QStringLiteral("cannot create folder"),
                             config.checkpointDir);
        return io::writeSafetensors(checkpointPath, blobs, meta);
    };

    for (int epoch = startEpoch; epoch <= config.epochs; ++epoch) {
        QElapsedTimer epochClock;
        epochClock.start();
        net->train();
        for (Group &g : plan)
            for (torch::Tensor &p : g.params)
                p.requires_grad_(epoch >= g.fromEpoch);
        for (size_t i = trainRows.size(); i > 1; --i)
            std::swap(trainRows[i - 1], trainRows[rng() % i]);
        double lossSum = 0;
        int64_t correct = 0, seen = 0;
        double lr = config.learningRate;
        for (int64_t b = 0; b < batchesPerEpoch; ++b) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("training cancelled"));
            lr = scheduledLr(config.learningRate, config.schedule, config.warmupFraction, step,
                             totalSteps);
            for (size_t g = 0; g < plan.size(); ++g)
                static_cast<torch::optim::AdamWOptions &>(optimizer.param_groups()[g].options())
                    .lr(lr * plan[g].factor);
            const size_t from = size_t(b) * size_t(config.batchSize);
            const size_t to = std::min(trainRows.size(), from + size_t(config.batchSize));
            Batch batch = makeBatch(encoded, labels, trainRows, from, to, net->minLength);
            optimizer.zero_grad();
            const torch::Tensor logits = net->forward(batch.ids, batch.mask);
            const torch::Tensor loss = torch::cross_entropy_loss(logits, batch.labels);
            loss.backward();
            optimizer.step();
            const double l = loss.item<double>();
            if (!std::isfinite(l))
                return makeError(ErrorCode::NumericalError,
                                 QStringLiteral("loss became %1 at epoch %2").arg(l).arg(epoch));
            const int64_t n = int64_t(to - from);
            lossSum += l * double(n);
            seen += n;
            correct += logits.argmax(1).eq(batch.labels).sum().item<int64_t>();
            ++step;
            if (observer.onBatch)
                observer.onBatch(batchEvent(epoch, b + 1, batchesPerEpoch, step, totalSteps, l, lr,
                                            double(clock.elapsed()) / 1000.0, config.batchSize));
        }
        const TextEvaluation ev = evaluate(net, data, encoded, labels, valRows, sampleOf,
                                           std::max(config.batchSize, 64));
        train::EpochMetrics m;
        m.epoch = epoch;
        m.trainLoss = seen > 0 ? lossSum / double(seen) : 0;
        m.trainAccuracy = seen > 0 ? double(correct) / double(seen) : 0;
        m.valLoss = ev.loss;
        m.valAccuracy = ev.accuracy;
        m.learningRate = lr;
        m.seconds = double(epochClock.elapsed()) / 1000.0;
        const bool improved = !valRows.empty() && ev.loss < bestLoss;
        if (improved || valRows.empty()) {
            bestLoss = ev.loss;
            report.bestEpoch = epoch;
            sinceBest = 0;
            if (config.restoreBest) {
                torch::NoGradGuard noGrad;
                bestState.clear();
                for (const auto &p : net->parameters())
                    bestState.push_back(p.detach().clone());
            }
        } else {
            ++sinceBest;
        }
        m.best = report.bestEpoch == epoch;
        report.epochs.push_back(m);
        if (!checkpointPath.isEmpty())
            if (auto saved = saveCheckpoint(epoch); !saved && observer.onMessage)
                observer.onMessage(
                    QStringLiteral("checkpoint not saved: %1").arg(saved.error().message()));
        if (observer.onEpoch)
            observer.onEpoch(m);
        if (config.earlyStoppingPatience > 0 && sinceBest >= config.earlyStoppingPatience)
            break;
    }
    if (config.restoreBest && !bestState.empty()) {
        torch::NoGradGuard noGrad;
        auto params = net->parameters();
        for (size_t i = 0; i < params.size(); ++i)
            params[i].copy_(bestState[i]);
    } else {
        report.bestEpoch = int(report.epochs.size());
    }
    report.evaluation = evaluate(net, data, encoded, labels, valRows, sampleOf,
                                 std::max(config.batchSize, 64));
    report.valAccuracy = report.evaluation.accuracy;

    // The kept network as a TextClassifier, with its validation outputs for export checks.
    {
        std::vector<std::vector<int64_t>> checkIds;
        for (int r : valRows) {
            std::vector<int64_t> ids = encoded[size_t(r)];
            while (int(ids.size()) < net->minLength)
                ids.push_back(Vocabulary::kPad);
            checkIds.push_back(std::move(ids));
        }
        auto checkProbs = predictRows(net, encoded, labels, valRows,
                                      config.head == TextHead::Cnn ? 1 : 64);
        TextNetTensors tensors;
        tensors.embedding = net->embedding->weight;
        if (net->convs)
            for (const auto &conv : *net->convs) {
                tensors.convWeights.push_back(conv->as<torch::nn::Conv1d>()->weight);
                tensors.convBiases.push_back(conv->as<torch::nn::Conv1d>()->bias);
            }
        if (net->lstmForward) {
            for (auto *lstm : {&net->lstmForward, &net->lstmBackward}) {
                auto &l = **lstm;
                tensors.lstm.push_back(
                    {l.named_parameters()["weight_ih_l0"], l.named_parameters()["weight_hh_l0"],
                     l.named_parameters()["bias_ih_l0"], l.named_parameters()["bias_hh_l0"]});
            }
        }
        tensors.fcWeight = net->fc->weight;
        tensors.fcBias = net->fc->bias;
        report.model = std::make_shared<const TextClassifier>(
            makeTextClassifier(tensors, vocab, tokOptions, data.classes, config,
                               std::move(checkIds), std::move(checkProbs)));
    }
    report.seconds = double(clock.elapsed()) / 1000.0;
    return report;
}

} // namespace

double scheduledLr(double lr, train::Schedule schedule, double warmupFraction, int64_t step,
                   int64_t total)
{
    if (schedule == train::Schedule::Constant || total <= 1)
        return lr;
    const double pct = double(step) / double(total - 1);
    const double warm = std::clamp(warmupFraction, 0.0, 0.99);
    auto cosine = [](double from, double to, double t) {
        return to + (from - to) * 0.5 * (1.0 + std::cos(M_PI * t));
    };
    if (schedule == train::Schedule::OneCycle) {
        // fastai: lr/25 up to lr (cosine), then down to lr/25/1e4.
        if (pct < warm)
            return cosine(lr / 25.0, lr, pct / warm);
        return cosine(lr, lr / 25.0 / 1e4, (pct - warm) / (1.0 - warm));
    }
    if (pct < warm)
        return lr * pct / warm;
    return cosine(lr, 0.0, (pct - warm) / (1.0 - warm));
}

int initEmbeddingFromVectors(torch::Tensor w, const Vocabulary &vocab, const WordVectors &vectors)
{
    torch::NoGradGuard noGrad;
    const int64_t dim = w.size(1);
    // Unknown words: random with the spread of the known vectors.
    std::vector<int> found(size_t(vocab.size()), -1);
    double sumSq = 0;
    int64_t n = 0;
    int covered = 0;
    for (int id = 2; id < vocab.size(); ++id) {
        found[size_t(id)] = vectors.lookup(vocab.token(id));
        if (found[size_t(id)] >= 0) {
            ++covered;
            const float *v = vectors.vector(found[size_t(id)]);
            for (int64_t k = 0; k < dim; ++k)
                sumSq += double(v[k]) * v[k];
            n += dim;
        }
    }
    const double sd = n > 0 ? std::sqrt(sumSq / double(n)) : 0.1;
    w.normal_(0.0, sd);
    auto wa = w.accessor<float, 2>();
    std::vector<float> sub(size_t(dim), 0.0f);
    for (int id = 2; id < vocab.size(); ++id) {
        const float *v = nullptr;
        if (found[size_t(id)] >= 0) {
            v = vectors.vector(found[size_t(id)]);
        } else if (vectors.subwordVector(vocab.token(id), sub.data())) {
            v = sub.data(); // fastText: an unseen word from its character n-grams
            ++covered;
        }
        if (v)
            for (int64_t k = 0; k < dim; ++k)
                wa[id][k] = v[k];
    }
    w[Vocabulary::kPad].zero_();
    w[Vocabulary::kUnk].zero_();
    return covered;
}

core::Result<TextTrainingReport> trainTextClassifier(const TextDataset &data,
                                                     const std::vector<int> &trainIdx,
                                                     const std::vector<int> &valIdx,
                                                     const TextTrainingConfig &config,
                                                     const WordVectors *vectors,
                                                     const TextTrainingObserver &observer,
                                                     const core::CancelToken &cancel)
{
    return guardTorch([&] { return trainImpl(data, trainIdx, valIdx, config, vectors, observer, cancel); });
}

core::Result<train::LrFinderResult> findTextLearningRate(const TextDataset &data,
                                                         const std::vector<int> &trainIdx,
                                                         const TextTrainingConfig &config,
                                                         const WordVectors *vectors,
                                                         const TextTrainingObserver &observer,
                                                         const core::CancelToken &cancel)
{
    train::LrFinderResult sweep;
    auto r = guardTorch(
        [&] { return trainImpl(data, trainIdx, {}, config, vectors, observer, cancel, &sweep); });
    if (!r)
        return r.error();
    return sweep;
}

core::Result<TextTrainingReport> runTextTraining(const TextTrainingConfig &config,
                                                 const TextTrainingObserver &observer,
                                                 const core::CancelToken &cancel)
{
    auto run = prepareTextRun(config, cancel);
    if (!run)
        return run.error();
    const TextSplit split = splitTextDataset(run->data, config.valFraction, config.seed);
    return trainTextClassifier(run->data, split.train, split.val, config,
                               run->vectors ? &*run->vectors : nullptr, observer, cancel);
}

TextSplit splitTextDataset(const TextDataset &data, double valFraction, int seed)
{
    TextSplit out;
    out.train = data.indicesOf(QStringLiteral("train"));
    out.val = data.indicesOf(QStringLiteral("val"));
    if (!out.train.empty() && !out.val.empty())
        return out;
    // No ready-made split: split train + unsplit texts, seeded and stratified.
    std::vector<int> pool = data.indicesOf(QString());
    pool.insert(pool.end(), out.train.begin(), out.train.end());
    std::sort(pool.begin(), pool.end());
    std::vector<int> poolLabels;
    for (int i : pool)
        poolLabels.push_back(data.samples[size_t(i)].label);
    const SplitIndices split = stratifiedSplit(poolLabels, valFraction, uint64_t(seed));
    out.train.clear();
    out.val.clear();
    for (int i : split.train)
        out.train.push_back(pool[size_t(i)]);
    for (int i : split.val)
        out.val.push_back(pool[size_t(i)]);
    return out;
}

} // namespace graft::text
