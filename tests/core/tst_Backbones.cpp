#include "support/TestSupport.h"

#include "graft/core/Runtime.h"
#include "graft/vision/ImageDecoder.h"
#include "vision/Backbone.h"
#include "graft/io/Safetensors.h"

#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>

#include <opencv2/imgproc.hpp>
#include <torch/serialize.h>

using namespace graft;
using vision::BackboneSpec;

namespace {

BackboneSpec makeSpec(const QString &id, const QString &arch, int classes = 0)
{
    BackboneSpec s;
    s.id = id;
    s.architecture = arch;
    s.classifierClasses = classes;
    return s;
}

std::shared_ptr<vision::Backbone>
load(const BackboneSpec &spec, const QString &path, bool pretrained = true)
{
    auto r = vision::createBackbone(spec, path, pretrained);
    if (!r) {
        qWarning("%s", qPrintable(r.error().message()));
        return nullptr;
    }
    return r.value();
}

torch::Tensor tensorFrom(const io::SafetensorsFile &file, const std::string &name)
{
    const auto *info = file.find(name);
    if (!info)
        return {};
    auto values = file.toFloat(*info);
    return torch::from_blob(values.data(), info->shape, torch::kFloat32).clone();
}

/// Decodes and resizes to size x size, scaled by (v/255 - mean) / std, NCHW.
torch::Tensor
imageTensor(const QString &path, int size, std::array<float, 3> mean, std::array<float, 3> std)
{
    auto img = vision::decodeImageFile(path);
    if (!img)
        return {};
    cv::Mat src(img->height, img->width, CV_8UC3, img->pixels.data());
    cv::Mat dst;
    if (img->width == size && img->height == size)
        dst = src;
    else
        cv::resize(src, dst, cv::Size(size, size), 0, 0, cv::INTER_AREA);
    auto t = torch::from_blob(dst.data, {size, size, 3}, torch::kUInt8).clone();
    t = t.permute({2, 0, 1}).to(torch::kFloat32).div(255.0);
    auto m = torch::tensor({mean[0], mean[1], mean[2]}).view({3, 1, 1});
    auto s = torch::tensor({std[0], std[1], std[2]}).view({3, 1, 1});
    return ((t - m) / s).unsqueeze(0);
}

QStringList readLines(const QString &path)
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QString::fromUtf8(f.readAll()).split(QLatin1Char('\n'));
}

double maxAbsDiff(const torch::Tensor &a, const torch::Tensor &b)
{
    return (a - b).abs().max().item<double>();
}

} // namespace

class tst_Backbones : public QObject
{
    Q_OBJECT

private:
    QString weights(const QString &file)
    {
        return graft::test::sharedData(QStringLiteral("weights/") + file);
    }

private Q_SLOTS:
    void initTestCase()
    {
        core::initRuntime();
        torch::manual_seed(7);
    }

    void mobileNetV2Predictions()
    {
        GRAFT_REQUIRE_SHARED(samples, "images/samples");
        GRAFT_REQUIRE_SHARED(labelsPath, "weights/imagenet_labels.coral.txt");
        auto net = load(makeSpec("mobilenet_v2_imagenet", "mobilenet_v2_tf", 1001),
                        weights("mobilenet_v2_1.0_224_imagenet.coral.safetensors"));
        QVERIFY(net);
        QVERIFY(net->hasClassifier());
        const QStringList labels = readLines(labelsPath);
        QVERIFY(labels.size() >= 1001);
        const std::array<float, 3> half{0.5f, 0.5f, 0.5f};
        const std::vector<std::pair<QString, QString>> expected = {{"cat.bmp", "cat"},
                                                                   {"parrot.jpg", "macaw"},
                                                                   {"hot_dog.jpg", "hotdog"},
                                                                   {"bird.bmp", "chickadee"},
                                                                   {"sunflower.bmp", "daisy"}};
        std::vector<torch::Tensor> inputs;
        for (const auto &[file, label] : expected) {
            auto t = imageTensor(QDir(samples).filePath(file), 224, half, half);
            QVERIFY2(t.defined(), qPrintable(file));
            inputs.push_back(t);
        }
        torch::NoGradGuard noGrad;
        auto logits = net->classify(torch::cat(inputs));
        QCOMPARE(logits.size(1), 1001);
        auto top = logits.argmax(1);
        for (size_t i = 0; i < expected.size(); ++i) {
            const QString got = labels.at(top[long(i)].item<int>());
            QVERIFY2(got.contains(expected[i].second),
                     qPrintable(expected[i].first + " -> " + got));
        }
    }

    void mobileNetV1Coral()
    {
        GRAFT_REQUIRE_SHARED(samples, "images/samples");
        GRAFT_REQUIRE_SHARED(labelsPath, "weights/imagenet_labels.coral.txt");
        auto net = load(makeSpec("mobilenet_v1_025_128_imagenet", "mobilenet_v1_tf", 1001),
                        weights("mobilenet_v1_0.25_128_imagenet.coral.safetensors"));
        QVERIFY(net);
        QVERIFY(net->hasClassifier());
        const QStringList labels = readLines(labelsPath);
        const std::array<float, 3> half{0.5f, 0.5f, 0.5f};
        torch::NoGradGuard noGrad;
        auto logits =
            net->classify(imageTensor(QDir(samples).filePath("parrot.jpg"), 128, half, half));
        const QString got = labels.at(logits.argmax(1).item<int>());
        QVERIFY2(got.contains("macaw"), qPrintable(got));

        auto features = load(makeSpec("mobilenet_v1_imagenet", "mobilenet_v1_tf"),
                             weights("mobilenet_v1_1.0_224_imagenet_features.coral.safetensors"));
        QVERIFY(features);
        QVERIFY(!features->hasClassifier());
        QCOMPARE(features->groups().back().outChannels, 1024);
    }

    void resnet20Cifar()
    {
        GRAFT_REQUIRE_SHARED(testDir, "images/cifar10_jpg/test");
        const QString path = weights("resnet20_cifar10.akamaster.safetensors");
        auto net = load(makeSpec("resnet20_cifar10", "resnet_cifar", 10), path);
        QVERIFY(net);
        // Normalisation from the file's metadata.
        auto file = io::SafetensorsFile::open(path);
        QVERIFY(file);
        auto parse = [&](const char *key) {
            const QStringList parts =
                file->metadata().value(QLatin1String(key)).toString().split(QLatin1Char(','));
            std::array<float, 3> v{};
            for (int i = 0; i < 3 && i < parts.size(); ++i)
                v[size_t(i)] = parts[i].toFloat();
            return v;
        };
        const auto mean = parse("normalize_mean");
        const auto std = parse("normalize_std");
        QVERIFY(std[0] > 0.f);
        const QStringList classes = {"airplane", "automobile", "bird",  "cat",  "deer",
                                     "dog",      "frog",       "horse", "ship", "truck"};
        std::vector<torch::Tensor> images;
        std::vector<std::int64_t> targets;
        for (int c = 0; c < classes.size(); ++c) {
            const QDir dir(QDir(testDir).filePath(classes[c]));
            for (const QString &f : dir.entryList({"*.jpg"}, QDir::Files, QDir::Name)) {
                auto t = imageTensor(dir.filePath(f), 32, mean, std);
                QVERIFY2(t.defined(), qPrintable(f));
                images.push_back(t);
                targets.push_back(c);
            }
        }
        QVERIFY(images.size() >= 3000);
        auto x = torch::cat(images);
        auto y = torch::tensor(targets);
        torch::NoGradGuard noGrad;
        std::vector<torch::Tensor> preds;
        for (std::int64_t i = 0; i < x.size(0); i += 500)
            preds.push_back(net->classify(x.slice(0, i, i + 500)).argmax(1));
        const double acc = torch::cat(preds).eq(y).to(torch::kFloat64).mean().item<double>();
        qInfo("ResNet-20 CIFAR-10 JPEG test top-1: %.2f %% on %lld images", acc * 100.0,
              static_cast<long long>(x.size(0)));
        QVERIFY2(acc >= 0.80, qPrintable(QString::number(acc)));

        // ResNet-56 on every tenth image.
        auto net56 = load(makeSpec("resnet56_cifar10", "resnet_cifar", 10),
                          weights("resnet56_cifar10.akamaster.safetensors"));
        QVERIFY(net56);
        auto sub = x.slice(0, 0, x.size(0), 10);
        const double acc56 = net56->classify(sub)
                                 .argmax(1)
                                 .eq(y.slice(0, 0, y.size(0), 10))
                                 .to(torch::kFloat64)
                                 .mean()
                                 .item<double>();
        qInfo("ResNet-56 CIFAR-10 JPEG test top-1: %.2f %% on %lld images", acc56 * 100.0,
              static_cast<long long>(sub.size(0)));
        QVERIFY(acc56 >= 0.80);
    }

    void torchvisionParity()
    {
        if (!graft::test::pythonHasModule(QStringLiteral("torchvision")))
            QSKIP("python3-torchvision not installed");
        const QString tool = QString::fromUtf8(qgetenv("GRAFT_SOURCE_DIR")) +
                             QStringLiteral("/tests/tools/torchvision_parity.py");
        QVERIFY(QFile::exists(tool));
        QTemporaryDir dir;
        QVERIFY(dir.isValid());
        const QStringList names = {"resnet18", "mobilenet_v2", "efficientnet_b0"};
        QProcess py;
        py.start(graft::test::debianPython(), QStringList{tool, dir.path()} + names);
        QVERIFY(py.waitForFinished(300000));
        QVERIFY2(py.exitCode() == 0, py.readAllStandardError().constData());

        const std::map<QString, QString> arch = {{"resnet18", "resnet"},
                                                 {"resnet50", "resnet"},
                                                 {"mobilenet_v2", "mobilenet_v2"},
                                                 {"efficientnet_b0", "efficientnet"}};
        for (const QString &name : names) {
            BackboneSpec spec = makeSpec(name, arch.at(name), 1000);
            spec.options.insert("depth", name.startsWith("resnet") ? name.mid(6).toInt() : 0);
            auto net = load(spec, dir.filePath(name + ".safetensors"));
            QVERIFY2(net, qPrintable(name));
            auto io = io::SafetensorsFile::open(dir.filePath(name + "_io.safetensors"));
            QVERIFY(io);
            const auto x = tensorFrom(*io, "input");
            torch::NoGradGuard noGrad;
            const auto f = net->features(x, int(net->groups().size()));
            const auto logits = net->classify(x);
            const double df = maxAbsDiff(f, tensorFrom(*io, "features"));
            const double dl = maxAbsDiff(logits, tensorFrom(*io, "logits"));
            qInfo("%s parity: features max |diff| %.3g, logits %.3g", qPrintable(name), df, dl);
            QVERIFY2(df < 1e-4 && dl < 1e-4, qPrintable(name));

            // The same weights under timm's names (the hub files the catalogue downloads).
            const QString timm = dir.filePath(name + "_timm.safetensors");
            if (QFile::exists(timm)) {
                auto timmNet = load(spec, timm);
                QVERIFY2(timmNet, qPrintable(timm));
                QCOMPARE(maxAbsDiff(timmNet->classify(x), logits), 0.0);
            }
        }
    }

    void syntheticTfMatchesFile_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("file");
        QTest::addColumn<double>("width");
        QTest::addColumn<int>("classes");
        QTest::newRow("v2") << "mobilenet_v2_tf"
                            << "mobilenet_v2_1.0_224_imagenet.coral.safetensors" << 1.0 << 1001;
        QTest::newRow("v1") << "mobilenet_v1_tf"
                            << "mobilenet_v1_1.0_224_imagenet_features.coral.safetensors" << 1.0
                            << 0;
        QTest::newRow("v1_025") << "mobilenet_v1_tf"
                                << "mobilenet_v1_0.25_128_imagenet.coral.safetensors" << 0.25
                                << 1001;
        QTest::newRow("keras") << "mobilenet_v1_keras"
                               << "mobilenet_v1_0.25_224_imagenet_notop.keras.safetensors" << 0.25
                               << 0;
    }

    /// Without a file (random init, layer-group listing) the TF models are built from the
    /// catalogue options: same tensors, same groups as from the file's graph.
    void syntheticTfMatchesFile()
    {
        QFETCH(QString, arch);
        QFETCH(QString, file);
        QFETCH(double, width);
        QFETCH(int, classes);
        const QString path = weights(file);
        if (path.isEmpty())
            QSKIP("shared weights not found");
        BackboneSpec spec = makeSpec(arch, arch, classes);
        spec.options.insert("widthMultiplier", width);
        spec.options.insert("alpha", width);
        auto real = load(spec, path);
        auto synthetic = load(spec, QString(), false);
        QVERIFY(real && synthetic);
        QCOMPARE(real->hasClassifier(), synthetic->hasClassifier());
        const auto a = real->named_parameters();
        const auto b = synthetic->named_parameters();
        QCOMPARE(a.size(), b.size());
        for (const auto &item : a) {
            QVERIFY2(b.contains(item.key()), item.key().c_str());
            QCOMPARE(b[item.key()].sizes(), item.value().sizes());
        }
        QCOMPARE(real->groups().size(), synthetic->groups().size());
        for (size_t g = 0; g < real->groups().size(); ++g) {
            QCOMPARE(real->groups()[g].name, synthetic->groups()[g].name);
            QCOMPARE(real->groups()[g].outChannels, synthetic->groups()[g].outChannels);
            QCOMPARE(real->groups()[g].parameterCount, synthetic->groups()[g].parameterCount);
        }
    }

    void groupShapes_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("groupCount");
        QTest::addColumn<int>("size");
        QTest::newRow("mobilenet_v2_tf")
            << "mobilenet_v2_tf"
            << "mobilenet_v2_1.0_224_imagenet.coral.safetensors" << 8 << 96;
        QTest::newRow("mobilenet_v1_tf")
            << "mobilenet_v1_tf"
            << "mobilenet_v1_1.0_224_imagenet_features.coral.safetensors" << 6 << 96;
        QTest::newRow("mobilenet_v1_025_tf")
            << "mobilenet_v1_tf"
            << "mobilenet_v1_0.25_128_imagenet.coral.safetensors" << 6 << 75;
        QTest::newRow("mobilenet_v1_keras")
            << "mobilenet_v1_keras"
            << "mobilenet_v1_0.25_224_imagenet_notop.keras.safetensors" << 6 << 97;
        QTest::newRow("resnet20") << "resnet_cifar20"
                                  << "resnet20_cifar10.akamaster.safetensors" << 4 << 32;
        QTest::newRow("resnet56") << "resnet_cifar56"
                                  << "resnet56_cifar10.akamaster.safetensors" << 4 << 32;
        QTest::newRow("resnet18") << "resnet18"
                                  << "" << 5 << 64;
        QTest::newRow("resnet34") << "resnet34"
                                  << "" << 5 << 64;
        QTest::newRow("resnet50") << "resnet50"
                                  << "" << 5 << 64;
        QTest::newRow("mobilenet_v2") << "mobilenet_v2"
                                      << "" << 8 << 64;
        QTest::newRow("efficientnet_b0") << "efficientnet_b0"
                                         << "" << 8 << 64;
    }

    void groupShapes()
    {
        QFETCH(QString, arch);
        QFETCH(QString, file);
        QFETCH(int, groupCount);
        QFETCH(int, size);
        QString path;
        if (!file.isEmpty()) {
            path = weights(file);
            if (path.isEmpty())
                QSKIP("shared weights not found");
        }
        auto net = load(makeSpec(arch, arch), path, !file.isEmpty());
        QVERIFY(net);
        const auto &groups = net->groups();
        QCOMPARE(int(groups.size()), groupCount);
        QCOMPARE(groups.front().name, QStringLiteral("stem"));
        torch::NoGradGuard noGrad;
        const auto x = torch::randn({1, 3, size, size});
        const auto full = net->features(x, groupCount);
        QCOMPARE(full.sizes().vec(), (std::vector<std::int64_t>{1, groups.back().outChannels}));
        std::int64_t total = 0;
        for (int cut = 1; cut <= groupCount; ++cut) {
            const auto &g = groups[size_t(cut - 1)];
            QVERIFY(g.parameterCount > 0);
            total += g.parameterCount;
            QCOMPARE(net->featureDim(cut), g.outChannels);
            const auto map = net->featureMap(x, cut);
            QCOMPARE(map.size(1), g.outChannels);
            // TF SAME rounds up; PyTorch padding (k-1)/2 with stride 2 does too for odd k.
            const std::int64_t expect = (size + g.outStride - 1) / g.outStride;
            QVERIFY2(map.size(2) == expect, qPrintable(QStringLiteral("%1: %2 vs %3")
                                                           .arg(g.name)
                                                           .arg(map.size(2))
                                                           .arg(expect)));
            // Resuming from the map gives the same features as one pass.
            if (cut < groupCount)
                QVERIFY(maxAbsDiff(net->featuresFrom(map, cut, groupCount), full) < 1e-5);
            if (cut == 1) {
                const auto f = net->features(x, cut);
                QCOMPARE(f.sizes().vec(), (std::vector<std::int64_t>{1, g.outChannels}));
                QVERIFY(maxAbsDiff(f, map.mean({2, 3})) < 1e-6);
            }
        }
        std::int64_t all = 0;
        for (const auto &p : net->parameters())
            all += p.numel();
        QVERIFY(total <= all);
    }

    void torchScriptMatches_data()
    {
        QTest::addColumn<QString>("arch");
        QTest::addColumn<QString>("file");
        QTest::addColumn<int>("size");
        QTest::newRow("mobilenet_v2_tf") << "mobilenet_v2_tf"
                                         << "mobilenet_v2_1.0_224_imagenet.coral.safetensors" << 99;
        QTest::newRow("resnet20") << "resnet_cifar20"
                                  << "resnet20_cifar10.akamaster.safetensors" << 32;
        QTest::newRow("mobilenet_v1_keras")
            << "mobilenet_v1_keras"
            << "mobilenet_v1_0.25_224_imagenet_notop.keras.safetensors" << 96;
        QTest::newRow("resnet50") << "resnet50"
                                  << "" << 64;
        QTest::newRow("efficientnet_b0") << "efficientnet_b0"
                                         << "" << 64;
    }

    void torchScriptMatches()
    {
        QFETCH(QString, arch);
        QFETCH(QString, file);
        QFETCH(int, size);
        QString path;
        if (!file.isEmpty()) {
            path = weights(file);
            if (path.isEmpty())
                QSKIP("shared weights not found");
        }
        auto net = load(makeSpec(arch, arch), path, !file.isEmpty());
        QVERIFY(net);
        const int groups = int(net->groups().size());
        const auto x = torch::randn({2, 3, size, size});
        QTemporaryDir dir;
        // An inner cut once; the full depth for every architecture.
        const std::vector<int> cuts = arch == "mobilenet_v2_tf"
                                          ? std::vector<int>{groups - 2, groups}
                                          : std::vector<int>{groups};
        for (int cut : cuts) {
            torch::jit::Module module("GraftExport");
            net->emitTorchScript(module, cut);
            const QString saved = dir.filePath(QStringLiteral("m%1.pt").arg(cut));
            module.save(saved.toStdString());
            auto loaded = torch::jit::load(saved.toStdString());
            torch::NoGradGuard noGrad;
            const auto expected = net->features(x, cut);
            const auto got = loaded.run_method("features", x).toTensor();
            QCOMPARE(got.sizes(), expected.sizes());
            const double diff = maxAbsDiff(got, expected);
            QVERIFY2(diff < 1e-5, qPrintable(QString::number(diff)));

            // Python loads the export with torch.jit.load alone and computes the same features (up
            // to float rounding: Python picks its own thread count and kernels).
            if (arch == "mobilenet_v2_tf" && cut == groups &&
                graft::test::pythonHasModule(QStringLiteral("torch"))) {
                torch::jit::Module ref("Reference");
                ref.register_buffer("x", x);
                ref.register_buffer("y", expected);
                const QString refPath = dir.filePath(QStringLiteral("ref.pt"));
                ref.save(refPath.toStdString());
                QProcess py;
                py.start(graft::test::debianPython(),
                         {"-c",
                          "import sys, torch\n"
                          "m = torch.jit.load(sys.argv[1]); r = torch.jit.load(sys.argv[2])\n"
                          "d = (m.features(r.x) - r.y).abs().max().item()\n"
                          "print(d); sys.exit(0 if d < 1e-4 else 1)\n",
                          saved, refPath});
                QVERIFY(py.waitForFinished(120000));
                QVERIFY2(py.exitCode() == 0, py.readAll().constData());
            }
        }
    }

    void malformedWeights()
    {
        GRAFT_REQUIRE_SHARED(path, "weights/resnet20_cifar10.akamaster.safetensors");
        auto file = io::SafetensorsFile::open(path);
        QVERIFY(file);
        auto rewrite = [&](const QString &out, auto change) {
            std::vector<io::TensorBlob> blobs;
            for (const auto &t : file->tensors()) {
                io::TensorBlob b{t.name, t.dtype, t.shape,
                                      QByteArray(file->data(t), qsizetype(t.end - t.begin))};
                if (change(b))
                    blobs.push_back(std::move(b));
            }
            return io::writeSafetensors(out, blobs).ok();
        };
        QTemporaryDir dir;
        const auto spec = makeSpec("resnet20_cifar10", "resnet_cifar", 10);

        const QString wrongShape = dir.filePath("shape.safetensors");
        QVERIFY(rewrite(wrongShape, [](io::TensorBlob &b) {
            if (b.name == "module.layer2.1.conv1.weight")
                b.shape = {32, 32, 9, 1};
            return true;
        }));
        auto r = vision::createBackbone(spec, wrongShape);
        QVERIFY(!r);
        QCOMPARE(r.error().code, core::ErrorCode::WeightsInvalid);
        QVERIFY2(r.error().detail.contains("module.layer2.1.conv1.weight"),
                 qPrintable(r.error().message()));
        QCOMPARE(r.error().file, wrongShape);

        const QString missing = dir.filePath("missing.safetensors");
        QVERIFY(rewrite(missing, [](io::TensorBlob &b) {
            return b.name != "module.layer3.0.bn2.running_var";
        }));
        r = vision::createBackbone(spec, missing);
        QVERIFY(!r);
        QVERIFY2(r.error().detail.contains("missing") &&
                     r.error().detail.contains("module.layer3.0.bn2.running_var"),
                 qPrintable(r.error().message()));

        const QString extra = dir.filePath("extra.safetensors");
        QVERIFY(rewrite(extra, [](io::TensorBlob &b) {
            if (b.name == "module.linear.bias")
                b.name = "module.linear.bias_extra";
            return true;
        }));
        r = vision::createBackbone(spec, extra);
        QVERIFY(!r);
        QVERIFY2(r.error().detail.contains("module.linear.bias"), qPrintable(r.error().message()));

        const QString nan = dir.filePath("nan.safetensors");
        QVERIFY(rewrite(nan, [](io::TensorBlob &b) {
            if (b.name == "module.layer1.0.conv2.weight") {
                const float v = std::numeric_limits<float>::quiet_NaN();
                memcpy(b.bytes.data() + 4 * 17, &v, 4);
            }
            return true;
        }));
        r = vision::createBackbone(spec, nan);
        QVERIFY(!r);
        QCOMPARE(r.error().code, core::ErrorCode::WeightsInvalid);
        QVERIFY2(r.error().detail.contains("module.layer1.0.conv2.weight"),
                 qPrintable(r.error().message()));

        r = vision::createBackbone(spec, dir.filePath("absent.safetensors"));
        QVERIFY(!r);
        QCOMPARE(r.error().code, core::ErrorCode::NotFound);
        r = vision::createBackbone(makeSpec("x", "vgg16"), path);
        QVERIFY(!r);
        QCOMPARE(r.error().code, core::ErrorCode::Unsupported);
    }
};

QTEST_APPLESS_MAIN(tst_Backbones)
#include "tst_Backbones.moc"
