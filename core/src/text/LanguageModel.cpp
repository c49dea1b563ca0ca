// ULMFiT-style language model: training on unlabelled text, saving and loading.
#include "graft/text/LanguageModel.h"

#include "TextTorch.h"
#include "train/TensorBlob.h"

#include "graft/core/Runtime.h"
#include "graft/text/TextDataset.h"
#include "graft/text/TextDecoder.h"
#include "graft/text/TextSplits.h"
#include "graft/text/WordVectors.h"
#include "graft/io/Safetensors.h"

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <cmath>
#include <numeric>
#include <optional>
#include <random>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

namespace {

constexpr const char *kFormat = "graft-text-lm";
const QString kEos = QStringLiteral("<eos>"); // the tokenizer splits '<', so no text makes it

/// Texts of every source; unreadable files become warnings.
core::Result<QStringList> collectTexts(const QStringList &sources, const TextScanOptions &scan,
                                       QStringList *warnings, const core::CancelToken &cancel)
{
    QStringList texts;
    for (const QString &source : sources) {
        const QFileInfo info(source);
        if (!info.exists())
            return makeError(ErrorCode::NotFound, QStringLiteral("text source not found"), source);
        QStringList tables; // CSV/TSV files: read through the dataset scanner
        if (info.isDir()) {
            QDirIterator it(source, QDir::Files, QDirIterator::Subdirectories);
            QStringList files;
            while (it.hasNext())
                files << it.next();
            files.sort();
            for (const QString &f : files) {
                if (cancel.isCancelled())
                    return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
                const QString suffix = QFileInfo(f).suffix().toLower();
                if (suffix == QLatin1String("csv") || suffix == QLatin1String("tsv")) {
                    tables << f;
                } else if (suffix == QLatin1String("txt")) {
                    auto t = readTextFile(f);
                    if (!t)
                        *warnings << t.error().message();
                    else if (!t->text.trimmed().isEmpty())
                        texts << t->text;
                }
            }
        } else {
            tables << source;
        }
        for (const QString &table : tables) {
            auto ds = scanTextDataset(table, scan, {}, cancel);
            if (!ds)
                return ds.error();
            if (ds->samples.empty())
                *warnings << QStringLiteral("%1: no texts found").arg(table);
            for (const TextSample &s : ds->samples)
                texts << s.text;
        }
    }
    return texts;
}

/// One LSTM layer with DropConnect on the recurrent weights, tied decoder.
struct LmNetImpl : torch::nn::Module
{
    LmNetImpl(int64_t vocab, int64_t dim, int64_t hiddenSize, double dropout, double weightDrop)
        : hidden(hiddenSize)
        , dropoutP(dropout)
        , weightDropP(weightDrop)
    {
        embedding = register_module(
            "embedding",
            torch::nn::Embedding(torch::nn::EmbeddingOptions(vocab, dim).padding_idx(0)));
        const double k = 1.0 / std::sqrt(double(hiddenSize));
        wIh = register_parameter("w_ih", torch::empty({4 * hidden, dim}).uniform_(-k, k));
        wHh = register_parameter("w_hh", torch::empty({4 * hidden, hidden}).uniform_(-k, k));
        bIh = register_parameter("b_ih", torch::empty({4 * hidden}).uniform_(-k, k));
        bHh = register_parameter("b_hh", torch::empty({4 * hidden}).uniform_(-k, k));
        proj = register_module("proj", torch::nn::Linear(hidden, dim));
        decoderBias = register_parameter("decoder_bias", torch::zeros({vocab}));
    }

    /// x [B, T] -> logits [B, T, V]; `state` {h, c} is read and replaced.
    torch::Tensor forward(const torch::Tensor &x, std::vector<torch::Tensor> &state)
    {
        torch::Tensor e = torch::dropout(embedding(x), dropoutP, is_training());
        const torch::Tensor whh = torch::dropout(wHh, weightDropP, is_training());
        auto [y, h, c] = torch::lstm(e, {state[0], state[1]}, {wIh, whh, bIh, bHh}, true, 1, 0.0,
                                     is_training(), false, true);
        state = {h.detach(), c.detach()};
        y = torch::dropout(y, dropoutP, is_training());
        return torch::nn::functional::linear(proj(y), embedding->weight, decoderBias);
    }

    int64_t hidden;
    double dropoutP, weightDropP;
    torch::nn::Embedding embedding{nullptr};
    torch::Tensor wIh, wHh, bIh, bHh, decoderBias;
    torch::nn::Linear proj{nullptr};
};
TORCH_MODULE(LmNet);

/// Token ids of `docs` (in `order`), each followed by <eos>, laid out as `rows` parallel
/// streams [rows, n / rows].
torch::Tensor streamOf(const std::vector<std::vector<int64_t>> &docs, const std::vector<int> &order,
                       int64_t rows, int64_t eos)
{
    std::vector<int64_t> flat;
    for (int i : order) {
        flat.insert(flat.end(), docs[size_t(i)].begin(), docs[size_t(i)].end());
        flat.push_back(eos);
    }
    rows = std::max<int64_t>(1, std::min<int64_t>(rows, int64_t(flat.size()) / 2));
    const int64_t cols = int64_t(flat.size()) / rows;
    return torch::from_blob(flat.data(), {rows * cols}, torch::kLong).clone().view({rows, cols});
}

double meanLoss(LmNet &net, const torch::Tensor &stream, int64_t bptt)
{
    torch::NoGradGuard noGrad;
    net->eval();
    std::vector<torch::Tensor> state = {torch::zeros({1, stream.size(0), net->hidden}),
                                        torch::zeros({1, stream.size(0), net->hidden})};
    double sum = 0;
    int64_t n = 0;
    for (int64_t t = 0; t + 1 < stream.size(1); t += bptt) {
        const int64_t len = std::min(bptt, stream.size(1) - 1 - t);
        const torch::Tensor x = stream.narrow(1, t, len);
        const torch::Tensor y = stream.narrow(1, t + 1, len);
        const torch::Tensor logits = net->forward(x, state);
        sum += torch::cross_entropy_loss(logits.reshape({-1, logits.size(2)}), y.reshape({-1}),
                                         {}, at::Reduction::Sum)
                   .item<double>();
        n += y.numel();
    }
    return n > 0 ? sum / double(n) : 0.0;
}

QString metaString(const QJsonObject &meta, const char *key)
{
    return meta.value(QLatin1String(key)).toString();
}

core::Result<LanguageModelReport> trainImpl(const LanguageModelConfig &config, const QString &outPath,
                                            const LanguageModelObserver &observer,
                                            const core::CancelToken &cancel)
{
    QElapsedTimer clock;
    clock.start();
    if (config.sources.isEmpty())
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("no text to train a language model on"));
    if (config.epochs < 1 || config.batchSize < 1 || config.bptt < 2 || config.hidden < 1 ||
        !(config.learningRate > 0))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("epochs, batch size, bptt, hidden size and learning rate "
                                        "must be positive"));
    core::setComputeThreads(config.threads);
    torch::manual_seed(uint64_t(config.seed));
    LanguageModelReport report;
    report.config = config;
    report.path = outPath;
    TextScanOptions scan;
    scan.tokenizer = config.tokenizer;
    auto texts = collectTexts(config.sources, scan, &report.warnings, cancel);
    if (!texts)
        return texts.error();
    if (texts->size() < 2)
        return makeError(ErrorCode::DatasetInvalid,
                         QStringLiteral("found %1 texts; a language model needs at least 2")
                             .arg(texts->size()),
                         config.sources.join(QStringLiteral(", ")));
    report.texts = int(texts->size());

    // Held-out texts for perplexity (seeded; all labels 0, so the split is a plain shuffle).
    const SplitIndices split =
        stratifiedSplit(std::vector<int>(size_t(texts->size()), 0), config.valFraction,
                        uint64_t(config.seed));
    const Tokenizer tok(config.tokenizer);
    std::vector<QStringList> tokens;
    for (const QString &t : *texts)
        tokens.push_back(tok.tokenize(t));
    std::vector<QStringList> trainTokens;
    for (int i : split.train)
        trainTokens.push_back(tokens[size_t(i)] + QStringList{kEos});
    Vocabulary vocab = Vocabulary::build(trainTokens, config.minFrequency, config.maxVocabulary);
    const int64_t eos = vocab.id(kEos);
    std::vector<std::vector<int64_t>> docs;
    for (const QStringList &t : tokens)
        docs.push_back(vocab.encode(t));

    // The context-free floor: add-one smoothed training frequencies on the held-out words.
    {
        std::vector<double> freq(size_t(vocab.size()), 1.0);
        double total = double(vocab.size());
        for (int i : split.train) {
            for (int64_t id : docs[size_t(i)])
                freq[size_t(id)] += 1, total += 1;
            freq[size_t(eos)] += 1, total += 1;
        }
        double nll = 0;
        int64_t n = 0;
        for (int i : split.val) {
            for (int64_t id : docs[size_t(i)])
                nll -= std::log(freq[size_t(id)] / total), ++n;
            nll -= std::log(freq[size_t(eos)] / total), ++n;
        }
        report.unigramPerplexity = n > 0 ? std::exp(nll / double(n)) : 0.0;
        report.valTokens = n;
    }
    for (int i : split.train)
        report.trainTokens += qint64(docs[size_t(i)].size()) + 1;

    std::optional<WordVectors> vectors;
    if (!config.vectorsPath.isEmpty()) {
        auto v =
            WordVectors::load(config.vectorsPath, WordVectors::Format::Auto, config.maxVectorWords);
        if (!v)
            return v.error();
        vectors = std::move(v.value());
    }
    const int64_t dim = vectors ? vectors->dimension() : config.embeddingDim;
    LmNet net(vocab.size(), dim, config.hidden, config.dropout, config.weightDrop);
    if (vectors) {
        const int covered = initEmbeddingFromVectors(net->embedding->weight, vocab, *vectors);
        report.vectorCoverage = vocab.size() > 2 ? double(covered) / (vocab.size() - 2) : 0.0;
    }
    report.vocabularySize = vocab.size();
    torch::optim::AdamW optimizer(net->parameters(),
                                  torch::optim::AdamWOptions(config.learningRate)
                                      .weight_decay(config.weightDecay)
                                      .betas({0.8, 0.99}));

    const torch::Tensor valStream =
        split.val.empty() ? torch::Tensor() : streamOf(docs, split.val, config.batchSize, eos);
    std::vector<int> order = split.train;
    std::mt19937_64 rng(uint64_t(config.seed) * 131u + 7u);
    const torch::Tensor firstStream = streamOf(docs, order, config.batchSize, eos);
    const int64_t batchesPerEpoch = (firstStream.size(1) - 1 + config.bptt - 1) / config.bptt;
    const int64_t totalSteps = batchesPerEpoch * config.epochs;
    int64_t step = 0;
    for (int epoch = 1; epoch <= config.epochs; ++epoch) {
        QElapsedTimer epochClock;
        epochClock.start();
        for (size_t i = order.size(); i > 1; --i)
            std::swap(order[i - 1], order[rng() % i]);
        const torch::Tensor stream = streamOf(docs, order, config.batchSize, eos);
        net->train();
        std::vector<torch::Tensor> state = {torch::zeros({1, stream.size(0), config.hidden}),
                                            torch::zeros({1, stream.size(0), config.hidden})};
        double lossSum = 0;
        int64_t seen = 0, b = 0;
        for (int64_t t = 0; t + 1 < stream.size(1); t += config.bptt, ++b) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("training cancelled"));
            const double lr = scheduledLr(config.learningRate, train::Schedule::OneCycle, 0.25,
                                          std::min(step, totalSteps - 1), totalSteps);
            static_cast<torch::optim::AdamWOptions &>(optimizer.param_groups()[0].options()).lr(lr);
            const int64_t len = std::min<int64_t>(config.bptt, stream.size(1) - 1 - t);
            const torch::Tensor x = stream.narrow(1, t, len);
            const torch::Tensor y = stream.narrow(1, t + 1, len);
            optimizer.zero_grad();
            const torch::Tensor logits = net->forward(x, state);
            const torch::Tensor loss =
                torch::cross_entropy_loss(logits.reshape({-1, logits.size(2)}), y.reshape({-1}));
            loss.backward();
            torch::nn::utils::clip_grad_norm_(net->parameters(), 0.4);
            optimizer.step();
            const double l = loss.item<double>();
            if (!std::isfinite(l))
                return makeError(ErrorCode::NumericalError,
                                 QStringLiteral("loss became %1 at epoch %2").arg(l).arg(epoch));
            lossSum += l * double(y.numel());
            seen += y.numel();
            ++step;
            if (observer.onBatch)
                observer.onBatch(batchEvent(epoch, b + 1, batchesPerEpoch, step, totalSteps, l, lr,
                                            double(clock.elapsed()) / 1000.0, 0));
        }
        LanguageModelEpoch m;
        m.epoch = epoch;
        m.trainLoss = seen > 0 ? lossSum / double(seen) : 0.0;
        m.valLoss = valStream.defined() ? meanLoss(net, valStream, config.bptt) : m.trainLoss;
        m.valPerplexity = std::exp(m.valLoss);
        m.seconds = double(epochClock.elapsed()) / 1000.0;
        report.epochs.push_back(m);
        if (observer.onEpoch)
            observer.onEpoch(m);
    }

    // Save: weights as float32 safetensors, vocabulary and settings in the metadata.
    net->eval();
    report.seconds = double(clock.elapsed()) / 1000.0;
    const std::map<QString, QString> meta{
        {QStringLiteral("format"), QString::fromLatin1(kFormat)},
        {QStringLiteral("graft_version"), QStringLiteral(GRAFT_VERSION)},
        {QStringLiteral("architecture"),
         QStringLiteral("word embedding -> LSTM (1 layer, DropConnect on recurrent weights) -> "
                        "linear projection -> decoder tied to the embedding")},
        {QStringLiteral("vocabulary"),
         QString::fromUtf8(QJsonDocument(QJsonArray::fromStringList(vocab.tokens()))
                               .toJson(QJsonDocument::Compact))},
        {QStringLiteral("tokenizer"), QString::fromUtf8(QJsonDocument(config.tokenizer.toJson())
                                                            .toJson(QJsonDocument::Compact))},
        {QStringLiteral("embedding_dim"), QString::number(dim)},
        {QStringLiteral("hidden"), QString::number(config.hidden)},
        {QStringLiteral("report"),
         QString::fromUtf8(QJsonDocument(report.toJson()).toJson(QJsonDocument::Compact))},
    };
    if (auto w = io::writeSafetensors(
            outPath,
            {train::tensorBlob("embedding", net->embedding->weight),
             train::tensorBlob("lstm.w_ih", net->wIh), train::tensorBlob("lstm.w_hh", net->wHh),
             train::tensorBlob("lstm.b_ih", net->bIh), train::tensorBlob("lstm.b_hh", net->bHh),
             train::tensorBlob("proj.weight", net->proj->weight),
             train::tensorBlob("proj.bias", net->proj->bias),
             train::tensorBlob("decoder.bias", net->decoderBias)},
            meta);
        !w)
        return w.error();
    return report;
}

} // namespace

QJsonObject LanguageModelConfig::toJson() const
{
    return QJsonObject{
        {"sources", QJsonArray::fromStringList(sources)},
        {"tokenizer", tokenizer.toJson()},
        {"vectors", vectorsPath},
        {"embedding_dim", embeddingDim},
        {"hidden", hidden},
        {"min_frequency", minFrequency},
        {"max_vocabulary", maxVocabulary},
        {"bptt", bptt},
        {"batch_size", batchSize},
        {"epochs", epochs},
        {"learning_rate", learningRate},
        {"weight_decay", weightDecay},
        {"dropout", dropout},
        {"weight_drop", weightDrop},
        {"val_fraction", valFraction},
        {"seed", seed},
    };
}

QJsonObject LanguageModelReport::toJson() const
{
    QJsonArray e;
    for (const LanguageModelEpoch &m : epochs)
        e.append(QJsonObject{{"epoch", m.epoch},
                             {"train_loss", m.trainLoss},
                             {"val_loss", m.valLoss},
                             {"val_perplexity", m.valPerplexity},
                             {"seconds", m.seconds}});
    return QJsonObject{
        {"kind", "language-model"},
        {"path", path},
        {"texts", texts},
        {"train_tokens", double(trainTokens)},
        {"val_tokens", double(valTokens)},
        {"vocabulary_size", vocabularySize},
        {"vector_coverage", vectorCoverage},
        {"unigram_perplexity", unigramPerplexity},
        {"epochs", e},
        {"warnings", QJsonArray::fromStringList(warnings)},
        {"seconds", seconds},
        {"config", config.toJson()},
    };
}

core::Result<LanguageModelReport> trainLanguageModel(const LanguageModelConfig &config,
                                                     const QString &outPath,
                                                     const LanguageModelObserver &observer,
                                                     const core::CancelToken &cancel)
{
    return guardTorch([&] { return trainImpl(config, outPath, observer, cancel); });
}

core::Result<LanguageModelInfo> readLanguageModelInfo(const QString &path)
{
    auto lm = loadLanguageModel(path);
    if (!lm)
        return lm.error();
    LanguageModelInfo info;
    info.vocabularySize = lm->vocab.size();
    info.embeddingDim = int(lm->embedding.size(1));
    info.hidden = lm->hidden;
    info.tokenizer = lm->tokenizer;
    info.metadata = lm->metadata;
    return info;
}

core::Result<LanguageModelWeights> loadLanguageModel(const QString &path)
{
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return file.error();
    const QJsonObject meta = file->metadata();
    if (metaString(meta, "format") != QLatin1String(kFormat))
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("not a Graft language model (metadata format is '%1', "
                                        "expected '%2')")
                             .arg(metaString(meta, "format"), QLatin1String(kFormat)),
                         path);
    if (auto finite = file->checkFinite(); !finite)
        return finite.error();
    LanguageModelWeights w;
    w.metadata = meta;
    const QJsonArray tokens =
        QJsonDocument::fromJson(metaString(meta, "vocabulary").toUtf8()).array();
    QStringList words;
    for (const auto &t : tokens)
        words << t.toString();
    if (words.size() < 3 || words[0] != QLatin1String("<pad>") || words[1] != QLatin1String("<unk>"))
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("the vocabulary in the metadata is missing or malformed"),
                         path);
    w.vocab = Vocabulary::fromTokens(words.mid(2));
    w.tokenizer = Tokenizer::Options::fromJson(
        QJsonDocument::fromJson(metaString(meta, "tokenizer").toUtf8()).object());
    w.hidden = metaString(meta, "hidden").toInt();
    const int dim = metaString(meta, "embedding_dim").toInt();
    const int64_t v = w.vocab.size(), h = w.hidden;
    auto tensor = [&](const char *name, std::vector<int64_t> shape,
                      torch::Tensor *out) -> core::Status {
        const io::TensorInfo *t = file->find(name);
        if (!t || t->shape != shape)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("tensor '%1' is missing or has the wrong shape")
                                 .arg(QLatin1String(name)),
                             path);
        const std::vector<float> values = file->toFloat(*t);
        *out = torch::from_blob(const_cast<float *>(values.data()), shape, torch::kFloat).clone();
        return {};
    };
    if (h < 1 || dim < 1)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("hidden or embedding_dim missing from the metadata"), path);
    for (auto s : {tensor("embedding", {v, dim}, &w.embedding),
                   tensor("lstm.w_ih", {4 * h, dim}, &w.wIh), tensor("lstm.w_hh", {4 * h, h}, &w.wHh),
                   tensor("lstm.b_ih", {4 * h}, &w.bIh), tensor("lstm.b_hh", {4 * h}, &w.bHh)})
        if (!s)
            return s.error();
    return w;
}

} // namespace graft::text
