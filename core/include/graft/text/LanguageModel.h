#pragma once

#include "graft/core/Result.h"
#include "graft/text/Tokenizer.h"

#include <QJsonObject>
#include <QString>

namespace graft::text {

/// What a saved language model (a TaskKind::LanguageModel run's model file) says about
/// itself. The file is checked as classifiers starting from it check it.
struct LanguageModelInfo
{
    int vocabularySize = 0;
    int embeddingDim = 0;
    int hidden = 0;
    Tokenizer::Options tokenizer;
    QJsonObject metadata;
};
core::Result<LanguageModelInfo> readLanguageModelInfo(const QString &path);

} // namespace graft::text
