#include "ui/Translations.h"

#include <QCoreApplication>
#include <QLibraryInfo>
#include <QLocale>
#include <QSettings>

namespace graft::ui {

Translations &Translations::instance()
{
    static Translations translations;
    return translations;
}

QString Translations::configuredLanguage()
{
    return QSettings().value(QStringLiteral("ui/language")).toString();
}

void Translations::setConfiguredLanguage(const QString &language)
{
    QSettings().setValue(QStringLiteral("ui/language"), language);
}

QString Translations::apply(const QString &language)
{
    QString lang = language;
    if (lang.isEmpty())
        lang = QLocale::system().name().section(QLatin1Char('_'), 0, 0);
    if (lang != QLatin1String("es"))
        lang = QStringLiteral("en");

    QCoreApplication::removeTranslator(&m_graft);
    QCoreApplication::removeTranslator(&m_qt);
    if (m_graft.load(QStringLiteral(":/i18n/graft_") + lang))
        QCoreApplication::installTranslator(&m_graft);
    if (m_qt.load(QStringLiteral("qtbase_") + lang,
                  QLibraryInfo::path(QLibraryInfo::TranslationsPath)))
        QCoreApplication::installTranslator(&m_qt);
    m_current = lang;
    return lang;
}

} // namespace graft::ui
