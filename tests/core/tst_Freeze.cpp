#include "support/TestSupport.h"

#include "graft/core/Runtime.h"
#include "vision/Backbone.h"

#include <QTest>

#include <torch/nn/functional/loss.h>
#include <torch/nn/modules/batchnorm.h>
#include <torch/nn/modules/linear.h>
#include <torch/optim/sgd.h>

using namespace graft;

namespace {

std::shared_ptr<vision::Backbone> randomBackbone(const QString &arch)
{
    vision::BackboneSpec spec;
    spec.id = arch;
    spec.architecture = arch;
    auto r = vision::createBackbone(spec, QString(), false);
    if (!r)
        qWarning("%s", qPrintable(r.error().message()));
    return r ? r.value() : nullptr;
}

/// Snapshot of every parameter and BatchNorm buffer of one group.
std::vector<torch::Tensor> snapshot(torch::nn::Module &group, bool buffers)
{
    std::vector<torch::Tensor> out;
    for (const auto &t : buffers ? group.buffers(true) : group.parameters(true))
        if (t.is_floating_point())
            out.push_back(t.detach().clone());
    return out;
}

bool identical(const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
    if (a.size() != b.size())
        return false;
    for (size_t i = 0; i < a.size(); ++i)
        if (!torch::equal(a[i], b[i]))
            return false;
    return true;
}

bool allChanged(const std::vector<torch::Tensor> &a, const std::vector<torch::Tensor> &b)
{
    for (size_t i = 0; i < a.size(); ++i)
        if (torch::equal(a[i], b[i]))
            return false;
    return !a.empty();
}

} // namespace

class tst_Freeze : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { core::initRuntime(); }

    void frozenGroupsDoNotMove_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<int>("size");
        QTest::newRow("resnet_cifar20") << "resnet_cifar20" << 32;
        QTest::newRow("mobilenet_v2") << "mobilenet_v2" << 64;
        QTest::newRow("efficientnet_b0") << "efficientnet_b0" << 64;
    }

    void frozenGroupsDoNotMove()
    {
        QFETCH(QString, arch);
        QFETCH(int, size);
        torch::manual_seed(3);
        auto net = randomBackbone(arch);
        QVERIFY(net);
        const int n = int(net->groups().size());
        // Train the top two groups below a cut one short of the end; freeze the rest.
        vision::FreezePlan plan;
        plan.cutAt = n - 1;
        plan.trainable.assign(size_t(plan.cutAt), false);
        plan.lrMultiplier.assign(size_t(plan.cutAt), 1.0);
        plan.trainable[size_t(plan.cutAt - 1)] = true;
        plan.trainable[size_t(plan.cutAt - 2)] = true;

        vision::applyFreezePlan(*net, plan);
        vision::setTrainingMode(*net, plan, true);

        std::vector<std::vector<torch::Tensor>> params, stats;
        for (int g = 0; g < n; ++g) {
            params.push_back(snapshot(net->group(g), false));
            stats.push_back(snapshot(net->group(g), true));
        }

        std::vector<torch::optim::OptimizerParamGroup> groups;
        for (int g = 0; g < n; ++g) {
            auto p = vision::trainableParameters(*net, g);
            QCOMPARE(p.empty(), !(g < plan.cutAt && plan.trainable[size_t(g)]));
            for (const auto &t : net->group(g).parameters(true))
                QCOMPARE(t.requires_grad(), !p.empty());
            if (!p.empty())
                groups.emplace_back(p, std::make_unique<torch::optim::SGDOptions>(
                                           0.05 * plan.lrMultiplier[size_t(g)]));
        }
        torch::nn::Linear head(net->featureDim(plan.cutAt), 3);
        groups.emplace_back(head->parameters(), std::make_unique<torch::optim::SGDOptions>(0.05));
        torch::optim::SGD sgd(groups, torch::optim::SGDOptions(0.05).momentum(0.9));

        const auto x = torch::randn({8, 3, size, size});
        const auto y = torch::randint(0, 3, {8}, torch::kLong);
        for (int step = 0; step < 3; ++step) {
            sgd.zero_grad();
            auto loss = torch::nn::functional::cross_entropy(
                head->forward(net->features(x, plan.cutAt)), y);
            loss.backward();
            sgd.step();
        }

        for (int g = 0; g < n; ++g) {
            const auto nowParams = snapshot(net->group(g), false);
            const auto nowStats = snapshot(net->group(g), true);
            const bool trains = g < plan.cutAt && plan.trainable[size_t(g)];
            const QByteArray name = net->groups()[size_t(g)].name.toUtf8();
            if (trains) {
                QVERIFY2(allChanged(params[size_t(g)], nowParams), name);
                QVERIFY2(!identical(stats[size_t(g)], nowStats), name);
            } else {
                QVERIFY2(identical(params[size_t(g)], nowParams), name);
                QVERIFY2(identical(stats[size_t(g)], nowStats), name);
            }
        }

        // Every BatchNorm outside the trainable groups is in inference mode.
        for (int g = 0; g < n; ++g) {
            const bool trains = g < plan.cutAt && plan.trainable[size_t(g)];
            for (const auto &m : net->group(g).modules(false))
                if (dynamic_cast<torch::nn::BatchNorm2dImpl *>(m.get()))
                    QCOMPARE(m->is_training(), trains);
        }
        vision::setTrainingMode(*net, plan, false);
        for (const auto &m : net->modules(false))
            QVERIFY(!m->is_training());
    }

    void unfreezeRestoresGradients()
    {
        torch::manual_seed(5);
        auto net = randomBackbone("resnet_cifar20");
        QVERIFY(net);
        vision::FreezePlan frozen;
        frozen.cutAt = 4;
        frozen.trainable.assign(4, false);
        frozen.lrMultiplier.assign(4, 1.0);
        vision::applyFreezePlan(*net, frozen);
        for (int g = 0; g < 4; ++g)
            QVERIFY(vision::trainableParameters(*net, g).empty());
        auto all = frozen;
        all.trainable.assign(4, true);
        vision::applyFreezePlan(*net, all);
        std::size_t count = 0;
        for (int g = 0; g < 4; ++g)
            count += vision::trainableParameters(*net, g).size();
        std::size_t groupParams = 0;
        for (int g = 0; g < 4; ++g)
            groupParams += net->group(g).parameters(true).size();
        QCOMPARE(count, groupParams);
        QVERIFY(count > 0);

        // The catalogue's plans: the top two groups train, the rest stay frozen.
        const auto top = vision::FreezePlan::fineTuneTop(4, 2);
        vision::applyFreezePlan(*net, top);
        for (int g = 0; g < 4; ++g)
            QCOMPARE(vision::trainableParameters(*net, g).empty(), g < 2);
        vision::applyFreezePlan(*net, vision::FreezePlan::featureExtractor(3));
        for (int g = 0; g < 4; ++g)
            QVERIFY(vision::trainableParameters(*net, g).empty());
    }
};

QTEST_APPLESS_MAIN(tst_Freeze)
#include "tst_Freeze.moc"
