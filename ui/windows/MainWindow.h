#pragma once

#include "graft/learn/Session.h"
#include "ui/project/Project.h"

#include <QMainWindow>

#include <functional>

class QAction;
class QActionGroup;
class QMenu;
class QTabWidget;
class QToolBar;

namespace graft::ui {

class DataPanel;
class GuideDialog;
class EvaluatePanel;
class ExportPanel;
class ModelPanel;
class PredictPanel;
class RunsPanel;
class TrainPanel;
class TrainingController;

/// The workbench shell: menus, project files and one tab per feature panel. Holds no training
/// logic: the TrainingController runs jobs, panels show them.
class MainWindow : public QMainWindow
{
    Q_OBJECT
public:
    explicit MainWindow(QWidget *parent = nullptr);
    ~MainWindow() override;

    /// The project as the widgets show it now.
    Project currentProject() const;
    /// Shows a project in the widgets (rescans its dataset when the path exists).
    void applyProject(const Project &project);
    bool saveProject(const QString &path);
    bool openProject(const QString &path);
    /// Opens what was given on the command line or by the desktop ("Open with Graft"): a
    /// .graft project, a dataset folder, or a CSV/TSV/text file of reviews. False (with a
    /// message in the status bar) when the path does not exist.
    bool openPath(const QString &path);
    bool isModified() const { return m_modified; }
    QString projectPath() const { return m_projectPath; }

    DataPanel *dataPanel() const { return m_data; }
    ModelPanel *modelPanel() const { return m_model; }
    TrainPanel *trainPanel() const { return m_train; }
    EvaluatePanel *evaluatePanel() const { return m_evaluate; }
    TrainingController *controller() const { return m_controller; }
    QTabWidget *tabs() const { return m_tabs; }

    /// Starts training with the settings shown; false when the data is not ready or busy.
    /// Runs write a checkpoint each epoch (checkpointDir()); when an earlier run on the same
    /// data and model choice left one (it was stopped, or Graft was closed or killed), the
    /// resume prompt is asked first and a yes continues that run.
    bool startTraining();
    /// Trains a language model on the loaded reviews (and the word vectors chosen, if any),
    /// saves it to `outPath` and puts it in the Model tab; false when no reviews are loaded or
    /// a job runs.
    bool trainLanguageModel(const QString &outPath);
    /// Cross-validates the text model the tabs describe against the bag-of-words baseline
    /// (`folds` folds over all loaded reviews); false when no reviews are loaded or busy.
    bool crossValidate(int folds = 5);
    /// Where runs on the dataset and model choice shown (backbone and recipe, or the text
    /// settings) keep their checkpoint.
    QString checkpointDir() const;
    /// Asks whether to continue the run whose checkpoint is in `dir` (false when there is none).
    bool offerResume(const QString &dir);
    /// Replaces the resume question (a message box) - for tests. Gets the epoch reached.
    void setResumePrompt(std::function<bool(int epoch)> prompt)
    {
        m_resumePrompt = std::move(prompt);
    }
    /// Replaces the question asked when a run ends below the model it replaced (true = keep
    /// the new run, false = go back) - for tests. Gets both validation accuracies.
    void setKeepPrompt(std::function<bool(double newAccuracy, double oldAccuracy)> prompt)
    {
        m_keepPrompt = std::move(prompt);
    }
    RunsPanel *runsPanel() const { return m_runsPanel; }
    /// The current model's run folder or export ("" when none).
    QString modelPath() const { return m_modelPath; }

protected:
    void changeEvent(QEvent *event) override;
    void closeEvent(QCloseEvent *event) override;

private:
    void createMenus();
    void retranslate();
    void setModified(bool modified);
    void updateTitle();
    bool maybeSave();
    bool saveAs();
    void addRecent(const QString &path);
    void rebuildRecentMenu();
    void setLanguage(const QString &language);
    void showGuide();

public:
    /// The run the tabs describe, for the data loaded (images or reviews): the Data tab's split,
    /// the Model tab's backbone and freeze plan or text settings, the Train tab's settings.
    learn::RunConfig runConfig() const;
    /// The loaded data, empty when none can be trained on.
    learn::Dataset dataset() const;

private:
    void recordRun(const learn::RunReport &report);
    /// When the run that just ended is below the model it replaced (same classes, data and
    /// split), asks which to keep; going back reopens the old one.
    void offerBetterModel(double accuracy, const QStringList &classes, const QString &key);

    /// The current model as far as comparing it goes.
    struct CurrentModel
    {
        QString path;
        double accuracy = -1;
        QStringList classes;
        QString key; ///< RunsPanel::splitKey() of the data it was validated on
    };
    CurrentModel m_current;
    CurrentModel m_replaced; ///< the model the run in progress will replace
    std::function<bool(double, double)> m_keepPrompt;

    TrainingController *m_controller = nullptr;
    QTabWidget *m_tabs = nullptr;
    DataPanel *m_data = nullptr;
    ModelPanel *m_model = nullptr;
    TrainPanel *m_train = nullptr;
    RunsPanel *m_runsPanel = nullptr;
    EvaluatePanel *m_evaluate = nullptr;
    PredictPanel *m_predict = nullptr;
    ExportPanel *m_export = nullptr;

    QString m_projectPath;
    bool m_modified = false;
    bool m_applying = false;
    QJsonArray m_runs;
    QString m_modelPath;    ///< the current model's run folder or export (saved with the project)
    QString m_pendingModel; ///< opened once the project's dataset is scanned
    std::function<bool(int epoch)> m_resumePrompt;
    QString m_runCheckpointDir;      ///< checkpoint folder of the image run in progress
    learn::RunConfig m_loadedConfig; ///< fields the widgets do not show survive a round trip

    QMenu *m_fileMenu = nullptr;
    QMenu *m_recentMenu = nullptr;
    QMenu *m_runMenu = nullptr;
    QMenu *m_settingsMenu = nullptr;
    QMenu *m_languageMenu = nullptr;
    QMenu *m_helpMenu = nullptr;
    QAction *m_newAction = nullptr;
    QAction *m_openAction = nullptr;
    QAction *m_saveAction = nullptr;
    QAction *m_saveAsAction = nullptr;
    QAction *m_openDatasetAction = nullptr;
    QAction *m_openModelAction = nullptr;
    QAction *m_quitAction = nullptr;
    QAction *m_trainAction = nullptr;
    QAction *m_stopAction = nullptr;
    QToolBar *m_toolBar = nullptr;
    QAction *m_findLrAction = nullptr;
    QAction *m_crossValidateAction = nullptr;
    QAction *m_aboutAction = nullptr;
    QAction *m_guideAction = nullptr;
    GuideDialog *m_guide = nullptr;
    QActionGroup *m_languageGroup = nullptr;
    QAction *m_langSystem = nullptr;
    QAction *m_langEnglish = nullptr;
    QAction *m_langSpanish = nullptr;
};

} // namespace graft::ui
