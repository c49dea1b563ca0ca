#pragma once

#include <QDialog>

class QTextBrowser;

namespace graft::ui {

/// The user guide (docs/user-guide.md, embedded at :/docs), shown in the program so it works
/// offline and matches this version. Links to the other embedded pages (CLI reference,
/// benchmarks) open in the same browser; web links open in the desktop's browser.
class GuideDialog : public QDialog
{
    Q_OBJECT
public:
    explicit GuideDialog(QWidget *parent = nullptr);
    /// The page shown first: the guide in the interface language (Spanish or English).
    static QUrl startPage();
    QTextBrowser *browser() const { return m_browser; }

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    QTextBrowser *m_browser = nullptr;
};

} // namespace graft::ui
