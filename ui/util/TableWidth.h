#pragma once

class QTableWidget;

namespace graft::ui {

/// Makes `table` ask for the width its columns need (headers and cells, the first column's
/// names capped at `maxNameWidth` px) so that a splitter or layout does not squeeze the
/// numbers behind a horizontal scroll bar or cut the headers to "...". Call after filling it
/// and after a language change.
void fitTableWidth(QTableWidget *table, int maxNameWidth = 200);

} // namespace graft::ui
