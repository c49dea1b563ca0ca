#include "graft/vision/BackboneCatalogue.h"

#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QRegularExpression>
#include <QSet>
#include <QStandardPaths>
#include <QUrl>

#include <algorithm>
#include <cmath>

// rcc's initialiser lives in an object file of the static graft_core archive that nothing else
// references; calling it pulls the catalogue in. Must be outside any namespace.
static void initCoreResources()
{
    Q_INIT_RESOURCE(core);
}

namespace graft::vision {

namespace {

using core::ErrorCode;

const QString kBuiltinPath = QStringLiteral(":/graft/backbones.json");

/// The string fields besides the id; toJson() writes the first kAlwaysWritten even when empty.
constexpr std::pair<const char *, QString BackboneSpec::*> kTextFields[] = {
    {"displayName", &BackboneSpec::displayName},
    {"task", &BackboneSpec::task},
    {"architecture", &BackboneSpec::architecture},
    {"weightsFile", &BackboneSpec::weightsFile},
    {"pretrainedOn", &BackboneSpec::pretrainedOn},
    {"licence", &BackboneSpec::licence},
    {"description", &BackboneSpec::description},
    {"url", &BackboneSpec::url},
    {"sha256", &BackboneSpec::sha256},
    {"labelsFile", &BackboneSpec::labelsFile}};
constexpr size_t kAlwaysWritten = 4;

const QStringList kKnownKeys =
    QStringLiteral("id displayName task architecture pretrainedOn licence description "
                   "preprocessing weightsFile url sizeBytes sha256 classifierClasses labelsFile "
                   "options")
        .split(QLatin1Char(' '));

/// A plain file name: no folders, nothing hidden, nothing that could climb out of the
/// weights directory.
bool isPlainFileName(const QString &name)
{
    return !name.isEmpty() && !name.startsWith(QLatin1Char('.')) &&
           !name.contains(QLatin1Char('/')) && !name.contains(QLatin1Char('\\')) &&
           !name.contains(QChar(0));
}

bool isNonNegativeInteger(const QJsonValue &v)
{
    if (!v.isDouble())
        return false;
    const double d = v.toDouble();
    return std::isfinite(d) && d >= 0 && d <= 9007199254740992.0 && std::floor(d) == d;
}

/// Validates and reads the preprocessing object of an image backbone; empty string when valid.
QString checkPreprocessing(const QJsonValue &value)
{
    if (!value.isObject())
        return QStringLiteral("preprocessing must be an object for an image backbone");
    const QJsonObject p = value.toObject();
    const QJsonValue size = p.value(QStringLiteral("inputSize"));
    if (!isNonNegativeInteger(size) || size.toInt() < 8 || size.toInt() > 4096)
        return QStringLiteral("preprocessing.inputSize must be an integer from 8 to 4096");
    if (p.contains(QStringLiteral("resize")) &&
        !vision::resizePolicyFromName(p.value(QStringLiteral("resize")).toString()))
        return QStringLiteral("preprocessing.resize must be squash, center-crop or pad");
    if (!vision::scalingFromName(p.value(QStringLiteral("scaling")).toString()))
        return QStringLiteral("preprocessing.scaling must be mean-std, minus-one-to-one or "
                              "zero-to-one");
    if (p.contains(QStringLiteral("cropFraction"))) {
        const double crop = p.value(QStringLiteral("cropFraction")).toDouble(-1);
        if (!(crop > 0 && crop <= 1))
            return QStringLiteral("preprocessing.cropFraction must be in (0, 1]");
    }
    for (const char *key : {"mean", "std"}) {
        if (!p.contains(QLatin1String(key)))
            continue;
        const QJsonArray a = p.value(QLatin1String(key)).toArray();
        bool ok = a.size() == 3;
        for (const QJsonValue &v : a)
            ok = ok && v.isDouble() && std::isfinite(v.toDouble()) &&
                 (qstrcmp(key, "mean") == 0 || v.toDouble() > 0);
        if (!ok)
            return QStringLiteral("preprocessing.%1 must be three %2numbers")
                .arg(QLatin1String(key),
                     qstrcmp(key, "std") == 0 ? QStringLiteral("positive ") : QString());
    }
    if (p.contains(QStringLiteral("bgr")) && !p.value(QStringLiteral("bgr")).isBool())
        return QStringLiteral("preprocessing.bgr must be true or false");
    return {};
}

} // namespace

QJsonObject BackboneSpec::toJson() const
{
    QJsonObject json{{QStringLiteral("id"), id}};
    for (size_t i = 0; i < std::size(kTextFields); ++i) {
        const QString &value = this->*kTextFields[i].second;
        if (i < kAlwaysWritten || !value.isEmpty())
            json.insert(QLatin1String(kTextFields[i].first), value);
    }
    if (sizeBytes > 0)
        json.insert(QStringLiteral("sizeBytes"), double(sizeBytes));
    if (classifierClasses > 0)
        json.insert(QStringLiteral("classifierClasses"), classifierClasses);
    if (task == QLatin1String("image"))
        json.insert(QStringLiteral("preprocessing"), preprocessing.toJson());
    if (!options.isEmpty())
        json.insert(QStringLiteral("options"), options);
    return json;
}

core::Result<BackboneSpec> BackboneSpec::fromJson(const QJsonObject &json)
{
    BackboneSpec spec;
    spec.id = json.value(QStringLiteral("id")).toString();
    const QString who = spec.id.isEmpty() ? QStringLiteral("backbone without an id")
                                          : QStringLiteral("backbone '%1'").arg(spec.id);
    const auto fail = [&who](const QString &what) -> core::Error {
        return core::makeError(ErrorCode::InvalidFormat, who + QStringLiteral(": ") + what);
    };

    static const QRegularExpression idPattern(QStringLiteral("^[a-z0-9_]+$"));
    if (!idPattern.match(spec.id).hasMatch())
        return fail(QStringLiteral("id must be a non-empty string of a-z, 0-9 and _"));
    for (auto it = json.begin(); it != json.end(); ++it)
        if (!kKnownKeys.contains(it.key()))
            return fail(QStringLiteral("unknown field \"%1\"").arg(it.key()));

    for (const auto &[key, field] : kTextFields) {
        const QJsonValue v = json.value(QLatin1String(key));
        if (!v.isUndefined() && !v.isString())
            return fail(QStringLiteral("%1 must be a string").arg(QLatin1String(key)));
        spec.*field = v.toString();
    }
    if (json.value(QStringLiteral("displayName")).isUndefined())
        spec.displayName = spec.id;
    spec.sha256 = spec.sha256.toLower();

    if (spec.task != QLatin1String("image") && spec.task != QLatin1String("text"))
        return fail(
            QStringLiteral("task must be \"image\" or \"text\", not \"%1\"").arg(spec.task));
    if (spec.architecture.isEmpty())
        return fail(QStringLiteral("architecture is missing"));
    if (!isPlainFileName(spec.weightsFile))
        return fail(QStringLiteral("weightsFile must be a plain file name (no folders), got \"%1\"")
                        .arg(spec.weightsFile));
    if (!spec.labelsFile.isEmpty() && !isPlainFileName(spec.labelsFile))
        return fail(QStringLiteral("labelsFile must be a plain file name (no folders), got \"%1\"")
                        .arg(spec.labelsFile));
    if (!spec.url.isEmpty()) {
        const QUrl url(spec.url, QUrl::StrictMode);
        if (!url.isValid() || url.host().isEmpty() ||
            (url.scheme() != QLatin1String("https") && url.scheme() != QLatin1String("http")))
            return fail(QStringLiteral("url must be an http(s) URL, got \"%1\"").arg(spec.url));
    }
    static const QRegularExpression hexPattern(QStringLiteral("^[0-9a-f]{64}$"));
    if (!spec.sha256.isEmpty() && !hexPattern.match(spec.sha256).hasMatch())
        return fail(QStringLiteral("sha256 must be 64 hexadecimal digits"));

    if (json.contains(QStringLiteral("sizeBytes"))) {
        if (!isNonNegativeInteger(json.value(QStringLiteral("sizeBytes"))))
            return fail(QStringLiteral("sizeBytes must be a non-negative integer"));
        spec.sizeBytes = qint64(json.value(QStringLiteral("sizeBytes")).toDouble());
    }
    if (json.contains(QStringLiteral("classifierClasses"))) {
        const QJsonValue v = json.value(QStringLiteral("classifierClasses"));
        if (!isNonNegativeInteger(v) || v.toDouble() > 1e7)
            return fail(QStringLiteral("classifierClasses must be a non-negative integer"));
        spec.classifierClasses = v.toInt();
    }
    if (json.contains(QStringLiteral("options"))) {
        if (!json.value(QStringLiteral("options")).isObject())
            return fail(QStringLiteral("options must be an object"));
        spec.options = json.value(QStringLiteral("options")).toObject();
    }
    if (spec.task == QLatin1String("image")) {
        const QString problem = checkPreprocessing(json.value(QStringLiteral("preprocessing")));
        if (!problem.isEmpty())
            return fail(problem);
        spec.preprocessing =
            vision::Preprocessing::fromJson(json.value(QStringLiteral("preprocessing")).toObject());
    }
    return spec;
}

const char *weightsStateName(WeightsState state)
{
    static const char *const kNames[] = {"available", "downloadable", "missing"}; // enum order
    return kNames[size_t(state)];
}

const BackboneCatalogue &BackboneCatalogue::builtin()
{
    static const BackboneCatalogue catalogue = [] {
        initCoreResources();
        QFile file(kBuiltinPath);
        if (!file.open(QIODevice::ReadOnly))
            qFatal("graft: the built-in backbone catalogue %s is missing",
                   qPrintable(kBuiltinPath));
        auto parsed = fromJson(file.readAll(), kBuiltinPath);
        if (!parsed) // a broken resources/backbones.json is a build error; tests catch it
            qFatal("graft: %s", qPrintable(parsed.error().message()));
        return std::move(parsed).value();
    }();
    return catalogue;
}

core::Result<BackboneCatalogue> BackboneCatalogue::fromJson(const QByteArray &json,
                                                            const QString &nameForErrors)
{
    const auto fail = [&nameForErrors](const QString &what) -> core::Error {
        return core::makeError(ErrorCode::InvalidFormat, what, nameForErrors);
    };
    QJsonParseError parseError;
    const QJsonDocument doc = QJsonDocument::fromJson(json, &parseError);
    if (parseError.error != QJsonParseError::NoError)
        return fail(QStringLiteral("not valid JSON (%1 at byte %2)")
                        .arg(parseError.errorString())
                        .arg(parseError.offset));
    if (!doc.isObject() || !doc.object().value(QStringLiteral("backbones")).isArray())
        return fail(QStringLiteral("expected an object with a \"backbones\" array"));

    BackboneCatalogue catalogue;
    QSet<QString> ids;
    const QJsonArray entries = doc.object().value(QStringLiteral("backbones")).toArray();
    for (qsizetype i = 0; i < entries.size(); ++i) {
        const QString where = QStringLiteral("entry %1").arg(i + 1);
        if (!entries[i].isObject())
            return fail(where + QStringLiteral(" is not an object"));
        auto spec = BackboneSpec::fromJson(entries[i].toObject());
        if (!spec)
            return fail(where + QStringLiteral(", ") + spec.error().detail);
        if (ids.contains(spec->id))
            return fail(where + QStringLiteral(": duplicate id '%1'").arg(spec->id));
        ids.insert(spec->id);
        catalogue.m_specs.push_back(std::move(spec).value());
    }
    return catalogue;
}

const BackboneSpec *BackboneCatalogue::find(const QString &id) const
{
    const auto it = std::ranges::find(m_specs, id, &BackboneSpec::id);
    return it == m_specs.end() ? nullptr : &*it;
}

QString resolveWeightsDir(const QString &explicitDir)
{
    QString dir = explicitDir;
    if (dir.isEmpty())
        dir = qEnvironmentVariable("GRAFT_WEIGHTS_DIR");
    if (dir.isEmpty()) {
        const QString cache = QStandardPaths::writableLocation(QStandardPaths::CacheLocation);
        dir = cache.isEmpty()
                  ? QStandardPaths::writableLocation(QStandardPaths::GenericCacheLocation) +
                        QStringLiteral("/graft/weights")
                  : cache + QStringLiteral("/weights");
    }
    return QDir::cleanPath(QDir(dir).absolutePath());
}

QString weightsPath(const BackboneSpec &spec, const QString &weightsDir)
{
    return spec.weightsFile.isEmpty() ? QString() : QDir(weightsDir).filePath(spec.weightsFile);
}

WeightsState weightsState(const BackboneSpec &spec, const QString &weightsDir)
{
    if (!spec.weightsFile.isEmpty() && QFileInfo(weightsPath(spec, weightsDir)).isFile())
        return WeightsState::Available;
    return spec.url.isEmpty() ? WeightsState::Missing : WeightsState::Downloadable;
}

} // namespace graft::vision
