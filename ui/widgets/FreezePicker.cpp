#include "ui/widgets/FreezePicker.h"

#include <QCheckBox>
#include <QDoubleSpinBox>
#include <QEvent>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QLabel>
#include <QSlider>
#include <QTableWidget>
#include <QVBoxLayout>

namespace graft::ui {

FreezePicker::FreezePicker(QWidget *parent) : QWidget(parent)
{
    m_cutLabel = new QLabel(this);
    m_cutLabel->setWordWrap(true); // a long line (Spanish) would widen the whole window
    m_cut = new QSlider(Qt::Vertical, this);
    m_cut->setObjectName(QStringLiteral("cutSlider"));
    m_cut->setTickPosition(QSlider::TicksRight);
    m_table = new QTableWidget(0, 3, this);
    m_table->setObjectName(QStringLiteral("freezeTable"));
    m_table->horizontalHeader()->setSectionResizeMode(QHeaderView::ResizeToContents);
    m_table->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    m_table->verticalHeader()->setVisible(false);
    m_table->setSelectionMode(QAbstractItemView::NoSelection);
    m_summary = new QLabel(this);
    m_summary->setObjectName(QStringLiteral("freezeSummary"));
    m_summary->setWordWrap(true);

    auto *row = new QHBoxLayout;
    row->addWidget(m_table, 1);
    row->addWidget(m_cut);
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(m_cutLabel);
    layout->addLayout(row, 1);
    layout->addWidget(m_summary);

    connect(m_cut, &QSlider::valueChanged, this, [this](int cut) {
        if (m_updating || cut == m_plan.cutAt)
            return;
        vision::FreezePlan plan = m_plan;
        plan.trainable.resize(size_t(cut), false);
        plan.lrMultiplier.resize(size_t(cut), 1.0);
        plan.cutAt = cut;
        setPlan(plan);
        Q_EMIT cutDragged(cut);
        Q_EMIT planChanged();
    });
    retranslate();
}

void FreezePicker::setGroups(const QStringList &names)
{
    m_groups = names;
    setPlan(vision::FreezePlan::featureExtractor(int(names.size())));
}

void FreezePicker::setPlan(const vision::FreezePlan &plan)
{
    m_plan = plan;
    const int n = int(m_groups.size());
    if (m_plan.cutAt <= 0 || m_plan.cutAt > n)
        m_plan.cutAt = n;
    m_plan.trainable.resize(size_t(m_plan.cutAt), false);
    m_plan.lrMultiplier.resize(size_t(m_plan.cutAt), 1.0);
    rebuild();
}

void FreezePicker::rebuild()
{
    m_updating = true;
    const int n = int(m_groups.size());
    m_cut->setRange(n > 0 ? 1 : 0, n);
    m_cut->setValue(m_plan.cutAt);
    m_table->setRowCount(n);
    for (int g = 0; g < n; ++g) {
        const int row = rowOfGroup(g);
        const bool used = g < m_plan.cutAt;
        auto *name = new QTableWidgetItem(m_groups[g]);
        if (!used)
            name->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
        m_table->setItem(row, 0, name);

        auto *train = new QCheckBox(m_table);
        train->setEnabled(used);
        train->setChecked(used && m_plan.trainable[size_t(g)]);
        train->setToolTip(tr("Checked: this group's weights are updated; unchecked: frozen."));
        m_table->setCellWidget(row, 1, train);
        connect(train, &QCheckBox::toggled, this, [this, g](bool on) {
            if (m_updating || g >= m_plan.cutAt)
                return;
            m_plan.trainable[size_t(g)] = on;
            // A frozen group carries multiplier 0; training it at 0 would silently freeze it.
            if (on && m_plan.lrMultiplier[size_t(g)] <= 0.0)
                m_plan.lrMultiplier[size_t(g)] = 1.0;
            rebuild();
            Q_EMIT planChanged();
        });

        auto *lr = new QDoubleSpinBox(m_table);
        lr->setRange(0.0, 10.0);
        lr->setDecimals(3);
        lr->setSingleStep(0.1);
        lr->setEnabled(used && m_plan.trainable[size_t(g)]);
        lr->setValue(used ? m_plan.lrMultiplier[size_t(g)] : 1.0);
        lr->setToolTip(tr("Learning-rate multiplier of this group, relative to the backbone "
                          "rate."));
        m_table->setCellWidget(row, 2, lr);
        connect(lr, &QDoubleSpinBox::valueChanged, this, [this, g](double v) {
            if (m_updating || g >= m_plan.cutAt)
                return;
            m_plan.lrMultiplier[size_t(g)] = v;
            Q_EMIT planChanged();
        });
    }
    m_updating = false;
    retranslate();
}

void FreezePicker::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void FreezePicker::retranslate()
{
    m_cutLabel->setText(tr("Layer groups (input at the bottom). Drag the cut point to choose "
                           "where features are taken."));
    m_cut->setToolTip(tr("Cut point: groups above it are dropped."));
    m_table->setHorizontalHeaderLabels({tr("Group"), tr("Trainable"), tr("LR multiplier")});
    if (m_groups.isEmpty())
        m_summary->setText(tr("No layer groups."));
    else
        m_summary->setText(tr("Using %1 of %2 groups; %3 trainable.")
                               .arg(m_plan.cutAt)
                               .arg(m_groups.size())
                               .arg(m_plan.trainableCount()));
}

} // namespace graft::ui
