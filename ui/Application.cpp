#include "ui/Application.h"

#include "ui/Translations.h"
#include "ui/windows/MainWindow.h"

#include <QApplication>
#include <QIcon>

// Resources compiled into the static graft_ui library must be registered by hand.
static void initGraftResources()
{
    Q_INIT_RESOURCE(graft);
}

namespace graft::ui {

void ensureResources()
{
    static const bool once = [] {
        initGraftResources();
        return true;
    }();
    (void)once;
}

int runApplication(QApplication &app)
{
    QApplication::setOrganizationName(QStringLiteral("Graft"));
    QApplication::setApplicationName(QStringLiteral("Graft"));
    QApplication::setApplicationVersion(QStringLiteral(GRAFT_VERSION));
    ensureResources();
    QApplication::setWindowIcon(QIcon(QStringLiteral(":/icons/graft.svg")));
    Translations::instance().apply(Translations::configuredLanguage());

    MainWindow window;
    window.show();
    // `graft PATH`: a project, a dataset folder or a file of reviews (Qt's own options such as
    // -platform are already removed from the arguments).
    const QStringList args = QApplication::arguments().mid(1);
    if (!args.isEmpty())
        window.openPath(args.first());
    return app.exec();
}

} // namespace graft::ui
