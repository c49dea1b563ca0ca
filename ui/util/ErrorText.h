#pragma once

#include "graft/core/Result.h"

#include <QCoreApplication>
#include <QString>

namespace graft::ui {

/// Turns core errors (language-independent codes) into translated text for people.
class ErrorText
{
    Q_DECLARE_TR_FUNCTIONS(ErrorText)
public:
    /// A translated sentence for the code, followed by the English detail and the file.
    static QString describe(const core::Error &error);
};

} // namespace graft::ui
