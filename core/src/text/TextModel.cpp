// A trained text classifier: scoring, explanation, TorchScript and ONNX export, run weights.
#include "text/TextModel.h"

#include "graft/export/Exporter.h"
#include "graft/export/OnnxGraph.h"
#include "graft/io/AtomicFile.h"
#include "graft/io/Safetensors.h"
#include "learn/Learner.h"

#include <caffe2/serialize/inline_container.h>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace graft::text {

using core::ErrorCode;
using core::makeError;
using learn::TextHead;

namespace {

constexpr const char *kFormat = "graft-text-torchscript";
constexpr const char *kWeightsFormat = "graft-text-model";

std::string scriptSource(TextHead head, int convs, int lstmHidden)
{
    std::ostringstream s;
    s << "def forward(self, ids, mask):\n";
    if (head == TextHead::Cnn) {
        s << "        x = torch.embedding(self.embedding, ids).transpose(1, 2)\n";
        for (int i = 0; i < convs; ++i)
            s << "        p" << i << " = torch.relu(torch.conv1d(x, self.conv" << i
              << "_weight, self.conv" << i << "_bias)).amax(2)\n";
        s << "        f = torch.cat([";
        for (int i = 0; i < convs; ++i)
            s << (i ? ", p" : "p") << i;
        s << "], 1)\n"
             "        return torch.linear(f, self.fc_weight, self.fc_bias)\n";
    } else {
        s << "        e = torch.embedding(self.embedding, ids)\n";
        if (head ==
            TextHead::BiLstm) // the backward LSTM reads each text reversed within its length
            s << "        pos = torch.arange(ids.size(1)).unsqueeze(0)\n"
                 "        n = (mask.gt(0).long() * (pos + 1)).amax(1, True)\n"
                 "        order = torch.where(pos < n, n - 1 - pos, pos).unsqueeze(-1)\n"
                 "        h0 = torch.zeros([1, ids.size(0), "
              << lstmHidden
              << "])\n"
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
             "        return torch.linear(torch.cat([mean, mx], 1), self.fc_weight, "
             "self.fc_bias)\n";
    }
    s << "\n"
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

QString compactJson(const QJsonValue &v)
{
    const QJsonDocument d = v.isArray() ? QJsonDocument(v.toArray()) : QJsonDocument(v.toObject());
    return QString::fromUtf8(d.toJson(QJsonDocument::Compact));
}

QJsonValue parseJson(const QString &text)
{
    const QJsonDocument d = QJsonDocument::fromJson(text.toUtf8());
    return d.isArray() ? QJsonValue(d.array()) : QJsonValue(d.object());
}

std::shared_ptr<TextModel> TextModel::make(const TextNetTensors &tensors,
                                           const Vocabulary &vocab,
                                           const Tokenizer::Options &tokenizer,
                                           const QStringList &classes,
                                           const learn::RunConfig &config)
{
    auto d = std::make_shared<TextModel>();
    torch::NoGradGuard noGrad;
    torch::jit::Module m("GraftTextClassifier");
    const auto reg = [&](const std::string &name, const torch::Tensor &t) {
        m.register_parameter(name, t.detach().to(torch::kCPU, torch::kFloat).clone().contiguous(),
                             false);
    };
    reg("embedding", tensors.embedding);
    for (size_t i = 0; i < tensors.convWeights.size(); ++i) {
        reg("conv" + std::to_string(i) + "_weight", tensors.convWeights[i]);
        reg("conv" + std::to_string(i) + "_bias", tensors.convBiases[i]);
    }
    int lstmHidden = 0;
    for (size_t dir = 0; dir < tensors.lstm.size(); ++dir) {
        const std::string prefix = dir == 0 ? "lstm_f_" : "lstm_b_";
        for (size_t k = 0; k < 4; ++k)
            reg(prefix + kLstmParts[k], tensors.lstm[dir].at(k));
        lstmHidden = int(tensors.lstm[dir].at(1).size(1));
    }
    reg("fc_weight", tensors.fcWeight);
    reg("fc_bias", tensors.fcBias);
    const TextHead head = config.text.head;
    m.define(scriptSource(head, int(tensors.convWeights.size()), lstmHidden));
    m.eval();
    d->m_module = m;
    d->m_vocab = vocab;
    d->m_tokenizer = tokenizer;
    d->m_classes = classes;
    d->m_head = head;
    d->m_kernelSizes = head == TextHead::Cnn ? config.text.cnnKernelSizes : QList<int>{};
    QJsonArray kernels;
    for (int k : d->m_kernelSizes) {
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
        {"embedding_dim", int(tensors.embedding.size(1))},
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

bool TextModel::isTextTorchScript(const QString &path)
{
    try {
        caffe2::serialize::PyTorchStreamReader reader(path.toStdString());
        for (const std::string &r : reader.getAllRecords())
            if (r.find("extra/tokenizer.json") != std::string::npos)
                return true;
    } catch (const std::exception &) {
    }
    return false;
}

core::Result<learn::ModelPtr> TextModel::loadTorchScript(const QString &path)
{
    if (!QFileInfo::exists(path))
        return makeError(ErrorCode::NotFound, QStringLiteral("model file not found"), path);
    try {
        torch::jit::ExtraFilesMap extra{
            {"labels.json", ""}, {"vocab.txt", ""}, {"tokenizer.json", ""}, {"graft.json", ""}};
        auto d = std::make_shared<TextModel>();
        d->m_module = torch::jit::load(path.toStdString(), c10::nullopt, extra);
        d->m_module.eval();
        d->m_meta =
            QJsonDocument::fromJson(QByteArray::fromStdString(extra["graft.json"])).object();
        if (d->m_meta.value("format").toString() != QLatin1String(kFormat))
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("not a Graft text model (graft.json format is '%1')")
                                 .arg(d->m_meta.value("format").toString()),
                             path);
        for (const auto &l :
             QJsonDocument::fromJson(QByteArray::fromStdString(extra["labels.json"])).array())
            d->m_classes << l.toString();
        QStringList tokens = QString::fromUtf8(QByteArray::fromStdString(extra["vocab.txt"]))
                                 .split(QLatin1Char('\n'));
        if (!tokens.isEmpty() && tokens.last().isEmpty())
            tokens.removeLast();
        if (d->m_classes.size() < 2 || tokens.size() < 2)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("labels.json or vocab.txt is missing or empty"), path);
        d->m_vocab = Vocabulary::fromTokens(tokens.mid(2));
        d->m_tokenizer = Tokenizer::Options::fromJson(
            QJsonDocument::fromJson(QByteArray::fromStdString(extra["tokenizer.json"])).object());
        learn::parse(d->m_meta.value("head").toString(), &d->m_head);
        for (const auto &k : d->m_meta.value("kernel_sizes").toArray())
            d->m_kernelSizes << k.toInt();
        d->m_minLength = std::max(1, d->m_meta.value("min_length").toInt(1));
        const int64_t rows = d->m_module.attr("embedding").toTensor().size(0);
        if (rows != d->m_vocab.size())
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("vocab.txt has %1 tokens but the embedding has %2 rows")
                                 .arg(d->m_vocab.size())
                                 .arg(rows),
                             path);
        return learn::ModelPtr(d);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("cannot be loaded as a TorchScript text model: %1")
                             .arg(core::exceptionText(e)),
                         path);
    }
}

std::vector<int64_t> TextModel::encode(const QStringList &tokens) const
{
    std::vector<int64_t> ids = m_vocab.encode(tokens);
    if (ids.empty())
        ids.push_back(Vocabulary::kUnk);
    while (int(ids.size()) < m_minLength)
        ids.push_back(Vocabulary::kPad);
    return ids;
}

std::optional<std::vector<std::vector<float>>>
TextModel::run(const std::vector<std::vector<int64_t>> &seqs, const core::CancelToken &cancel) const
{
    // The mean-max and BiLSTM heads ignore the padding after a text, so texts are batched;
    // the CNN head would see the padding, so it runs one text at a time.
    torch::NoGradGuard noGrad;
    const size_t batch = m_head == TextHead::Cnn ? 1 : 32;
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
            module.get_method("predict_proba")({ids}).toTensor().to(torch::kFloat).contiguous();
        for (int64_t r = 0; r < p.size(0); ++r) {
            const float *row = p[r].data_ptr<float>();
            out.emplace_back(row, row + p.size(1));
        }
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
                                                    learn::Observer *) const
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
                seqs.push_back(encode(tok.tokenize(inputs[i].text)));
                rows.push_back(i);
            }
        }
        auto probs = run(seqs, cancel);
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
        const std::vector<int64_t> ids = encode(tokens);
        std::vector<std::vector<int64_t>> seqs{ids};
        for (int i = 0; i < tokens.size(); ++i) {
            std::vector<int64_t> occluded = ids;
            occluded[size_t(i)] = Vocabulary::kPad;
            if (tokens.size() == 1)
                occluded[0] = Vocabulary::kUnk; // an all-padding text is not a text
            seqs.push_back(std::move(occluded));
        }
        const auto probs = *run(seqs, {});
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
                    for (int i = 0; i < m_kernelSizes.size(); ++i) {
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
            QStringList classes, words;
            for (const auto &c : parseJson(meta.value("classes").toString()).toArray())
                classes << c.toString();
            for (const auto &w : parseJson(meta.value("vocabulary").toString()).toArray())
                words << w.toString();
            const auto get = [&](const std::string &name) -> torch::Tensor {
                const io::TensorInfo *t = file->find(name);
                return t ? learn::tensorFromFile(*file, *t) : torch::Tensor();
            };
            TextNetTensors t{get("embedding"), {}, {}, {}, get("fc_weight"), get("fc_bias")};
            for (int i = 0; get("conv" + std::to_string(i) + "_weight").defined(); ++i) {
                t.convWeights.push_back(get("conv" + std::to_string(i) + "_weight"));
                t.convBiases.push_back(get("conv" + std::to_string(i) + "_bias"));
            }
            for (const std::string dir : {"lstm_f_", "lstm_b_"})
                if (get(dir + "w_ih").defined())
                    t.lstm.push_back({get(dir + "w_ih"), get(dir + "w_hh"), get(dir + "b_ih"),
                                      get(dir + "b_hh")});
            const Vocabulary vocab = Vocabulary::fromTokens(words);
            if (!t.embedding.defined() || !t.fcWeight.defined() || classes.size() < 2 ||
                t.embedding.size(0) != vocab.size() || t.fcWeight.size(0) != classes.size() ||
                (config.text.head == TextHead::Cnn) != !t.convWeights.empty() ||
                (config.text.head == TextHead::BiLstm) != (t.lstm.size() == 2))
                return makeError(
                    ErrorCode::InvalidFormat,
                    QStringLiteral("the tensors do not fit the model the metadata describes"),
                    path);
            const auto tokenizer = Tokenizer::Options::fromJson(
                parseJson(meta.value("tokenizer").toString()).toObject());
            return learn::ModelPtr(make(t, vocab, tokenizer, classes, config));
        },
        path);
}

} // namespace graft::text
