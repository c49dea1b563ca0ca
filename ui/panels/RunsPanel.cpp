#include "ui/panels/RunsPanel.h"

#include "graft/learn/Config.h"
#include "graft/vision/BackboneCatalogue.h"
#include "ui/util/ErrorText.h"

#include <QDateTime>
#include <QDir>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QJsonObject>
#include <QLabel>
#include <QLocale>
#include <QPushButton>
#include <QTableWidget>
#include <QVBoxLayout>

#include <cmath>

namespace graft::ui {

namespace {

enum Column { Compare, Name, Finished, ModelCol, Kept, Accuracy, Status, Time, ColumnCount };

/// The dataset and split a run was validated on (its saved configuration).
QString dataKey(const QJsonObject &run)
{
    return RunsPanel::splitKey(
        learn::RunConfig::fromJson(run.value(QStringLiteral("config")).toObject()));
}

bool folderMissing(const QJsonObject &run)
{
    const QString dir = run.value(QStringLiteral("run_dir")).toString();
    return dir.isEmpty() || !QFileInfo::exists(QDir(dir).filePath(QStringLiteral("run.json")));
}

} // namespace

RunsPanel::RunsPanel(QWidget *parent) : QWidget(parent)
{
    setObjectName(QStringLiteral("runsPanel"));
    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    m_table = new QTableWidget(0, ColumnCount, this);
    m_table->setObjectName(QStringLiteral("runsTable"));
    m_table->setSelectionBehavior(QAbstractItemView::SelectRows);
    m_table->setSelectionMode(QAbstractItemView::SingleSelection);
    // Double-click takes a run back; names are edited with F2, a second click or Rename.
    m_table->setEditTriggers(QAbstractItemView::EditKeyPressed |
                             QAbstractItemView::SelectedClicked);
    m_table->verticalHeader()->setVisible(false);
    // The model's name takes what is left (elided, whole in its tooltip), so that the
    // accuracy, status and time stay in view without a horizontal scroll bar.
    m_table->horizontalHeader()->setStretchLastSection(false);
    m_table->horizontalHeader()->setSectionResizeMode(ModelCol, QHeaderView::Stretch);
    m_use = new QPushButton(this);
    m_use->setObjectName(QStringLiteral("useRun"));
    m_rename = new QPushButton(this);
    m_remove = new QPushButton(this);
    m_remove->setObjectName(QStringLiteral("removeRun"));
    m_details = new QLabel(this);
    m_details->setObjectName(QStringLiteral("runDetails"));
    m_details->setWordWrap(true);
    m_details->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_details->setAlignment(Qt::AlignTop | Qt::AlignLeft);

    auto *buttons = new QHBoxLayout;
    buttons->addWidget(m_use);
    buttons->addWidget(m_rename);
    buttons->addWidget(m_remove);
    buttons->addStretch(1);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addWidget(m_table, 1);
    layout->addLayout(buttons);
    layout->addWidget(m_details);

    connect(m_table, &QTableWidget::itemSelectionChanged, this, &RunsPanel::updateDetails);
    connect(m_table, &QTableWidget::cellDoubleClicked, this, [this](int, int column) {
        if (column != Name && column != Compare && m_use->isEnabled())
            m_use->click();
    });
    connect(m_table, &QTableWidget::itemChanged, this, [this](QTableWidgetItem *item) {
        if (m_filling)
            return;
        const int i = item->data(Qt::UserRole).toInt();
        if (i < 0 || i >= m_runs.size())
            return;
        QJsonObject run = m_runs[i].toObject();
        if (item->column() == Name) {
            const QString name = item->text().trimmed();
            if (name.isEmpty() || name == nameOf(run, i))
                return;
            run[QStringLiteral("name")] = name;
        } else if (item->column() == Compare) {
            run[QStringLiteral("compare")] = item->checkState() == Qt::Checked;
        } else {
            return;
        }
        m_runs[i] = run;
        m_table->resizeColumnToContents(Name);
        Q_EMIT runsEdited(m_runs);
    });
    // F2 renames whichever cell of the row was clicked.
    connect(m_table, &QTableWidget::cellClicked, this, [this](int row, int column) {
        if (column != Name && column != Compare)
            m_table->setCurrentCell(row, Name, QItemSelectionModel::NoUpdate);
    });
    connect(m_use, &QPushButton::clicked, this, [this] {
        const int i = selectedRun();
        if (i >= 0)
            Q_EMIT useRequested(m_runs[i].toObject().value(QStringLiteral("run_dir")).toString());
    });
    connect(m_rename, &QPushButton::clicked, this, [this] {
        const int row = m_table->currentRow();
        if (row >= 0)
            m_table->editItem(m_table->item(row, Name));
    });
    connect(m_remove, &QPushButton::clicked, this, [this] {
        const int i = selectedRun();
        if (i < 0)
            return;
        // Later runs keep their numbers: an unnamed run is named before the list shifts.
        for (int j = i + 1; j < m_runs.size(); ++j) {
            QJsonObject run = m_runs[j].toObject();
            if (run.value(QStringLiteral("name")).toString().isEmpty()) {
                run[QStringLiteral("name")] = nameOf(run, j);
                m_runs[j] = run;
            }
        }
        m_runs.removeAt(i);
        rebuild();
        Q_EMIT runsEdited(m_runs);
    });
    retranslate();
}

QString RunsPanel::splitKey(const learn::RunConfig &c)
{
    return c.dataPath + QLatin1Char('|') + QString::number(c.effectiveSplitSeed()) +
           QLatin1Char('|') + QString::number(c.valFraction, 'g', 6);
}

QString RunsPanel::nameOf(const QJsonObject &run, int index)
{
    const QString name = run.value(QStringLiteral("name")).toString();
    return name.isEmpty() ? tr("Run %1").arg(index + 1) : name;
}

void RunsPanel::setRuns(const QJsonArray &runs, const QString &currentModel)
{
    m_runs = runs;
    m_current = currentModel;
    rebuild();
}

void RunsPanel::setCurrentModel(const QString &path)
{
    if (path == m_current)
        return;
    m_current = path;
    rebuild();
}

void RunsPanel::setBusy(bool busy)
{
    m_busy = busy;
    updateDetails();
}

int RunsPanel::selectedRun() const
{
    const auto rows = m_table->selectionModel()->selectedRows();
    if (rows.isEmpty())
        return -1;
    const QTableWidgetItem *item = m_table->item(rows.first().row(), Name);
    return item ? item->data(Qt::UserRole).toInt() : -1;
}

void RunsPanel::rebuild()
{
    const int selected = selectedRun();
    m_filling = true;
    m_table->setRowCount(0);
    // The best accuracy per dataset and split, among runs whose model is still there.
    QHash<QString, double> best;
    for (const QJsonValue &v : m_runs) {
        const QJsonObject run = v.toObject();
        if (folderMissing(run) || run.value(QStringLiteral("best_epoch")).toInt() <= 0)
            continue;
        const double acc = run.value(QStringLiteral("val_accuracy")).toDouble();
        best[dataKey(run)] = qMax(best.value(dataKey(run), -1.0), acc);
    }
    const QLocale locale;
    // Newest first.
    for (int i = int(m_runs.size()) - 1; i >= 0; --i) {
        const QJsonObject run = m_runs[i].toObject();
        const int row = m_table->rowCount();
        m_table->insertRow(row);
        const bool missing = folderMissing(run);
        const bool current =
            !m_current.isEmpty() &&
            QFileInfo(run.value(QStringLiteral("run_dir")).toString()) == QFileInfo(m_current);
        const int kept = run.value(QStringLiteral("best_epoch")).toInt();
        const double acc = run.value(QStringLiteral("val_accuracy")).toDouble();
        const bool isBest = !missing && kept > 0 && acc >= best.value(dataKey(run), 2.0) - 1e-12;

        auto cell = [&](int column, const QString &text) {
            auto *item = new QTableWidgetItem(text);
            item->setData(Qt::UserRole, i);
            item->setFlags(Qt::ItemIsSelectable | Qt::ItemIsEnabled);
            if (current) {
                QFont f = item->font();
                f.setBold(true);
                item->setFont(f);
            }
            if (missing)
                item->setForeground(palette().color(QPalette::Disabled, QPalette::Text));
            m_table->setItem(row, column, item);
            return item;
        };
        QTableWidgetItem *compare = cell(Compare, QString());
        compare->setFlags(compare->flags() | Qt::ItemIsUserCheckable);
        compare->setCheckState(run.value(QStringLiteral("compare")).toBool(true) ? Qt::Checked
                                                                                 : Qt::Unchecked);
        compare->setToolTip(tr("Show this run's loss curve on the Train tab"));
        QTableWidgetItem *name = cell(Name, nameOf(run, i));
        name->setFlags(name->flags() | Qt::ItemIsEditable);
        const QDateTime when =
            QDateTime::fromString(run.value(QStringLiteral("finished")).toString(), Qt::ISODate);
        cell(Finished, when.isValid() ? locale.toString(when, QLocale::ShortFormat) : QString());

        QString model;
        if (run.value(QStringLiteral("kind")).toString() == QLatin1String("image")) {
            model = run.value(QStringLiteral("backbone")).toString();
            if (const vision::BackboneSpec *spec = vision::BackboneCatalogue::builtin().find(model))
                model = spec->displayName;
            learn::Recipe recipe;
            if (learn::parse(run.value(QStringLiteral("recipe")).toString(), &recipe))
                model += QStringLiteral(", ") + ErrorText::recipe(recipe);
        } else {
            const QString vectors = run.value(QStringLiteral("vectors")).toString();
            model = vectors.isEmpty() ? tr("no word vectors") : QFileInfo(vectors).fileName();
            model += QStringLiteral(", ") + run.value(QStringLiteral("head")).toString();
        }
        cell(ModelCol, model)->setToolTip(model);
        const int epochs = run.value(QStringLiteral("epochs")).toArray().size();
        cell(Kept, kept > 0 ? tr("%1 of %2").arg(kept).arg(epochs) : tr("none"));
        QTableWidgetItem *accuracy =
            cell(Accuracy, kept > 0 ? (isBest ? QStringLiteral("\u2605 ") : QString()) +
                                          QStringLiteral("%1 %").arg(acc * 100, 0, 'f', 2)
                                    : QStringLiteral("-"));
        accuracy->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        if (isBest)
            accuracy->setToolTip(tr("The best validation accuracy on this dataset and split"));
        QString status = missing ? tr("Run folder missing")
                         : run.value(QStringLiteral("cancelled")).toBool()     ? tr("Stopped")
                         : run.value(QStringLiteral("early_stopped")).toBool() ? tr("Stopped early")
                                                                               : tr("Finished");
        if (current)
            status = tr("%1, current model").arg(status);
        cell(Status, status);
        const double seconds = run.value(QStringLiteral("seconds")).toDouble();
        cell(Time,
             seconds > 0 ? tr("%1 s").arg(seconds, 0, 'f', seconds < 100 ? 1 : 0) : QString());
    }
    m_filling = false;
    for (int row = 0; row < m_table->rowCount(); ++row)
        if (m_table->item(row, Name)->data(Qt::UserRole).toInt() == selected)
            m_table->selectRow(row);
    m_table->resizeColumnsToContents();
    updateDetails();
}

void RunsPanel::updateDetails()
{
    const int i = selectedRun();
    m_rename->setEnabled(i >= 0);
    m_remove->setEnabled(i >= 0);
    if (i < 0) {
        m_use->setEnabled(false);
        m_details->setText(m_runs.isEmpty() ? tr("No runs yet: train on the Train tab.")
                                            : tr("Select a run to see its settings."));
        return;
    }
    const QJsonObject run = m_runs[i].toObject();
    const bool missing = folderMissing(run);
    const QString dir = run.value(QStringLiteral("run_dir")).toString();
    m_use->setEnabled(!m_busy && !missing && run.value(QStringLiteral("best_epoch")).toInt() > 0 &&
                      QFileInfo(dir) != QFileInfo(m_current));
    const learn::RunConfig c =
        learn::RunConfig::fromJson(run.value(QStringLiteral("config")).toObject());
    QStringList lines;
    if (run.contains(QStringLiteral("config"))) {
        QString loop =
            tr("%n epoch(s), batch %1, learning rate %2, %3, weight decay %4", nullptr, c.epochs)
                .arg(c.batchSize)
                .arg(c.learningRate, 0, 'g', 3)
                .arg(ErrorText::schedule(c.schedule))
                .arg(c.weightDecay, 0, 'g', 3);
        if (c.kind == learn::TaskKind::Image)
            loop += tr(", augmentation %1").arg(c.image.augment ? tr("on") : tr("off"));
        if (c.labelSmoothing > 0)
            loop += tr(", label smoothing %1").arg(c.labelSmoothing, 0, 'g', 3);
        lines << loop;
        lines << tr("Kept epoch chosen by %1; seed %2.")
                     .arg(ErrorText::monitor(c.monitor))
                     .arg(c.seed);
        lines << tr("Data: %1").arg(QDir::toNativeSeparators(c.dataPath));
    }
    lines << (missing ? tr("Run folder (missing): %1") : tr("Run folder: %1"))
                 .arg(QDir::toNativeSeparators(dir));
    m_details->setText(lines.join(QLatin1Char('\n')));
}

void RunsPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void RunsPanel::retranslate()
{
    m_intro->setText(tr("Every run of this project, newest first. Each keeps its model in its "
                        "run folder: double-click a run (or press Use this model) to make it the "
                        "current model again for Evaluate, Predict and Export."));
    m_table->setHorizontalHeaderLabels({tr("Compare"), tr("Name"), tr("Finished"), tr("Model"),
                                        tr("Kept epoch"), tr("Validation accuracy"), tr("Status"),
                                        tr("Time")});
    m_use->setText(tr("Use this model"));
    m_rename->setText(tr("Rename"));
    m_remove->setText(tr("Remove from list"));
    m_remove->setToolTip(tr("Removes the run from this project; its run folder stays on disk"));
    rebuild();
}

} // namespace graft::ui
