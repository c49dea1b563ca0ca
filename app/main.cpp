#include "graft/core/Runtime.h"
#include "ui/Application.h"

#include <QApplication>

int main(int argc, char *argv[])
{
    graft::core::initRuntime();
    QApplication app(argc, argv);
    return graft::ui::runApplication(app);
}
