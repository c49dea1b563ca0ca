#include "vision/OpNet.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <functional>
#include <map>
#include <set>

namespace graft::vision::detail {

namespace {

struct BlockKey
{
    std::int64_t channels = 0;
    int stride = 1;
    bool operator==(const BlockKey &o) const
    {
        return channels == o.channels && stride == o.stride;
    }
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

/// One block: what to build, and what it outputs.
struct Block
{
    std::function<void()> build;
    BlockKey key;
};

class TfMobileNet : public OpNet
{
public:
    /// Builds groups from blocks (see groupStarts()).
    void buildBlocks(const std::vector<Block> &blocks, bool lastIsHead)
    {
        std::vector<BlockKey> keys;
        for (const auto &b : blocks)
            keys.push_back(b.key);
        const auto starts = groupStarts(keys, lastIsHead);
        for (size_t g = 0; g < starts.size(); ++g) {
            const size_t end = g + 1 < starts.size() ? starts[g + 1] : blocks.size();
            beginGroup(groupName(g, starts.size(), lastIsHead));
            for (size_t b = starts[g]; b < end; ++b)
                blocks[b].build();
            endGroup(blocks[end - 1].key.channels, blocks[end - 1].key.stride);
        }
    }

    using OpNet::addAct;
    using OpNet::addBn;
    using OpNet::addConv;
    using OpNet::addOp;
    using OpNet::child;
    using OpNet::setClassifier;
};

struct GraphConv
{
    int param = -1;
    std::int64_t in = 0, out = 0, kernel = 1, stride = 1, groups = 1;
    Act act = Act::None;
    bool saveAfter = false; ///< output is the shortcut of a later ADD
    bool addAfter = false;  ///< an ADD follows
};

/// Builds the network from a chain of convolutions (graph order) and an optional classifier.
std::shared_ptr<TfMobileNet> buildTfMobileNet(const std::vector<GraphConv> &convs,
                                              const GraphConv &classifier)
{
    auto net = std::make_shared<TfMobileNet>();
    auto layers = net->child(*net, "layers");
    const bool inverted = std::any_of(convs.begin(), convs.end(),
                                      [](const GraphConv &c) { return c.act == Act::None; });
    std::vector<Block> blocks;
    std::vector<GraphConv> pending;
    int stride = 1;
    auto flush = [&]() {
        if (pending.empty())
            return;
        Block b;
        b.key = BlockKey{pending.back().out, stride};
        b.build = [net, layers, items = pending]() {
            for (const GraphConv &c : items) {
                net->addConv(*layers, std::to_string(c.param), c.in, c.out, c.kernel, c.stride,
                             c.groups, true, Pad::TfSame);
                net->addAct(c.act);
                if (c.addAfter)
                    net->addOp(Op{Op::Kind::AddSaved});
                if (c.saveAfter)
                    net->addOp(Op{Op::Kind::Save});
            }
        };
        blocks.push_back(std::move(b));
        pending.clear();
    };
    for (const GraphConv &c : convs) {
        pending.push_back(c);
        stride *= int(c.stride);
        const bool ends = inverted ? c.act == Act::None : (c.kernel == 1 && c.groups == 1);
        if (ends)
            flush();
    }
    flush(); // MobileNetV2's last 1x1 conv: the head
    const bool lastIsHead = inverted && convs.back().act != Act::None;
    net->buildBlocks(blocks, lastIsHead);

    if (classifier.param >= 0) {
        const std::string name = std::to_string(classifier.param);
        auto conv = layers->register_module(
            name, torch::nn::Conv2d(torch::nn::Conv2dOptions(classifier.in, classifier.out, 1)));
        net->setClassifier(conv->weight, conv->bias,
                           {"layers." + name + ".weight", "layers." + name + ".bias"});
    }
    return net;
}

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

    return std::shared_ptr<OpNet>(buildTfMobileNet(convs, classifier));
}

std::shared_ptr<OpNet> makeTfMobileNet(int version, double width, int classes)
{
    std::vector<GraphConv> convs;
    std::int64_t in = 3;
    auto add = [&](std::int64_t out, std::int64_t kernel, std::int64_t stride, bool depthwise,
                   Act act) {
        GraphConv c;
        c.param = int(convs.size());
        c.in = in;
        c.out = out;
        c.kernel = kernel;
        c.stride = stride;
        c.groups = depthwise ? in : 1;
        c.act = act;
        convs.push_back(c);
        in = out;
    };
    if (version == 1) {
        const auto depth = [width](int c) {
            return std::max<std::int64_t>(8, std::int64_t(c * width));
        };
        const int widths[] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
        const int strides[] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
        add(depth(32), 3, 2, false, Act::Relu6);
        for (int i = 0; i < 13; ++i) {
            add(in, 3, strides[i], true, Act::Relu6);
            add(depth(widths[i]), 1, 1, false, Act::Relu6);
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
    if (classes > 0) {
        classifier.param = int(convs.size());
        classifier.in = in;
        classifier.out = classes;
    }
    return buildTfMobileNet(convs, classifier);
}

std::shared_ptr<OpNet> makeKerasMobileNetV1(double alpha)
{
    auto net = std::make_shared<TfMobileNet>();
    const auto scaled = [alpha](int c) {
        return std::int64_t(double(c) * alpha + 0.5);
    };
    const int widths[] = {64, 128, 128, 256, 256, 512, 512, 512, 512, 512, 512, 1024, 1024};
    const int strides[] = {1, 2, 1, 2, 1, 2, 1, 1, 1, 1, 1, 2, 1};
    const double eps = 1e-3;
    const double momentum = 0.01; // Keras momentum 0.99
    std::vector<Block> blocks;
    std::int64_t in = scaled(32);
    int stride = 2;
    for (int i = 0; i < 13; ++i) {
        const std::int64_t out = scaled(widths[i]);
        const int s = strides[i];
        stride *= s;
        Block b;
        b.key = BlockKey{out, stride};
        b.build = [net, i, in, out, s, eps, momentum]() {
            auto &m = *net;
            if (i == 0) {
                m.addConv(m, "conv1", 3, in, 3, 2, 1, false, Pad::TfSame);
                m.addBn(m, "conv1_bn", in, eps, momentum);
                m.addAct(Act::Relu6);
            }
            const std::string n = std::to_string(i + 1);
            m.addConv(m, "conv_dw_" + n, in, in, 3, s, in, false, Pad::TfSame);
            m.addBn(m, "conv_dw_" + n + "_bn", in, eps, momentum);
            m.addAct(Act::Relu6);
            m.addConv(m, "conv_pw_" + n, in, out, 1, 1, 1, false, Pad::TfSame);
            m.addBn(m, "conv_pw_" + n + "_bn", out, eps, momentum);
            m.addAct(Act::Relu6);
        };
        blocks.push_back(std::move(b));
        in = out;
    }
    net->buildBlocks(blocks, false);
    return net;
}

} // namespace graft::vision::detail
