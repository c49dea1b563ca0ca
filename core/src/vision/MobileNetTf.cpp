#include "vision/OpNet.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <functional>
#include <map>
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

std::string groupName(size_t index, size_t count, bool lastIsHead)
{
    if (index == 0)
        return "stem";
    if (lastIsHead && index + 1 == count)
        return "head";
    return "stage" + std::to_string(index);
}

/// MobileNetV1's 13 depthwise-separable blocks (TF-slim and Keras): pointwise widths, strides.
const int kV1Widths[] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
const int kV1Strides[] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};

struct GraphConv
{
    int param = -1;
    std::int64_t in = 0, out = 0, kernel = 1, stride = 1, groups = 1;
    Act act = Act::None;
    bool saveAfter = false; ///< output is the shortcut of a later ADD
    bool addAfter = false;  ///< an ADD follows
};

/// A MobileNet with TF "SAME" padding: a TFLite graph's convolution chain, or Keras's V1.
class TfMobileNet : public OpNet
{
public:
    /// The network of a chain of convolutions (graph order) and an optional classifier.
    TfMobileNet(const std::vector<GraphConv> &convs, const GraphConv &classifier)
    {
        auto layers = child(*this, "layers");
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
        buildBlocks(keys, inverted && convs.back().act != Act::None, [&](size_t b) {
            for (const GraphConv &c : blocks[b]) {
                addConv(*layers, std::to_string(c.param), c.in, c.out, c.kernel, c.stride, c.groups,
                        true, Pad::TfSame);
                addAct(c.act);
                if (c.addAfter)
                    addOp(Op{Op::Kind::AddSaved});
                if (c.saveAfter)
                    addOp(Op{Op::Kind::Save});
            }
        });
        if (classifier.param >= 0) {
            const std::string name = std::to_string(classifier.param);
            const auto options = torch::nn::Conv2dOptions(classifier.in, classifier.out, 1);
            auto conv = layers->register_module(name, torch::nn::Conv2d(options));
            setClassifier(conv->weight, conv->bias,
                          {"layers." + name + ".weight", "layers." + name + ".bias"});
        }
    }

    /// Keras applications MobileNetV1 with width multiplier `alpha`.
    explicit TfMobileNet(double alpha)
    {
        const auto scaled = [alpha](int c) {
            return std::int64_t(double(c) * alpha + 0.5);
        };
        const double eps = 1e-3;
        const double momentum = 0.01; // Keras momentum 0.99
        std::vector<BlockKey> keys;
        int stride = 2;
        for (int i = 0; i < 13; ++i) {
            stride *= kV1Strides[i];
            keys.push_back({scaled(kV1Widths[i]), stride});
        }
        buildBlocks(keys, false, [&](size_t i) {
            const std::int64_t in = i == 0 ? scaled(32) : keys[i - 1].channels;
            const std::int64_t out = keys[i].channels;
            if (i == 0) {
                addConv(*this, "conv1", 3, in, 3, 2, 1, false, Pad::TfSame);
                addBn(*this, "conv1_bn", in, eps, momentum);
                addAct(Act::Relu6);
            }
            const std::string n = std::to_string(i + 1);
            addConv(*this, "conv_dw_" + n, in, in, 3, kV1Strides[i], in, false, Pad::TfSame);
            addBn(*this, "conv_dw_" + n + "_bn", in, eps, momentum);
            addAct(Act::Relu6);
            addConv(*this, "conv_pw_" + n, in, out, 1, 1, 1, false, Pad::TfSame);
            addBn(*this, "conv_pw_" + n + "_bn", out, eps, momentum);
            addAct(Act::Relu6);
        });
    }

private:
    /// Builds groups of blocks (see groupStarts()); `build(b)` adds the ops of block b.
    void buildBlocks(const std::vector<BlockKey> &keys,
                     bool lastIsHead,
                     const std::function<void(size_t)> &build)
    {
        const auto starts = groupStarts(keys, lastIsHead);
        for (size_t g = 0; g < starts.size(); ++g) {
            const size_t end = g + 1 < starts.size() ? starts[g + 1] : keys.size();
            beginGroup(groupName(g, starts.size(), lastIsHead));
            for (size_t b = starts[g]; b < end; ++b)
                build(b);
            endGroup(keys[end - 1].channels, keys[end - 1].stride);
        }
    }
};

} // namespace

core::Result<std::shared_ptr<OpNet>>
makeTfGraphMobileNet(const QByteArray &graphJson,
                     const std::vector<std::pair<std::string, std::vector<std::int64_t>>> &shapes,
                     const QString &file)
{
    auto fail = [&](const QString &detail) -> core::Error {
        return core::makeError(core::ErrorCode::WeightsInvalid,
                               QStringLiteral("__metadata__.graph: %1").arg(detail), file);
    };
    const QJsonDocument doc = QJsonDocument::fromJson(graphJson);
    if (!doc.isArray())
        return fail(QStringLiteral("missing or not a JSON array"));
    std::map<std::string, std::vector<std::int64_t>> shapeOf(shapes.begin(), shapes.end());

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
            const auto it = shapeOf.find((param + QStringLiteral(".weight")).toStdString());
            if (!param.startsWith(QLatin1String("layers.")) || it == shapeOf.end() ||
                it->second.size() != 4)
                return fail(
                    QStringLiteral("op %1: no 4-d weight tensor for '%2'").arg(i).arg(param));
            GraphConv c;
            c.param = param.mid(7).toInt();
            c.out = it->second[0];
            c.kernel = it->second[2];
            c.groups = op.value("groups").toInt(1);
            c.in = it->second[1] * c.groups;
            c.stride = op.value("stride").toArray().at(0).toInt(1);
            const QString act = op.value("act").toString();
            c.act = act == QLatin1String("relu6")  ? Act::Relu6
                    : act == QLatin1String("relu") ? Act::Relu
                                                   : Act::None;
            if (!act.isEmpty() && c.act == Act::None)
                return fail(QStringLiteral("op %1: unsupported activation '%2'").arg(i).arg(act));
            if (op.value("padding").toString() != QLatin1String("SAME") ||
                it->second[2] != it->second[3] || c.in != channels)
                return fail(
                    QStringLiteral("op %1 ('%2'): unsupported padding or shape").arg(i).arg(param));
            if (pooled) {
                if (classifier.param >= 0 || c.kernel != 1)
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

    return std::shared_ptr<OpNet>(std::make_shared<TfMobileNet>(convs, classifier));
}

std::shared_ptr<OpNet> makeTfMobileNet(int version, double width, int classes)
{
    std::vector<GraphConv> convs;
    std::int64_t in = 3;
    auto add = [&](std::int64_t out, std::int64_t kernel, std::int64_t stride, bool depthwise,
                   Act act) {
        convs.push_back({.param = int(convs.size()),
                         .in = in,
                         .out = out,
                         .kernel = kernel,
                         .stride = stride,
                         .groups = depthwise ? in : 1,
                         .act = act});
        in = out;
    };
    if (version == 1) {
        const auto depth = [width](int c) {
            return std::max<std::int64_t>(8, std::int64_t(c * width));
        };
        add(depth(32), 3, 2, false, Act::Relu6);
        for (int i = 0; i < 13; ++i) {
            add(in, 3, kV1Strides[i], true, Act::Relu6);
            add(depth(kV1Widths[i]), 1, 1, false, Act::Relu6);
        }
    } else {
        const auto divisible = [width](int c) {
            const double v = c * width;
            std::int64_t r = std::max<std::int64_t>(8, (std::int64_t(v + 4) / 8) * 8);
            if (double(r) < 0.9 * v)
                r += 8;
            return r;
        };
        struct Setting
        {
            int t, c, n, s;
        };
        const Setting settings[] = {{1, 16, 1, 1}, {6, 24, 2, 2},  {6, 32, 3, 2}, {6, 64, 4, 2},
                                    {6, 96, 3, 1}, {6, 160, 3, 2}, {6, 320, 1, 1}};
        add(divisible(32), 3, 2, false, Act::Relu6);
        for (const Setting &st : settings) {
            for (int i = 0; i < st.n; ++i) {
                if (st.t != 1)
                    add(in * st.t, 1, 1, false, Act::Relu6);
                add(in, 3, i == 0 ? st.s : 1, true, Act::Relu6);
                add(divisible(st.c), 1, 1, false, Act::None);
                convs.back().addAfter = i > 0;
                convs.back().saveAfter = i + 1 < st.n;
            }
        }
        add(width > 1.0 ? divisible(1280) : 1280, 1, 1, false, Act::Relu6);
    }
    GraphConv classifier;
    if (classes > 0)
        classifier = {.param = int(convs.size()), .in = in, .out = classes};
    return std::make_shared<TfMobileNet>(convs, classifier);
}

std::shared_ptr<OpNet> makeKerasMobileNetV1(double alpha)
{
    return std::make_shared<TfMobileNet>(alpha);
}

} // namespace graft::vision::detail
