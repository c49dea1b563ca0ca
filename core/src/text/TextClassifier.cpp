// A trained text classifier: prediction, explanation and export (TorchScript, ONNX).
#include "TextClassifierImpl.h"

#include "graft/export/OnnxGraph.h"

#include <caffe2/serialize/inline_container.h>
#include <opencv2/dnn.hpp>

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QSaveFile>

#include <algorithm>
#include <cmath>
#include <sstream>

namespace graft::text {

using core::ErrorCode;
using core::makeError;

namespace {

constexpr const char *kFormat = "graft-text-torchscript";

QString firstLine(const std::exception &e)
{
    const QString s = QString::fromUtf8(e.what()).trimmed();
    return s.section(QLatin1Char('\n'), 0, 0);
}

std::string scriptSource(TextHead head, int convs, int lstmHidden)
{
    std::ostringstream s;
    s << "def forward(self, ids, mask):\n";
    if (head == TextHead::BiLstm) {
        // As TextNet: the backward LSTM reads each text reversed within its own length.
        s << "        e = torch.embedding(self.embedding, ids)\n"
             "        pos = torch.arange(ids.size(1)).unsqueeze(0)\n"
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
             "        y = torch.cat([f, b], 2)\n"
             "        m = mask.unsqueeze(-1)\n"
             "        mean = (y * m).sum(1) / m.sum(1).clamp_min(1.0)\n"
             "        mx = y.masked_fill(m == 0, -10000.0).amax(1)\n"
             "        return torch.linear(torch.cat([mean, mx], 1), self.fc_weight, self.fc_bias)\n";
    } else if (head == TextHead::MeanMax) {
        s << "        e = torch.embedding(self.embedding, ids)\n"
             "        m = mask.unsqueeze(-1)\n"
             "        mean = (e * m).sum(1) / m.sum(1).clamp_min(1.0)\n"
             "        mx = e.masked_fill(m == 0, -10000.0).amax(1)\n"
             "        return torch.linear(torch.cat([mean, mx], 1), self.fc_weight, self.fc_bias)\n";
    } else {
        s << "        x = torch.embedding(self.embedding, ids).transpose(1, 2)\n";
        for (int i = 0; i < convs; ++i)
            s << "        p" << i << " = torch.relu(torch.conv1d(x, self.conv" << i
              << "_weight, self.conv" << i << "_bias)).amax(2)\n";
        s << "        f = torch.cat([";
        for (int i = 0; i < convs; ++i)
            s << (i ? ", p" : "p") << i;
        s << "], 1)\n"
             "        return torch.linear(f, self.fc_weight, self.fc_bias)\n";
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

/// Writes `bytes` to `path` atomically: nothing there changes unless all of it is written.
core::Status writeAtomically(const QString &path, const QByteArray &bytes)
{
    QSaveFile f(path);
    if (!f.open(QIODevice::WriteOnly))
        return makeError(ErrorCode::WriteFailed, f.errorString(), path);
    if (f.write(bytes) != bytes.size()) {
        f.cancelWriting();
        return makeError(ErrorCode::WriteFailed, f.errorString(), path);
    }
    if (!f.commit())
        return makeError(ErrorCode::WriteFailed, f.errorString(), path);
    return {};
}

QByteArray vocabText(const Vocabulary &vocab)
{
    QByteArray out;
    for (const QString &t : vocab.tokens())
        out += t.toUtf8() + '\n';
    return out;
}

} // namespace

TextClassifier::TextClassifier() = default;

TextClassifier::TextClassifier(std::shared_ptr<const Impl> impl)
    : d(std::move(impl))
{}

TextClassifier makeTextClassifier(const TextNetTensors &tensors,
                                  const Vocabulary &vocab,
                                  const Tokenizer::Options &tokenizer,
                                  const QStringList &classes,
                                  const TextTrainingConfig &config,
                                  std::vector<std::vector<int64_t>> checkIds,
                                  std::vector<std::vector<float>> checkProbs)
{
    auto d = std::make_shared<TextClassifier::Impl>();
    torch::NoGradGuard noGrad;
    torch::jit::Module m("GraftTextClassifier");
    auto reg = [&](const std::string &name, const torch::Tensor &t) {
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
        const std::string p = dir == 0 ? "lstm_f_" : "lstm_b_";
        const auto &t = tensors.lstm[dir];
        reg(p + "w_ih", t.at(0));
        reg(p + "w_hh", t.at(1));
        reg(p + "b_ih", t.at(2));
        reg(p + "b_hh", t.at(3));
        lstmHidden = int(t.at(1).size(1));
    }
    reg("fc_weight", tensors.fcWeight);
    reg("fc_bias", tensors.fcBias);
    m.define(scriptSource(config.head, int(tensors.convWeights.size()), lstmHidden));
    m.eval();
    d->module = m;
    d->vocab = vocab;
    d->tokenizer = tokenizer;
    d->classes = classes;
    d->head = config.head;
    d->kernelSizes = config.head == TextHead::Cnn ? config.cnnKernelSizes : QList<int>{};
    d->lstmHidden = lstmHidden;
    d->minLength = 1;
    for (int k : d->kernelSizes)
        d->minLength = std::max(d->minLength, k);
    QJsonArray kernels;
    for (int k : d->kernelSizes)
        kernels.append(k);
    d->meta = QJsonObject{
        {"format", kFormat},
        {"kind", "text"},
        {"graft_version", QStringLiteral(GRAFT_VERSION)},
        {"head", textHeadName(config.head)},
        {"kernel_sizes", kernels},
        {"min_length", d->minLength},
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
    d->checkIds = std::move(checkIds);
    d->checkProbs = std::move(checkProbs);
    return TextClassifier(d);
}

bool TextClassifier::isTextModel(const QString &path)
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

core::Result<TextClassifier> TextClassifier::load(const QString &path)
{
    if (!QFileInfo::exists(path))
        return makeError(ErrorCode::NotFound, QStringLiteral("model file not found"), path);
    try {
        torch::jit::ExtraFilesMap extra{{"labels.json", ""},
                                        {"vocab.txt", ""},
                                        {"tokenizer.json", ""},
                                        {"graft.json", ""}};
        auto d = std::make_shared<Impl>();
        d->module = torch::jit::load(path.toStdString(), c10::nullopt, extra);
        d->module.eval();
        d->meta = QJsonDocument::fromJson(QByteArray::fromStdString(extra["graft.json"])).object();
        if (d->meta.value("format").toString() != QLatin1String(kFormat))
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("not a Graft text model (graft.json format is '%1')")
                                 .arg(d->meta.value("format").toString()),
                             path);
        for (const auto &l :
             QJsonDocument::fromJson(QByteArray::fromStdString(extra["labels.json"])).array())
            d->classes << l.toString();
        QStringList tokens = QString::fromUtf8(QByteArray::fromStdString(extra["vocab.txt"]))
                                 .split(QLatin1Char('\n'));
        if (!tokens.isEmpty() && tokens.last().isEmpty())
            tokens.removeLast();
        if (d->classes.size() < 2 || tokens.size() < 2)
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("labels.json or vocab.txt is missing or empty"), path);
        d->vocab = Vocabulary::fromTokens(tokens.mid(2));
        d->tokenizer = Tokenizer::Options::fromJson(
            QJsonDocument::fromJson(QByteArray::fromStdString(extra["tokenizer.json"])).object());
        TextHead head = TextHead::MeanMax;
        parseTextHead(d->meta.value("head").toString(), &head);
        d->head = head;
        for (const auto &k : d->meta.value("kernel_sizes").toArray())
            d->kernelSizes << k.toInt();
        d->minLength = std::max(1, d->meta.value("min_length").toInt(1));
        d->lstmHidden = d->meta.value("lstm_hidden").toInt(0);
        const int64_t rows = d->module.attr("embedding").toTensor().size(0);
        if (rows != d->vocab.size())
            return makeError(ErrorCode::InvalidFormat,
                             QStringLiteral("vocab.txt has %1 tokens but the embedding has %2 rows")
                                 .arg(d->vocab.size())
                                 .arg(rows),
                             path);
        return TextClassifier(std::shared_ptr<const Impl>(d));
    } catch (const std::exception &e) {
        return makeError(ErrorCode::InvalidFormat,
                         QStringLiteral("cannot be loaded as a TorchScript text model: %1")
                             .arg(firstLine(e)),
                         path);
    }
}

bool TextClassifier::isValid() const
{
    return d != nullptr;
}

const QStringList &TextClassifier::classes() const
{
    static const QStringList none;
    return d ? d->classes : none;
}

const Tokenizer::Options &TextClassifier::tokenizerOptions() const
{
    static const Tokenizer::Options none;
    return d ? d->tokenizer : none;
}

TextHead TextClassifier::head() const
{
    return d ? d->head : TextHead::MeanMax;
}

int TextClassifier::vocabularySize() const
{
    return d ? d->vocab.size() : 0;
}

const QJsonObject &TextClassifier::metadata() const
{
    static const QJsonObject none;
    return d ? d->meta : none;
}

QStringList TextClassifier::tokenize(const QString &text) const
{
    return d ? Tokenizer(d->tokenizer).tokenize(text) : QStringList{};
}

namespace {

std::vector<int64_t> encodeTokens(const TextClassifier::Impl &d, const QStringList &tokens)
{
    std::vector<int64_t> ids = d.vocab.encode(tokens);
    if (ids.empty())
        ids.push_back(Vocabulary::kUnk);
    while (int(ids.size()) < d.minLength)
        ids.push_back(Vocabulary::kPad);
    return ids;
}

/// Probabilities of id sequences through `module`. The mean-max and BiLSTM heads ignore the
/// padding after a text, so texts are batched; the CNN head would see the padding, so it runs
/// one text at a time.
std::vector<std::vector<float>> runIds(const TextClassifier::Impl &d,
                                       torch::jit::Module module,
                                       const std::vector<std::vector<int64_t>> &seqs,
                                       const core::CancelToken &cancel,
                                       bool *cancelled)
{
    torch::NoGradGuard noGrad;
    const size_t batch = d.head == TextHead::Cnn ? 1 : 32;
    std::vector<std::vector<float>> out;
    out.reserve(seqs.size());
    for (size_t b = 0; b < seqs.size(); b += batch) {
        if (cancel.isCancelled()) {
            *cancelled = true;
            return out;
        }
        const size_t e = std::min(seqs.size(), b + batch);
        size_t len = 1;
        for (size_t i = b; i < e; ++i)
            len = std::max(len, seqs[i].size());
        torch::Tensor ids = torch::zeros({int64_t(e - b), int64_t(len)}, torch::kLong);
        auto ia = ids.accessor<int64_t, 2>();
        for (size_t i = b; i < e; ++i)
            for (size_t t = 0; t < seqs[i].size(); ++t)
                ia[int64_t(i - b)][int64_t(t)] = seqs[i][t];
        const torch::Tensor p =
            module.get_method("predict_proba")({ids}).toTensor().to(torch::kFloat).contiguous();
        for (int64_t r = 0; r < p.size(0); ++r) {
            const float *row = p[r].data_ptr<float>();
            out.emplace_back(row, row + p.size(1));
        }
    }
    return out;
}

} // namespace

core::Result<std::vector<std::vector<float>>>
TextClassifier::probabilities(const QStringList &texts, const core::CancelToken &cancel) const
{
    if (!d)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no model"));
    try {
        const Tokenizer tok(d->tokenizer);
        std::vector<std::vector<int64_t>> seqs;
        seqs.reserve(size_t(texts.size()));
        for (const QString &t : texts)
            seqs.push_back(encodeTokens(*d, tok.tokenize(t)));
        bool cancelled = false;
        auto probs = runIds(*d, d->module, seqs, cancel, &cancelled);
        if (cancelled)
            return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
        return probs;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, firstLine(e));
    }
}

core::Result<std::vector<TextPrediction>>
TextClassifier::predict(const QStringList &texts, int topK, const QStringList &sources) const
{
    auto probs = probabilities(texts);
    if (!probs)
        return probs.error();
    const Tokenizer tok(d->tokenizer);
    std::vector<TextPrediction> out;
    for (int i = 0; i < texts.size(); ++i) {
        TextPrediction p;
        p.source = i < sources.size() ? sources[i] : texts[i];
        const QStringList tokens = tok.tokenize(texts[i]);
        p.tokens = int(tokens.size());
        for (const QString &t : tokens)
            p.unknownTokens += d->vocab.contains(t) ? 0 : 1;
        const auto &row = (*probs)[size_t(i)];
        std::vector<int> order(row.size());
        for (size_t c = 0; c < order.size(); ++c)
            order[c] = int(c);
        std::stable_sort(order.begin(), order.end(),
                         [&](int a, int b) { return row[size_t(a)] > row[size_t(b)]; });
        for (int k = 0; k < std::min<int>(topK, int(order.size())); ++k)
            p.top.emplace_back(order[size_t(k)], row[size_t(order[size_t(k)])]);
        if (texts[i].trimmed().isEmpty())
            p.error = QStringLiteral("the text is empty");
        out.push_back(std::move(p));
    }
    return out;
}

core::Result<std::vector<TokenContribution>> TextClassifier::explain(const QString &text,
                                                                     int classIndex) const
{
    if (!d)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no model"));
    try {
        const QStringList tokens = Tokenizer(d->tokenizer).tokenize(text);
        if (tokens.isEmpty())
            return std::vector<TokenContribution>{};
        // Occlude by padding the token: the mean-max head masks it out (as if removed), the
        // CNN sees a zero vector in its place, so the other words keep their neighbours.
        const std::vector<int64_t> ids = encodeTokens(*d, tokens);
        std::vector<std::vector<int64_t>> seqs{ids};
        for (int i = 0; i < tokens.size(); ++i) {
            std::vector<int64_t> occluded = ids;
            occluded[size_t(i)] = Vocabulary::kPad;
            if (tokens.size() == 1)
                occluded[0] = Vocabulary::kUnk; // an all-padding text is not a text
            seqs.push_back(std::move(occluded));
        }
        bool cancelled = false;
        const auto probs = runIds(*d, d->module, seqs, {}, &cancelled);
        const auto &base = probs.front();
        int c = classIndex;
        if (c < 0 || c >= int(base.size()))
            c = int(std::max_element(base.begin(), base.end()) - base.begin());
        std::vector<TokenContribution> out;
        for (int i = 0; i < tokens.size(); ++i)
            out.push_back({tokens[i], std::log(std::max(double(base[size_t(c)]), 1e-30)) -
                                          std::log(std::max(double(probs[size_t(i) + 1][size_t(c)]), 1e-30))});
        return out;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, firstLine(e));
    }
}

core::Result<TextEvaluation> TextClassifier::evaluate(const TextDataset &data,
                                                      const std::vector<int> &indices,
                                                      const core::CancelToken &cancel) const
{
    if (!d)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no model"));
    std::vector<int> map;
    for (const QString &c : data.classes) {
        const int i = int(d->classes.indexOf(c));
        if (i < 0)
            return makeError(ErrorCode::InvalidArgument,
                             QStringLiteral("class '%1' is not one of the model's classes (%2)")
                                 .arg(c, d->classes.join(QStringLiteral(", "))));
        map.push_back(i);
    }
    QStringList texts;
    std::vector<int> labels;
    for (int i : indices) {
        texts << data.samples[size_t(i)].text;
        labels.push_back(map[size_t(data.samples[size_t(i)].label)]);
    }
    auto probs = probabilities(texts, cancel);
    if (!probs)
        return probs.error();
    return buildTextEvaluation(data, indices, labels, *probs);
}

namespace {

/// Compares `theirs` with the trained network's probabilities on the validation texts.
template <typename Fn>
core::Status compareOnChecks(const TextClassifier::Impl &d, train::ExportCheck *check,
                             const core::CancelToken &cancel, Fn theirs)
{
    int agree = 0;
    for (size_t i = 0; i < d.checkIds.size(); ++i) {
        if (cancel.isCancelled())
            return makeError(ErrorCode::Cancelled, QStringLiteral("cancelled"));
        const std::vector<float> other = theirs(d.checkIds[i]);
        const std::vector<float> &ours = d.checkProbs[i];
        if (other.size() != ours.size())
            return makeError(ErrorCode::Internal,
                             QStringLiteral("the exported model gives %1 classes, expected %2")
                                 .arg(other.size())
                                 .arg(ours.size()));
        for (size_t c = 0; c < ours.size(); ++c)
            check->maxAbsProbabilityDiff =
                std::max(check->maxAbsProbabilityDiff, std::fabs(double(ours[c]) - other[c]));
        const auto a = std::max_element(ours.begin(), ours.end()) - ours.begin();
        const auto b = std::max_element(other.begin(), other.end()) - other.begin();
        agree += a == b ? 1 : 0;
        ++check->samples;
    }
    check->agreement = check->samples ? double(agree) / check->samples : 1.0;
    return {};
}

} // namespace

/// model.json beside an export: what a program needs to feed the model without Graft.
static core::Status writeTextModelJson(const TextClassifier::Impl &d, const QString &path,
                                       const QString &format)
{
    const bool onnx = format == QLatin1String("onnx");
    const QJsonObject modelJson{
        {"format", "graft-model"},
        {"format_version", 1},
        {"kind", "text"},
        {"model_file", QFileInfo(path).fileName()},
        {"model_format", format},
        {"graft_version", QStringLiteral(GRAFT_VERSION)},
        {"labels", QJsonArray::fromStringList(d.classes)},
        {"head", textHeadName(d.head)},
        {"vocabulary", QJsonArray::fromStringList(d.vocab.tokens())},
        {"tokenizer", d.tokenizer.toJson()},
        {"tokenizer_rules",
         "lower-case (Unicode), accents folded only when fold_accents, punctuation split into "
         "tokens (including ¿ ¡ « » and dashes), numbers -> <num>, URLs and e-mails -> <url>, "
         "English clitics split (don't -> do not); when subword_merges is not empty, each word "
         "is cut into byte-pair-encoding pieces: start from U+2581 + its first character, then "
         "one symbol per character (<num>/<url> stay whole), and repeatedly join the adjacent "
         "pair listed earliest in subword_merges, everywhere in the word, until none is "
         "listed; the pieces are the tokens; at most max_tokens tokens; unknown tokens -> id 1 "
         "(<unk>)"},
        {"min_length", d.minLength},
        {"input",
         onnx ? QStringLiteral("'ids': float32 [T, 1], the token ids of one text (T >= min_length, "
                               "pad with 0 up to min_length)")
              : QStringLiteral("ids int64 [B, T] and mask float32 [B, T] (1 = token, 0 = "
                               "padding); predict_proba(ids) masks id 0 itself")},
        {"output", onnx ? "outputs 'logits' and 'probabilities' [1, classes]"
                        : "logits (forward); softmax probabilities (predict_proba)"},
    };
    const QString sidecar = train::modelJsonPath(path);
    return writeAtomically(sidecar, QJsonDocument(modelJson).toJson(QJsonDocument::Indented));
}

core::Result<train::ExportCheck> TextClassifier::exportTorchScript(const QString &path,
                                                                   const core::CancelToken &cancel) const
{
    if (!d)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no trained model to export"));
    try {
        torch::jit::ExtraFilesMap extra;
        extra["labels.json"] =
            QJsonDocument(QJsonArray::fromStringList(d->classes)).toJson().toStdString();
        extra["vocab.txt"] = vocabText(d->vocab).toStdString();
        extra["tokenizer.json"] = QJsonDocument(d->tokenizer.toJson()).toJson().toStdString();
        extra["graft.json"] = QJsonDocument(d->meta).toJson().toStdString();
        std::ostringstream buffer;
        d->module.save(buffer, extra);
        const std::string bytes = buffer.str();
        if (auto w = writeAtomically(path, QByteArray::fromStdString(bytes)); !w)
            return w.error();
        if (auto w = writeTextModelJson(*d, path, QStringLiteral("torchscript")); !w)
            return w.error();

        // Verify: read the file back as a user would and compare with the trained network.
        auto loaded = load(path);
        if (!loaded)
            return loaded.error();
        train::ExportCheck check;
        check.path = path;
        const Impl &l = *loaded->d;
        auto compared = compareOnChecks(*d, &check, cancel, [&](const std::vector<int64_t> &ids) {
            bool cancelled = false;
            return runIds(l, l.module, {ids}, {}, &cancelled).front();
        });
        if (!compared)
            return compared.error();
        return check;
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, firstLine(e), path);
    }
}

core::Result<train::ExportCheck> TextClassifier::exportOnnx(const QString &path,
                                                            const core::CancelToken &cancel) const
{
    if (!d)
        return makeError(ErrorCode::InvalidArgument, QStringLiteral("no trained model to export"));
    if (d->head == TextHead::BiLstm)
        // OpenCV 4.6 (the runtime that checks every ONNX export) sizes its LSTM layer when it
        // reads the file, so a text length that varies cannot be expressed.
        return makeError(ErrorCode::Unsupported,
                         QStringLiteral("ONNX export is available for the mean-max and CNN heads; "
                                        "export the BiLSTM model as TorchScript (.pt)"),
                         path);
    try {
        using A = exports::OnnxGraph;
        exports::OnnxGraph g;
        auto tensor = [&](const torch::Tensor &t, const char *hint) {
            const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
            return g.addFloat(hint, std::vector<std::int64_t>(c.sizes().begin(), c.sizes().end()),
                              c.data_ptr<float>());
        };
        const torch::Tensor emb = param(d->module, "embedding");
        const int64_t vocab = emb.size(0);
        const int64_t classes = d->classes.size();
        g.addInput("ids", {-2, 1});
        // One-hot rows: relu(1 - |id - j|) is 1 at j = id and 0 elsewhere (ids are integers).
        const torch::Tensor ones = torch::ones({vocab, 1});
        const torch::Tensor negRange = -torch::arange(vocab, torch::kFloat);
        std::string x = g.node("Gemm", {"ids", tensor(ones, "ones"), tensor(negRange, "neg_range")},
                               {A::attr("transB", 1)});
        x = g.node("Abs", {x});
        const float minusOne = -1.0f, one = 1.0f;
        x = g.node("Mul", {x, g.addFloat("minus_one", {1}, &minusOne)});
        x = g.node("Add", {x, g.addFloat("one", {1}, &one)});
        x = g.node("Relu", {x}, {}, "one_hot");
        x = g.node("MatMul", {x, tensor(emb, "embedding")}, {}, "embedded"); // [T, D]
        x = g.node("Transpose", {x}, {A::attrs("perm", {1, 0})}); // [D, T]
        x = g.node("Unsqueeze", {x, g.addInt64("axis0", {1}, {0})});         // [1, D, T]
        std::vector<std::string> pooled;
        if (d->head != TextHead::Cnn) {
            pooled.push_back(g.node("Flatten", {g.node("GlobalAveragePool", {x})}, {A::attr("axis", 1)}));
            pooled.push_back(g.node("Flatten", {g.node("GlobalMaxPool", {x})}, {A::attr("axis", 1)}));
        } else {
            for (int i = 0; i < d->kernelSizes.size(); ++i) {
                const std::string n = "conv" + std::to_string(i);
                const torch::Tensor w = param(d->module, n + "_weight");
                std::string c = g.node("Conv", {x, tensor(w, (n + "_w").c_str()),
                                                tensor(param(d->module, n + "_bias"), (n + "_b").c_str())},
                                       {A::attrs("kernel_shape", {w.size(2)})});
                c = g.node("Relu", {c});
                pooled.push_back(g.node("Flatten", {g.node("GlobalMaxPool", {c})}, {A::attr("axis", 1)}));
            }
        }
        x = g.node("Concat", pooled, {A::attr("axis", 1)});
        const std::string logits =
            g.node("Gemm", {x, tensor(param(d->module, "fc_weight"), "fc_w"),
                            tensor(param(d->module, "fc_bias"), "fc_b")},
                   {A::attr("transB", 1)}, "logits");
        g.node("Softmax", {logits}, {A::attr("axis", 1)}, "probabilities");
        g.addOutput("logits", {1, classes});
        g.addOutput("probabilities", {1, classes});
        g.addMetadata("labels", QJsonDocument(QJsonArray::fromStringList(d->classes))
                                    .toJson(QJsonDocument::Compact)
                                    .toStdString());
        g.addMetadata("vocabulary", vocabText(d->vocab).toStdString());
        g.addMetadata("tokenizer",
                      QJsonDocument(d->tokenizer.toJson()).toJson(QJsonDocument::Compact).toStdString());
        g.addMetadata("kind", "text");
        const std::string bytes = g.serialize("GraftTextClassifier", GRAFT_VERSION);
        if (auto w = writeAtomically(path, QByteArray::fromStdString(bytes)); !w)
            return w.error();
        if (auto w = writeTextModelJson(*d, path, QStringLiteral("onnx")); !w)
            return w.error();

        // Verify with an independent runtime: OpenCV's DNN module reads the file back.
        cv::dnn::Net net;
        try {
            net = cv::dnn::readNetFromONNX(path.toStdString());
        } catch (const cv::Exception &e) {
            return makeError(ErrorCode::Internal,
                             QStringLiteral("OpenCV DNN cannot read the exported model: %1")
                                 .arg(QString::fromStdString(e.what()).trimmed()),
                             path);
        }
        net.setPreferableBackend(cv::dnn::DNN_BACKEND_OPENCV);
        train::ExportCheck check;
        check.path = path;
        auto compared = compareOnChecks(*d, &check, cancel, [&](const std::vector<int64_t> &ids) {
            const int dims[2] = {int(ids.size()), 1};
            cv::Mat blob(2, dims, CV_32F);
            for (size_t t = 0; t < ids.size(); ++t)
                blob.ptr<float>()[t] = float(ids[t]);
            net.setInput(blob, "ids");
            const cv::Mat out = net.forward("probabilities");
            return std::vector<float>(out.ptr<float>(), out.ptr<float>() + out.total());
        });
        if (!compared)
            return compared.error();
        return check;
    } catch (const cv::Exception &e) {
        return makeError(ErrorCode::Internal,
                         QStringLiteral("OpenCV DNN: %1").arg(QString::fromStdString(e.what()).trimmed()),
                         path);
    } catch (const std::exception &e) {
        return makeError(ErrorCode::Internal, firstLine(e), path);
    }
}

} // namespace graft::text
