#pragma once

#include "graft/core/Result.h"
#include "graft/learn/Config.h"
#include "graft/learn/Events.h"

#include <QCoreApplication>
#include <QString>

namespace graft::ui {

/// Turns what core reports as codes (errors, notices, phases, rules) into translated text.
class ErrorText
{
    Q_DECLARE_TR_FUNCTIONS(ErrorText)
public:
    /// A translated sentence for the code, followed by the English detail and the file.
    static QString describe(const core::Error &error);
    /// An engine notice (skipped file, early stopping, run saved...) in the UI language.
    static QString notice(const learn::Notice &notice);
    /// "Extracting features", "Loading word vectors", ...
    static QString phase(learn::Phase phase);
    /// The kept-epoch rule: "best validation accuracy" or "lowest validation loss".
    static QString monitor(learn::Monitor monitor);
    /// A data problem's kind (the scanner's and the text reader's ids: "not_image",
    /// "conflicting_duplicate", ...) in the UI language; an unknown id is shown as it is.
    static QString problemKind(const QString &id);
    /// "Feature extractor", "Fine-tune top", ...
    static QString recipe(learn::Recipe recipe);
    /// "One-cycle", "Cosine with warm-up", "Constant".
    static QString schedule(learn::Schedule schedule);
};

} // namespace graft::ui
