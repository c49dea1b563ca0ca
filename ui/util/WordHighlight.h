#pragma once

#include "graft/learn/Results.h"

#include <QString>

#include <vector>

namespace graft::ui {

/// HTML of `words` with a background per word: green for words that support the class, red
/// for words against it, stronger for larger weights; near-zero words stay plain.
QString highlightedWordsHtml(const learn::TokenContributions &words);

} // namespace graft::ui
