#pragma once

#include <QMainWindow>

class QTabWidget;

namespace graft::ui {

/// The workbench shell: menus and one tab per feature panel. Holds no training logic.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();

    QTabWidget *m_tabs = nullptr;
};

} // namespace graft::ui
