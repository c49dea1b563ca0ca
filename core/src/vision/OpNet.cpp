#include "vision/Backbone.h"

#include "graft/export/OnnxGraph.h"

#include <ATen/ATen.h>

#include <algorithm>
#include <limits>
#include <span>
#include <sstream>
#include <utility>

namespace graft::vision {

using detail::Act;
using detail::Op;
using detail::Pad;

namespace {

/// TF "SAME" padding along one axis: {before, after}.
std::pair<std::int64_t, std::int64_t> samePad(std::int64_t in, std::int64_t k, std::int64_t s)
{
    const std::int64_t out = (in + s - 1) / s;
    const std::int64_t total = std::max<std::int64_t>((out - 1) * s + k - in, 0);
    return {total / 2, total - total / 2};
}

torch::Tensor applyConv(torch::Tensor x, const torch::nn::Conv2d &conv, Pad pad)
{
    const std::int64_t s = conv->options.stride()->at(0);
    const std::int64_t k = conv->options.kernel_size()->at(0);
    const std::int64_t p = (k - 1) / 2;
    auto [top, bottom] = pad == Pad::TfSame ? samePad(x.size(2), k, s) : std::pair{p, p};
    auto [left, right] = pad == Pad::TfSame ? samePad(x.size(3), k, s) : std::pair{p, p};
    if (top != bottom || left != right) { // conv2d pads symmetrically: pad by hand
        x = at::constant_pad_nd(x, {left, right, top, bottom}, 0);
        top = left = 0;
    }
    return at::conv2d(x, conv->weight, conv->bias, at::IntArrayRef{s, s},
                      at::IntArrayRef{top, left}, at::IntArrayRef{1, 1}, conv->options.groups());
}

torch::Tensor applyAct(torch::Tensor x, Act act)
{
    // Activations always follow a convolution, batch norm or addition, whose backward passes do
    // not need their outputs, so ReLU/ReLU6 run in place as in torchvision (inplace=True);
    // autograd's version counters would reject a tensor that is still needed. hardtanh_ rather
    // than clamp: clamp's backward is four unfused kernels and made a MobileNetV2 training
    // step ~1.6x slower. SiLU's backward needs its input, so it stays out of place under autograd.
    switch (act) {
    case Act::None:
        return x;
    case Act::Relu:
        return x.relu_();
    case Act::Relu6:
        return at::hardtanh_(x, 0.0, 6.0);
    case Act::Silu:
        return at::GradMode::is_enabled() ? at::silu(x) : at::silu_(x);
    }
    return x;
}

/// A float literal TorchScript reads back to the same double.
std::string floatLiteral(double v)
{
    std::ostringstream out;
    out.precision(17);
    out << v;
    std::string s = out.str();
    if (s.find_first_of(".eEn") == std::string::npos)
        s += ".0";
    return s;
}

/// "fn(arg, arg, ...)".
std::string call(const std::string &fn, const std::vector<std::string> &args)
{
    std::string s = fn + "(";
    for (size_t i = 0; i < args.size(); ++i)
        s += (i ? ", " : "") + args[i];
    return s + ")";
}

/// TorchScript for each Act, in enum order.
const char *const kTorchScriptActs[] = {"x", "torch.relu(x)", "torch.clamp(x, 0.0, 6.0)",
                                        "torch.silu(x)"};

const char *kSameConvSource = R"(
def bb_conv_same(self, x: Tensor, w: Tensor, b: Optional[Tensor], s: int, g: int) -> Tensor:
    k = w.size(2)
    ih = x.size(2)
    iw = x.size(3)
    ph = max(((ih + s - 1) // s - 1) * s + k - ih, 0)
    pw = max(((iw + s - 1) // s - 1) * s + k - iw, 0)
    if ph % 2 == 0 and pw % 2 == 0:
        return torch.conv2d(x, w, b, [s, s], [ph // 2, pw // 2], [1, 1], g)
    x = torch.constant_pad_nd(x, [pw // 2, pw - pw // 2, ph // 2, ph - ph // 2], 0.0)
    return torch.conv2d(x, w, b, [s, s], [0, 0], [1, 1], g)
)";

} // namespace

void Backbone::addOp(Op op)
{
    TORCH_CHECK(!m_groupModules.empty() && m_groupEnd.size() < m_groupModules.size(),
                "op added outside a group");
    auto &holder = *m_groupModules.back();
    auto remember = [&](const std::shared_ptr<torch::nn::Module> &m) {
        holder.register_module(c10::str("m", m_memberCount++), m);
    };
    if (op.conv)
        remember(op.conv.ptr());
    if (op.conv2)
        remember(op.conv2.ptr());
    if (op.bn)
        remember(op.bn.ptr());
    m_ops.push_back(std::move(op));
}

void Backbone::beginGroup(const std::string &name)
{
    m_groupModules.push_back(std::make_shared<torch::nn::Module>("LayerGroup"));
    m_groups.push_back({QString::fromStdString(name), 0, 0, 1});
}

void Backbone::endGroup(std::int64_t outChannels, int outStride)
{
    auto &g = m_groups.back();
    g.outChannels = outChannels;
    g.outStride = outStride;
    for (const auto &p : m_groupModules.back()->parameters())
        g.parameterCount += p.numel();
    m_groupEnd.push_back(m_ops.size());
}

void Backbone::train(bool on)
{
    torch::nn::Module::train(on);
    for (auto &g : m_groupModules)
        g->train(on);
}

torch::Tensor Backbone::run(torch::Tensor x, size_t begin, size_t end)
{
    torch::Tensor saved;
    size_t group = 0;
    for (size_t i = begin; i < end; ++i) {
        while (m_groupEnd[group] <= i)
            ++group;
        Op &op = m_ops[i];
        switch (op.kind) {
        case Op::Kind::Conv:
            x = applyConv(x, op.conv, op.pad);
            break;
        case Op::Kind::BatchNorm:
            x = op.bn->forward(x);
            break;
        case Op::Kind::Activation:
            x = applyAct(x, op.act);
            break;
        case Op::Kind::Save:
            saved = x;
            break;
        case Op::Kind::AddSaved:
            if (op.dropProb > 0.0 && m_groupModules[group]->is_training()) {
                const double keep = 1.0 - op.dropProb;
                auto mask = at::empty({x.size(0), 1, 1, 1}, x.options()).bernoulli_(keep);
                x = x * mask.div_(keep);
            }
            x = at::GradMode::is_enabled() ? x + saved : x.add_(saved);
            break;
        case Op::Kind::SavedConvBn:
            saved = op.bn->forward(applyConv(saved, op.conv, Pad::Symmetric));
            break;
        case Op::Kind::SavedPadA: {
            auto sub = saved.slice(2, 0, INT64_MAX, 2).slice(3, 0, INT64_MAX, 2);
            saved = at::constant_pad_nd(sub, {0, 0, 0, 0, op.padChannels, op.padChannels}, 0);
            break;
        }
        case Op::Kind::MaxPool:
            x = at::max_pool2d(x, {3, 3}, {2, 2}, {1, 1});
            break;
        case Op::Kind::SqueezeExcite: {
            auto s = x.mean({2, 3}, true);
            s = at::silu(at::conv2d(s, op.conv->weight, op.conv->bias));
            s = at::sigmoid(at::conv2d(s, op.conv2->weight, op.conv2->bias));
            x = x * s;
            break;
        }
        }
    }
    return x;
}

torch::Tensor Backbone::featureMap(const torch::Tensor &x, int cutAt)
{
    TORCH_CHECK(cutAt >= 0 && cutAt <= int(m_groups.size()), "cut out of range: ", cutAt);
    return run(x, 0, opBegin(cutAt));
}

torch::Tensor Backbone::featuresFrom(const torch::Tensor &map, int from, int cutAt)
{
    TORCH_CHECK(from >= 0 && from <= cutAt && cutAt >= 1 && cutAt <= int(m_groups.size()),
                "bad group range: ", from, "..", cutAt);
    return run(map, opBegin(from), opBegin(cutAt)).mean({2, 3});
}

torch::Tensor Backbone::classify(const torch::Tensor &x)
{
    TORCH_CHECK(hasClassifier(), "this backbone has no classifier");
    auto f = features(x, int(m_groups.size()));
    return at::linear(f, classifierWeight(), m_classifierBias);
}

void Backbone::emitTorchScript(torch::jit::Module &module, int cutAt) const
{
    TORCH_CHECK(cutAt >= 1 && cutAt <= int(m_groups.size()), "cut out of range: ", cutAt);
    std::ostringstream src;
    bool needSame = false;
    int counter = 0;
    auto param = [&](const torch::Tensor &t, const char *tag, bool buffer) -> std::string {
        if (!t.defined())
            return "None";
        const std::string name = "bb_" + std::to_string(counter) + "_" + tag;
        module.register_parameter(name, t.detach().clone(), buffer);
        return "self." + name;
    };
    auto convCall = [&](const std::string &in, torch::nn::Conv2d conv, Pad pad) {
        const std::string s = std::to_string(conv->options.stride()->at(0));
        const std::string g = std::to_string(conv->options.groups());
        const std::string w = param(conv->weight, "w", false);
        const std::string b = param(conv->bias, "b", false);
        ++counter;
        if (pad == Pad::TfSame) {
            needSame = true;
            return call("self.bb_conv_same", {in, w, b, s, g});
        }
        const std::string p = std::to_string((conv->options.kernel_size()->at(0) - 1) / 2);
        return call("torch.conv2d",
                    {in, w, b, "[" + s + ", " + s + "]", "[" + p + ", " + p + "]", "[1, 1]", g});
    };
    auto bnCall = [&](const std::string &in, torch::nn::BatchNorm2d bn) {
        const auto &o = bn->options;
        const std::string c =
            call("torch.batch_norm",
                 {in, param(bn->weight, "g", false), param(bn->bias, "b", false),
                  param(bn->running_mean, "m", true), param(bn->running_var, "v", true), "False",
                  floatLiteral(o.momentum().value_or(0.1)), floatLiteral(o.eps()), "False"});
        ++counter;
        return c;
    };
    src << "def features(self, x):\n    saved = x\n";
    for (const Op &op : std::span(m_ops).first(opBegin(cutAt))) {
        switch (op.kind) {
        case Op::Kind::Conv:
            src << "    x = " << convCall("x", op.conv, op.pad) << "\n";
            break;
        case Op::Kind::BatchNorm:
            src << "    x = " << bnCall("x", op.bn) << "\n";
            break;
        case Op::Kind::Activation:
            src << "    x = " << kTorchScriptActs[size_t(op.act)] << "\n";
            break;
        case Op::Kind::Save:
            src << "    saved = x\n";
            break;
        case Op::Kind::AddSaved:
            src << "    x = x + saved\n";
            break;
        case Op::Kind::SavedConvBn:
            src << "    saved = " << bnCall(convCall("saved", op.conv, Pad::Symmetric), op.bn)
                << "\n";
            break;
        case Op::Kind::SavedPadA:
            src << "    saved = torch.constant_pad_nd(saved[:, :, ::2, ::2], [0, 0, 0, 0, "
                << op.padChannels << ", " << op.padChannels << "], 0.0)\n";
            break;
        case Op::Kind::MaxPool:
            src << "    x = torch.max_pool2d(x, [3, 3], [2, 2], [1, 1], [1, 1], False)\n";
            break;
        case Op::Kind::SqueezeExcite: {
            const std::string w1 = param(op.conv->weight, "w1", false);
            const std::string b1 = param(op.conv->bias, "b1", false);
            const std::string w2 = param(op.conv2->weight, "w2", false);
            const std::string b2 = param(op.conv2->bias, "b2", false);
            ++counter;
            src << "    s = torch.mean(x, [2, 3], True)\n"
                << "    s = torch.silu(torch.conv2d(s, " << w1 << ", " << b1 << "))\n"
                << "    s = torch.sigmoid(torch.conv2d(s, " << w2 << ", " << b2 << "))\n"
                << "    x = x * s\n";
            break;
        }
        }
    }
    src << "    return torch.mean(x, [2, 3])\n";
    if (needSame)
        module.define(kSameConvSource);
    module.define(src.str());
}

std::string
Backbone::emitOnnx(OnnxGraph &g, const std::string &input, int inputSize, int cutAt) const
{
    TORCH_CHECK(cutAt >= 1 && cutAt <= int(m_groups.size()), "cut out of range: ", cutAt);
    using A = OnnxGraph;
    // Spatial size through the network: SAME padding depends on it, and it is static here.
    std::int64_t h = inputSize, w = inputSize;
    auto conv = [&](const std::string &in, const torch::nn::Conv2d &c, Pad pad, std::int64_t *hh,
                    std::int64_t *ww) {
        const std::int64_t s = c->options.stride()->at(0), k = c->options.kernel_size()->at(0);
        const std::int64_t p = (k - 1) / 2;
        const auto [t, b] = pad == Pad::TfSame ? samePad(*hh, k, s) : std::pair{p, p};
        const auto [l, r] = pad == Pad::TfSame ? samePad(*ww, k, s) : std::pair{p, p};
        std::vector<std::string> inputs{in, onnxTensor(g, c->weight, "conv_w")};
        if (c->bias.defined())
            inputs.push_back(onnxTensor(g, c->bias, "conv_b"));
        *hh = (*hh + t + b - k) / s + 1;
        *ww = (*ww + l + r - k) / s + 1;
        return g.node("Conv", inputs,
                      {A::attrs("kernel_shape", {k, k}), A::attrs("strides", {s, s}),
                       A::attrs("pads", {t, l, b, r}), A::attrs("dilations", {1, 1}),
                       A::attr("group", c->options.groups())});
    };
    auto bn = [&](const std::string &in, const torch::nn::BatchNorm2d &m) {
        const std::int64_t n = m->options.num_features();
        const torch::Tensor gamma = m->weight.defined() ? m->weight : torch::ones({n});
        const torch::Tensor beta = m->bias.defined() ? m->bias : torch::zeros({n});
        return g.node("BatchNormalization",
                      {in, onnxTensor(g, gamma, "bn_scale"), onnxTensor(g, beta, "bn_bias"),
                       onnxTensor(g, m->running_mean, "bn_mean"),
                       onnxTensor(g, m->running_var, "bn_var")},
                      {A::attrF("epsilon", float(m->options.eps()))});
    };
    auto act = [&](const std::string &in, Act a) {
        switch (a) {
        case Act::None:
            return in;
        case Act::Relu:
            return g.node("Relu", {in});
        case Act::Relu6: {
            // relu(x) - relu(x - 6): the opset-13 Clip takes its bounds as inputs, which
            // OpenCV 4.6's importer rejects; this form is exact for x <= 12 and within an ulp
            // above, and every runtime reads it.
            const float six = 6.f;
            const std::string over =
                g.node("Relu", {g.node("Sub", {in, g.addFloat("six", {}, &six)})});
            return g.node("Sub", {g.node("Relu", {in}), over});
        }
        case Act::Silu:
            return g.node("Mul", {in, g.node("Sigmoid", {in})});
        }
        return in;
    };
    std::string x = input, saved = input;
    std::int64_t savedH = h, savedW = w;
    for (const Op &op : std::span(m_ops).first(opBegin(cutAt))) {
        switch (op.kind) {
        case Op::Kind::Conv:
            x = conv(x, op.conv, op.pad, &h, &w);
            break;
        case Op::Kind::BatchNorm:
            x = bn(x, op.bn);
            break;
        case Op::Kind::Activation:
            x = act(x, op.act);
            break;
        case Op::Kind::Save:
            saved = x;
            savedH = h;
            savedW = w;
            break;
        case Op::Kind::AddSaved:
            x = g.node("Add", {x, saved});
            break;
        case Op::Kind::SavedConvBn:
            saved = bn(conv(saved, op.conv, Pad::Symmetric, &savedH, &savedW), op.bn);
            break;
        case Op::Kind::SavedPadA: {
            const std::int64_t big = std::numeric_limits<std::int64_t>::max();
            const std::string sub = g.node("Slice", {saved, g.addInt64("starts", {2}, {0, 0}),
                                                     g.addInt64("ends", {2}, {big, big}),
                                                     g.addInt64("axes", {2}, {2, 3}),
                                                     g.addInt64("steps", {2}, {2, 2})});
            const std::int64_t p = op.padChannels;
            saved = g.node("Pad", {sub, g.addInt64("pads", {8}, {0, p, 0, 0, 0, p, 0, 0})}, {});
            savedH = (savedH + 1) / 2;
            savedW = (savedW + 1) / 2;
            break;
        }
        case Op::Kind::MaxPool:
            x = g.node("MaxPool", {x},
                       {A::attrs("kernel_shape", {3, 3}), A::attrs("strides", {2, 2}),
                        A::attrs("pads", {1, 1, 1, 1})});
            h = (h + 2 - 3) / 2 + 1;
            w = (w + 2 - 3) / 2 + 1;
            break;
        case Op::Kind::SqueezeExcite: {
            std::int64_t one = 1;
            std::string se = g.node("GlobalAveragePool", {x});
            se = act(conv(se, op.conv, Pad::Symmetric, &one, &one), Act::Silu); // 1x1: one stays 1
            se = g.node("Sigmoid", {conv(se, op.conv2, Pad::Symmetric, &one, &one)});
            x = g.node("Mul", {x, se});
            break;
        }
        }
    }
    return g.node("Flatten", {g.node("GlobalAveragePool", {x})}, {A::attr("axis", 1)});
}

std::string onnxTensor(OnnxGraph &graph, const torch::Tensor &t, const char *hint)
{
    const torch::Tensor c = t.detach().to(torch::kCPU, torch::kFloat).contiguous();
    return graph.addFloat(hint, c.sizes().vec(), c.data_ptr<float>());
}

} // namespace graft::vision
