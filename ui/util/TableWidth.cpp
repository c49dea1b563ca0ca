#include "ui/util/TableWidth.h"

#include <QHeaderView>
#include <QScrollBar>
#include <QStyle>
#include <QTableWidget>

namespace graft::ui {

void fitTableWidth(QTableWidget *table, int maxNameWidth)
{
    const QFontMetrics cells(table->font());
    const QFontMetrics headers(table->horizontalHeader()->font());
    // Cell and header padding as the style draws them, plus room for a sort indicator.
    const int pad = 2 * table->style()->pixelMetric(QStyle::PM_FocusFrameHMargin, nullptr, table) +
                    2 * table->style()->pixelMetric(QStyle::PM_HeaderMargin, nullptr, table) + 8;
    int width = 2 * table->frameWidth() + table->verticalScrollBar()->sizeHint().width();
    for (int c = 0; c < table->columnCount(); ++c) {
        const QTableWidgetItem *head = table->horizontalHeaderItem(c);
        int column = head ? headers.horizontalAdvance(head->text()) : 0;
        for (int r = 0; r < table->rowCount(); ++r)
            if (const QTableWidgetItem *item = table->item(r, c))
                column = qMax(column, cells.horizontalAdvance(item->text()));
        column += pad;
        width += c == 0 ? qMin(column, maxNameWidth) : column;
    }
    table->setMinimumWidth(width);
}

} // namespace graft::ui
