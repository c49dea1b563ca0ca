#include "graft/io/Safetensors.h"
#include "support/TestSupport.h"

#include <QDir>
#include <QFileInfo>
#include <QProcess>
#include <QTemporaryDir>
#include <QTest>
#include <QtEndian>

#include <cmath>
#include <cstring>
#include <limits>

using namespace graft;
using io::DType;
using io::SafetensorsFile;

namespace {

QByteArray lengthField(quint64 n)
{
    QByteArray b(8, '\0');
    qToLittleEndian(n, b.data());
    return b;
}

/// A safetensors byte string from a raw header text and a data section.
QByteArray rawFile(const QByteArray &header, const QByteArray &data)
{
    return lengthField(quint64(header.size())) + header + data;
}

QByteArray floats(std::initializer_list<float> values)
{
    QByteArray b;
    for (float v : values) {
        char le[4];
        quint32 bits;
        std::memcpy(&bits, &v, 4);
        qToLittleEndian(bits, le);
        b.append(le, 4);
    }
    return b;
}

/// A valid two-tensor file: "a" F32 [2] then "b" F32 [2, 2].
QByteArray validFile()
{
    return rawFile(R"({"__metadata__":{"source":"test"},)"
                   R"("a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("b":{"dtype":"F32","shape":[2,2],"data_offsets":[8,24]}})",
                   floats({1, 2, 3, 4, 5, 6}));
}

} // namespace

class tst_Safetensors : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void dtypes();
    void validFromBytes();
    void malformed_data();
    void malformed();
    void malformedFromDisk();
    void missingFile();
    void fileCap();
    void nanWeights();
    void roundTrip();
    void writerRejectsBadBlobs();
    void realFiles();
};

void tst_Safetensors::dtypes()
{
    QCOMPARE(io::dtypeSize(DType::BF16), 2);
    QCOMPARE(io::dtypeSize(DType::I64), 8);
    QCOMPARE(*io::dtypeFromName(QStringLiteral("BOOL")), DType::Bool);
    QVERIFY(!io::dtypeFromName(QStringLiteral("F8_E4M3")));
}

void tst_Safetensors::validFromBytes()
{
    auto file = SafetensorsFile::fromBytes(validFile(), QStringLiteral("ok.safetensors"));
    QVERIFY2(file.ok(), qPrintable(file.ok() ? QString() : file.error().message()));
    QCOMPARE(file->tensors().size(), size_t(2));
    QCOMPARE(file->tensors()[0].name, std::string("a"));
    QCOMPARE(file->metadata().value(QStringLiteral("source")).toString(), QStringLiteral("test"));
    const auto *b = file->find("b");
    QVERIFY(b);
    QCOMPARE(b->numel(), std::int64_t(4));
    QCOMPARE(file->toFloat(*b), (std::vector<float>{3, 4, 5, 6}));
    QVERIFY(!file->find("c"));
    QVERIFY(file->checkFinite().ok());
}

void tst_Safetensors::malformed_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<int>("code");
    QTest::addColumn<QString>("expected");

    const int invalid = int(core::ErrorCode::InvalidFormat);
    const QByteArray good = validFile();

    QTest::newRow("3-byte file") << QByteArray("abc") << invalid
                                 << QStringLiteral("file is 3 bytes, too short");
    QTest::newRow("header length beyond the file")
        << (lengthField(5000) + QByteArray(R"({"a":1})")) << invalid
        << QStringLiteral("header length 5000 bytes runs past the end of the file");
    QTest::newRow("2^63 header length")
        << (lengthField(quint64(1) << 63) + QByteArray(64, ' ')) << int(core::ErrorCode::TooLarge)
        << QStringLiteral("header length 9223372036854775808 bytes exceeds the 100 MiB limit");
    QTest::newRow("non-JSON header") << rawFile("{this is not json}", {}) << invalid
                                     << QStringLiteral("header is not valid JSON");
    QTest::newRow("header not an object") << rawFile("[1, 2, 3]", {}) << invalid
                                          << QStringLiteral("header is JSON but not an object");
    QTest::newRow("metadata not an object") << rawFile(R"({"__metadata__":"x"})", {}) << invalid
                                            << QStringLiteral("__metadata__ is not an object");
    QTest::newRow("entry not an object") << rawFile(R"({"w":[1,2]})", {}) << invalid
                                         << QStringLiteral("tensor 'w': entry is not an object");
    QTest::newRow("unknown dtype")
        << rawFile(R"({"w":{"dtype":"F8_E5M2","shape":[4],"data_offsets":[0,4]}})",
                   QByteArray(4, '\0'))
        << invalid << QStringLiteral("tensor 'w': unknown dtype \"F8_E5M2\"");
    QTest::newRow("missing shape")
        << rawFile(R"({"w":{"dtype":"F32","data_offsets":[0,4]}})", QByteArray(4, '\0')) << invalid
        << QStringLiteral("tensor 'w': missing or non-array shape");
    QTest::newRow("negative dimension")
        << rawFile(R"({"w":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}})",
                   QByteArray(4, '\0'))
        << invalid << QStringLiteral("tensor 'w': shape entries must be non-negative integers");
    QTest::newRow("shape overflow")
        << rawFile(R"({"w":{"dtype":"F32","shape":[4294967296,4294967296,16],)"
                   R"("data_offsets":[0,4]}})",
                   QByteArray(4, '\0'))
        << invalid << QStringLiteral("tensor 'w': shape [4294967296, 4294967296, 16] overflows");
    QTest::newRow("byte count overflow")
        << rawFile(R"({"w":{"dtype":"F64","shape":[2147483648,1073741824],"data_offsets":[0,8]}})",
                   QByteArray(8, '\0'))
        << invalid << QStringLiteral("overflows");
    QTest::newRow("negative offsets")
        << rawFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[-4,0]}})",
                   QByteArray(4, '\0'))
        << invalid
        << QStringLiteral("tensor 'w': data_offsets must be non-negative integers, got [-4, 0]");
    QTest::newRow("fractional offsets")
        << rawFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0.5,4.5]}})",
                   QByteArray(5, '\0'))
        << invalid << QStringLiteral("data_offsets must be non-negative integers");
    QTest::newRow("offsets not a pair")
        << rawFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[0]}})", QByteArray(4, '\0'))
        << invalid << QStringLiteral("tensor 'w': data_offsets must be an array [begin, end]");
    QTest::newRow("end before begin")
        << rawFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[8,4]}})", QByteArray(8, '\0'))
        << invalid << QStringLiteral("tensor 'w': data_offsets end 4 is before begin 8");
    QTest::newRow("offsets not matching shape")
        << rawFile(R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", QByteArray(8, '\0'))
        << invalid
        << QStringLiteral("tensor 'w': data_offsets [0, 8] span 8 bytes but shape [3] of F32 "
                          "needs 12 bytes");
    QTest::newRow("offsets outside the file")
        << rawFile(R"({"w":{"dtype":"F32","shape":[1],"data_offsets":[1000000,1000004]}})",
                   QByteArray(4, '\0'))
        << invalid
        << QStringLiteral("tensor 'w': data_offsets [1000000, 1000004] start outside the data "
                          "section (4 bytes)");
    QTest::newRow("truncated data") << good.left(good.size() - 5) << invalid
                                    << QStringLiteral("tensor 'b': data ends at byte 24 but the "
                                                      "data section has only 19 bytes");
    QTest::newRow("overlapping tensors")
        << rawFile(R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},)"
                   R"("b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})",
                   QByteArray(12, '\0'))
        << invalid << QStringLiteral("tensors 'a' [0, 8] and 'b' [4, 12] overlap");
    QTest::newRow("gap between tensors")
        << rawFile(R"({"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]},)"
                   R"("b":{"dtype":"F32","shape":[1],"data_offsets":[8,12]}})",
                   QByteArray(12, '\0'))
        << invalid << QStringLiteral("unused bytes [4, 8) before tensor 'b'");
    QTest::newRow("trailing bytes") << (good + QByteArray(4, '\0')) << invalid
                                    << QStringLiteral("4 unexpected bytes after the last tensor");
}

void tst_Safetensors::malformed()
{
    QFETCH(QByteArray, bytes);
    QFETCH(int, code);
    QFETCH(QString, expected);
    const QString name = QStringLiteral("/tmp/bad-%1.safetensors")
                             .arg(QString::fromLatin1(QTest::currentDataTag()).replace(' ', '_'));
    const auto result = SafetensorsFile::fromBytes(bytes, name);
    QVERIFY(!result.ok());
    QCOMPARE(int(result.error().code), code);
    QCOMPARE(result.error().file, name);
    QVERIFY2(result.error().message().startsWith(name + QStringLiteral(": ")),
             qPrintable(result.error().message()));
    QVERIFY2(result.error().detail.contains(expected), qPrintable(result.error().detail));
}

void tst_Safetensors::malformedFromDisk()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("short.safetensors"));
    QVERIFY(test::writeFile(path, QByteArray("abc")));
    const auto result = SafetensorsFile::open(path);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().file, path);
    QVERIFY(
        result.error().message().contains(QStringLiteral("short.safetensors: file is 3 bytes")));

    const QString huge = dir.filePath(QStringLiteral("huge-header.safetensors"));
    QVERIFY(test::writeFile(huge, lengthField(std::numeric_limits<quint64>::max()) + "{}"));
    const auto hugeResult = SafetensorsFile::open(huge);
    QVERIFY(!hugeResult.ok());
    QCOMPARE(hugeResult.error().code, core::ErrorCode::TooLarge);
}

void tst_Safetensors::missingFile()
{
    const auto result = SafetensorsFile::open(QStringLiteral("/nonexistent/x.safetensors"));
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, core::ErrorCode::NotFound);
    QCOMPARE(result.error().file, QStringLiteral("/nonexistent/x.safetensors"));
}

void tst_Safetensors::fileCap()
{
    io::SafetensorsLimits limits;
    limits.maxFileBytes = 16;
    const auto result = SafetensorsFile::fromBytes(validFile(), QStringLiteral("cap"), limits);
    QVERIFY(!result.ok());
    QCOMPARE(result.error().code, core::ErrorCode::TooLarge);
}

void tst_Safetensors::nanWeights()
{
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const QByteArray bytes =
        rawFile(R"({"conv.weight":{"dtype":"F32","shape":[3],"data_offsets":[0,12]},)"
                R"("conv.bias":{"dtype":"BF16","shape":[2],"data_offsets":[12,16]}})",
                floats({1.f, nan, 3.f}) + QByteArray("\x80\x3f\x80\x7f", 4)); // 1.0, +inf
    const auto file = SafetensorsFile::fromBytes(bytes, QStringLiteral("nan.safetensors"));
    QVERIFY(file.ok()); // NaN is valid format; the loader reports it
    const core::Status finite = file->checkFinite();
    QVERIFY(!finite.ok());
    QCOMPARE(finite.error().code, core::ErrorCode::WeightsInvalid);
    QVERIFY2(finite.error().message().contains(
                 QStringLiteral("nan.safetensors: tensor 'conv.weight' contains NaN at element 1")),
             qPrintable(finite.error().message()));
    const auto bias = file->toFloat(*file->find("conv.bias"));
    QCOMPARE(bias[0], 1.f);
    QVERIFY(std::isinf(bias[1]));

    const QByteArray infOnly = rawFile(R"({"w":{"dtype":"F16","shape":[2],"data_offsets":[0,4]}})",
                                       QByteArray("\x00\x3c\x00\xfc", 4)); // 1.0, -inf
    const auto f16 = SafetensorsFile::fromBytes(infOnly, QStringLiteral("inf.safetensors"));
    QVERIFY(f16.ok());
    QVERIFY(f16->checkFinite().error().detail.contains(QStringLiteral("'w' contains infinity")));
}

void tst_Safetensors::roundTrip()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    const QString path = dir.filePath(QStringLiteral("out.safetensors"));

    std::vector<io::TensorBlob> blobs;
    std::vector<float> values(3 * 5 * 7);
    for (size_t i = 0; i < values.size(); ++i)
        values[i] = float(i) * 0.25f - 3.f;
    blobs.push_back(io::floatBlob("layer.weight", {3, 5, 7}, values));
    io::TensorBlob ints{"steps", DType::I64, {2}, QByteArray(16, '\0')};
    qToLittleEndian(qint64(-7), ints.bytes.data());
    qToLittleEndian(qint64(1) << 40, ints.bytes.data() + 8);
    blobs.push_back(ints);
    blobs.push_back({"empty", DType::F16, {0, 4}, {}});
    blobs.push_back({"half", DType::F16, {1}, QByteArray("\x00\xc0", 2)}); // -2.0
    blobs.push_back({"flags", DType::Bool, {3}, QByteArray("\x01\x00\x01", 3)});

    const core::Status written =
        io::writeSafetensors(path, blobs, {{QStringLiteral("license"), QStringLiteral("CC0")}});
    QVERIFY2(written.ok(), qPrintable(written.ok() ? QString() : written.error().message()));
    QVERIFY(!QFileInfo::exists(path + QStringLiteral(".part")));

    const auto file = SafetensorsFile::open(path);
    QVERIFY2(file.ok(), qPrintable(file.ok() ? QString() : file.error().message()));
    QCOMPARE(file->path(), path);
    QCOMPARE(file->tensors().size(), blobs.size());
    QCOMPARE(file->tensors().front().name, std::string("layer.weight")); // data order
    QCOMPARE(file->metadata().value(QStringLiteral("license")).toString(), QStringLiteral("CC0"));
    const auto *w = file->find("layer.weight");
    QVERIFY(w);
    QCOMPARE(w->shape, (std::vector<std::int64_t>{3, 5, 7}));
    QCOMPARE(file->toFloat(*w), values);
    QCOMPARE(file->toFloat(*file->find("steps")), (std::vector<float>{-7.f, float(1ull << 40)}));
    QCOMPARE(file->find("empty")->numel(), std::int64_t(0));
    QCOMPARE(file->toFloat(*file->find("half")), std::vector<float>{-2.f});
    QCOMPARE(file->toFloat(*file->find("flags")), (std::vector<float>{1.f, 0.f, 1.f}));

    // Header is padded to 8 bytes so that data starts aligned.
    QFile raw(path);
    QVERIFY(raw.open(QIODevice::ReadOnly));
    const QByteArray head = raw.read(8);
    QCOMPARE(qFromLittleEndian<quint64>(head.constData()) % 8, quint64(0));

    // Python's reference reader agrees, when it is installed.
    if (test::pythonHasModule(QStringLiteral("safetensors"))) {
        QProcess py;
        py.start(
            test::debianPython(),
            {QStringLiteral("-c"),
             QStringLiteral("import sys; from safetensors.numpy import load_file; "
                            "d = load_file(sys.argv[1]); print(float(d['layer.weight'].sum()))"),
             path});
        QVERIFY(py.waitForFinished(60000));
        double sum = 0;
        for (float v : values)
            sum += v;
        QCOMPARE(py.readAllStandardOutput().trimmed().toDouble(), sum);
    }
}

void tst_Safetensors::writerRejectsBadBlobs()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("bad.safetensors"));
    auto status = io::writeSafetensors(path, {{"w", DType::F32, {2}, QByteArray(4, '\0')}});
    QVERIFY(!status.ok());
    QCOMPARE(status.error().code, core::ErrorCode::InvalidArgument);
    QVERIFY(status.error().detail.contains(QStringLiteral("'w': 4 bytes given")));
    status = io::writeSafetensors(path,
                                  {io::floatBlob("a", {1}, {1.f}), io::floatBlob("a", {1}, {2.f})});
    QVERIFY(!status.ok());
    QVERIFY(!QFileInfo::exists(path));

    const auto unwritable = io::writeSafetensors(QStringLiteral("/proc/graft/x.safetensors"),
                                                 {io::floatBlob("a", {1}, {1.f})});
    QVERIFY(!unwritable.ok());
    QCOMPARE(unwritable.error().code, core::ErrorCode::WriteFailed);
}

void tst_Safetensors::realFiles()
{
    GRAFT_REQUIRE_SHARED(dirPath, "weights");
    const QStringList names =
        QDir(dirPath).entryList({QStringLiteral("*.safetensors")}, QDir::Files, QDir::Name);
    QVERIFY(names.size() >= 6);
    for (const QString &name : names) {
        const QString path = QDir(dirPath).filePath(name);
        const auto file = SafetensorsFile::open(path);
        QVERIFY2(file.ok(), qPrintable(file.ok() ? QString() : file.error().message()));
        QVERIFY2(file->tensors().size() > 10, qPrintable(name));
        QVERIFY2(!file->metadata().isEmpty(), qPrintable(name));
        QVERIFY2(file->metadata().contains(QStringLiteral("source_file")), qPrintable(name));
        QVERIFY2(file->checkFinite().ok(), qPrintable(name));
        qint64 params = 0;
        for (const auto &t : file->tensors())
            params += t.numel();
        QVERIFY(params > 100000);
    }

    const QString v2 =
        QDir(dirPath).filePath(QStringLiteral("mobilenet_v2_1.0_224_imagenet.coral.safetensors"));
    if (QFileInfo::exists(v2)) {
        const auto file = SafetensorsFile::open(v2);
        QVERIFY(file.ok());
        const auto *first = file->find("layers.0.weight");
        QVERIFY(first);
        QCOMPARE(first->shape, (std::vector<std::int64_t>{32, 3, 3, 3}));
        QVERIFY(file->metadata().value(QStringLiteral("graph")).toString().startsWith('['));
    }
}

QTEST_APPLESS_MAIN(tst_Safetensors)
#include "tst_Safetensors.moc"
