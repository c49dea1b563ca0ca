#include "ui/widgets/GuideDialog.h"

#include "ui/Application.h"
#include "ui/Translations.h"

#include <QDesktopServices>
#include <QDialogButtonBox>
#include <QEvent>
#include <QPushButton>
#include <QTextBrowser>
#include <QVBoxLayout>

namespace graft::ui {

GuideDialog::GuideDialog(QWidget *parent) : QDialog(parent)
{
    ensureResources();
    m_browser = new QTextBrowser(this);
    m_browser->setOpenExternalLinks(false);
    m_browser->setOpenLinks(true);
    m_browser->setSearchPaths({QStringLiteral(":/docs")});
    // Embedded pages open here; anything else goes to the desktop.
    connect(m_browser, &QTextBrowser::anchorClicked, this, [this](const QUrl &url) {
        if (url.scheme() == QLatin1String("http") || url.scheme() == QLatin1String("https") ||
            url.scheme() == QLatin1String("mailto")) {
            QDesktopServices::openUrl(url);
            m_browser->setSource(m_browser->source(), QTextDocument::MarkdownResource);
        }
    });
    m_browser->setSource(startPage(), QTextDocument::MarkdownResource);
    auto *buttons = new QDialogButtonBox(QDialogButtonBox::Close, this);
    connect(buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_browser);
    layout->addWidget(buttons);
    resize(860, 680);
    retranslate();
}

QUrl GuideDialog::startPage()
{
    return QUrl(Translations::instance().current() == QLatin1String("es")
                    ? QStringLiteral("qrc:/docs/user-guide.es.md")
                    : QStringLiteral("qrc:/docs/user-guide.md"));
}

void GuideDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void GuideDialog::retranslate()
{
    setWindowTitle(tr("Graft User Guide"));
    // The language changed while the guide was open: show the guide in the new one.
    const QString page = m_browser->source().fileName();
    if (page.startsWith(QLatin1String("user-guide")) && m_browser->source() != startPage())
        m_browser->setSource(startPage(), QTextDocument::MarkdownResource);
}

} // namespace graft::ui
