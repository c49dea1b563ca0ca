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
    return detail.isEmpty() ? head : head + QLatin1Char('\n') + detail;
}

QString ErrorText::monitor(learn::Monitor monitor)
{
    return monitor == learn::Monitor::ValLoss ? tr("lowest validation loss")
                                              : tr("best validation accuracy");
}

QString ErrorText::phase(learn::Phase phase)
{
    switch (phase) {
    case learn::Phase::Scan: return tr("Reading the dataset");
    case learn::Phase::Vectors: return tr("Loading word vectors");
    case learn::Phase::Features: return tr("Extracting features");
    case learn::Phase::LrFinder: return tr("Finding the learning rate");
    case learn::Phase::Train: return tr("Training");
    case learn::Phase::Validate: return tr("Validating");
    case learn::Phase::Export: return tr("Writing the export");
    case learn::Phase::ExportCheck: return tr("Checking the export");
    case learn::Phase::CrossValidate: return tr("Cross-validating");
    }
    return {};
}

QString ErrorText::notice(const learn::Notice &n)
{
    using C = learn::Notice::Code;
    const auto a = [&](int i) { return n.args.value(i); };
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
        return tr("Fold %1 of %2: model %3 %, bag-of-words baseline %4 %").arg(a(0), a(1), a(2), a(3));
    }
    return n.args.join(QStringLiteral(", "));
}

} // namespace graft::ui
