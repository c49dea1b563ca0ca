#pragma once

#include "graft/learn/Config.h"

#include <QJsonArray>
#include <QWidget>

class QLabel;
class QPushButton;
class QTableWidget;

namespace graft::ui {

/// The Runs tab: every run of the project with its name, model, settings and validation
/// accuracy, the current model marked and the best one starred. A run can be renamed, taken
/// back as the current model, removed from the list (its folder stays) and overlaid on the
/// Train tab's loss plot.
///
/// Holds no runs of its own: MainWindow gives it the project's run objects (as recordRun
/// writes them) and gets them back, edited, through runsEdited().
class RunsPanel : public QWidget
{
    Q_OBJECT
public:
    explicit RunsPanel(QWidget *parent = nullptr);

    /// Shows `runs` (oldest first, as the project keeps them); `currentModel` is the run
    /// folder or export of the current model.
    void setRuns(const QJsonArray &runs, const QString &currentModel);
    void setCurrentModel(const QString &path);
    /// Disables "Use this model" while a job runs.
    void setBusy(bool busy);
    QTableWidget *table() const { return m_table; }
    /// The run object's name, or "Run N" (N its 1-based place) when it has none.
    static QString nameOf(const QJsonObject &run, int index);
    /// The dataset and split a run was validated on: accuracies compare only within one.
    static QString splitKey(const learn::RunConfig &config);

Q_SIGNALS:
    /// The user asked to make this run folder the current model.
    void useRequested(const QString &runDir);
    /// A name, the comparison ticks or the list changed: the runs as they are now.
    void runsEdited(const QJsonArray &runs);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void rebuild();
    void updateDetails();
    int selectedRun() const; ///< index into m_runs, -1 when none

    QJsonArray m_runs;
    QString m_current;
    bool m_busy = false;
    bool m_filling = false;
    QLabel *m_intro = nullptr;
    QTableWidget *m_table = nullptr;
    QPushButton *m_use = nullptr;
    QPushButton *m_rename = nullptr;
    QPushButton *m_remove = nullptr;
    QLabel *m_details = nullptr;
};

} // namespace graft::ui
