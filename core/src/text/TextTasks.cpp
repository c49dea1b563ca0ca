// Text as tasks of the one loop: the classifier (every head, word vectors, subword pieces,
// a language-model start), the language model on unlabelled text, and cross-validation.
#include "text/TextTasks.h"

#include "graft/core/Runtime.h"
#include "graft/text/BagOfWordsBaseline.h"
#include "graft/text/LanguageModel.h"
#include "graft/text/TextDecoder.h"
#include "graft/text/TextSplits.h"
#include "graft/vision/BackboneCatalogue.h"
#include "text/TextModel.h"

#include <torch/nn.h>

#include <QDirIterator>
#include <QElapsedTimer>
#include <QFileInfo>
#include <QJsonArray>

#include <cmath>
#include <functional>
#include <numeric>

namespace graft::text {

using core::ErrorCode;
using core::makeError;
using io::compactJson;
using io::parseJson;
using learn::ParamGroup;
using learn::TextHead;
namespace nn = torch::nn;

namespace {

const QString kEos = QStringLiteral("<eos>"); // the tokenizer splits '<', so no text makes it
constexpr const char *kLmFormat = "graft-text-lm";

/// The classifier network: LibTorch's modules give the initial weights and hold them (state,
/// device, optimizer groups); the forward is textNetwork's TorchScript over the same tensors,
/// the one TextModel scores with and exports.
struct TextNetImpl : nn::Module
{
    TextNetImpl(int64_t vocab, int64_t dim, int64_t classes, const learn::TextSettings &c)
    {
        embedding = register_module("embedding",
                                    nn::Embedding(nn::EmbeddingOptions(vocab, dim).padding_idx(0)));
        std::vector<std::pair<std::string, torch::Tensor>> tensors{
            {"embedding", embedding->weight}};
        int64_t features = 2 * dim;
        if (c.head == TextHead::Cnn) {
            auto convs = register_module("convs", nn::ModuleList());
            for (int k : c.cnnKernelSizes) {
                const nn::Conv1d conv(nn::Conv1dOptions(dim, c.cnnFilters, k));
                const std::string name = "conv" + std::to_string(convs->size());
                tensors.emplace_back(name + "_weight", conv->weight);
                tensors.emplace_back(name + "_bias", conv->bias);
                convs->push_back(conv);
            }
            features = int64_t(c.cnnFilters) * c.cnnKernelSizes.size();
            minLength = *std::max_element(c.cnnKernelSizes.begin(), c.cnnKernelSizes.end());
        } else if (c.head == TextHead::BiLstm) {
            const int64_t hidden = std::max(1, c.lstmHidden);
            const auto lstm = nn::LSTMOptions(dim, hidden).batch_first(true);
            for (const char *dir : {"forward", "backward"}) {
                auto p =
                    register_module(std::string("lstm_") + dir, nn::LSTM(lstm))->named_parameters();
                const char *names[] = {"weight_ih_l0", "weight_hh_l0", "bias_ih_l0", "bias_hh_l0"};
                for (size_t k = 0; k < 4; ++k)
                    tensors.emplace_back(std::string("lstm_") + dir[0] + "_" + kLstmParts[k],
                                         p[names[k]]);
            }
            features = 4 * hidden;
        }
        auto fc = register_module("fc", nn::Linear(features, classes));
        tensors.emplace_back("fc_weight", fc->weight);
        tensors.emplace_back("fc_bias", fc->bias);
        script = textNetwork(c.head, tensors, c.dropout);
    }

    /// ids [B,T] int64, mask [B,T] float (1 = token) -> logits [B,C].
    torch::Tensor forward(const torch::Tensor &ids, const torch::Tensor &mask)
    {
        return script.forward({ids, mask}).toTensor();
    }

    void train(bool on = true) override
    {
        nn::Module::train(on);
        script.train(on);
    }

    int minLength = 1;
    nn::Embedding embedding{nullptr};
    torch::jit::Module script; ///< shares the modules' tensors
};
TORCH_MODULE(TextNet);

/// One LSTM layer with DropConnect on the recurrent weights and a decoder tied to the
/// embedding (AWD-LSTM style).
struct LmNetImpl : nn::Module
{
    LmNetImpl(int64_t vocab, int64_t dim, int64_t hiddenSize, double dropout, double weightDrop)
        : hidden(hiddenSize), dropoutP(dropout), weightDropP(weightDrop)
    {
        embedding = register_module("embedding",
                                    nn::Embedding(nn::EmbeddingOptions(vocab, dim).padding_idx(0)));
        const double k = 1.0 / std::sqrt(double(hiddenSize));
        wIh = register_parameter("w_ih", torch::empty({4 * hidden, dim}).uniform_(-k, k));
        wHh = register_parameter("w_hh", torch::empty({4 * hidden, hidden}).uniform_(-k, k));
        bIh = register_parameter("b_ih", torch::empty({4 * hidden}).uniform_(-k, k));
        bHh = register_parameter("b_hh", torch::empty({4 * hidden}).uniform_(-k, k));
        proj = register_module("proj", nn::Linear(hidden, dim));
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
        return nn::functional::linear(proj(y), embedding->weight, decoderBias);
    }

    int64_t hidden;
    double dropoutP, weightDropP;
    nn::Embedding embedding{nullptr};
    torch::Tensor wIh, wHh, bIh, bHh, decoderBias;
    nn::Linear proj{nullptr};
};
TORCH_MODULE(LmNet);

/// Fills `w` [vocab, dim]: words found in `vectors` get their vector, others random with the
/// spread of the found ones (fastText .bin: unseen words from their n-grams); <pad> and <unk>
/// are zero. Returns how many vocabulary words got a pretrained or subword vector.
int initEmbedding(torch::Tensor w, const Vocabulary &vocab, const WordVectors &vectors)
{
    torch::NoGradGuard noGrad;
    const int64_t dim = w.size(1);
    std::vector<const float *> found(size_t(vocab.size()), nullptr);
    double sumSq = 0;
    int64_t n = 0;
    for (int id = 2; id < vocab.size(); ++id)
        if (const int row = vectors.lookup(vocab.token(id)); row >= 0) {
            const float *v = found[size_t(id)] = vectors.vector(row);
            for (int64_t k = 0; k < dim; ++k)
                sumSq += double(v[k]) * v[k];
            n += dim;
        }
    w.normal_(0.0, n > 0 ? std::sqrt(sumSq / double(n)) : 0.1);
    std::vector<float> sub(size_t(dim), 0.0f);
    int covered = 0;
    for (int id = 2; id < vocab.size(); ++id) {
        const float *v = found[size_t(id)];
        if (!v && vectors.subwordVector(vocab.token(id), sub.data()))
            v = sub.data();
        if (v) {
            ++covered;
            std::copy(v, v + dim, w[id].data_ptr<float>());
        }
    }
    w[Vocabulary::kPad].zero_();
    w[Vocabulary::kUnk].zero_();
    return covered;
}

/// The vector file a configuration names: --vectors, or a catalogue word-vectors id.
core::Result<QString> vectorsPathOf(const learn::RunConfig &c)
{
    if (c.backboneId.isEmpty())
        return c.text.vectorsPath;
    if (!c.text.vectorsPath.isEmpty())
        return makeError(
            ErrorCode::InvalidArgument,
            QStringLiteral("give word vectors as a file or as a catalogue id, not both"));
    const vision::BackboneSpec *spec = vision::BackboneCatalogue::builtin().find(c.backboneId);
    if (!spec || spec->task != QLatin1String("text"))
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("'%1' is not a word-vectors entry of the catalogue "
                                        "(see graft-cli backbones)")
                             .arg(c.backboneId));
    const QString path = vision::weightsPath(*spec, vision::resolveWeightsDir(c.weightsDir));
    if (!QFileInfo::exists(path))
        return makeError(
            ErrorCode::NotFound,
            QStringLiteral("the word vectors of '%1' are not in the weights folder").arg(spec->id),
            path);
    return path;
}

/// A saved language model's weights (what LanguageModel::saveWeights wrote).
struct LanguageModelWeights
{
    Vocabulary vocab;
    Tokenizer::Options tokenizer;
    torch::Tensor embedding;         ///< [V, D]
    std::vector<torch::Tensor> lstm; ///< w_ih, w_hh, b_ih, b_hh: one layer, PyTorch gate order
    int hidden = 0;
    QJsonObject metadata;
};

core::Result<LanguageModelWeights> loadLanguageModel(const QString &path)
{
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return file.error();
    const QJsonObject meta = file->metadata();
    const QString format = meta.value("format").toString();
    if (format != QLatin1String(kLmFormat))
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("not a Graft language model (metadata format is '%1', "
                                        "expected '%2')")
                             .arg(format, QLatin1String(kLmFormat)),
                         path);
    if (auto finite = file->checkFinite(); !finite)
        return finite.error();
    LanguageModelWeights w;
    w.metadata = meta;
    const QStringList words =
        parseJson(meta.value("vocabulary").toString()).toVariant().toStringList();
    if (words.size() < 3 || words[0] != QLatin1String("<pad>") ||
        words[1] != QLatin1String("<unk>"))
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("the vocabulary in the metadata is missing or malformed"),
                         path);
    w.vocab = Vocabulary::fromTokens(words.mid(2));
    w.tokenizer =
        Tokenizer::Options::fromJson(parseJson(meta.value("tokenizer").toString()).toObject());
    w.hidden = meta.value("hidden").toString().toInt();
    const int dim = meta.value("embedding_dim").toString().toInt();
    if (w.hidden < 1 || dim < 1)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("hidden or embedding_dim missing from the metadata"), path);
    // The shapes the metadata implies; loadTensors checks the file's against them.
    const int64_t h = w.hidden;
    w.embedding = torch::empty({w.vocab.size(), dim});
    w.lstm = {torch::empty({4 * h, dim}), torch::empty({4 * h, h}), torch::empty({4 * h}),
              torch::empty({4 * h})};
    learn::NamedTensors into{{"embedding", w.embedding}};
    for (size_t k = 0; k < 4; ++k)
        into.emplace_back(std::string("lstm.") + kLstmParts[k], w.lstm[k]);
    if (auto s = learn::loadTensors(*file, "", into); !s)
        return s.error();
    return w;
}

/// The word vectors `config` names (text.vectorsPath, or a catalogue word-vectors id in
/// backboneId looked up in weightsDir); null when it names none. Reports Phase::Vectors.
core::Result<std::shared_ptr<const WordVectors>> loadConfiguredVectors(
    const learn::RunConfig &config, learn::Observer *observer, const core::CancelToken &cancel)
{
    auto path = vectorsPathOf(config);
    if (!path)
        return path.error();
    if (path->isEmpty())
        return std::shared_ptr<const WordVectors>();
    const learn::ProgressMeter meter(learn::Phase::Vectors);
    auto v = WordVectors::load(*path, WordVectors::Format::Auto, config.text.maxVectorWords, cancel,
                               [&](qint64 done, qint64 total) {
                                   if (observer)
                                       observer->progress(meter.at(done, total));
                               });
    if (!v)
        return v.error();
    return std::shared_ptr<const WordVectors>(std::make_shared<WordVectors>(std::move(v.value())));
}

/// What the two text tasks share: one stage of training `Net` on the configured device.
template<typename Net> class NetTask : public learn::TrainTask
{
public:
    NetTask(const learn::RunConfig &config, learn::Observer *observer)
        : m_config(config), m_observer(observer)
    {}

    std::vector<Stage> stages() const override { return {{m_config.epochs, 1.0}}; }
    learn::NamedTensors state() override { return learn::moduleState(*m_net); }

    std::optional<std::vector<ParamGroup>> beginEpoch(int) override
    {
        m_net->train();
        m_epoch = 0;
        return std::nullopt;
    }

protected:
    core::Status toDevice()
    {
        auto device = learn::resolveDevice(m_config.device);
        if (!device)
            return device.error();
        m_device = *device;
        m_net->to(m_device);
        return {};
    }

    /// Mean loss and accuracy over `batches` validation batches; `batch(i)` gives the i-th's
    /// logits [N, C] and labels [N].
    core::Result<learn::Validation>
    validateBatches(const core::CancelToken &cancel,
                    int64_t batches,
                    const std::function<std::pair<torch::Tensor, torch::Tensor>(int64_t)> &batch)
    {
        torch::NoGradGuard noGrad;
        m_net->eval();
        double loss = 0;
        int64_t n = 0, correct = 0;
        for (int64_t i = 0; i < batches; ++i) {
            if (cancel.isCancelled())
                return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
            const auto [logits, labels] = batch(i);
            loss +=
                torch::cross_entropy_loss(logits, labels, {}, at::Reduction::Sum).item<double>();
            correct += logits.argmax(1).eq(labels).sum().item<int64_t>();
            n += labels.numel();
        }
        return learn::Validation{n > 0 ? loss / double(n) : 0.0,
                                 n > 0 ? double(correct) / double(n) : 0.0};
    }

    learn::RunConfig m_config;
    learn::Observer *m_observer;
    Net m_net{nullptr};
    torch::Device m_device{torch::kCPU};
    int m_epoch = 0;
};

class TextTask : public NetTask<TextNet>
{
public:
    TextTask(const learn::RunConfig &config,
             std::shared_ptr<const TextDataset> data,
             std::vector<int> trainIdx,
             std::vector<int> valIdx,
             learn::Observer *observer,
             std::shared_ptr<const WordVectors> vectors)
        : NetTask(config, observer)
        , m_data(std::move(data))
        , m_trainIdx(std::move(trainIdx))
        , m_valIdx(std::move(valIdx))
        , m_vectors(std::move(vectors))
    {}

    core::Status
    prepare(learn::Observer *obs, const core::CancelToken &cancel, QJsonObject &timings) override
    {
        QElapsedTimer clock;
        clock.start();
        learn::TextSettings &c = m_config.text;
        std::optional<LanguageModelWeights> lm;
        if (!c.languageModelPath.isEmpty()) {
            if (!m_config.backboneId.isEmpty() || !c.vectorsPath.isEmpty())
                return makeError(ErrorCode::InvalidArgument,
                                 QStringLiteral("give word vectors to the language model, not to a "
                                                "classifier that starts from one"));
            const QString &p = c.languageModelPath; // a model file or a language-model run folder
            auto loaded = loadLanguageModel(QFileInfo(p).isDir() ? p + "/model.safetensors" : p);
            if (!loaded)
                return loaded.error();
            lm = std::move(loaded.value());
            c.head = TextHead::BiLstm;
            c.lstmHidden = lm->hidden;
            c.tokenizer = lm->tokenizer;
        } else if (!m_vectors) {
            auto v = loadConfiguredVectors(m_config, obs, cancel);
            if (!v)
                return v.error();
            m_vectors = *v;
            timings.insert("vectors", double(clock.nsecsElapsed()) / 1e9);
        }
        if (m_data->classes.size() < 2)
            return makeError(ErrorCode::DatasetInvalid,
                             QStringLiteral("need at least two classes"));
        if (m_trainIdx.empty())
            return makeError(ErrorCode::DatasetInvalid, QStringLiteral("no training texts"));

        // Tokenise; rows 0..nTrain-1 are training texts, the rest validation texts.
        m_tokenizer = c.tokenizer;
        m_tokenizer.maxTokens = c.maxTokens;
        if (c.subwordVocab > 0 && !lm) {
            Tokenizer::Options wordOptions = m_tokenizer;
            wordOptions.subwordMerges.clear();
            wordOptions.maxTokens = 0;
            const Tokenizer words(wordOptions);
            std::vector<QStringList> corpus;
            for (int i : m_trainIdx)
                corpus.push_back(words.tokenize(m_data->samples[size_t(i)].text));
            auto merges = Tokenizer::trainSubwords(corpus, c.subwordVocab);
            if (!merges)
                return merges.error();
            m_tokenizer.subwordMerges = merges.value();
        }
        const Tokenizer tok(m_tokenizer);
        if (!tok.isValid())
            return makeError(
                ErrorCode::InvalidFormat,
                QStringLiteral("the subword merges in the tokenizer settings are malformed"));
        std::vector<QStringList> tokens;
        for (const auto *idx : {&m_trainIdx, &m_valIdx})
            for (int i : *idx) {
                if (cancel.isCancelled())
                    return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
                tokens.push_back(tok.tokenize(m_data->samples[size_t(i)].text));
                m_labels.push_back(m_data->samples[size_t(i)].label);
            }
        const std::vector<QStringList> trainTokens(tokens.begin(),
                                                   tokens.begin() + qsizetype(m_trainIdx.size()));
        m_vocab = Vocabulary::build(trainTokens, c.minFrequency, c.maxVocabulary);
        const QStringList trained = m_vocab.tokens().mid(2);
        int covered = 0;
        if (lm) {
            // The language model's words first (their rows come from it), then new ones.
            covered =
                int(std::ranges::count_if(trained, [&](auto &w) { return lm->vocab.contains(w); }));
            m_vocab = Vocabulary::fromTokens(lm->vocab.tokens().mid(2) + trained);
        } else if (m_vectors) {
            std::vector<float> scratch(size_t(m_vectors->dimension()));
            covered = int(std::ranges::count_if(trained, [&](const QString &w) {
                return m_vectors->lookup(w) >= 0 || m_vectors->subwordVector(w, scratch.data());
            }));
            // Words of the vector file unseen in training still carry their pretrained meaning.
            QStringList all = trained;
            const int cap = c.maxVocabulary > 0 ? c.maxVocabulary : INT32_MAX;
            for (const QString &w : m_vectors->words()) {
                if (all.size() + 2 >= cap)
                    break;
                if (!m_vocab.contains(w))
                    all.append(w);
            }
            m_vocab = Vocabulary::fromTokens(all);
        }
        m_coverage = trained.isEmpty() ? 0.0 : double(covered) / double(trained.size());
        if ((lm || m_vectors) && m_observer)
            m_observer->notice(
                {learn::Notice::Code::VectorCoverage,
                 {QString::number(covered), QString::number(trained.size()),
                  lm ? c.languageModelPath : QFileInfo(*vectorsPathOf(m_config)).fileName()}});
        for (const QStringList &t : tokens)
            m_encoded.push_back(m_vocab.encode(t, 1));
        m_trainRows.resize(m_trainIdx.size());
        std::iota(m_trainRows.begin(), m_trainRows.end(), 0);
        m_valRows.resize(m_valIdx.size());
        std::iota(m_valRows.begin(), m_valRows.end(), int(m_trainIdx.size()));
        m_classCounts.assign(size_t(m_data->classes.size()), 0);
        for (int r : m_trainRows)
            ++m_classCounts[size_t(m_labels[size_t(r)])];

        const int64_t dim =
            lm ? lm->embedding.size(1) : (m_vectors ? m_vectors->dimension() : c.embeddingDim);
        m_net = TextNet(int64_t(m_vocab.size()), dim, m_data->classes.size(), c);
        torch::NoGradGuard noGrad;
        if (lm) {
            torch::Tensor w = m_net->embedding->weight;
            const int64_t known = lm->embedding.size(0);
            w.normal_(0.0, lm->embedding.narrow(0, 2, known - 2).std().item<double>());
            w.narrow(0, 0, known).copy_(lm->embedding);
            for (size_t k = 0; k < 4; ++k)
                m_net->script.attr(std::string("lstm_f_") + kLstmParts[k])
                    .toTensor()
                    .copy_(lm->lstm[k]);
        } else if (m_vectors) {
            initEmbedding(m_net->embedding->weight, m_vocab, *m_vectors);
        }
        if (auto s = toDevice(); !s)
            return s;
        // With a language model: the head, then the LSTM at lr/2.6 from epoch 2, then the
        // embedding at lr/2.6^2 from epoch 3 (ULMFiT's gradual unfreezing and discriminative
        // rates). Else the head and the embedding at embeddingLrFactor.
        ParamGroup head{{}, 1.0, true}, body{{}, 1.0 / 2.6, true},
            emb{{}, lm ? 1.0 / (2.6 * 2.6) : c.embeddingLrFactor, false};
        for (const auto &p : m_net->named_parameters()) {
            if (p.key().rfind("embedding.", 0) == 0)
                emb.params.push_back(p.value());
            else if (lm && p.key().rfind("lstm_forward.", 0) == 0)
                body.params.push_back(p.value());
            else
                head.params.push_back(p.value());
        }
        m_groups = {head};
        m_fromEpoch = {1};
        if (!body.params.empty()) {
            m_groups.push_back(body);
            m_fromEpoch.push_back(2);
        }
        if (c.freezeEmbeddings) {
            for (auto &p : emb.params)
                p.requires_grad_(false);
        } else {
            m_groups.push_back(emb);
            m_fromEpoch.push_back(lm ? 3 : 1);
        }
        timings.insert("tokens", double(clock.nsecsElapsed()) / 1e9);
        return {};
    }

    std::vector<ParamGroup> beginStage(int) override { return m_groups; }

    std::optional<std::vector<ParamGroup>> beginEpoch(int epoch) override
    {
        for (size_t g = 0; g < m_groups.size(); ++g)
            for (torch::Tensor p : m_groups[g].params)
                p.requires_grad_(epoch >= m_fromEpoch[g]);
        return NetTask::beginEpoch(epoch);
    }

    qint64 batchesPerEpoch(int) const override
    {
        return (qint64(m_trainRows.size()) + m_config.batchSize - 1) / m_config.batchSize;
    }

    std::optional<learn::StepOutput> nextBatch(int epoch) override
    {
        if (m_epoch != epoch) {
            m_epoch = epoch;
            m_order = learn::epochOrder(m_trainRows, m_config.seed, epoch);
            m_pos = 0;
        }
        if (m_pos >= m_order.size())
            return std::nullopt;
        const size_t end = std::min(m_order.size(), m_pos + size_t(m_config.batchSize));
        const auto [ids, mask, labels] = batch(m_order, m_pos, end);
        m_pos = end;
        const torch::Tensor logits = m_net->forward(ids, mask);
        return learn::StepOutput{learn::classificationLoss(logits, labels, m_config, m_classCounts),
                                 logits.size(0), logits.argmax(1).eq(labels).sum().item<int64_t>()};
    }

    bool hasValidation() const override { return !m_valRows.empty(); }

    core::Result<learn::Validation> validate(const core::CancelToken &cancel) override
    {
        const size_t rows = m_valRows.size();
        return validateBatches(cancel, int64_t(rows + 63) / 64, [&](int64_t i) {
            const size_t b = size_t(i) * 64;
            const auto [ids, mask, labels] = batch(m_valRows, b, std::min(rows, b + 64));
            return std::pair(m_net->forward(ids, mask), labels);
        });
    }

    QString fingerprint() const override
    {
        return QStringLiteral("text|%1|%2|%3|%4|%5|%6")
            .arg(m_data->classes.join(QLatin1Char(',')))
            .arg(m_vocab.size())
            .arg(m_trainIdx.size())
            .arg(m_valIdx.size())
            .arg(QLatin1String(learn::nameOf(m_config.text.head)))
            .arg(m_tokenizer.subwordMerges.size());
    }

    core::Status
    finish(learn::RunReport &report, learn::Observer *, const core::CancelToken &) override
    {
        report.config = m_config; // the head and tokenizer a language model fixed
        report.details.insert("train_count", int(m_trainIdx.size()));
        report.details.insert("val_count", int(m_valIdx.size()));
        report.details.insert("vocabulary_size", m_vocab.size());
        report.details.insert("vector_coverage", m_coverage);
        if (report.epochs.empty())
            return {};
        m_net->eval();
        m_net->to(torch::kCPU);
        auto model =
            TextModel::make(m_net->script, m_vocab, m_tokenizer, m_data->classes, m_config);
        std::vector<learn::SampleRef> refs;
        std::vector<int> labels;
        for (int i : m_valIdx) {
            const TextSample &s = m_data->samples[size_t(i)];
            refs.push_back(learn::SampleRef::ofText(s.text, s.file, s.line));
            labels.push_back(s.label);
        }
        // Also after a Stop: the kept epoch's model is evaluated (quickly) as it will be used.
        auto scores = model->score(refs, {}, nullptr);
        if (!scores)
            return scores.error();
        report.validation = learn::Evaluation::compute(refs, labels, scores->probabilities,
                                                       int(m_data->classes.size()));
        model->checkSamples = refs;
        model->checkProbabilities = scores->probabilities;
        report.model = model;
        return {};
    }

private:
    /// Ids [B, T] (0-padded to the longest row, at least the widest kernel), their mask and
    /// the labels of `rows[begin, end)`.
    std::tuple<torch::Tensor, torch::Tensor, torch::Tensor>
    batch(const std::vector<int> &rows, size_t begin, size_t end) const
    {
        int64_t len = m_net->minLength;
        for (size_t i = begin; i < end; ++i)
            len = std::max<int64_t>(len, int64_t(m_encoded[size_t(rows[i])].size()));
        const int64_t b = int64_t(end - begin);
        auto ids = torch::zeros({b, len}, torch::kLong);
        auto y = torch::empty({b}, torch::kLong);
        for (int64_t r = 0; r < b; ++r) {
            const auto &seq = m_encoded[size_t(rows[begin + size_t(r)])];
            std::copy(seq.begin(), seq.end(), ids.data_ptr<int64_t>() + r * len);
            y[r] = m_labels[size_t(rows[begin + size_t(r)])];
        }
        ids = ids.to(m_device);
        return {ids, ids.ne(Vocabulary::kPad).to(torch::kFloat), y.to(m_device)}; // ids are >= 1
    }

    std::shared_ptr<const TextDataset> m_data;
    std::vector<int> m_trainIdx, m_valIdx;
    std::shared_ptr<const WordVectors> m_vectors;
    Tokenizer::Options m_tokenizer;
    Vocabulary m_vocab;
    double m_coverage = 0;
    std::vector<std::vector<int64_t>> m_encoded;
    std::vector<int> m_labels, m_trainRows, m_valRows, m_classCounts;
    std::vector<ParamGroup> m_groups;
    std::vector<int> m_fromEpoch; ///< of each group: training it starts at this epoch
    std::vector<int> m_order;
    size_t m_pos = 0;
};

// ---- language model ------------------------------------------------------------------------

/// Texts of every source; unreadable files become warnings.
core::Result<QStringList> collectTexts(const QStringList &sources,
                                       const TextScanOptions &scan,
                                       QStringList *warnings,
                                       const core::CancelToken &cancel)
{
    QStringList texts;
    for (const QString &source : sources) {
        const QFileInfo info(source);
        if (!info.exists())
            return makeError(ErrorCode::NotFound, QStringLiteral("text source not found"), source);
        QStringList tables; // CSV/TSV files: read through the dataset scanner
        if (info.isDir()) {
            QStringList files;
            for (QDirIterator it(source, QDir::Files, QDirIterator::Subdirectories); it.hasNext();)
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

/// The trained language model: what saveWeights writes is the file classifiers start from.
class LanguageModel : public learn::Model
{
public:
    LanguageModel(LmNet net, Vocabulary vocab, learn::RunConfig config, QJsonObject details)
        : m_net(std::move(net))
        , m_vocab(std::move(vocab))
        , m_config(std::move(config))
        , m_details(std::move(details))
    {
        m_net->eval();
    }
    learn::TaskKind kind() const override { return learn::TaskKind::LanguageModel; }
    const QStringList &classes() const override { return m_none; }
    QJsonObject describe() const override
    {
        return {{"kind", "language-model"},
                {"vocabulary_size", m_vocab.size()},
                {"embedding_dim", int(m_net->embedding->weight.size(1))},
                {"hidden", int(m_net->hidden)}};
    }
    core::Result<Scores> score(const std::vector<learn::SampleRef> &,
                               const core::CancelToken &,
                               learn::Observer *) const override
    {
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("a language model does not classify; train a classifier "
                                        "that starts from it"));
    }
    core::Status saveWeights(const QString &path) const override
    {
        const std::map<QString, QString> meta{
            {"format", kLmFormat},
            {"graft_version", QStringLiteral(GRAFT_VERSION)},
            {"architecture",
             "word embedding -> LSTM (1 layer, DropConnect on recurrent weights) -> "
             "linear projection -> decoder tied to the embedding"},
            {"vocabulary", compactJson(QJsonArray::fromStringList(m_vocab.tokens()))},
            {"tokenizer", compactJson(m_config.text.tokenizer.toJson())},
            {"embedding_dim", QString::number(m_net->embedding->weight.size(1))},
            {"hidden", QString::number(m_net->hidden)},
            {"report", compactJson(m_details)}};
        return core::guarded(
            [&] {
                return io::writeSafetensors(
                    path,
                    {learn::tensorBlob("embedding", m_net->embedding->weight),
                     learn::tensorBlob("lstm.w_ih", m_net->wIh),
                     learn::tensorBlob("lstm.w_hh", m_net->wHh),
                     learn::tensorBlob("lstm.b_ih", m_net->bIh),
                     learn::tensorBlob("lstm.b_hh", m_net->bHh),
                     learn::tensorBlob("proj.weight", m_net->proj->weight),
                     learn::tensorBlob("proj.bias", m_net->proj->bias),
                     learn::tensorBlob("decoder.bias", m_net->decoderBias)},
                    meta);
            },
            path);
    }

private:
    LmNet m_net;
    Vocabulary m_vocab;
    learn::RunConfig m_config;
    QJsonObject m_details;
    QStringList m_none;
};

class LanguageModelTask : public NetTask<LmNet>
{
public:
    using NetTask::NetTask;

    core::Status
    prepare(learn::Observer *obs, const core::CancelToken &cancel, QJsonObject &timings) override
    {
        QElapsedTimer clock;
        clock.start();
        const learn::TextSettings &c = m_config.text;
        if (c.bptt < 2 || c.lstmHidden < 1)
            return makeError(
                ErrorCode::InvalidArgument,
                QStringLiteral("bptt must be at least 2 and the hidden size at least 1"));
        QStringList sources = m_config.extraSources;
        if (!m_config.dataPath.isEmpty())
            sources.prepend(m_config.dataPath);
        if (sources.isEmpty())
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("no text to train a language model on"));
        TextScanOptions scan = c.scan;
        scan.tokenizer = c.tokenizer;
        QStringList warnings;
        auto texts = collectTexts(sources, scan, &warnings, cancel);
        if (!texts)
            return texts.error();
        for (const QString &w : warnings)
            learn::noticeSkipped(m_observer, w);
        if (texts->size() < 2)
            return makeError(ErrorCode::DatasetInvalid,
                             QStringLiteral("found %1 texts; a language model needs at least 2")
                                 .arg(texts->size()),
                             sources.join(QStringLiteral(", ")));
        // Held-out texts for perplexity (seeded; one label, so the split is a plain shuffle).
        const SplitIndices split =
            stratifiedSplit(std::vector<int>(size_t(texts->size()), 0), m_config.valFraction,
                            uint64_t(m_config.effectiveSplitSeed()));
        m_train = split.train;
        m_val = split.val;
        const Tokenizer tok(c.tokenizer);
        std::vector<QStringList> tokens, trainTokens;
        for (const QString &t : *texts)
            tokens.push_back(tok.tokenize(t) + QStringList{kEos});
        for (int i : m_train)
            trainTokens.push_back(tokens[size_t(i)]);
        m_vocab = Vocabulary::build(trainTokens, c.minFrequency, c.maxVocabulary);
        for (const QStringList &t : tokens)
            m_docs.push_back(m_vocab.encode(t));
        // The context-free floor: add-one smoothed training frequencies on held-out words.
        std::vector<double> freq(size_t(m_vocab.size()), 1.0);
        double total = double(m_vocab.size()), nll = 0;
        qint64 trainTokensCount = 0, n = 0;
        for (int i : m_train) {
            for (int64_t id : m_docs[size_t(i)])
                freq[size_t(id)] += 1, total += 1;
            trainTokensCount += qint64(m_docs[size_t(i)].size());
        }
        for (int i : m_val)
            for (int64_t id : m_docs[size_t(i)])
                nll -= std::log(freq[size_t(id)] / total), ++n;
        m_details = QJsonObject{{"texts", int(texts->size())},
                                {"train_tokens", double(trainTokensCount)},
                                {"val_tokens", double(n)},
                                {"vocabulary_size", m_vocab.size()},
                                {"unigram_perplexity", n > 0 ? std::exp(nll / double(n)) : 0.0},
                                {"warnings", QJsonArray::fromStringList(warnings)}};
        auto vectors = loadConfiguredVectors(m_config, obs, cancel);
        if (!vectors)
            return vectors.error();
        const int64_t dim = *vectors ? (*vectors)->dimension() : c.embeddingDim;
        m_net = LmNet(m_vocab.size(), dim, c.lstmHidden, c.dropout, c.weightDrop);
        if (*vectors) {
            const int covered = initEmbedding(m_net->embedding->weight, m_vocab, **vectors);
            m_details.insert("vector_coverage",
                             m_vocab.size() > 2 ? double(covered) / (m_vocab.size() - 2) : 0.0);
        }
        if (auto s = toDevice(); !s)
            return s;
        if (!m_val.empty())
            m_valStream = stream(m_val);
        m_trainStream = stream(m_train);
        timings.insert("tokens", double(clock.nsecsElapsed()) / 1e9);
        return {};
    }

    std::vector<ParamGroup> beginStage(int) override { return {{m_net->parameters(), 1.0, true}}; }
    std::pair<double, double> adamBetas() const override { return {0.8, 0.99}; }

    qint64 batchesPerEpoch(int) const override
    {
        return (m_trainStream.size(1) - 1 + m_config.text.bptt - 1) / m_config.text.bptt;
    }

    std::optional<learn::StepOutput> nextBatch(int epoch) override
    {
        if (m_epoch != epoch) {
            m_epoch = epoch;
            m_trainStream = stream(learn::epochOrder(m_train, m_config.seed, epoch));
            m_state = zeroState(m_trainStream.size(0));
            m_t = 0;
        }
        if (m_t + 1 >= m_trainStream.size(1))
            return std::nullopt;
        const auto [x, y] = window(m_trainStream, m_t);
        m_t += x.size(1);
        const torch::Tensor logits = m_net->forward(x, m_state).reshape({-1, m_vocab.size()});
        const torch::Tensor target = y.reshape({-1});
        return learn::StepOutput{torch::cross_entropy_loss(logits, target), target.numel(),
                                 logits.argmax(1).eq(target).sum().item<int64_t>()};
    }

    void beforeStep() override { nn::utils::clip_grad_norm_(m_net->parameters(), 0.4); }
    bool hasValidation() const override { return m_valStream.defined(); }

    core::Result<learn::Validation> validate(const core::CancelToken &cancel) override
    {
        std::vector<torch::Tensor> state = zeroState(m_valStream.size(0));
        const int64_t bptt = m_config.text.bptt;
        return validateBatches(cancel, (m_valStream.size(1) - 1 + bptt - 1) / bptt, [&](int64_t i) {
            const auto [x, y] = window(m_valStream, i * bptt);
            return std::pair(m_net->forward(x, state).reshape({-1, m_vocab.size()}),
                             y.reshape({-1}));
        });
    }

    QString fingerprint() const override
    {
        return QStringLiteral("language-model|%1|%2|%3")
            .arg(m_vocab.size())
            .arg(m_train.size())
            .arg(m_val.size());
    }

    core::Status
    finish(learn::RunReport &report, learn::Observer *, const core::CancelToken &) override
    {
        report.details = m_details;
        if (report.epochs.empty())
            return {};
        const learn::EpochMetrics &kept = report.epochs[size_t(std::max(1, report.bestEpoch) - 1)];
        report.details.insert("val_perplexity", std::exp(kept.valLoss));
        m_net->to(torch::kCPU);
        report.model = std::make_shared<LanguageModel>(m_net, m_vocab, m_config, report.details);
        return {};
    }

private:
    /// Token ids of the docs in `order` as batchSize parallel streams.
    torch::Tensor stream(const std::vector<int> &order) const
    {
        std::vector<int64_t> flat;
        for (int i : order)
            flat.insert(flat.end(), m_docs[size_t(i)].begin(), m_docs[size_t(i)].end());
        const int64_t rows =
            std::max<int64_t>(1, std::min<int64_t>(m_config.batchSize, int64_t(flat.size()) / 2));
        const int64_t cols = int64_t(flat.size()) / rows;
        return torch::tensor(flat).narrow(0, 0, rows * cols).view({rows, cols}).to(m_device);
    }

    /// Inputs and next-token targets of the bptt window of `ids` that starts at `t`.
    std::pair<torch::Tensor, torch::Tensor> window(const torch::Tensor &ids, int64_t t) const
    {
        const int64_t len = std::min<int64_t>(m_config.text.bptt, ids.size(1) - 1 - t);
        return {ids.narrow(1, t, len), ids.narrow(1, t + 1, len)};
    }

    std::vector<torch::Tensor> zeroState(int64_t rows) const
    {
        const auto zeros =
            torch::zeros({1, rows, m_net->hidden}, torch::TensorOptions().device(m_device));
        return {zeros, zeros}; // h and c; the LSTM does not write to them
    }

    std::vector<int> m_train, m_val;
    Vocabulary m_vocab;
    std::vector<std::vector<int64_t>> m_docs; ///< token ids of each text, <eos> last
    QJsonObject m_details;
    torch::Tensor m_trainStream, m_valStream;
    std::vector<torch::Tensor> m_state;
    int64_t m_t = 0;
};

} // namespace

std::unique_ptr<learn::TrainTask> makeTextTask(const learn::RunConfig &config,
                                               std::shared_ptr<const TextDataset> data,
                                               std::vector<int> trainIdx,
                                               std::vector<int> valIdx,
                                               learn::Observer *observer,
                                               std::shared_ptr<const WordVectors> vectors)
{
    return std::make_unique<TextTask>(config, std::move(data), std::move(trainIdx),
                                      std::move(valIdx), observer, std::move(vectors));
}

std::unique_ptr<learn::TrainTask> makeLanguageModelTask(const learn::RunConfig &config,
                                                        learn::Observer *observer)
{
    return std::make_unique<LanguageModelTask>(config, observer);
}

core::Result<LanguageModelInfo> readLanguageModelInfo(const QString &path)
{
    auto lm = core::guarded([&] { return loadLanguageModel(path); }, path);
    if (!lm)
        return lm.error();
    return LanguageModelInfo{lm->vocab.size(), int(lm->embedding.size(1)), lm->hidden,
                             lm->tokenizer, lm->metadata};
}

// ---- cross-validation ----------------------------------------------------------------------

core::Result<learn::CrossValidation> crossValidateTexts(const learn::RunConfig &config,
                                                        std::shared_ptr<const TextDataset> data,
                                                        int folds,
                                                        learn::Observer *observer,
                                                        const core::CancelToken &cancel)
{
    if (folds < 2)
        return makeError(ErrorCode::InvalidArgument,
                         QStringLiteral("cross-validation needs at least 2 folds"));
    std::vector<int> labels;
    for (const TextSample &s : data->samples)
        labels.push_back(s.label);
    for (int c = 0; c < data->classes.size(); ++c)
        if (const int n = data->count(c); n < folds)
            return makeError(ErrorCode::DatasetInvalid,
                             QStringLiteral("class '%1' has %2 texts, fewer than the %3 folds")
                                 .arg(data->classes[c])
                                 .arg(n)
                                 .arg(folds),
                             config.dataPath);
    auto vectors = loadConfiguredVectors(config, observer, cancel);
    if (!vectors)
        return vectors.error();
    learn::RunConfig foldConfig = config;
    foldConfig.checkpointDir.clear(); // folds are not resumed
    foldConfig.patience = 0;          // nor stopped, nor is an epoch picked on the held-out fold
    learn::CrossValidation cv;
    cv.folds = folds;
    cv.samples = int(data->samples.size());
    cv.config = config;
    std::vector<double> acc, base;
    const learn::ProgressMeter meter(learn::Phase::CrossValidate);
    const auto splits = stratifiedKFold(labels, folds, uint64_t(config.effectiveSplitSeed()));
    for (size_t f = 0; f < splits.size(); ++f) {
        QElapsedTimer clock;
        clock.start();
        const SplitIndices &split = splits[f];
        auto baseline =
            evaluateBagOfWords(*data, split.train, split.val, config.text.tokenizer, cancel);
        if (!baseline)
            return baseline.error();
        auto task = makeTextTask(foldConfig, data, split.train, split.val, nullptr, *vectors);
        QJsonObject timings;
        if (auto s = task->prepare(nullptr, cancel, timings); !s)
            return s.error();
        learn::Learner learner(*task, foldConfig, nullptr, cancel);
        learner.addStandardCallbacks(true);
        if (auto s = learner.fit(); !s)
            return s.error();
        if (learner.cancelled)
            return makeError(ErrorCode::Cancelled, QStringLiteral("cross-validation cancelled"));
        learn::RunReport report;
        report.epochs = learner.history;
        if (auto s = task->finish(report, nullptr, cancel); !s)
            return s.error();
        const learn::FoldResult r{int(f) + 1,
                                  int(split.train.size()),
                                  int(split.val.size()),
                                  report.validation.accuracy,
                                  baseline->accuracy,
                                  double(clock.nsecsElapsed()) / 1e9};
        if (f == 0)
            cv.vectorCoverage = report.details.value("vector_coverage").toDouble();
        acc.push_back(r.accuracy);
        base.push_back(r.baselineAccuracy);
        cv.results.push_back(r);
        if (observer) {
            observer->progress(meter.at(r.fold, folds));
            observer->notice({learn::Notice::Code::FoldFinished,
                              {QString::number(r.fold), QString::number(folds),
                               QString::number(r.accuracy * 100, 'f', 2),
                               QString::number(r.baselineAccuracy * 100, 'f', 2)}});
        }
    }
    const auto meanStd = [](const std::vector<double> &v, double *mean, double *sd) {
        *mean = std::accumulate(v.begin(), v.end(), 0.0) / double(v.size());
        *sd = 0;
        for (double x : v)
            *sd += (x - *mean) * (x - *mean) / double(v.size());
        *sd = std::sqrt(*sd);
    };
    meanStd(acc, &cv.meanAccuracy, &cv.stdAccuracy);
    meanStd(base, &cv.meanBaselineAccuracy, &cv.stdBaselineAccuracy);
    return cv;
}

} // namespace graft::text
