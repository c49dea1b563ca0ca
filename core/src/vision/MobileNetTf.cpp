#include "vision/Backbone.h"

#include "graft/io/Safetensors.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <functional>
#include <set>
#include <utility>

namespace graft::vision::detail {

namespace {

struct BlockKey
{
    std::int64_t channels = 0;
    int stride = 1;
    bool operator==(const BlockKey &) const = default;
};

/// Groups consecutive blocks with the same output channels and stride; a run of six or more
/// blocks is split in two so the freeze picker has useful steps. Returns the first block of
/// each group. The first group is the stem; with `lastIsHead` the last block is its own group.
std::vector<size_t> groupStarts(const std::vector<BlockKey> &blocks, bool lastIsHead)
{
    std::vector<size_t> starts;
    const size_t body = lastIsHead ? blocks.size() - 1 : blocks.size();
    size_t i = 0;
    while (i < body) {
        size_t j = i + 1;
        while (j < body && blocks[j] == blocks[i])
            ++j;
        starts.push_back(i);
        if (j - i >= 6)
            starts.push_back(i + (j - i) / 2);
        i = j;
    }
    if (lastIsHead)
        starts.push_back(body);
    return starts;
}

struct GraphConv
{
    std::string name; ///< under "layers." (TFLite graphs) or at the top (Keras)
    std::int64_t in = 0, out = 0, kernel = 1, stride = 1, groups = 1;
    Act act = Act::None;
    bool saveAfter = false; ///< output is the shortcut of a later ADD
    bool addAfter = false;  ///< an ADD follows
};

/// Appends a convolution that reads the output of the last one (or the image); `name` defaults
/// to the index.
void append(std::vector<GraphConv> &convs,
            std::int64_t out,
            std::int64_t kernel,
            std::int64_t stride,
            bool depthwise,
            Act act,
            std::string name = {})
{
    const std::int64_t in = convs.empty() ? 3 : convs.back().out;
    convs.push_back({.name = name.empty() ? std::to_string(convs.size()) : std::move(name),
                     .in = in,
                     .out = out,
                     .kernel = kernel,
                     .stride = stride,
                     .groups = depthwise ? in : 1,
                     .act = act});
}

/// MobileNetV1 (TF-slim and Keras): a 3x3 stem, then 13 depthwise-separable blocks; `depth`
/// scales a channel count by the width multiplier.
std::vector<GraphConv> mobileNetV1(const std::function<std::int64_t(int)> &depth, bool keras)
{
    const int widths[] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    const int strides[] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
    std::vector<GraphConv> convs;
    append(convs, depth(32), 3, 2, false, Act::Relu6, keras ? "conv1" : "");
    for (int i = 0; i < 13; ++i) {
        const std::string n = std::to_string(i + 1);
        append(convs, convs.back().out, 3, strides[i], true, Act::Relu6,
               keras ? "conv_dw_" + n : "");
        append(convs, depth(widths[i]), 1, 1, false, Act::Relu6, keras ? "conv_pw_" + n : "");
    }
    return convs;
}

/// A MobileNet with TF "SAME" padding from its chain of convolutions (graph order) and an
/// optional classifier. Keras's convolutions have no bias but a BatchNorm each (eps 1e-3,
/// momentum 0.99 in Keras terms).
class TfMobileNet : public Backbone
{
public:
    TfMobileNet(const std::vector<GraphConv> &convs, const GraphConv &classifier, bool keras)
    {
        torch::nn::Module &layers = keras ? *this : *child(*this, "layers");
        const bool inverted = std::any_of(convs.begin(), convs.end(),
                                          [](const GraphConv &c) { return c.act == Act::None; });
        std::vector<std::vector<GraphConv>> blocks;
        std::vector<BlockKey> keys;
        std::vector<GraphConv> pending;
        int stride = 1;
        auto flush = [&]() {
            if (pending.empty())
                return;
            keys.push_back({pending.back().out, stride});
            blocks.push_back(std::exchange(pending, {}));
        };
        for (const GraphConv &c : convs) {
            pending.push_back(c);
            stride *= int(c.stride);
            if (inverted ? c.act == Act::None : (c.kernel == 1 && c.groups == 1))
                flush();
        }
        flush(); // MobileNetV2's last 1x1 conv: the head
        const bool lastIsHead = inverted && convs.back().act != Act::None;
        const auto starts = groupStarts(keys, lastIsHead);
        for (size_t g = 0; g < starts.size(); ++g) {
            const size_t end = g + 1 < starts.size() ? starts[g + 1] : keys.size();
            beginGroup(g == 0                                 ? std::string("stem")
                       : lastIsHead && g + 1 == starts.size() ? std::string("head")
                                                              : "stage" + std::to_string(g));
            for (size_t b = starts[g]; b < end; ++b)
                for (const GraphConv &c : blocks[b]) {
                    addConv(layers, c.name, c.in, c.out, c.kernel, c.stride, c.groups, !keras,
                            Pad::TfSame);
                    if (keras)
                        addBn(layers, c.name + "_bn", c.out, 1e-3, 0.01);
                    addAct(c.act);
                    if (c.addAfter)
                        addOp(Op{Op::Kind::AddSaved});
                    if (c.saveAfter)
                        addOp(Op{Op::Kind::Save});
                }
            endGroup(keys[end - 1].channels, keys[end - 1].stride);
        }
        if (!classifier.name.empty()) {
            const auto options = torch::nn::Conv2dOptions(classifier.in, classifier.out, 1);
            auto conv = layers.register_module(classifier.name, torch::nn::Conv2d(options));
            setClassifier(
                conv->weight, conv->bias,
                {"layers." + classifier.name + ".weight", "layers." + classifier.name + ".bias"});
        }
    }
};

} // namespace

core::Result<std::shared_ptr<Backbone>> makeTfGraphMobileNet(const io::SafetensorsFile &file)
{
    auto fail = [&](const QString &detail) -> core::Error {
        return core::makeError(core::ErrorCode::WeightsInvalid,
                               QStringLiteral("__metadata__.graph: %1").arg(detail), file.path());
    };
    const QJsonDocument doc =
        QJsonDocument::fromJson(file.metadata().value(QStringLiteral("graph")).toString().toUtf8());
    if (!doc.isArray())
        return fail(QStringLiteral("missing or not a JSON array"));

    const QJsonArray ops = doc.array();
    // Tensors that an ADD reads as its shortcut (the operand not produced by the op before).
    std::set<qint64> shortcuts;
    for (qsizetype i = 1; i < ops.size(); ++i) {
        const QJsonObject op = ops[i].toObject();
        if (op.value("op").toString() != QLatin1String("ADD"))
            continue;
        const qint64 prev = ops[i - 1].toObject().value("outputs").toArray().at(0).toInteger();
        for (const auto v : op.value("inputs").toArray())
            if (v.toInteger() != prev)
                shortcuts.insert(v.toInteger());
    }

    std::vector<GraphConv> convs;
    GraphConv classifier;
    bool pooled = false;
    qint64 current = -1;
    std::int64_t channels = 3;
    for (qsizetype i = 0; i < ops.size(); ++i) {
        const QJsonObject op = ops[i].toObject();
        const QString type = op.value("op").toString();
        const QJsonArray inputs = op.value("inputs").toArray();
        const qint64 output = op.value("outputs").toArray().at(0).toInteger();
        if (current >= 0 && inputs.at(0).toInteger() != current && type != QLatin1String("ADD"))
            return fail(QStringLiteral("op %1 (%2) does not follow a chain").arg(i).arg(type));
        if (type == QLatin1String("CONV_2D") || type == QLatin1String("DEPTHWISE_CONV_2D")) {
            const QString param = op.value("param").toString();
            const io::TensorInfo *w = file.find((param + QStringLiteral(".weight")).toStdString());
            if (!param.startsWith(QLatin1String("layers.")) || !w || w->shape.size() != 4)
                return fail(
                    QStringLiteral("op %1: no 4-d weight tensor for '%2'").arg(i).arg(param));
            GraphConv c;
            c.name = std::to_string(param.mid(7).toInt());
            c.out = w->shape[0];
            c.kernel = w->shape[2];
            c.groups = op.value("groups").toInt(1);
            c.in = w->shape[1] * c.groups;
            c.stride = op.value("stride").toArray().at(0).toInt(1);
            const QString act = op.value("act").toString();
            c.act = act == QLatin1String("relu6")  ? Act::Relu6
                    : act == QLatin1String("relu") ? Act::Relu
                                                   : Act::None;
            if (!act.isEmpty() && c.act == Act::None)
                return fail(QStringLiteral("op %1: unsupported activation '%2'").arg(i).arg(act));
            if (op.value("padding").toString() != QLatin1String("SAME") ||
                w->shape[2] != w->shape[3] || c.in != channels)
                return fail(
                    QStringLiteral("op %1 ('%2'): unsupported padding or shape").arg(i).arg(param));
            if (pooled) {
                if (!classifier.name.empty() || c.kernel != 1)
                    return fail(QStringLiteral("op %1: unexpected op after pooling").arg(i));
                classifier = c;
            } else {
                c.saveAfter = shortcuts.count(output) > 0;
                convs.push_back(c);
            }
            channels = c.out;
        } else if (type == QLatin1String("ADD")) {
            if (convs.empty() || pooled)
                return fail(QStringLiteral("op %1: unexpected ADD").arg(i));
            convs.back().addAfter = true;
            convs.back().saveAfter = shortcuts.count(output) > 0;
        } else if (type == QLatin1String("AVERAGE_POOL_2D")) {
            pooled = true;
        } else if (type == QLatin1String("RESHAPE") || type == QLatin1String("SOFTMAX") ||
                   type == QLatin1String("SQUEEZE")) {
            // Shape plumbing around the classifier.
        } else {
            return fail(QStringLiteral("op %1: unsupported op '%2'").arg(i).arg(type));
        }
        current = output;
    }
    if (convs.empty())
        return fail(QStringLiteral("no convolutions"));

    return std::shared_ptr<Backbone>(std::make_shared<TfMobileNet>(convs, classifier, false));
}

std::shared_ptr<Backbone> makeTfMobileNet(int version, double width, int classes)
{
    std::vector<GraphConv> convs;
    if (version == 1) {
        convs = mobileNetV1(
            [width](int c) { return std::max<std::int64_t>(8, std::int64_t(c * width)); }, false);
    } else {
        const auto divisible = [width](int c) {
            const double v = c * width;
            std::int64_t r = std::max<std::int64_t>(8, (std::int64_t(v + 4) / 8) * 8);
            if (double(r) < 0.9 * v)
                r += 8;
            return r;
        };
        append(convs, divisible(32), 3, 2, false, Act::Relu6);
        for (const InvertedResidual &st : kMobileNetV2Stages) {
            for (int i = 0; i < st.n; ++i) {
                if (st.t != 1)
                    append(convs, convs.back().out * st.t, 1, 1, false, Act::Relu6);
                append(convs, convs.back().out, 3, i == 0 ? st.s : 1, true, Act::Relu6);
                append(convs, divisible(st.c), 1, 1, false, Act::None);
                convs.back().addAfter = i > 0;
                convs.back().saveAfter = i + 1 < st.n;
            }
        }
        append(convs, width > 1.0 ? divisible(1280) : 1280, 1, 1, false, Act::Relu6);
    }
    GraphConv classifier;
    if (classes > 0)
        classifier = {.name = std::to_string(convs.size()), .in = convs.back().out, .out = classes};
    return std::make_shared<TfMobileNet>(convs, classifier, false);
}

std::shared_ptr<Backbone> makeKerasMobileNetV1(double alpha)
{
    const auto scaled = [alpha](int c) {
        return std::int64_t(double(c) * alpha + 0.5);
    };
    return std::make_shared<TfMobileNet>(mobileNetV1(scaled, true), GraphConv{}, true);
}

} // namespace graft::vision::detail
