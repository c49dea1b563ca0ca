// A trained text classifier: scoring, explanation, TorchScript and ONNX export, run weights.
#include "text/TextModel.h"

#include "graft/export/Exporter.h"
#include "graft/export/OnnxGraph.h"
#include "graft/io/AtomicFile.h"
#include "graft/io/Safetensors.h"
#include "learn/Learner.h"

#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace graft::text {

using core::ErrorCode;
using core::makeError;
using io::compactJson;
using io::parseJson;
using learn::TextHead;

namespace {

constexpr const char *kFormat = "graft-text-torchscript";
constexpr const char *kWeightsFormat = "graft-text-model";

std::string scriptSource(TextHead head, int convs)
{
    std::ostringstream s;
    s << "def forward(self, ids, mask):\n";
    if (head == TextHead::Cnn) {
        s << "        x = torch.embedding(self.embedding, ids, 0).transpose(1, 2)\n";
        for (int i = 0; i < convs; ++i)
            s << "        p" << i << " = torch.relu(torch.conv1d(x, self.conv" << i
              << "_weight, self.conv" << i << "_bias)).amax(2)\n";
        s << "        f = torch.cat([";
        for (int i = 0; i < convs; ++i)
            s << (i ? ", p" : "p") << i;
        s << "], 1)\n";
    } else {
        s << "        e = torch.embedding(self.embedding, ids, 0)\n";
        if (head == TextHead::BiLstm) // the backward LSTM reads each text reversed within its
                                      // length, so padding after a text changes nothing
            s << "        pos = torch.arange(ids.size(1), device=ids.device).unsqueeze(0)\n"
                 "        n = (mask.gt(0).long() * (pos + 1)).amax(1, True)\n"
                 "        order = torch.where(pos < n, n - 1 - pos, pos).unsqueeze(-1)\n"
                 "        h0 = e.new_zeros([1, ids.size(0), self.lstm_f_w_hh.size(1)])\n"
                 "        f = torch.lstm(e, [h0, h0], [self.lstm_f_w_ih, self.lstm_f_w_hh, "
                 "self.lstm_f_b_ih, self.lstm_f_b_hh], True, 1, 0.0, False, False, True)[0]\n"
                 "        r = e.gather(1, order.expand([-1, -1, e.size(2)]))\n"
                 "        b = torch.lstm(r, [h0, h0], [self.lstm_b_w_ih, self.lstm_b_w_hh, "
                 "self.lstm_b_b_ih, self.lstm_b_b_hh], True, 1, 0.0, False, False, True)[0]\n"
                 "        b = b.gather(1, order.expand([-1, -1, b.size(2)]))\n"
                 "        e = torch.cat([f, b], 2)\n";
        s << "        m = mask.unsqueeze(-1)\n"
             "        mean = (e * m).sum(1) / m.sum(1).clamp_min(1.0)\n"
             "        mx = e.masked_fill(m == 0, -10000.0).amax(1)\n"
             "        f = torch.cat([mean, mx], 1)\n";
    }
    s << "        f = torch.dropout(f, self.dropout, self.training)\n"
         "        return torch.linear(f, self.fc_weight, self.fc_bias)\n"
         "\n"
         "def predict_proba(self, ids):\n"
         "        return torch.softmax(self.forward(ids, ids.ne(0).float()), 1)\n";
    return s.str();
}

torch::Tensor param(const torch::jit::Module &m, const std::string &name)
{
    return m.attr(name).toTensor().detach().to(torch::kFloat).contiguous();
}

std::string vocabText(const Vocabulary &vocab)
{
    return (vocab.tokens().join(QLatin1Char('\n')) + QLatin1Char('\n')).toStdString();
}

} // namespace

torch::jit::Module textNetwork(TextHead head,
                               const std::vector<std::pair<std::string, torch::Tensor>> &tensors,
                               double dropout)
{
    torch::jit::Module m("GraftTextClassifier");
    int convs = 0;
    for (const auto &[name, t] : tensors) {
        m.register_parameter(name, t, false);
        convs += name.starts_with("conv") && name.ends_with("_weight");
    }
    m.register_attribute("dropout", c10::FloatType::get(), dropout);
    m.register_attribute("training", c10::BoolType::get(), true);
    m.define(scriptSource(head, convs));
    return m;
}

std::shared_ptr<TextModel> TextModel::make(const torch::jit::Module &network,
                                           const Vocabulary &vocab,
                                           const Tokenizer::Options &tokenizer,
                                           const QStringList &classes,
                                           const learn::RunConfig &config)
{
    auto d = std::make_shared<TextModel>();
    torch::NoGradGuard noGrad;
    std::vector<std::pair<std::string, torch::Tensor>> copies;
    for (const auto &p : network.named_parameters(false))
        copies.emplace_back(p.name,
                            p.value.detach().to(torch::kCPU, torch::kFloat).clone().contiguous());
    const TextHead head = config.text.head;
    d->m_module = textNetwork(head, copies, config.text.dropout);
    d->m_module.eval();
    const int lstmHidden =
        head == TextHead::BiLstm ? int(param(d->m_module, "lstm_f_w_hh").size(1)) : 0;
    d->m_vocab = vocab;
    d->m_tokenizer = tokenizer;
    d->m_classes = classes;
    d->m_head = head;
    QJsonArray kernels;
    for (int k : head == TextHead::Cnn ? config.text.cnnKernelSizes : QList<int>{}) {
        d->m_minLength = std::max(d->m_minLength, k);
        kernels.append(k);
    }
    d->m_meta = QJsonObject{
        {"format", kFormat},
        {"kind", "text"},
        {"graft_version", QStringLiteral(GRAFT_VERSION)},
        {"head", learn::nameOf(head)},
        {"kernel_sizes", kernels},
        {"min_length", d->m_minLength},
        {"lstm_hidden", lstmHidden},
        {"vocabulary_size", vocab.size()},
        {"embedding_dim", int(param(d->m_module, "embedding").size(1))},
        {"input",
         "ids: int64 [B, T] token ids (vocab.txt line numbers; 0 = <pad>, 1 = <unk>), texts "
         "tokenized as tokenizer.json says and cut to max_tokens, padded with 0 to at least "
         "min_length; mask: float [B, T], 1 for tokens, 0 for padding"},
        {"output", "logits (forward); softmax probabilities (predict_proba(ids))"},
        {"config", config.toJson()},
    };
    return d;
}

QJsonObject TextModel::describe() const
{
    return QJsonObject{{"kind", "text"},
                       {"head", learn::nameOf(m_head)},
                       {"classes", QJsonArray::fromStringList(m_classes)},
                       {"vocabulary_size", m_vocab.size()},
                       {"embedding_dim", m_meta.value("embedding_dim")},
                       {"subword_pieces", !m_tokenizer.subwordMerges.isEmpty()}};
}

std::shared_ptr<TextModel> TextModel::fromOnnx(const QJsonObject &modelJson,
                                               const QStringList &classes,
                                               std::function<torch::Tensor(const Ids &)> forward)
{
    auto d = std::make_shared<TextModel>();
    d->m_onnx = std::move(forward);
    d->m_classes = classes;
    d->m_vocab =
        Vocabulary::fromTokens(modelJson.value("vocabulary").toVariant().toStringList().mid(2));
    d->m_tokenizer = Tokenizer::Options::fromJson(modelJson.value("tokenizer").toObject());
    learn::parse(modelJson.value("head").toString(), &d->m_head);
    d->m_minLength = std::max(1, modelJson.value("min_length").toInt(1));
    return d;
}

core::Result<learn::ModelPtr> TextModel::fromTorchScript(torch::jit::Module module,
                                                         torch::jit::ExtraFilesMap &extra,
                                                         const QString &path)
{
    const auto json = [&](const char *name) {
        return QJsonDocument::fromJson(QByteArray::fromStdString(extra[name]));
    };
    auto d = std::make_shared<TextModel>();
    d->m_module = std::move(module);
    d->m_meta = json("graft.json").object();
    if (d->m_meta.value("format").toString() != QLatin1String(kFormat))
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("not a Graft text model (graft.json format is '%1')")
                             .arg(d->m_meta.value("format").toString()),
                         path);
    d->m_classes = QVariant(json("labels.json").array().toVariantList()).toStringList();
    QStringList tokens =
        QString::fromUtf8(QByteArray::fromStdString(extra["vocab.txt"])).split(QLatin1Char('\n'));
    if (!tokens.isEmpty() && tokens.last().isEmpty())
        tokens.removeLast();
    if (d->m_classes.size() < 2 || tokens.size() < 2)
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("labels.json or vocab.txt is missing or empty"), path);
    d->m_vocab = Vocabulary::fromTokens(tokens.mid(2));
    d->m_tokenizer = Tokenizer::Options::fromJson(json("tokenizer.json").object());
    learn::parse(d->m_meta.value("head").toString(), &d->m_head);
    d->m_minLength = std::max(1, d->m_meta.value("min_length").toInt(1));
    const int64_t rows = d->m_module.attr("embedding").toTensor().size(0);
    if (rows != d->m_vocab.size())
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("vocab.txt has %1 tokens but the embedding has %2 rows")
                             .arg(d->m_vocab.size())
                             .arg(rows),
                         path);
    return learn::ModelPtr(d);
}

std::optional<std::vector<std::vector<float>>> TextModel::run(const std::vector<Ids> &seqs,
                                                              const core::CancelToken &cancel,
                                                              learn::Observer *observer) const
{
    // The mean-max and BiLSTM heads ignore the padding after a text, so texts are batched;
    // the CNN head (and ONNX, one text per call) would see the padding: one text at a time.
    torch::NoGradGuard noGrad;
    const size_t batch = m_head == TextHead::Cnn || m_onnx ? 1 : 32;
    const learn::ProgressMeter meter(learn::Phase::Validate);
    std::vector<std::vector<float>> out;
    out.reserve(seqs.size());
    auto module = m_module;
    for (size_t b = 0; b < seqs.size(); b += batch) {
        if (cancel.isCancelled())
            return std::nullopt;
        const size_t e = std::min(seqs.size(), b + batch);
        size_t len = 1;
        for (size_t i = b; i < e; ++i)
            len = std::max(len, seqs[i].size());
        torch::Tensor ids = torch::zeros({int64_t(e - b), int64_t(len)}, torch::kLong);
        for (size_t i = b; i < e; ++i)
            std::copy(seqs[i].begin(), seqs[i].end(), ids.data_ptr<int64_t>() + (i - b) * len);
        const torch::Tensor p =
            (m_onnx ? m_onnx(seqs[b]) : module.get_method("predict_proba")({ids}).toTensor())
                .to(torch::kFloat)
                .contiguous();
        for (int64_t r = 0; r < p.size(0); ++r) {
            const float *row = p[r].data_ptr<float>();
            out.emplace_back(row, row + p.size(1));
        }
        if (observer)
            observer->progress(meter.at(qint64(e), qint64(seqs.size())));
    }
    return out;
}

QStringList TextModel::tokenize(const QString &text, int *unknown) const
{
    const QStringList tokens = Tokenizer(m_tokenizer).tokenize(text);
    if (unknown)
        *unknown =
            int(std::ranges::count_if(tokens, [&](auto &t) { return !m_vocab.contains(t); }));
    return tokens;
}

core::Result<learn::Model::Scores> TextModel::score(const std::vector<learn::SampleRef> &inputs,
                                                    const core::CancelToken &cancel,
                                                    learn::Observer *observer) const
{
    return core::guarded([&]() -> core::Result<Scores> {
        const Tokenizer tok(m_tokenizer);
        std::vector<std::vector<int64_t>> seqs;
        std::vector<size_t> rows;
        Scores out;
        out.probabilities.resize(inputs.size());
        for (size_t i = 0; i < inputs.size(); ++i) {
            const bool empty = inputs[i].text.trimmed().isEmpty();
            out.errors << (empty ? QStringLiteral("the text is empty") : QString());
            if (!empty) {
                seqs.push_back(m_vocab.encode(tok.tokenize(inputs[i].text), m_minLength));
                rows.push_back(i);
            }
        }
        auto probs = run(seqs, cancel, observer);
        if (!probs)
            return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
        for (size_t k = 0; k < rows.size(); ++k)
            out.probabilities[rows[k]] = std::move((*probs)[k]);
        return out;
    });
}

core::Result<learn::TokenContributions> TextModel::explain(const QString &text,
                                                           int classIndex) const
{
    return core::guarded([&]() -> core::Result<learn::TokenContributions> {
        const QStringList tokens = Tokenizer(m_tokenizer).tokenize(text);
        if (tokens.isEmpty())
            return learn::TokenContributions{};
        // Occlude by padding the token: the mean-max head masks it out (as if removed), the
        // CNN sees a zero vector in its place, so the other words keep their neighbours.
        const std::vector<int64_t> ids = m_vocab.encode(tokens, m_minLength);
        std::vector<std::vector<int64_t>> seqs{ids};
        for (int i = 0; i < tokens.size(); ++i) {
            std::vector<int64_t> occluded = ids;
            occluded[size_t(i)] = Vocabulary::kPad;
            if (tokens.size() == 1)
                occluded[0] = Vocabulary::kUnk; // an all-padding text is not a text
            seqs.push_back(std::move(occluded));
        }
        const auto probs = *run(seqs, {}, nullptr);
        const auto &base = probs.front();
        int c = classIndex;
        if (c < 0 || c >= int(base.size()))
            c = int(std::max_element(base.begin(), base.end()) - base.begin());
        learn::TokenContributions out;
        for (int i = 0; i < tokens.size(); ++i)
            out.push_back({tokens[i],
                           std::log(std::max(double(base[size_t(c)]), 1e-30)) -
                               std::log(std::max(double(probs[size_t(i) + 1][size_t(c)]), 1e-30))});
        return out;
    });
}

core::Status TextModel::writeExport(const QString &path, const QString &format) const
{
    if (m_onnx)
        return Model::writeExport(path, format);
    const bool onnx = format == QLatin1String("onnx");
    if (onnx && m_head == TextHead::BiLstm)
        // OpenCV 4.6 (the runtime that checks every ONNX export) sizes its LSTM layer when it
        // reads the file, so a text length that varies cannot be expressed.
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("ONNX export is available for the mean-max and CNN heads; "
                                        "export the BiLSTM model as TorchScript (.pt)"),
                         path);
    return core::guarded(
        [&]() -> core::Status {
            const QByteArray labels = compactJson(QJsonArray::fromStringList(m_classes)).toUtf8();
            const QByteArray tokenizerJson = compactJson(m_tokenizer.toJson()).toUtf8();
            std::string bytes;
            if (!onnx) {
                torch::jit::ExtraFilesMap extra{
                    {"labels.json", labels.toStdString()},
                    {"vocab.txt", vocabText(m_vocab)},
                    {"tokenizer.json", tokenizerJson.toStdString()},
                    {"graft.json", QJsonDocument(m_meta).toJson().toStdString()}};
                std::ostringstream buffer;
                m_module.save(buffer, extra);
                bytes = buffer.str();
            } else {
                using A = exports::OnnxGraph;
                exports::OnnxGraph g;
                const auto tensor = [&](const torch::Tensor &t, const std::string &hint) {
                    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
                    return g.addFloat(hint,
                                      std::vector<std::int64_t>(c.sizes().begin(), c.sizes().end()),
                                      c.data_ptr<float>());
                };
                const torch::Tensor emb = param(m_module, "embedding");
                const int64_t vocab = emb.size(0);
                const int64_t classes = m_classes.size();
                g.addInput("ids", {-2, 1});
                // OpenCV 4.6 reads no Gather with run-time indices, so the lookup is a one-hot
                // product: relu(1 - |id - j|) is 1 at j = id and 0 elsewhere (ids are integers).
                const torch::Tensor ones = torch::ones({vocab, 1});
                const torch::Tensor negRange = -torch::arange(vocab, torch::kFloat);
                std::string x =
                    g.node("Gemm", {"ids", tensor(ones, "ones"), tensor(negRange, "neg_range")},
                           {A::attr("transB", 1)});
                x = g.node("Abs", {x});
                const float minusOne = -1.0f, one = 1.0f;
                x = g.node("Mul", {x, g.addFloat("minus_one", {1}, &minusOne)});
                x = g.node("Add", {x, g.addFloat("one", {1}, &one)});
                x = g.node("Relu", {x}, {}, "one_hot");
                x = g.node("MatMul", {x, tensor(emb, "embedding")}, {}, "embedded"); // [T, D]
                x = g.node("Transpose", {x}, {A::attrs("perm", {1, 0})});            // [D, T]
                x = g.node("Unsqueeze", {x, g.addInt64("axis0", {1}, {0})});         // [1, D, T]
                const auto pool = [&](const char *op, const std::string &in) {
                    return g.node("Flatten", {g.node(op, {in})}, {A::attr("axis", 1)});
                };
                std::vector<std::string> pooled;
                if (m_head != TextHead::Cnn) {
                    pooled = {pool("GlobalAveragePool", x), pool("GlobalMaxPool", x)};
                } else {
                    for (int i = 0; m_module.hasattr("conv" + std::to_string(i) + "_weight"); ++i) {
                        const std::string n = "conv" + std::to_string(i);
                        const torch::Tensor w = param(m_module, n + "_weight");
                        const std::string c =
                            g.node("Conv",
                                   {x, tensor(w, n + "_w"),
                                    tensor(param(m_module, n + "_bias"), n + "_b")},
                                   {A::attrs("kernel_shape", {w.size(2)})});
                        pooled.push_back(pool("GlobalMaxPool", g.node("Relu", {c})));
                    }
                }
                x = g.node("Concat", pooled, {A::attr("axis", 1)});
                const std::string logits = g.node("Gemm",
                                                  {x, tensor(param(m_module, "fc_weight"), "fc_w"),
                                                   tensor(param(m_module, "fc_bias"), "fc_b")},
                                                  {A::attr("transB", 1)}, "logits");
                g.node("Softmax", {logits}, {A::attr("axis", 1)}, "probabilities");
                g.addOutput("logits", {1, classes});
                g.addOutput("probabilities", {1, classes});
                g.addMetadata("labels", labels.toStdString());
                g.addMetadata("vocabulary", vocabText(m_vocab));
                g.addMetadata("tokenizer", tokenizerJson.toStdString());
                g.addMetadata("kind", "text");
                bytes = g.serialize("GraftTextClassifier", GRAFT_VERSION);
            }
            if (auto w = io::writeFileAtomically(path, QByteArray::fromStdString(bytes)); !w)
                return w;
            const QJsonObject fields{
                {"kind", "text"},
                {"head", learn::nameOf(m_head)},
                {"vocabulary", QJsonArray::fromStringList(m_vocab.tokens())},
                {"tokenizer", m_tokenizer.toJson()},
                {"tokenizer_rules",
                 "lower-case (Unicode), accents folded only when fold_accents, punctuation split "
                 "into tokens (including ¿ ¡ « » and dashes), numbers -> <num>, URLs and e-mails "
                 "-> <url>, English clitics split (don't -> do not); when subword_merges is not "
                 "empty, each word is cut into byte-pair-encoding pieces: start from U+2581 + "
                 "its first character, then one symbol per character (<num>/<url> stay whole), "
                 "and repeatedly join the adjacent pair listed earliest in subword_merges, "
                 "everywhere in the word, until none is listed; the pieces are the tokens; at "
                 "most max_tokens tokens; unknown tokens -> id 1 (<unk>)"},
                {"min_length", m_minLength},
                {"input",
                 onnx ? QStringLiteral("'ids': float32 [T, 1], the token ids of one text "
                                       "(T >= min_length, pad with 0 up to min_length)")
                      : QStringLiteral("ids int64 [B, T] and mask float32 [B, T] (1 = token, "
                                       "0 = padding); predict_proba(ids) masks id 0 itself")},
                {"output", onnx ? "outputs 'logits' and 'probabilities' [1, classes]"
                                : "logits (forward); softmax probabilities (predict_proba)"}};
            return exports::writeModelJson(path, format, m_classes, fields);
        },
        path);
}

core::Status TextModel::saveWeights(const QString &path) const
{
    if (m_onnx)
        return Model::saveWeights(path);
    return core::guarded(
        [&]() -> core::Status {
            std::vector<io::TensorBlob> blobs;
            for (const auto &p : m_module.named_parameters(false))
                blobs.push_back(learn::tensorBlob(p.name, p.value));
            const std::map<QString, QString> meta{
                {"format", kWeightsFormat},
                {"graft_version", QStringLiteral(GRAFT_VERSION)},
                {"graft_json", compactJson(m_meta)},
                {"classes", compactJson(QJsonArray::fromStringList(m_classes))},
                {"vocabulary", compactJson(QJsonArray::fromStringList(m_vocab.tokens().mid(2)))},
                {"tokenizer", compactJson(m_tokenizer.toJson())}};
            return io::writeSafetensors(path, blobs, meta);
        },
        path);
}

core::Result<learn::ModelPtr> TextModel::loadWeights(const QString &path)
{
    auto file = io::SafetensorsFile::open(path);
    if (!file)
        return file.error();
    const QJsonObject meta = file->metadata();
    if (meta.value("format").toString() != QLatin1String(kWeightsFormat))
        return makeError(ErrorCode::InvalidFormat, QStringLiteral("not a Graft text model"), path);
    return core::guarded(
        [&]() -> core::Result<learn::ModelPtr> {
            const QJsonObject graft = parseJson(meta.value("graft_json").toString()).toObject();
            const learn::RunConfig config =
                learn::RunConfig::fromJson(graft.value("config").toObject());
            const QStringList classes =
                parseJson(meta.value("classes").toString()).toVariant().toStringList();
            const QStringList words =
                parseJson(meta.value("vocabulary").toString()).toVariant().toStringList();
            std::vector<std::pair<std::string, torch::Tensor>> tensors;
            for (const io::TensorInfo &t : file->tensors())
                tensors.emplace_back(t.name, learn::tensorFromFile(*file, t));
            const auto rows = [&](const char *name) {
                const io::TensorInfo *t = file->find(name);
                return t && !t->shape.empty() ? t->shape[0] : -1;
            };
            const Vocabulary vocab = Vocabulary::fromTokens(words);
            const TextHead head = config.text.head;
            if (classes.size() < 2 || rows("embedding") != vocab.size() ||
                rows("fc_weight") != classes.size() ||
                (head == TextHead::Cnn) != (file->find("conv0_weight") != nullptr) ||
                (head == TextHead::BiLstm) !=
                    (file->find("lstm_f_w_ih") && file->find("lstm_b_w_ih")))
                return makeError(
                    ErrorCode::InvalidFormat,
                    QStringLiteral("the tensors do not fit the model the metadata describes"),
                    path);
            const auto tokenizer = Tokenizer::Options::fromJson(
                parseJson(meta.value("tokenizer").toString()).toObject());
            return learn::ModelPtr(make(textNetwork(head, tensors, config.text.dropout), vocab,
                                        tokenizer, classes, config));
        },
        path);
}

} // namespace graft::text
