#include "UiTestData.h"
#include "support/TestSupport.h"

#include "ui/Translations.h"
#include "ui/panels/DataPanel.h"
#include "ui/panels/ModelPanel.h"
#include "ui/panels/TrainPanel.h"
#include "ui/widgets/FreezePicker.h"
#include "ui/widgets/GuideDialog.h"
#include "ui/windows/MainWindow.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QJsonDocument>
#include <QLineEdit>
#include <QMenuBar>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>

using graft::ui::MainWindow;

class tst_MainWindow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cleanup() { graft::ui::Translations::instance().apply(QStringLiteral("en")); }
    void projectSaveOpenRoundTripsEverySetting();
    void openRejectsForeignJson();
    void switchingToSpanishRetranslates();
    void helpMenuOpensTheEmbeddedGuide();
    void openPathTakesFoldersReviewsAndProjects();
    void tickingAFrozenGroupTrainsItAtTheBackboneRate();

private:
    QTemporaryDir m_settingsDir;
};

void tst_MainWindow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("GraftTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_MainWindow"));
    graft::ui::Translations::instance().apply(QStringLiteral("en"));
}

void tst_MainWindow::projectSaveOpenRoundTripsEverySetting()
{
    QTemporaryDir dir;
    const QString data = dir.filePath(QStringLiteral("data"));
    QVERIFY(graft::test::writePngDataset(data, {QStringLiteral("x"), QStringLiteral("y")}, {3, 3}));

    MainWindow window;
    QSignalSpy scanned(window.dataPanel(), &graft::ui::DataPanel::scanFinished);
    window.dataPanel()->setSplit(7, 0.3);
    window.dataPanel()->openFolder(data);
    QVERIFY(scanned.wait(20000));

    auto *backbone = window.modelPanel()->findChild<QComboBox *>(QStringLiteral("backbone"));
    QVERIFY(backbone);
    QSignalSpy groups(window.modelPanel(), &graft::ui::ModelPanel::layerGroupsShown);
    if (backbone->count() > 1)
        backbone->setCurrentIndex(backbone->count() - 1);
    window.modelPanel()->setWeightsDir(dir.filePath(QStringLiteral("weights")));
    window.modelPanel()->setRecipe(graft::learn::Recipe::FineTune);
    // The layer groups are listed off the GUI thread (building the network takes a moment).
    if (window.modelPanel()->isLoadingGroups())
        QVERIFY(groups.wait(30000));
    graft::vision::FreezePlan plan = window.modelPanel()->freezePlan();
    if (plan.cutAt > 1) {
        plan.cutAt -= 1;
        plan.trainable.assign(size_t(plan.cutAt), false);
        plan.lrMultiplier.assign(size_t(plan.cutAt), 1.0);
        plan.trainable.back() = true;
        plan.lrMultiplier.back() = 0.75;
        window.modelPanel()->setFreezePlan(plan);
    }

    auto *train = window.trainPanel();
    auto setSpin = [train](const char *name, int v) {
        auto *w = train->findChild<QSpinBox *>(QString::fromLatin1(name));
        QVERIFY2(w, name);
        w->setValue(v);
    };
    auto setDouble = [train](const char *name, double v) {
        auto *w = train->findChild<QDoubleSpinBox *>(QString::fromLatin1(name));
        QVERIFY2(w, name);
        w->setValue(v);
    };
    setSpin("epochs", 3);
    setSpin("headEpochs", 1);
    setSpin("batchSize", 16);
    setSpin("earlyStopping", 4);
    setSpin("seed", 9);
    setDouble("learningRate", 0.0025);
    setDouble("backboneLrFactor", 0.2);
    setDouble("weightDecay", 0.05);
    setDouble("labelSmoothing", 0.1);
    train->findChild<QComboBox *>(QStringLiteral("head"))->setCurrentIndex(1);
    train->findChild<QComboBox *>(QStringLiteral("optimizer"))->setCurrentIndex(1);
    train->findChild<QComboBox *>(QStringLiteral("schedule"))->setCurrentIndex(1);
    train->findChild<QCheckBox *>(QStringLiteral("augment"))->setChecked(true);
    train->findChild<QCheckBox *>(QStringLiteral("balancedClassWeights"))->setChecked(true);
    // Text model settings travel in the project too.
    window.modelPanel()
        ->findChild<QLineEdit *>(QStringLiteral("wordVectors"))
        ->setText(dir.filePath(QStringLiteral("vectors.txt")));
    window.modelPanel()->findChild<QComboBox *>(QStringLiteral("textHead"))->setCurrentIndex(1);
    window.modelPanel()
        ->findChild<QCheckBox *>(QStringLiteral("freezeEmbeddings"))
        ->setChecked(true);
    window.modelPanel()->findChild<QSpinBox *>(QStringLiteral("subwords"))->setValue(4000);
    QVERIFY(window.isModified());

    const QString path = dir.filePath(QStringLiteral("p.graft"));
    QVERIFY(window.saveProject(path));
    QVERIFY(!window.isModified());
    const QJsonObject saved = window.currentProject().toJson();

    MainWindow reopened;
    QSignalSpy rescanned(reopened.dataPanel(), &graft::ui::DataPanel::scanFinished);
    QVERIFY(reopened.openProject(path));
    QVERIFY(rescanned.wait(20000));
    const QJsonObject loaded = reopened.currentProject().toJson();
    QCOMPARE(QJsonDocument(loaded).toJson(), QJsonDocument(saved).toJson());

    // Spot checks on what the widgets show.
    QCOMPARE(reopened.dataPanel()->splitSeed(), 7);
    QCOMPARE(reopened.dataPanel()->valFraction(), 0.3);
    QCOMPARE(reopened.modelPanel()->backboneId(), window.modelPanel()->backboneId());
    QCOMPARE(reopened.modelPanel()->recipe(), graft::learn::Recipe::FineTune);
    QCOMPARE(reopened.modelPanel()->freezePlan().cutAt, window.modelPanel()->freezePlan().cutAt);
    graft::learn::RunConfig config;
    reopened.trainPanel()->applyTo(config);
    QCOMPARE(config.epochs, 3);
    QCOMPARE(config.batchSize, 16);
    QCOMPARE(config.learningRate, 0.0025);
    QCOMPARE(config.image.head, graft::learn::ImageHead::Mlp);
    QCOMPARE(config.optimizer, graft::learn::OptimizerKind::Sgd);
    QCOMPARE(config.schedule, graft::learn::Schedule::Cosine);
    QVERIFY(config.image.augment);
    QVERIFY(config.balancedClassWeights);
    graft::learn::TextSettings textConfig;
    reopened.modelPanel()->applyTextTo(textConfig);
    QCOMPARE(textConfig.vectorsPath, dir.filePath(QStringLiteral("vectors.txt")));
    QCOMPARE(textConfig.head, graft::learn::TextHead::Cnn);
    QVERIFY(textConfig.freezeEmbeddings);
    QCOMPARE(textConfig.subwordVocab, 4000);
    QCOMPARE(reopened.dataPanel()->report()->classes.size(), size_t(2));
    QVERIFY(!reopened.isModified());

    // A language model replaces the vectors and fixes the head (its LSTM is the BiLSTM's).
    auto *lm = reopened.modelPanel()->findChild<QLineEdit *>(QStringLiteral("languageModel"));
    QVERIFY(lm);
    lm->setText(dir.filePath(QStringLiteral("reviews.lm")));
    graft::learn::TextSettings lmConfig;
    reopened.modelPanel()->applyTextTo(lmConfig);
    QCOMPARE(lmConfig.languageModelPath, dir.filePath(QStringLiteral("reviews.lm")));
    QVERIFY(lmConfig.vectorsPath.isEmpty());
    QCOMPARE(lmConfig.head, graft::learn::TextHead::BiLstm);
    QVERIFY(
        !reopened.modelPanel()->findChild<QLineEdit *>(QStringLiteral("wordVectors"))->isEnabled());
    QCOMPARE(reopened.modelPanel()->textSettings().value("language_model").toString(),
             dir.filePath(QStringLiteral("reviews.lm")));
    QVERIFY(reopened.isModified());
    lm->clear();
    QCOMPARE(QSettings().value(QStringLiteral("ui/recentProjects")).toStringList().value(0),
             QFileInfo(path).absoluteFilePath());
}

void tst_MainWindow::openRejectsForeignJson()
{
    QTemporaryDir dir;
    const QString path = dir.filePath(QStringLiteral("other.graft"));
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write("{\"hello\": 1}");
    f.close();
    const auto loaded = graft::ui::Project::load(path);
    QVERIFY(!loaded);
    QCOMPARE(loaded.error().code, graft::core::ErrorCode::InvalidFormat);
    QCOMPARE(loaded.error().file, path);
}

void tst_MainWindow::switchingToSpanishRetranslates()
{
    MainWindow window;
    window.show();
    QCOMPARE(window.tabs()->tabText(0), QStringLiteral("Data"));
    QCOMPARE(window.tabs()->tabText(2), QStringLiteral("Train"));
    QCOMPARE(graft::ui::Translations::instance().apply(QStringLiteral("es")), QStringLiteral("es"));
    QTRY_COMPARE(window.tabs()->tabText(0), QStringLiteral("Datos"));
    QCOMPARE(window.tabs()->tabText(2), QStringLiteral("Entrenar"));
    auto *trainButton = window.trainPanel()->findChild<QPushButton *>(QStringLiteral("train"));
    QVERIFY(trainButton);
    QCOMPARE(trainButton->text(), QStringLiteral("&Entrenar"));
    graft::ui::Translations::instance().apply(QStringLiteral("en"));
    QTRY_COMPARE(window.tabs()->tabText(0), QStringLiteral("Data"));
}

// `graft PATH` (and the desktop's "Open with Graft"): a folder of images, a CSV of reviews or a
// project opens in the window; a missing path is reported, not fatal.
void tst_MainWindow::openPathTakesFoldersReviewsAndProjects()
{
    QTemporaryDir dir;
    MainWindow window;
    QVERIFY(!window.openPath(dir.filePath(QStringLiteral("missing"))));

    const QString images = dir.filePath(QStringLiteral("images"));
    QVERIFY(
        graft::test::writePngDataset(images, {QStringLiteral("x"), QStringLiteral("y")}, {3, 3}));
    QSignalSpy scanned(window.dataPanel(), &graft::ui::DataPanel::scanFinished);
    QVERIFY(window.openPath(images));
    QVERIFY(scanned.wait(20000));
    QVERIFY(window.dataPanel()->report());
    QVERIFY(!window.dataPanel()->isText());

    const QString csv = dir.filePath(QStringLiteral("reviews.csv"));
    QVERIFY(graft::test::writeFile(csv, "text,label\n\"great, really\",pos\nawful,neg\n"
                                        "loved it,pos\nbroke,neg\n"));
    scanned.clear();
    QVERIFY(window.openPath(csv));
    QVERIFY(scanned.wait(20000));
    QVERIFY(window.dataPanel()->isText());
    QCOMPARE(window.dataPanel()->textDataset()->classes, QStringList({"neg", "pos"}));
    QVERIFY(window.modelPanel()->isTextMode());

    const QString project = dir.filePath(QStringLiteral("p.graft"));
    QVERIFY(window.saveProject(project));
    MainWindow other;
    QSignalSpy rescanned(other.dataPanel(), &graft::ui::DataPanel::scanFinished);
    QVERIFY(other.openPath(project));
    QVERIFY(rescanned.wait(20000));
    QVERIFY(other.dataPanel()->isText());
    QCOMPARE(other.projectPath(), QFileInfo(project).absoluteFilePath());
}

void tst_MainWindow::helpMenuOpensTheEmbeddedGuide()
{
    MainWindow w;
    w.show();
    // Help > User Guide is bound to F1 and shows docs/user-guide.md from the resources.
    QAction *guide = nullptr;
    for (QAction *menu : w.menuBar()->actions())
        for (QAction *a : menu->menu() ? menu->menu()->actions() : QList<QAction *>{})
            if (a->shortcut() == QKeySequence(QKeySequence::HelpContents))
                guide = a;
    QVERIFY(guide);
    guide->trigger();
    auto *dialog = w.findChild<graft::ui::GuideDialog *>();
    QVERIFY(dialog);
    QVERIFY(dialog->isVisible());
    const QString text = dialog->browser()->toPlainText();
    QVERIFY2(text.contains(QLatin1String("Graft user guide")), qPrintable(text.left(200)));
    QVERIFY(text.contains(QLatin1String("Feature extractor")));
    if (const QString dir = qEnvironmentVariable("GRAFT_SCREENSHOTS_DIR"); !dir.isEmpty())
        dialog->grab().save(dir + QStringLiteral("/guide.png"));
    // Links to the other embedded pages resolve: the CLI reference opens in the same browser.
    dialog->browser()->setSource(QUrl(QStringLiteral("qrc:/docs/cli-reference.md")),
                                 QTextDocument::MarkdownResource);
    QVERIFY(dialog->browser()->toPlainText().contains(QLatin1String("graft-cli train")));
}

// Issue 15: ticking Trainable on a frozen group trains it (multiplier 1, not the frozen 0).
void tst_MainWindow::tickingAFrozenGroupTrainsItAtTheBackboneRate()
{
    graft::ui::FreezePicker picker;
    picker.setGroups({QStringLiteral("stem"), QStringLiteral("block1"), QStringLiteral("block2")});
    picker.setPlan(graft::vision::FreezePlan::fineTuneTop(3, 1, 0.5)); // block2 at 0.5
    QCOMPARE(picker.plan().lrMultiplier, (std::vector<double>{0.0, 0.0, 0.5}));
    auto *table = picker.findChild<QTableWidget *>();
    QVERIFY(table);
    int row = -1;
    for (int r = 0; r < table->rowCount(); ++r)
        if (table->item(r, 0) && table->item(r, 0)->text() == QLatin1String("block1"))
            row = r;
    QVERIFY(row >= 0);
    QSignalSpy changed(&picker, &graft::ui::FreezePicker::planChanged);
    auto *train = qobject_cast<QCheckBox *>(table->cellWidget(row, 1));
    QVERIFY(train);
    train->setChecked(true);
    QCOMPARE(changed.count(), 1);
    QVERIFY(picker.plan().trainable[1]);
    QCOMPARE(picker.plan().lrMultiplier[1], 1.0);
    QCOMPARE(picker.plan().lrMultiplier[2], 0.5); // a rate the user or recipe set is kept
    auto *lr = qobject_cast<QDoubleSpinBox *>(table->cellWidget(row, 2));
    QVERIFY(lr && lr->isEnabled());
    QCOMPARE(lr->value(), 1.0);
}

QTEST_MAIN(tst_MainWindow)
#include "tst_MainWindow.moc"
