// Forward (feature extraction) and training-step throughput of a Graft backbone, batch 32.
// Prints one JSON line. Usage: graft-bench-forward WEIGHTS_DIR BACKBONE|gemm [ITERS] [THREADS]
//                                [channels_last 0|1] [mode features|train] [pretrained|random]
#include "graft/core/Runtime.h"
#include "vision/Backbone.h"

#include <torch/nn/functional/loss.h>
#include <torch/csrc/autograd/profiler_legacy.h>
#include <torch/optim/sgd.h>

#include <QCoreApplication>
#include <QDir>
#include <QElapsedTimer>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTextStream>

using namespace graft;

int main(int argc, char *argv[])
{
    QCoreApplication app(argc, argv);
    const QStringList a = QCoreApplication::arguments();
    if (a.size() < 3) {
        QTextStream(stderr) << "usage: graft-bench-forward WEIGHTS_DIR BACKBONE [ITERS] [THREADS] "
                               "[CHANNELS_LAST] [features|train]\n";
        return 1;
    }
    const int iters = a.size() > 3 ? a[3].toInt() : 10;
    const int threads = a.size() > 4 ? a[4].toInt() : 2;
    const bool cl = a.size() > 5 && a[5] == QLatin1String("1");
    const bool trainMode = a.size() > 6 && a[6] == QLatin1String("train");
    core::initRuntime(threads);
    if (a[2] == QLatin1String("gemm")) {
        // The machine's limit: single-precision GEMM throughput at this thread count.
        const std::int64_t n = 1024;
        torch::Tensor p = torch::randn({n, n}), q = torch::randn({n, n});
        torch::Tensor r = torch::mm(p, q);
        QElapsedTimer g;
        g.start();
        for (int i = 0; i < iters; ++i)
            r = torch::mm(p, q);
        const double sec = double(g.nsecsElapsed()) / 1e9;
        const QJsonObject out{{"tool", "graft"}, {"mode", "gemm"}, {"n", double(n)}, {"threads", threads},
                              {"gflops", 2.0 * double(n * n * n) * iters / sec / 1e9}};
        QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
        return 0;
    }
    // Timing does not depend on the weights: a backbone whose weights are not here runs with
    // random ones (e.g. mobilenet_v2, the torchvision architecture the PyTorch peer runs).
    const bool pretrained = a.size() <= 7 || a[7] != QLatin1String("random");
    auto bb = vision::createBackbone(a[2], a[1], pretrained);
    if (!bb) {
        QTextStream(stderr) << bb.error().message() << "\n";
        return 2;
    }
    auto net = *bb;
    const int cut = int(net->groups().size());
    const int s = net->spec().preprocessing.inputSize;
    torch::manual_seed(0);
    torch::Tensor x = torch::randn({32, 3, s, s});
    if (cl) {
        torch::NoGradGuard ng;
        for (auto &p : net->parameters())
            if (p.dim() == 4)
                p.set_data(p.contiguous(torch::MemoryFormat::ChannelsLast));
        x = x.contiguous(torch::MemoryFormat::ChannelsLast);
    }
    torch::Tensor head = torch::zeros({net->featureDim(cut), 2}, torch::requires_grad());
    torch::Tensor labels = torch::zeros({32}, torch::kLong);
    std::unique_ptr<torch::optim::SGD> opt;
    if (trainMode) {
        net->train();
        std::vector<torch::Tensor> params = net->parameters();
        params.push_back(head);
        opt = std::make_unique<torch::optim::SGD>(params, torch::optim::SGDOptions(1e-3).momentum(0.9));
    } else {
        net->eval();
    }
    auto step = [&] {
        if (trainMode) {
            opt->zero_grad();
            auto loss = torch::nn::functional::cross_entropy(net->features(x, cut).mm(head), labels);
            loss.backward();
            opt->step();
        } else {
            torch::NoGradGuard ng;
            net->features(x, cut);
        }
    };
    step(); // warm-up
    if (qEnvironmentVariableIsSet("GRAFT_PROFILE")) {
        // Chrome-trace of two steps, to compare per-operator time with PyTorch's profiler.
        torch::autograd::profiler::RecordProfile guard(qPrintable(qEnvironmentVariable("GRAFT_PROFILE")));
        step();
        step();
    }
    QElapsedTimer t;
    t.start();
    for (int i = 0; i < iters; ++i)
        step();
    const double sec = double(t.nsecsElapsed()) / 1e9;
    const QJsonObject out{{"tool", "graft"}, {"backbone", a[2]}, {"mode", trainMode ? "train" : "features"},
                          {"images_per_second", 32.0 * iters / sec}, {"threads", threads},
                          {"channels_last", cl}};
    QTextStream(stdout) << QJsonDocument(out).toJson(QJsonDocument::Compact) << "\n";
    return 0;
}
