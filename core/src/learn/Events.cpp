#include "graft/learn/Events.h"

namespace graft::learn {

const char *nameOf(Phase phase)
{
    static const char *const names[] = {"scan",      "vectors",      "features",
                                        "lr-finder", "train",        "validate",
                                        "export",    "export-check", "cross-validate"};
    return names[int(phase)];
}

Progress ProgressMeter::at(qint64 done, qint64 total) const
{
    return make(m_phase, done, total, double(m_clock.nsecsElapsed()) / 1e9);
}

Progress ProgressMeter::make(Phase phase, qint64 done, qint64 total, double elapsedSeconds)
{
    Progress p;
    p.phase = phase;
    p.done = done;
    p.total = total;
    p.elapsedSeconds = elapsedSeconds;
    if (elapsedSeconds > 0)
        p.itemsPerSecond = double(done) / elapsedSeconds;
    if (done > 0 && total >= done)
        p.etaSeconds = elapsedSeconds / double(done) * double(total - done);
    return p;
}

QJsonObject EpochMetrics::toJson() const
{
    return QJsonObject{{"epoch", epoch},
                       {"train_loss", trainLoss},
                       {"train_accuracy", trainAccuracy},
                       {"val_loss", valLoss},
                       {"val_accuracy", valAccuracy},
                       {"seconds", seconds},
                       {"learning_rate", learningRate},
                       {"best", best},
                       {"step", step}};
}

EpochMetrics EpochMetrics::fromJson(const QJsonObject &o)
{
    return {.epoch = o.value("epoch").toInt(),
            .trainLoss = o.value("train_loss").toDouble(),
            .trainAccuracy = o.value("train_accuracy").toDouble(),
            .valLoss = o.value("val_loss").toDouble(),
            .valAccuracy = o.value("val_accuracy").toDouble(),
            .seconds = o.value("seconds").toDouble(),
            .learningRate = o.value("learning_rate").toDouble(),
            .best = o.value("best").toBool(),
            .step = qint64(o.value("step").toDouble())};
}

QString noticeText(const Notice &n)
{
    const auto a = [&](int i) {
        return n.args.value(i);
    };
    switch (n.code) {
    case Notice::Code::SkippedFile:
        return QStringLiteral("skipped %1: %2").arg(a(0), a(1));
    case Notice::Code::Resumed:
        return QStringLiteral("resumed after epoch %1").arg(a(0));
    case Notice::Code::EarlyStopped:
        return QStringLiteral("early stopping after epoch %1: no better %3 since epoch %2")
            .arg(a(0), a(1), a(2));
    case Notice::Code::CheckpointNotSaved:
        return QStringLiteral("checkpoint not saved: %1").arg(a(0));
    case Notice::Code::FeatureCacheNotSaved:
        return QStringLiteral("feature cache not saved: %1").arg(a(0));
    case Notice::Code::LearningRateFound:
        return QStringLiteral("learning rate from the finder: %1").arg(a(0));
    case Notice::Code::VectorCoverage:
        return QStringLiteral("word vectors: %1 of %2 training words found in %3")
            .arg(a(0), a(1), a(2));
    case Notice::Code::RunSaved:
        return QStringLiteral("run saved in %1").arg(a(0));
    case Notice::Code::RunNotSaved:
        return QStringLiteral("run folder not saved: %1").arg(a(0));
    case Notice::Code::Cancelled:
        return QStringLiteral("training cancelled after %1 complete epochs").arg(a(0));
    case Notice::Code::FoldFinished:
        return QStringLiteral("fold %1/%2: model %3 %, bag-of-words baseline %4 %")
            .arg(a(0), a(1), a(2), a(3));
    }
    return n.args.join(QStringLiteral(", "));
}

} // namespace graft::learn
