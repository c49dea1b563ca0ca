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

} // namespace graft::ui
