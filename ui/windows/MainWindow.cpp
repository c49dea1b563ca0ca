#include "ui/windows/MainWindow.h"

#include "ui/Application.h"
#include "ui/Translations.h"
#include "ui/controllers/TrainingController.h"
#include "ui/panels/DataPanel.h"
#include "ui/panels/EvaluatePanel.h"
#include "ui/panels/ExportPanel.h"
#include "ui/panels/ModelPanel.h"
#include "ui/panels/PredictPanel.h"
#include "ui/panels/RunsPanel.h"
#include "ui/panels/TrainPanel.h"
#include "ui/util/ErrorText.h"
#include "ui/widgets/GuideDialog.h"
#include "ui/widgets/LossPlot.h"

#include <QAction>
#include <QActionGroup>
#include <QApplication>
#include <QCloseEvent>
#include <QCryptographicHash>
#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QIcon>
#include <QJsonArray>
#include <QMenu>
#include <QMenuBar>
#include <QMessageBox>
#include <QPushButton>
#include <QScreen>
#include <QSettings>
#include <QStandardPaths>
#include <QStatusBar>
#include <QTabWidget>
#include <QTimer>
#include <QToolBar>

#include <utility>

namespace graft::ui {

namespace {
constexpr int kMaxRecent = 8;
constexpr int kMaxCurvePoints = 400;
const QString kRecentKey = QStringLiteral("ui/recentProjects");
} // namespace

MainWindow::MainWindow(QWidget *parent) : QMainWindow(parent)
{
    ensureResources();
    setObjectName(QStringLiteral("mainWindow"));
    m_controller = new TrainingController(this);
    m_tabs = new QTabWidget(this);
    m_tabs->setObjectName(QStringLiteral("tabs"));
    m_data = new DataPanel(m_tabs);
    m_model = new ModelPanel(m_tabs);
    m_train = new TrainPanel(m_controller, m_tabs);
    m_runsPanel = new RunsPanel(m_tabs);
    m_evaluate = new EvaluatePanel(m_controller, m_tabs);
    m_predict = new PredictPanel(m_controller, m_tabs);
    m_export = new ExportPanel(m_controller, m_tabs);
    for (QWidget *panel : {static_cast<QWidget *>(m_data), static_cast<QWidget *>(m_model),
                           static_cast<QWidget *>(m_train), static_cast<QWidget *>(m_runsPanel),
                           static_cast<QWidget *>(m_evaluate), static_cast<QWidget *>(m_predict),
                           static_cast<QWidget *>(m_export)})
        m_tabs->addTab(panel, QString());
    setCentralWidget(m_tabs);
    createMenus();

    auto markModified = [this] {
        if (!m_applying)
            setModified(true);
    };
    connect(m_data, &DataPanel::settingsChanged, this, markModified);
    connect(m_model, &ModelPanel::settingsChanged, this, markModified);
    connect(m_train, &TrainPanel::settingsChanged, this, markModified);
    connect(m_data, &DataPanel::scanFinished, this, [this](bool ok) {
        if (!m_pendingModel.isEmpty()) // evaluated on the scanned data when it is an export
            m_controller->openModel(std::exchange(m_pendingModel, QString()), runConfig(),
                                    dataset());
        m_model->setTextMode(m_data->isText());
        m_train->setTaskKind(m_data->isText() ? learn::TaskKind::Text : learn::TaskKind::Image);
        if (ok && m_data->report())
            statusBar()->showMessage(
                tr("Dataset scanned: %n class(es)", nullptr, int(m_data->report()->classes.size())),
                5000);
        else if (ok && m_data->isText())
            statusBar()->showMessage(tr("Reviews scanned: %n class(es)", nullptr,
                                        int(m_data->textDataset()->classes.size())),
                                     5000);
    });
    connect(m_train, &TrainPanel::trainRequested, this, &MainWindow::startTraining);
    connect(m_train, &TrainPanel::findLrRequested, this, [this] {
        const learn::Dataset loaded = dataset();
        if (loaded.isEmpty()) {
            QMessageBox::information(this, tr("Find learning rate"),
                                     tr("Load a dataset that can be trained on first."));
            return;
        }
        m_controller->findLearningRate(runConfig(), loaded);
    });
    connect(m_controller, &TrainingController::trainingFinished, this,
            [this](const learn::RunReport &report) {
                // A finished run needs no resuming; a stopped one keeps its checkpoint.
                if (!report.cancelled)
                    learn::removeCheckpoint(m_runCheckpointDir);
                recordRun(report);
                if (!report.cancelled)
                    statusBar()->showMessage(tr("Training finished."), 5000);
                // After modelChanged has made the new run current: was the old one better?
                if (report.model)
                    QTimer::singleShot(0, this,
                                       [this, acc = report.valAccuracy(), classes = report.classes,
                                        key = RunsPanel::splitKey(report.config)] {
                                           offerBetterModel(acc, classes, key);
                                       });
            });
    connect(m_controller, &TrainingController::modelChanged, this,
            [this](const learn::RunReport &r) {
                if (!r.runDir.isEmpty() && r.runDir != m_modelPath) {
                    m_modelPath = r.runDir;
                    if (!m_applying)
                        setModified(true);
                }
                m_current =
                    CurrentModel{m_modelPath, r.valAccuracy(), r.classes,
                                 RunsPanel::splitKey(r.runDir.isEmpty() ? runConfig() : r.config)};
                m_runsPanel->setCurrentModel(m_modelPath);
            });
    connect(m_model, &ModelPanel::recipeChosen, this, [this](learn::Recipe recipe) {
        m_train->setAugment(recipe != learn::Recipe::FeatureExtractor);
    });
    connect(m_runsPanel, &RunsPanel::useRequested, this, [this](const QString &dir) {
        if (!m_controller->openModel(dir, runConfig(), dataset()))
            statusBar()->showMessage(tr("Wait for the running job to end, or stop it."), 5000);
    });
    connect(m_runsPanel, &RunsPanel::runsEdited, this, [this](const QJsonArray &runs) {
        m_runs = runs;
        m_train->showHistory(m_runs);
        setModified(true);
    });
    connect(m_controller, &TrainingController::modelOpened, this,
            [this](const learn::RunReport &r, const QString &path) {
                if (r.runDir.isEmpty() && path != m_modelPath) {
                    m_modelPath = path;
                    setModified(true);
                }
                statusBar()->showMessage(
                    tr("Model opened: %1 (%n class(es))", nullptr, int(r.classes.size()))
                        .arg(QDir::toNativeSeparators(path)),
                    8000);
            });
    connect(m_controller, &TrainingController::busyChanged, this, [this](bool busy) {
        m_runsPanel->setBusy(busy);
        m_trainAction->setEnabled(!busy);
        m_findLrAction->setEnabled(!busy);
        m_crossValidateAction->setEnabled(!busy);
        m_openModelAction->setEnabled(!busy);
        m_stopAction->setEnabled(busy);
    });
    connect(m_model, &ModelPanel::languageModelRequested, this, [this] {
        if (!m_data->textDataset()) {
            QMessageBox::information(this, tr("Language model"),
                                     tr("Load a folder or file of reviews first."));
            return;
        }
        const QString path = QFileDialog::getSaveFileName(
            this, tr("Save language model"),
            QFileInfo(m_data->datasetPath()).absolutePath() + QStringLiteral("/reviews.lm"),
            tr("Graft language models (*.lm)"));
        if (!path.isEmpty())
            trainLanguageModel(path);
    });
    connect(m_controller, &TrainingController::languageModelTrained, this,
            [this](const learn::RunReport &report, const QString &path) {
                m_model->setLanguageModelPath(path);
                statusBar()->showMessage(
                    tr("Language model saved: validation perplexity %1 (word frequencies alone: "
                       "%2). The classifier will start from it.")
                        .arg(report.details.value("val_perplexity").toDouble(), 0, 'f', 1)
                        .arg(report.details.value("unigram_perplexity").toDouble(), 0, 'f', 1),
                    10000);
            });
    connect(m_controller, &TrainingController::failed, this,
            [this](const QString &operation, const QString &text) {
                const QString line = text.section(QLatin1Char('\n'), 0, 0);
                statusBar()->showMessage(operation == QLatin1String("open-model")
                                             ? tr("Could not open the model: %1").arg(line)
                                             : line,
                                         8000);
            });

    // The preferred size, but never larger than the screen (a 1280 x 800 laptop, say).
    QSize size(1360, 860);
    if (const QScreen *screen = QGuiApplication::primaryScreen())
        size = size.boundedTo(screen->availableGeometry().size() * 0.95);
    resize(size);
    retranslate();
    QSettings settings;
    restoreGeometry(settings.value(QStringLiteral("ui/geometry")).toByteArray());
}

MainWindow::~MainWindow()
{
    m_controller->shutdown();
}

void MainWindow::createMenus()
{
    m_fileMenu = menuBar()->addMenu(QString());
    m_newAction = m_fileMenu->addAction(QString(), this, [this] {
        if (!maybeSave())
            return;
        applyProject(Project{});
        m_projectPath.clear();
        setModified(false);
    });
    m_newAction->setShortcut(QKeySequence::New);
    m_openAction = m_fileMenu->addAction(QString(), this, [this] {
        if (!maybeSave())
            return;
        const QString path = QFileDialog::getOpenFileName(this, tr("Open project"), QString(),
                                                          tr("Graft projects (*.graft)"));
        if (!path.isEmpty())
            openProject(path);
    });
    m_openAction->setShortcut(QKeySequence::Open);
    m_recentMenu = m_fileMenu->addMenu(QString());
    m_saveAction = m_fileMenu->addAction(QString(), this, [this] {
        if (m_projectPath.isEmpty())
            saveAs();
        else
            saveProject(m_projectPath);
    });
    m_saveAction->setShortcut(QKeySequence::Save);
    m_saveAsAction = m_fileMenu->addAction(QString(), this, &MainWindow::saveAs);
    m_saveAsAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+Shift+S")));
    m_fileMenu->addSeparator();
    m_openDatasetAction = m_fileMenu->addAction(QString(), this, [this] {
        const QString dir = QFileDialog::getExistingDirectory(this, tr("Open dataset folder"),
                                                              m_data->datasetPath());
        if (!dir.isEmpty()) {
            m_tabs->setCurrentWidget(m_data);
            m_data->openFolder(dir);
        }
    });
    m_openDatasetAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+D")));
    m_openModelAction = m_fileMenu->addAction(QString(), this, [this] {
        const QString path = QFileDialog::getOpenFileName(
            this, tr("Open model"), QFileInfo(m_modelPath).absolutePath(),
            tr("Graft models (run.json *.pt *.onnx)"));
        if (path.isEmpty())
            return;
        if (!m_controller->openModel(path, runConfig(), dataset()))
            statusBar()->showMessage(tr("Wait for the running job to end, or stop it."), 5000);
    });
    m_fileMenu->addSeparator();
    m_quitAction = m_fileMenu->addAction(QString(), this, &QWidget::close);
    m_quitAction->setShortcut(QKeySequence::Quit);
    rebuildRecentMenu();

    m_runMenu = menuBar()->addMenu(QString());
    m_trainAction = m_runMenu->addAction(QString(), this, &MainWindow::startTraining);
    m_trainAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+T")));
    m_findLrAction = m_runMenu->addAction(QString(), m_train, &TrainPanel::findLrRequested);
    m_findLrAction->setShortcut(QKeySequence(QStringLiteral("Ctrl+L")));
    m_crossValidateAction = m_runMenu->addAction(QString(), this, [this] {
        if (!crossValidate())
            QMessageBox::information(this, tr("Cross-validate"),
                                     tr("Cross-validation works on loaded reviews; load a review "
                                        "folder or file first."));
    });
    m_stopAction = m_runMenu->addAction(QString(), m_controller, &TrainingController::stop);
    m_stopAction->setShortcut(QKeySequence(Qt::Key_Escape));
    m_stopAction->setEnabled(false);
    // Scalable icons (crisp at any device pixel ratio) and a toolbar for the main actions.
    auto icon = [](const char *name) {
        return QIcon(QStringLiteral(":/icons/%1.svg").arg(QLatin1String(name)));
    };
    m_openDatasetAction->setIcon(icon("open-folder"));
    m_saveAction->setIcon(icon("save"));
    m_trainAction->setIcon(icon("train"));
    m_findLrAction->setIcon(icon("find-lr"));
    m_stopAction->setIcon(icon("stop"));
    m_toolBar = addToolBar(QString());
    m_toolBar->setObjectName(QStringLiteral("mainToolBar"));
    m_toolBar->setMovable(false);
    m_toolBar->setToolButtonStyle(Qt::ToolButtonTextBesideIcon);
    m_toolBar->addAction(m_openDatasetAction);
    m_toolBar->addAction(m_saveAction);
    m_toolBar->addSeparator();
    m_toolBar->addAction(m_trainAction);
    m_toolBar->addAction(m_findLrAction);
    m_toolBar->addAction(m_stopAction);
    for (int i = 0; i < 6; ++i) {
        auto *tabAction = new QAction(this);
        tabAction->setShortcut(QKeySequence(Qt::CTRL | Qt::Key(Qt::Key_1 + i)));
        connect(tabAction, &QAction::triggered, this, [this, i] { m_tabs->setCurrentIndex(i); });
        addAction(tabAction);
    }

    m_settingsMenu = menuBar()->addMenu(QString());
    m_languageMenu = m_settingsMenu->addMenu(QString());
    m_languageGroup = new QActionGroup(this);
    m_langSystem = m_languageMenu->addAction(QString());
    m_langSystem->setData(QString());
    m_langEnglish = m_languageMenu->addAction(QStringLiteral("English"));
    m_langEnglish->setData(QStringLiteral("en"));
    m_langSpanish = m_languageMenu->addAction(QStringLiteral("Español"));
    m_langSpanish->setData(QStringLiteral("es"));
    const QString configured = Translations::configuredLanguage();
    for (QAction *a : {m_langSystem, m_langEnglish, m_langSpanish}) {
        a->setCheckable(true);
        a->setChecked(a->data().toString() == configured);
        m_languageGroup->addAction(a);
    }
    connect(m_languageGroup, &QActionGroup::triggered, this,
            [this](QAction *a) { setLanguage(a->data().toString()); });

    m_helpMenu = menuBar()->addMenu(QString());
    m_guideAction = m_helpMenu->addAction(QString(), this, &MainWindow::showGuide);
    m_guideAction->setShortcut(QKeySequence::HelpContents);
    m_aboutAction = m_helpMenu->addAction(QString(), this, [this] {
        QMessageBox::about(this, tr("About Graft"),
                           tr("<b>Graft %1</b><br>A desktop workbench for transfer learning.")
                               .arg(QApplication::applicationVersion()));
    });
}

void MainWindow::showGuide()
{
    if (!m_guide)
        m_guide = new GuideDialog(this);
    m_guide->show();
    m_guide->raise();
    m_guide->activateWindow();
}

void MainWindow::setLanguage(const QString &language)
{
    Translations::setConfiguredLanguage(language);
    Translations::instance().apply(language);
}

void MainWindow::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QMainWindow::changeEvent(event);
}

void MainWindow::retranslate()
{
    const QStringList names = {tr("Data"),     tr("Model"),   tr("Train"), tr("Runs"),
                               tr("Evaluate"), tr("Predict"), tr("Export")};
    for (int i = 0; i < names.size(); ++i)
        m_tabs->setTabText(i, names[i]);
    m_fileMenu->setTitle(tr("&File"));
    m_newAction->setText(tr("&New project"));
    m_openAction->setText(tr("&Open project..."));
    m_recentMenu->setTitle(tr("Open &recent"));
    m_saveAction->setText(tr("&Save project"));
    m_saveAsAction->setText(tr("Save project &as..."));
    m_openDatasetAction->setText(tr("Open &dataset folder..."));
    m_openModelAction->setText(tr("Open &model (run or export)..."));
    m_quitAction->setText(tr("&Quit"));
    m_runMenu->setTitle(tr("&Run"));
    m_trainAction->setText(tr("&Train"));
    m_findLrAction->setText(tr("Find &learning rate"));
    m_crossValidateAction->setText(tr("&Cross-validate text model (5 folds)"));
    m_crossValidateAction->setToolTip(
        tr("Train the text model five times on different folds and compare its accuracy with a "
           "bag-of-words logistic regression on the same folds."));
    m_stopAction->setText(tr("&Stop"));
    m_settingsMenu->setTitle(tr("&Settings"));
    m_languageMenu->setTitle(tr("&Language"));
    m_langSystem->setText(tr("System default"));
    m_helpMenu->setTitle(tr("&Help"));
    m_aboutAction->setText(tr("&About Graft"));
    m_guideAction->setText(tr("&User Guide"));
    rebuildRecentMenu();
    updateTitle();
}

void MainWindow::updateTitle()
{
    const QString name =
        m_projectPath.isEmpty() ? tr("Untitled") : QFileInfo(m_projectPath).completeBaseName();
    setWindowTitle(tr("%1[*] - Graft").arg(name));
    setWindowModified(m_modified);
}

void MainWindow::setModified(bool modified)
{
    m_modified = modified;
    updateTitle();
}

learn::RunConfig MainWindow::runConfig() const
{
    learn::RunConfig config = m_loadedConfig;
    config.kind = m_data->isText() ? learn::TaskKind::Text : learn::TaskKind::Image;
    config.dataPath = m_data->datasetPath();
    config.splitSeed = m_data->splitSeed();
    config.valFraction = m_data->valFraction();
    config.weightsDir = m_model->weightsDir();
    config.image.recipe = m_model->recipe();
    const vision::FreezePlan plan = m_model->freezePlan();
    config.image.cutAt = plan.cutAt;
    if (config.image.recipe == learn::Recipe::FineTune)
        config.image.fineTuneGroups = qMax(1, plan.trainableCount());
    // The plan as edited in the freeze picker (per-group trainable flags and rate multipliers).
    config.image.customPlan = plan;
    // Text runs name their word vectors in the text settings, not as a catalogue id.
    config.backboneId = config.kind == learn::TaskKind::Image ? m_model->backboneId() : QString();
    m_model->applyTextTo(config.text);
    m_train->applyTo(config);
    return config;
}

learn::Dataset MainWindow::dataset() const
{
    if (const auto texts = m_data->textDataset())
        return texts->isBlocked() ? learn::Dataset() : learn::Dataset(texts);
    const vision::ScanReport *report = m_data->report();
    return report && report->canTrain() ? learn::Dataset(*report) : learn::Dataset();
}

Project MainWindow::currentProject() const
{
    Project p;
    p.datasetPath = m_data->datasetPath();
    p.splitSeed = m_data->splitSeed();
    p.valFraction = m_data->valFraction();
    p.backboneId = m_model->backboneId();
    p.freezePlan = m_model->freezePlan();
    p.config = runConfig();
    p.text = m_model->textSettings();
    p.runs = m_runs;
    p.modelPath = m_modelPath;
    return p;
}

void MainWindow::applyProject(const Project &project)
{
    m_applying = true;
    m_loadedConfig = project.config;
    m_data->setSplit(project.splitSeed, project.valFraction);
    if (!project.config.weightsDir.isEmpty())
        m_model->setWeightsDir(project.config.weightsDir);
    if (!project.backboneId.isEmpty())
        m_model->setBackboneId(project.backboneId);
    m_model->setRecipe(project.config.image.recipe);
    m_model->setTextSettings(project.text);
    if (project.freezePlan.cutAt > 0)
        m_model->setFreezePlan(project.freezePlan);
    m_train->setFrom(project.config);
    m_runs = project.runs;
    m_train->lossPlot()->clearCurves();
    m_train->showHistory(m_runs);
    m_modelPath = project.modelPath;
    m_current = CurrentModel{};
    m_runsPanel->setRuns(m_runs, m_modelPath);
    m_pendingModel.clear();
    const bool scans = !project.datasetPath.isEmpty() && QFileInfo::exists(project.datasetPath);
    if (!m_modelPath.isEmpty()) {
        if (!QFileInfo::exists(m_modelPath))
            statusBar()->showMessage(tr("The project's model %1 is gone; train again.")
                                         .arg(QDir::toNativeSeparators(m_modelPath)),
                                     10000);
        else if (scans)
            m_pendingModel = m_modelPath;
        else
            m_controller->openModel(m_modelPath, project.config, learn::Dataset());
    }
    if (scans)
        m_data->openFolder(project.datasetPath);
    m_applying = false;
}

QString MainWindow::checkpointDir() const
{
    // One folder per dataset and model choice (backbone and recipe, or the text settings).
    const QString model =
        m_data->isText()
            ? QString::fromUtf8(
                  QJsonDocument(m_model->textSettings()).toJson(QJsonDocument::Compact))
            : m_model->backboneId() + QLatin1Char('\n') +
                  QString::fromLatin1(learn::nameOf(m_model->recipe()));
    const QByteArray key = (m_data->datasetPath() + QLatin1Char('\n') + model).toUtf8();
    const QString id = QString::fromLatin1(
        QCryptographicHash::hash(key, QCryptographicHash::Sha256).toHex().left(16));
    return QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation))
        .filePath(QStringLiteral("checkpoints/") + id);
}

bool MainWindow::openPath(const QString &path)
{
    const QFileInfo info(path);
    if (!info.exists()) {
        statusBar()->showMessage(tr("%1 does not exist.").arg(QDir::toNativeSeparators(path)),
                                 8000);
        return false;
    }
    if (info.isFile() && info.suffix().compare(QLatin1String("graft"), Qt::CaseInsensitive) == 0)
        return openProject(info.absoluteFilePath());
    m_tabs->setCurrentWidget(m_data);
    m_data->openFolder(info.absoluteFilePath());
    return true;
}

bool MainWindow::saveProject(const QString &path)
{
    const core::Status st = currentProject().save(path);
    if (!st) {
        QMessageBox::warning(this, tr("Save project"), ErrorText::describe(st.error()));
        return false;
    }
    m_projectPath = path;
    addRecent(path);
    setModified(false);
    statusBar()->showMessage(tr("Project saved."), 3000);
    return true;
}

bool MainWindow::openProject(const QString &path)
{
    auto loaded = Project::load(path);
    if (!loaded) {
        QMessageBox::warning(this, tr("Open project"), ErrorText::describe(loaded.error()));
        return false;
    }
    applyProject(loaded.value());
    m_projectPath = path;
    addRecent(path);
    setModified(false);
    return true;
}

bool MainWindow::saveAs()
{
    QString path = QFileDialog::getSaveFileName(
        this, tr("Save project"),
        m_projectPath.isEmpty() ? QStringLiteral("project.graft") : m_projectPath,
        tr("Graft projects (*.graft)"));
    if (path.isEmpty())
        return false;
    if (!path.endsWith(QLatin1String(".graft")))
        path += QStringLiteral(".graft");
    return saveProject(path);
}

bool MainWindow::maybeSave()
{
    if (!m_modified)
        return true;
    const auto answer = QMessageBox::question(
        this, tr("Unsaved changes"), tr("The project has unsaved changes. Save them?"),
        QMessageBox::Save | QMessageBox::Discard | QMessageBox::Cancel, QMessageBox::Save);
    if (answer == QMessageBox::Cancel)
        return false;
    if (answer == QMessageBox::Save)
        return m_projectPath.isEmpty() ? saveAs() : saveProject(m_projectPath);
    return true;
}

void MainWindow::addRecent(const QString &path)
{
    QSettings settings;
    QStringList recent = settings.value(kRecentKey).toStringList();
    const QString absolute = QFileInfo(path).absoluteFilePath();
    recent.removeAll(absolute);
    recent.prepend(absolute);
    while (recent.size() > kMaxRecent)
        recent.removeLast();
    settings.setValue(kRecentKey, recent);
    rebuildRecentMenu();
}

void MainWindow::rebuildRecentMenu()
{
    if (!m_recentMenu)
        return;
    m_recentMenu->clear();
    const QStringList recent = QSettings().value(kRecentKey).toStringList();
    for (const QString &path : recent) {
        m_recentMenu
            ->addAction(QFileInfo(path).fileName(), this,
                        [this, path] {
                            if (maybeSave())
                                openProject(path);
                        })
            ->setToolTip(path);
    }
    m_recentMenu->setEnabled(!recent.isEmpty());
}

bool MainWindow::trainLanguageModel(const QString &outPath)
{
    if (!m_data->textDataset())
        return false;
    learn::RunConfig config = learn::RunConfig::defaults(learn::TaskKind::LanguageModel);
    config.dataPath = m_data->datasetPath();
    config.text.vectorsPath = m_model->textSettings().value(QStringLiteral("vectors")).toString();
    config.seed = runConfig().seed;
    config.splitSeed = m_data->splitSeed();
    if (!m_controller->trainLanguageModel(config, outPath))
        return false;
    m_tabs->setCurrentWidget(m_train);
    return true;
}

bool MainWindow::crossValidate(int folds)
{
    const learn::Dataset loaded = dataset();
    if (!loaded.texts())
        return false;
    if (!m_controller->crossValidate(runConfig(), loaded, folds))
        return false;
    m_tabs->setCurrentWidget(m_train);
    return true;
}

bool MainWindow::offerResume(const QString &dir)
{
    const auto epoch = learn::checkpointEpoch(dir);
    if (!epoch)
        return false;
    if (m_resumePrompt)
        return m_resumePrompt(*epoch);
    const auto planned = learn::checkpointConfig(dir);
    const int epochs = planned ? planned->epochs : 0;
    QString text = tr("An earlier run on this dataset with this model stopped after epoch %1 of "
                      "%2 (it was stopped, or Graft was closed). Continue it from there?")
                       .arg(*epoch)
                       .arg(epochs);
    if (planned && planned->epochs != runConfig().epochs)
        text += QLatin1Char('\n') +
                tr("It continues with the settings it was started with (%n epoch(s) in all), not "
                   "those shown now. No starts a new run with the settings shown.",
                   nullptr, epochs);
    return QMessageBox::question(this, tr("Resume training?"), text,
                                 QMessageBox::Yes | QMessageBox::No,
                                 QMessageBox::Yes) == QMessageBox::Yes;
}

bool MainWindow::startTraining()
{
    const learn::Dataset loaded = dataset();
    if (loaded.isEmpty()) {
        QMessageBox::information(this, tr("Train"),
                                 tr("Load a dataset that can be trained on first."));
        m_tabs->setCurrentWidget(m_data);
        return false;
    }
    learn::RunConfig config = runConfig();
    config.checkpointDir = checkpointDir();
    config.resume = offerResume(config.checkpointDir);
    if (config.resume) {
        // The run goes on as it was planned (epochs, schedule, rates), or it could not continue
        // exactly; only where things are and how to run them come from now.
        if (auto planned = learn::checkpointConfig(config.checkpointDir)) {
            learn::RunConfig c = *planned;
            c.checkpointDir = config.checkpointDir;
            c.resume = true;
            c.runsDir = config.runsDir;
            c.weightsDir = config.weightsDir;
            c.threads = config.threads;
            c.device = config.device;
            config = c;
        }
    }
    if (!m_controller->startTraining(config, loaded))
        return false;
    m_replaced = m_current;
    m_runCheckpointDir = config.checkpointDir;
    m_tabs->setCurrentWidget(m_train);
    return true;
}

void MainWindow::recordRun(const learn::RunReport &report)
{
    QJsonObject run;
    run[QStringLiteral("finished")] = QDateTime::currentDateTime().toString(Qt::ISODate);
    run[QStringLiteral("kind")] = QString::fromLatin1(learn::nameOf(report.kind));
    run[QStringLiteral("run_dir")] = report.runDir;
    if (report.kind == learn::TaskKind::Image) {
        run[QStringLiteral("backbone")] = report.config.backboneId;
        run[QStringLiteral("recipe")] =
            QString::fromLatin1(learn::nameOf(report.config.image.recipe));
    } else {
        run[QStringLiteral("vectors")] = report.config.text.vectorsPath;
        run[QStringLiteral("head")] = QString::fromLatin1(learn::nameOf(report.config.text.head));
    }
    run[QStringLiteral("val_accuracy")] = report.valAccuracy();
    run[QStringLiteral("best_epoch")] = report.bestEpoch;
    run[QStringLiteral("monitor")] = QString::fromLatin1(learn::nameOf(report.monitor));
    run[QStringLiteral("cancelled")] = report.cancelled;
    run[QStringLiteral("early_stopped")] = report.earlyStopped;
    run[QStringLiteral("config")] = report.config.toJson();
    run[QStringLiteral("compare")] = true;
    run[QStringLiteral("seconds")] = report.timings.value(QStringLiteral("total")).toDouble();
    QJsonArray epochs;
    for (const learn::EpochMetrics &m : report.epochs)
        epochs.append(m.toJson());
    run[QStringLiteral("epochs")] = epochs;
    const QVector<QPointF> curve = m_train->lossPlot()->smoothedCurve();
    const int stride = qMax(1, int(curve.size()) / kMaxCurvePoints);
    QJsonArray points;
    for (int i = 0; i < curve.size(); i += stride)
        points.append(QJsonArray{curve[i].x(), curve[i].y()});
    run[QStringLiteral("curve")] = points;
    m_runs.append(run);
    m_runsPanel->setRuns(m_runs, m_modelPath);
    m_train->showHistory(m_runs, report.runDir);
    setModified(true);
}

void MainWindow::offerBetterModel(double accuracy, const QStringList &classes, const QString &key)
{
    const CurrentModel old = std::exchange(m_replaced, CurrentModel{});
    // Only a model validated on the same classes, data and split compares.
    if (old.path.isEmpty() || old.accuracy < 0 || old.classes != classes || old.key != key ||
        accuracy >= old.accuracy - 1e-9 || !QFileInfo::exists(old.path))
        return;
    QString oldName = QFileInfo(old.path).fileName();
    for (int i = 0; i < m_runs.size(); ++i)
        if (QFileInfo(m_runs[i].toObject().value(QStringLiteral("run_dir")).toString()) ==
            QFileInfo(old.path))
            oldName = RunsPanel::nameOf(m_runs[i].toObject(), i);
    bool keepNew = false;
    if (m_keepPrompt) {
        keepNew = m_keepPrompt(accuracy, old.accuracy);
    } else {
        QMessageBox box(QMessageBox::Question, tr("Keep the new model?"),
                        tr("This run reached %1 % validation accuracy, below the %2 % of the "
                           "model it replaced (%3). Which one do you want to use? Both stay in "
                           "the Runs tab.")
                            .arg(accuracy * 100, 0, 'f', 2)
                            .arg(old.accuracy * 100, 0, 'f', 2)
                            .arg(oldName),
                        QMessageBox::NoButton, this);
        QPushButton *back = box.addButton(tr("Go back to %1").arg(oldName), QMessageBox::NoRole);
        box.addButton(tr("Use the new run"), QMessageBox::YesRole);
        box.setDefaultButton(back);
        box.exec();
        keepNew = box.clickedButton() != back;
    }
    if (!keepNew && !m_controller->openModel(old.path, runConfig(), dataset()))
        statusBar()->showMessage(tr("Wait for the running job to end, or stop it."), 5000);
}

void MainWindow::closeEvent(QCloseEvent *event)
{
    if (m_controller->isBusy()) {
        const auto answer = QMessageBox::question(
            this, tr("Training is running"), tr("A job is running. Stop it and close the window?"),
            QMessageBox::Yes | QMessageBox::No, QMessageBox::No);
        if (answer != QMessageBox::Yes) {
            event->ignore();
            return;
        }
        m_controller->shutdown();
    }
    if (!maybeSave()) {
        event->ignore();
        return;
    }
    QSettings().setValue(QStringLiteral("ui/geometry"), saveGeometry());
    event->accept();
}

} // namespace graft::ui
