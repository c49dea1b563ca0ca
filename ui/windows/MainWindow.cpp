#include "ui/windows/MainWindow.h"

#include <QEvent>
#include <QLabel>
#include <QMenuBar>
#include <QTabWidget>

namespace graft::ui {

MainWindow::MainWindow(QWidget *parent)
    : QMainWindow(parent)
{
    m_tabs = new QTabWidget(this);
    setCentralWidget(m_tabs);
    for (int i = 0; i < 6; ++i)
        m_tabs->addTab(new QLabel(m_tabs), QString());
    resize(1280, 800);
    retranslate();
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::retranslate()
{
    setWindowTitle(tr("Graft"));
    const QStringList names = {tr("Data"),     tr("Model"),   tr("Train"),
                               tr("Evaluate"), tr("Predict"), tr("Export")};
    for (int i = 0; i < names.size(); ++i)
        m_tabs->setTabText(i, names[i]);
}

} // namespace graft::ui
