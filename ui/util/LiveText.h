#pragma once

#include <QLabel>
#include <QPointer>
#include <QString>

#include <functional>
#include <utility>

namespace graft::ui {

/// A label whose text is built by a function, built again by refresh(): a panel calls it from
/// retranslate() so that results shown before a language switch ("Finished. Kept epoch 7...")
/// switch language too instead of staying in the old one.
class LiveText
{
public:
    explicit LiveText(QLabel *label = nullptr) : m_label(label) {}
    void set(std::function<QString()> text)
    {
        m_text = std::move(text);
        refresh();
    }
    /// Text that is no translation (an error's detail, a path): shown as it is.
    void setFixed(const QString &text)
    {
        set([text] { return text; });
    }
    void refresh() const
    {
        if (m_label)
            m_label->setText(m_text ? m_text() : QString());
    }

private:
    QPointer<QLabel> m_label;
    std::function<QString()> m_text;
};

} // namespace graft::ui
