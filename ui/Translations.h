#pragma once

#include <QObject>
#include <QString>
#include <QTranslator>

namespace graft::ui {

/// Owns the installed translators. Switching language re-installs them; widgets update their
/// texts on QEvent::LanguageChange.
class Translations : public QObject
{
    Q_OBJECT
public:
    static Translations &instance();

    /// "es", "en", or "" for the system locale, as stored in the settings.
    static QString configuredLanguage();
    static void setConfiguredLanguage(const QString &language);

    /// Installs the translators for `language` ("" = system locale). Returns the language applied.
    QString apply(const QString &language);
    QString current() const { return m_current; }

private:
    Translations() = default;
    QTranslator m_graft;
    QTranslator m_qt;
    QString m_current;
};

} // namespace graft::ui
