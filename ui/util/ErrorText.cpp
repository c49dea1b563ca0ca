#include "ui/util/ErrorText.h"

namespace graft::ui {

QString ErrorText::describe(const core::Error &error)
{
    using core::ErrorCode;
    QString head;
    switch (error.code) {
    case ErrorCode::Ok:
        head = tr("No error.");
        break;
    case ErrorCode::NotFound:
        head = tr("The file or folder does not exist.");
        break;
    case ErrorCode::Unreadable:
        head = tr("The file or folder cannot be read.");
        break;
    case ErrorCode::InvalidFormat:
        head = tr("The file is not in the expected format.");
        break;
    case ErrorCode::Unsupported:
        head = tr("This is not supported by Graft.");
        break;
    case ErrorCode::TooLarge:
        head = tr("The input is too large.");
        break;
    case ErrorCode::InvalidArgument:
        head = tr("A setting is out of range.");
        break;
    case ErrorCode::DatasetInvalid:
        head = tr("The dataset cannot be trained on.");
        break;
    case ErrorCode::WeightsInvalid:
        head = tr("The weights file is invalid.");
        break;
    case ErrorCode::WriteFailed:
        head = tr("Writing the file failed.");
        break;
    case ErrorCode::Cancelled:
        head = tr("Cancelled.");
        break;
    case ErrorCode::NumericalError:
        head = tr("Training diverged (the loss became NaN or infinite).");
        break;
    case ErrorCode::Network:
        head = tr("The download failed.");
        break;
    case ErrorCode::ChecksumMismatch:
        head = tr("The file's checksum does not match.");
        break;
    case ErrorCode::Internal:
        head = tr("Internal error.");
        break;
    }
    const QString detail = error.message();
    // "Cancelled." needs no English "cancelled" under it.
    if (error.code == ErrorCode::Cancelled &&
        detail.compare(QLatin1String("cancelled"), Qt::CaseInsensitive) == 0)
        return head;
    return detail.isEmpty() ? head : head + QLatin1Char('\n') + detail;
}

QString ErrorText::monitor(learn::Monitor monitor)
{
    return monitor == learn::Monitor::ValLoss ? tr("lowest validation loss")
                                              : tr("best validation accuracy");
}

QString ErrorText::problemKind(const QString &id)
{
    static const std::pair<const char *, const char *> kinds[] = {
        // Images (vision::fileStatusName).
        {"unreadable", QT_TR_NOOP("Cannot be read")},
        {"zero_bytes", QT_TR_NOOP("Empty file")},
        {"not_image", QT_TR_NOOP("Not an image")},
        {"truncated", QT_TR_NOOP("Truncated")},
        {"corrupt", QT_TR_NOOP("Corrupt")},
        {"too_small", QT_TR_NOOP("Too small")},
        {"too_large", QT_TR_NOOP("Too large")},
        {"duplicate", QT_TR_NOOP("Duplicate")},
        // Reviews (text::TextIssue::kind).
        {"undecodable", QT_TR_NOOP("Not text in a known encoding")},
        {"latin1_fallback", QT_TR_NOOP("Read as Latin-1")},
        {"bad_row", QT_TR_NOOP("Malformed row")},
        {"bad_column", QT_TR_NOOP("Missing column")},
        {"empty_file", QT_TR_NOOP("Empty file")},
        {"missing_label", QT_TR_NOOP("Missing label")},
        {"skipped_file", QT_TR_NOOP("Skipped file")},
        {"empty_text", QT_TR_NOOP("Empty review")},
        {"conflicting_duplicate", QT_TR_NOOP("Duplicate with another label")},
        {"duplicate_across_splits", QT_TR_NOOP("Duplicate across splits")},
        {"empty_class", QT_TR_NOOP("Empty class")},
        {"too_few_classes", QT_TR_NOOP("Too few classes")},
    };
    for (const auto &[key, text] : kinds)
        if (id == QLatin1String(key))
            return tr(text);
    return id;
}

QString ErrorText::recipe(learn::Recipe recipe)
{
    switch (recipe) {
    case learn::Recipe::FeatureExtractor:
        return tr("Feature extractor");
    case learn::Recipe::FineTune:
        return tr("Fine-tune top");
    case learn::Recipe::Full:
        return tr("Full fine-tune");
    case learn::Recipe::GradualUnfreeze:
        return tr("Gradual unfreezing");
    }
    return QString();
}

QString ErrorText::schedule(learn::Schedule schedule)
{
    switch (schedule) {
    case learn::Schedule::OneCycle:
        return tr("One-cycle");
    case learn::Schedule::Cosine:
        return tr("Cosine with warm-up");
    case learn::Schedule::Constant:
        return tr("Constant");
    }
    return QString();
}

QString ErrorText::phase(learn::Phase phase)
{
    switch (phase) {
    case learn::Phase::Scan:
        return tr("Reading the dataset");
    case learn::Phase::Vectors:
        return tr("Loading word vectors");
    case learn::Phase::Features:
        return tr("Extracting features");
    case learn::Phase::LrFinder:
        return tr("Finding the learning rate");
    case learn::Phase::Train:
        return tr("Training");
    case learn::Phase::Validate:
        return tr("Validating");
    case learn::Phase::Export:
        return tr("Writing the export");
    case learn::Phase::ExportCheck:
        return tr("Checking the export");
    case learn::Phase::CrossValidate:
        return tr("Cross-validating");
    }
    return {};
}

QString ErrorText::notice(const learn::Notice &n)
{
    using C = learn::Notice::Code;
    const auto a = [&](int i) {
        return n.args.value(i);
    };
    switch (n.code) {
    case C::SkippedFile:
        return tr("Skipped %1: %2").arg(a(0), a(1));
    case C::Resumed:
        return tr("Resumed after epoch %1.").arg(a(0));
    case C::EarlyStopped: {
        learn::Monitor m = learn::Monitor::ValAccuracy;
        learn::parse(a(2), &m);
        return tr("Stopped early after epoch %1: no better %3 since epoch %2.")
            .arg(a(0), a(1), monitor(m));
    }
    case C::CheckpointNotSaved:
        return tr("The checkpoint could not be saved: %1").arg(a(0));
    case C::FeatureCacheNotSaved:
        return tr("The feature cache could not be saved: %1").arg(a(0));
    case C::LearningRateFound:
        return tr("Learning rate from the finder: %1").arg(a(0));
    case C::VectorCoverage:
        return tr("Word vectors: %1 of %2 training words found in %3.").arg(a(0), a(1), a(2));
    case C::RunSaved:
        return tr("Run saved in %1").arg(a(0));
    case C::RunNotSaved:
        return tr("The run folder could not be saved: %1").arg(a(0));
    case C::Cancelled:
        return tr("Stopped after %n complete epoch(s).", nullptr, a(0).toInt());
    case C::FoldFinished:
        return tr("Fold %1 of %2: model %3 %, bag-of-words baseline %4 %")
            .arg(a(0), a(1), a(2), a(3));
    }
    return n.args.join(QStringLiteral(", "));
}

} // namespace graft::ui
