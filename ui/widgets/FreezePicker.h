#pragma once

#include "graft/vision/FreezePlan.h"

#include <QStringList>
#include <QWidget>

class QLabel;
class QSlider;
class QTableWidget;

namespace graft::ui {

/// Vertical stack of a backbone's layer groups (input at the bottom, head on top) with a cut
/// point, per-group frozen/trainable state and learning-rate multiplier.
class FreezePicker : public QWidget
{
    Q_OBJECT
public:
    explicit FreezePicker(QWidget *parent = nullptr);

    /// Groups in forward order (stem first). Resets the plan to a feature extractor.
    void setGroups(const QStringList &names);
    QStringList groups() const { return m_groups; }
    void setPlan(const vision::FreezePlan &plan);
    vision::FreezePlan plan() const { return m_plan; }

Q_SIGNALS:
    void planChanged();
    /// The user dragged the cut point (before planChanged).
    void cutDragged(int cut);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void rebuild();
    int rowOfGroup(int group) const { return int(m_groups.size()) - 1 - group; }

    QStringList m_groups;
    vision::FreezePlan m_plan;
    bool m_updating = false;
    QLabel *m_cutLabel = nullptr;
    QSlider *m_cut = nullptr;
    QTableWidget *m_table = nullptr;
    QLabel *m_summary = nullptr;
};

} // namespace graft::ui
