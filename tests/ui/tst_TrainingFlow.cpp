#include "support/TestSupport.h"

#include "ui/controllers/TrainingController.h"
#include "ui/panels/DataPanel.h"
#include "ui/panels/EvaluatePanel.h"
#include "ui/panels/ModelPanel.h"
#include "ui/panels/PredictPanel.h"
#include "ui/panels/RunsPanel.h"
#include "ui/panels/TrainPanel.h"
#include "ui/widgets/LossPlot.h"
#include "ui/windows/MainWindow.h"

#include "graft/core/Runtime.h"

#include <QAction>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QElapsedTimer>
#include <QFile>
#include <QFileInfo>
#include <QGroupBox>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSettings>
#include <QSignalSpy>
#include <QSlider>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTabWidget>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTextBrowser>
#include <QTimer>
#include <QTreeWidget>

#include <qcustomplot.h>

#include <memory>

using graft::ui::MainWindow;
using graft::ui::TrainingController;

namespace {

/// Measures the largest gap between ticks of a 10 ms timer (event-loop stalls).
class StallProbe : public QObject
{
public:
    StallProbe()
    {
        m_timer.setInterval(10);
        QObject::connect(&m_timer, &QTimer::timeout, this, [this] {
            if (m_clock.isValid())
                m_maxGapMs = qMax(m_maxGapMs, m_clock.elapsed());
            m_clock.restart();
        });
    }
    void start()
    {
        m_maxGapMs = 0;
        m_clock.invalidate();
        m_timer.start();
    }
    void stop() { m_timer.stop(); }
    qint64 maxGapMs() const { return m_maxGapMs; }

private:
    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_maxGapMs = 0;
};

int lossPoints(const MainWindow &window)
{
    auto *plot = window.trainPanel()->findChild<graft::ui::LossPlot *>();
    if (!plot)
        return -1;
    int points = 0;
    for (int i = 0; i < plot->graphCount(); ++i)
        points += plot->graph(i)->dataCount();
    return points;
}

} // namespace

class tst_TrainingFlow : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void trainEvaluateStop();
    void textReviewsEndToEnd();
    void interruptedRunOffersResume();
    void projectKeepsItsModelAndExportsOpen();
    void runHistoryKeepsEveryRunAndTheBetterModel();
    void screenshots();

private:
    /// Loads hymenoptera and picks a backbone; false (with a QSKIP/QFAIL already issued) if not.
    bool prepare(MainWindow &window, const QString &backbone, int epochs);

    QTemporaryDir m_settingsDir;
    QTemporaryDir m_runsDir;
    QString m_images;
    QString m_weights;
};

void tst_TrainingFlow::initTestCase()
{
    QStandardPaths::setTestModeEnabled(true);
    QSettings::setDefaultFormat(QSettings::IniFormat);
    QSettings::setPath(QSettings::IniFormat, QSettings::UserScope, m_settingsDir.path());
    QCoreApplication::setOrganizationName(QStringLiteral("GraftTest"));
    QCoreApplication::setApplicationName(QStringLiteral("tst_TrainingFlow"));
    // Test mode puts the feature cache under ~/.qttest; start each run from an empty one.
    QDir(QStandardPaths::writableLocation(QStandardPaths::CacheLocation)).removeRecursively();
    // Checkpoints of an earlier, interrupted test run would make Train ask to resume.
    QDir(QStandardPaths::writableLocation(QStandardPaths::AppLocalDataLocation) +
         QStringLiteral("/checkpoints"))
        .removeRecursively();
    graft::core::initRuntime();
    qputenv("GRAFT_RUNS_DIR", m_runsDir.path().toUtf8());
    m_images = graft::test::sharedData(QStringLiteral("images/hymenoptera"));
    m_weights = graft::test::sharedData(QStringLiteral("weights"));
}

bool tst_TrainingFlow::prepare(MainWindow &window, const QString &backbone, int epochs)
{
    auto *data = window.findChild<graft::ui::DataPanel *>();
    if (!data)
        return false;
    QSignalSpy scanned(data, &graft::ui::DataPanel::scanFinished);
    data->openFolder(m_images);
    if (!scanned.wait(30000) || !scanned.at(0).at(0).toBool())
        return false;

    auto *model = window.findChild<graft::ui::ModelPanel *>();
    if (!model)
        return false;
    model->setWeightsDir(m_weights);
    QSignalSpy groups(model, &graft::ui::ModelPanel::layerGroupsShown);
    model->setBackboneId(backbone);
    model->setRecipe(graft::learn::Recipe::FeatureExtractor);
    if (model->backboneId() != backbone)
        return false;
    // Listing a backbone's layer groups builds it, off the GUI thread.
    if (model->isLoadingGroups() && !groups.wait(30000))
        return false;

    auto *epochSpin = window.trainPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"));
    if (!epochSpin)
        return false;
    epochSpin->setValue(epochs);
    return true;
}

void tst_TrainingFlow::trainEvaluateStop()
{
    if (m_images.isEmpty() || m_weights.isEmpty())
        QSKIP("needs ../shared/data/images/hymenoptera and ../shared/data/weights");

    MainWindow window;
    window.setKeepPrompt([](double, double) { return true; }); // keep each new run
    window.show();
    QVERIFY(prepare(window, QStringLiteral("mobilenet_v1_025_128_imagenet"), 2));
    TrainingController *controller = window.controller();
    QSignalSpy finished(controller, &TrainingController::trainingFinished);
    QSignalSpy failed(controller, &TrainingController::failed);
    QSignalSpy busy(controller, &TrainingController::busyChanged);

    // Start through the Run menu's Ctrl+T action, as a user would.
    QAction *trainAction = nullptr;
    for (QAction *a : window.findChildren<QAction *>())
        if (a->shortcut() == QKeySequence(QStringLiteral("Ctrl+T")))
            trainAction = a;
    QVERIFY(trainAction);
    StallProbe probe;
    probe.start();
    QElapsedTimer runClock;
    runClock.start();
    trainAction->trigger();
    QVERIFY(controller->isBusy());
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || failed.count() > 0, 60000);
    probe.stop();
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QTRY_VERIFY(!controller->isBusy());
    const qint64 maxGap = probe.maxGapMs();
    qInfo("training took %lld ms; max event-loop gap %lld ms", runClock.elapsed(), maxGap);
    QVERIFY2(maxGap <= 100, qPrintable(QStringLiteral("event loop stalled %1 ms").arg(maxGap)));

    const auto report = finished.at(0).at(0).value<graft::learn::RunReport>();
    QVERIFY(!report.cancelled);
    QVERIFY(lossPoints(window) > 0);
    // The Train tab says which rule kept which epoch.
    auto *status = window.trainPanel()->findChild<QLabel *>(QStringLiteral("trainStatus"));
    QVERIFY2(status->text().contains(
                 QStringLiteral("Kept epoch %1 (best validation accuracy)").arg(report.bestEpoch)),
             qPrintable(status->text()));

    // Predict, then Find learning rate, then predict again: the trained model's predictions,
    // unchanged (the sweep trains a model of its own).
    QStringList valImages;
    for (const char *cls : {"ants", "bees"})
        for (const QString &f : QDir(m_images + "/val/" + cls).entryList(QDir::Files).mid(0, 10))
            valImages << QDir(m_images).filePath(
                QStringLiteral("val/%1/%2").arg(QLatin1String(cls), f));
    auto *predictPanel = window.findChild<graft::ui::PredictPanel *>();
    QSignalSpy predicted(controller, &TrainingController::predictionsReady);
    predictPanel->predictFiles(valImages);
    QTRY_VERIFY_WITH_TIMEOUT(predicted.count() == 1, 30000);
    const auto first = predicted.at(0).at(0).value<graft::learn::Predictions>();
    QCOMPARE(int(first.size()), 20);
    QSignalSpy found(controller, &TrainingController::learningRateFound);
    QTRY_VERIFY(!controller->isBusy());
    Q_EMIT window.trainPanel()->findLrRequested();
    QTRY_VERIFY_WITH_TIMEOUT(found.count() == 1 || failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QTRY_VERIFY(!controller->isBusy());
    predictPanel->predictFiles(valImages);
    QTRY_VERIFY_WITH_TIMEOUT(predicted.count() == 2, 30000);
    const auto second = predicted.at(1).at(0).value<graft::learn::Predictions>();
    QCOMPARE(int(second.size()), 20);
    for (size_t i = 0; i < first.size(); ++i)
        QCOMPARE(second[i].top, first[i].top);
    QTRY_VERIFY(!controller->isBusy());

    // The Evaluate panel shows the confusion matrix of the validation split.
    auto *confusion =
        window.evaluatePanel()->findChild<QCustomPlot *>(QStringLiteral("confusionPlot"));
    QVERIFY(confusion);
    auto *map = qobject_cast<QCPColorMap *>(confusion->plottable(0));
    QVERIFY(map);
    QCOMPARE(map->data()->keySize(), 2);
    QCOMPARE(map->data()->valueSize(), 2);
    double total = 0;
    for (int x = 0; x < 2; ++x)
        for (int y = 0; y < 2; ++y)
            total += map->data()->cell(x, y);
    QVERIFY(total > 0);
    auto *mistakes = window.evaluatePanel()->findChild<QListWidget *>(QStringLiteral("mistakes"));
    QVERIFY(mistakes);
    qInfo("misclassified shown: %d", mistakes->count());

    // A second run, stopped shortly after it starts, returns to idle within a second.
    auto *epochSpin = window.trainPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"));
    epochSpin->setValue(qMin(epochSpin->maximum(), 200));
    busy.clear();
    QVERIFY(window.startTraining());
    QVERIFY(controller->isBusy());
    QTest::qWait(300);
    QVERIFY2(controller->isBusy(), "second run ended before it could be stopped");
    QElapsedTimer stopClock;
    stopClock.start();
    controller->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!busy.isEmpty() && !busy.last().at(0).toBool(), 5000);
    const qint64 stopMs = stopClock.elapsed();
    qInfo("stop latency %lld ms", stopMs);
    QVERIFY2(stopMs <= 1000, qPrintable(QStringLiteral("stop took %1 ms").arg(stopMs)));
    QVERIFY(!controller->isBusy());
}

// Issue 6: the same panels take a folder of reviews: the Data tab lists the classes and shows
// reviews with their tokens, the Model tab shows the text settings, training runs in the
// background with curves, the Evaluate tab lists misclassified reviews and highlights the words
// that decided, the Predict tab classifies typed text and the Export tab writes a text model.
void tst_TrainingFlow::textReviewsEndToEnd()
{
    const QString glove = graft::test::sharedData(QStringLiteral("embeddings/glove.6B.100d.txt"));
    QTemporaryDir dir;
    // Reviews whose class shows in a few words, 40 per class, as one .txt per review.
    const QStringList good = {"great", "excellent", "love", "perfect", "wonderful"};
    const QStringList bad = {"awful", "terrible", "hate", "broken", "horrible"};
    const QStringList filler = {"the", "phone", "was", "really", "and", "this", "product", "is"};
    for (int i = 0; i < 40; ++i)
        for (int c = 0; c < 2; ++c) {
            QStringList words;
            for (int w = 0; w < 7; ++w)
                words << filler[(i * 3 + w * 5 + c) % filler.size()];
            words.insert(1 + i % 5, (c ? good : bad)[(i + c) % 5]);
            QVERIFY(graft::test::writeFile(
                dir.filePath(
                    QStringLiteral("reviews/%1/%2.txt").arg(c ? "positive" : "negative").arg(i)),
                words.join(QLatin1Char(' ')).toUtf8()));
        }

    MainWindow window;
    window.setKeepPrompt([](double, double) { return true; }); // keep each new run
    window.resize(1400, 900);
    window.show();
    auto *data = window.findChild<graft::ui::DataPanel *>();
    QSignalSpy scanned(data, &graft::ui::DataPanel::scanFinished);
    data->openFolder(dir.filePath("reviews"));
    QVERIFY(scanned.wait(30000));
    QVERIFY(scanned.at(0).at(0).toBool());
    QVERIFY(data->isText());
    QVERIFY(!data->report());
    auto *classTable = data->findChild<QTableWidget *>(QStringLiteral("classTable"));
    QCOMPARE(classTable->rowCount(), 2);
    auto *reviews = data->findChild<QListWidget *>(QStringLiteral("thumbnails"));
    QTRY_VERIFY(reviews->count() > 0);
    reviews->setCurrentRow(0);
    auto *tokens = data->findChild<QLabel *>(QStringLiteral("tokenPreview"));
    QVERIFY(tokens->text().contains(QStringLiteral("Tokens (8)")));

    auto *model = window.findChild<graft::ui::ModelPanel *>();
    QVERIFY(model->isTextMode());
    QVERIFY(model->findChild<QGroupBox *>(QStringLiteral("textModelBox"))->isVisibleTo(model));
    if (!glove.isEmpty())
        model->findChild<QLineEdit *>(QStringLiteral("wordVectors"))->setText(glove);
    window.trainPanel()
        ->findChild<QSpinBox *>(QStringLiteral("epochs"))
        ->setValue(glove.isEmpty() ? 20 : 8);

    TrainingController *controller = window.controller();
    QSignalSpy finished(controller, &TrainingController::trainingFinished);
    QSignalSpy failed(controller, &TrainingController::failed);
    StallProbe probe;
    probe.start();
    QVERIFY(window.startTraining());
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || failed.count() > 0, 120000);
    probe.stop();
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QTRY_VERIFY(!controller->isBusy());
    QVERIFY2(probe.maxGapMs() <= 100, qPrintable(QString::number(probe.maxGapMs())));
    const auto report = finished.at(0).at(0).value<graft::learn::RunReport>();
    QCOMPARE(report.details.value("val_count").toInt(), 16);
    QVERIFY(report.valAccuracy() >= 0.75);
    // The text run used the text default rate, not the image one.
    QCOMPARE(report.config.learningRate, 3e-3);
    QVERIFY(lossPoints(window) > 0);
    QVERIFY(controller->hasTextModel());

    auto *summary = window.evaluatePanel()->findChild<QLabel *>(QStringLiteral("evalSummary"));
    QVERIFY2(summary->text().contains(QStringLiteral("16 reviews")), qPrintable(summary->text()));

    // Predict typed text; the top row gets its words explained.
    auto *predict = window.findChild<graft::ui::PredictPanel *>();
    window.tabs()->setCurrentWidget(predict);
    auto *input = predict->findChild<QPlainTextEdit *>(QStringLiteral("textInput"));
    QVERIFY(input->isVisibleTo(predict));
    input->setPlainText(QStringLiteral("this phone is excellent"));
    QSignalSpy predicted(controller, &TrainingController::predictionsReady);
    QSignalSpy explained(controller, &TrainingController::explained);
    predict->findChild<QPushButton *>(QStringLiteral("classifyText"))->click();
    QTRY_VERIFY_WITH_TIMEOUT(predicted.count() == 1, 30000);
    auto *results = predict->findChild<QTreeWidget *>(QStringLiteral("predictions"));
    QTRY_COMPARE(results->topLevelItemCount(), 1);
    QCOMPARE(results->topLevelItem(0)->text(1), QStringLiteral("positive"));
    QTRY_VERIFY_WITH_TIMEOUT(explained.count() >= 1, 30000);
    auto *why = predict->findChild<QTextBrowser *>(QStringLiteral("textExplanation"));
    QTRY_VERIFY(why->toHtml().contains(QStringLiteral("background-color")));
    QVERIFY(why->toPlainText().contains(QStringLiteral("excellent")));

    // Export as TorchScript and ONNX: both checked against the trained network.
    QSignalSpy exported(controller, &TrainingController::exportFinished);
    QTRY_VERIFY(!controller->isBusy());
    QVERIFY(controller->exportModel(dir.filePath("reviews.pt")));
    QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1 || failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QCOMPARE(exported.at(0).at(0).value<graft::learn::ExportCheck>().agreement, 1.0);
    QTRY_VERIFY(!controller->isBusy());
    QVERIFY(controller->exportModel(dir.filePath("reviews.onnx")));
    QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 2 || failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QCOMPARE(exported.at(1).at(0).value<graft::learn::ExportCheck>().agreement, 1.0);

    if (const QString out = qEnvironmentVariable("GRAFT_SCREENSHOTS_DIR"); !out.isEmpty()) {
        const QList<QPair<QWidget *, const char *>> shots = {
            {data, "text-data"},
            {model, "text-model"},
            {window.evaluatePanel(), "text-evaluate"},
            {predict, "text-predict"}};
        auto *mistakes =
            window.evaluatePanel()->findChild<QListWidget *>(QStringLiteral("mistakes"));
        if (mistakes && mistakes->count() > 0)
            mistakes->setCurrentRow(0);
        for (const auto &[panel, name] : shots) {
            window.tabs()->setCurrentWidget(panel);
            QTest::qWait(600);
            window.grab().save(QDir(out).filePath(QString::fromLatin1(name) + ".png"), "PNG", 0);
        }
    }

    // The learning-rate finder works on reviews too: the curve comes back and the suggested
    // rate goes into the Train tab.
    QSignalSpy found(controller, &TrainingController::learningRateFound);
    QTRY_VERIFY(!controller->isBusy());
    Q_EMIT window.trainPanel()->findLrRequested();
    QTRY_VERIFY_WITH_TIMEOUT(found.count() == 1 || failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    const auto sweep = found.at(0).at(0).value<graft::learn::LrFinderResult>();
    QVERIFY(sweep.losses.size() >= 20);
    auto *lrSpin = window.trainPanel()->findChild<QDoubleSpinBox *>(QStringLiteral("learningRate"));
    QVERIFY(lrSpin);
    QVERIFY2(std::fabs(lrSpin->value() - sweep.suggested) <= 1e-6,
             qPrintable(QStringLiteral("%1 vs %2").arg(lrSpin->value()).arg(sweep.suggested)));
    QTRY_VERIFY(!controller->isBusy());

    // Text runs checkpoint too: the finished run left none; a stopped one does, and the next
    // Train offers to continue it.
    const QString checkpoint = window.checkpointDir();
    QVERIFY(!graft::learn::checkpointEpoch(checkpoint).ok());
    int asked = -1;
    window.setResumePrompt([&](int epoch) {
        asked = epoch;
        return true;
    });
    window.trainPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(5000);
    QSignalSpy epochs(controller, &TrainingController::epochReady);
    QVERIFY(window.startTraining());
    QTRY_VERIFY_WITH_TIMEOUT(epochs.count() >= 1 || failed.count() > 0, 60000);
    controller->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!controller->isBusy(), 30000);
    QVERIFY(graft::learn::checkpointEpoch(checkpoint).ok());
    QSignalSpy messages(controller, &TrainingController::noticeRaised);
    epochs.clear();
    failed.clear();
    QVERIFY(window.startTraining());
    QVERIFY(asked >= 1);
    // The epochs it continues from come first (the curves show them), then new ones.
    QTRY_VERIFY_WITH_TIMEOUT(epochs.count() >= asked + 1 || failed.count() > 0, 60000);
    controller->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!controller->isBusy(), 30000);
    bool resumed = false;
    for (const auto &m : messages)
        resumed = resumed ||
                  m.at(0).value<graft::learn::Notice>().code == graft::learn::Notice::Code::Resumed;
    QVERIFY(resumed);
    for (int i = 0; i < asked; ++i)
        QCOMPARE(epochs.at(i).at(0).value<graft::learn::EpochMetrics>().epoch, i + 1);
    QCOMPARE(epochs.at(asked).at(0).value<graft::learn::EpochMetrics>().epoch, asked + 1);
    graft::learn::removeCheckpoint(checkpoint);

    // ULMFiT from the GUI: a language model learnt from these reviews goes into the Model tab
    // and the next run starts from it (BiLSTM head, its vocabulary and LSTM).
    failed.clear();
    QSignalSpy lmDone(controller, &TrainingController::languageModelTrained);
    QTRY_VERIFY(!controller->isBusy());
    const QString lmPath = dir.filePath("reviews.lm");
    QVERIFY(window.trainLanguageModel(lmPath));
    QTRY_VERIFY_WITH_TIMEOUT(lmDone.count() == 1 || failed.count() > 0, 120000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QTRY_VERIFY(!controller->isBusy());
    QVERIFY(QFileInfo::exists(lmPath));
    QCOMPARE(model->findChild<QLineEdit *>(QStringLiteral("languageModel"))->text(), lmPath);
    const auto lmReport = lmDone.at(0).at(0).value<graft::learn::RunReport>();
    QCOMPARE(lmReport.details.value("texts").toInt(), 80);
    window.trainPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(3);
    finished.clear();
    QVERIFY(window.startTraining());
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || failed.count() > 0, 120000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    const auto fromLm = finished.at(0).at(0).value<graft::learn::RunReport>();
    QCOMPARE(fromLm.config.text.languageModelPath, lmPath);
    QCOMPARE(fromLm.config.text.head, graft::learn::TextHead::BiLstm);
    QTRY_VERIFY(!controller->isBusy());

    // Run > Cross-validate: the model and the bag-of-words baseline on the same folds, with a
    // line per fold and the summary in the Train tab's log.
    QSignalSpy cvDone(controller, &TrainingController::crossValidated);
    QVERIFY(window.crossValidate(4));
    QTRY_VERIFY_WITH_TIMEOUT(cvDone.count() == 1 || failed.count() > 0, 120000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    const auto cv = cvDone.at(0).at(0).value<graft::learn::CrossValidation>();
    QCOMPARE(cv.folds, 4);
    QCOMPARE(int(cv.results.size()), 4);
    QCOMPARE(cv.samples, 80);
    QVERIFY(cv.meanBaselineAccuracy >= 0.9); // one decisive word per review
    auto *log = window.trainPanel()->findChild<QPlainTextEdit *>();
    QVERIFY(log);
    QVERIFY(log->toPlainText().contains(QStringLiteral("4-fold cross-validation")));
    QVERIFY(log->toPlainText().contains(QStringLiteral("Fold 4 of 4")));
    QTRY_VERIFY(!controller->isBusy());
}

// Issue 8: an image run leaves a checkpoint each epoch; a finished run removes it, an
// interrupted one keeps it, and the next Train offers to continue from there.
void tst_TrainingFlow::interruptedRunOffersResume()
{
    if (m_images.isEmpty() || m_weights.isEmpty())
        QSKIP("needs ../shared/data/images/hymenoptera and ../shared/data/weights");
    MainWindow window;
    window.setKeepPrompt([](double, double) { return true; }); // keep each new run
    window.show();
    QVERIFY(prepare(window, QStringLiteral("mobilenet_v1_025_128_imagenet"), 2));
    TrainingController *controller = window.controller();
    const QString checkpoint = window.checkpointDir();
    graft::learn::removeCheckpoint(checkpoint);
    int asked = -1;
    bool answer = true;
    window.setResumePrompt([&](int epoch) {
        asked = epoch;
        return answer;
    });
    QSignalSpy finished(controller, &TrainingController::trainingFinished);
    QSignalSpy failed(controller, &TrainingController::failed);

    // A run that finishes leaves nothing to resume.
    QVERIFY(window.startTraining());
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || failed.count() > 0, 60000);
    QTRY_VERIFY(!controller->isBusy());
    QCOMPARE(asked, -1);
    QVERIFY(!graft::learn::checkpointEpoch(checkpoint).ok());

    // A long run stopped after its first epoch keeps its checkpoint...
    window.trainPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(200);
    QSignalSpy epochs(controller, &TrainingController::epochReady);
    QVERIFY(window.startTraining());
    QTRY_VERIFY_WITH_TIMEOUT(epochs.count() >= 1 || failed.count() > 0, 60000);
    controller->stop();
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2 || failed.count() > 0, 30000);
    QTRY_VERIFY(!controller->isBusy());
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QVERIFY(graft::learn::checkpointEpoch(checkpoint).ok());

    // ...and the next Train asks; a yes continues after the saved epoch, with the run's own
    // plan: fewer epochs asked for now (1) do not end it at once (issue 15, item 5).
    window.trainPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(1);
    QSignalSpy messages(controller, &TrainingController::noticeRaised);
    epochs.clear();
    finished.clear();
    QVERIFY(window.startTraining());
    QVERIFY(asked >= 1);
    // The epochs it continues from come first (the curves show them), then new ones.
    QTRY_VERIFY_WITH_TIMEOUT(epochs.count() >= asked + 1 || failed.count() > 0, 60000);
    controller->stop();
    QTRY_VERIFY_WITH_TIMEOUT(!controller->isBusy(), 30000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    bool resumed = false;
    for (const auto &m : messages)
        resumed = resumed ||
                  m.at(0).value<graft::learn::Notice>().code == graft::learn::Notice::Code::Resumed;
    QVERIFY(resumed);
    for (int i = 0; i < asked; ++i)
        QCOMPARE(epochs.at(i).at(0).value<graft::learn::EpochMetrics>().epoch, i + 1);
    QCOMPARE(epochs.at(asked).at(0).value<graft::learn::EpochMetrics>().epoch, asked + 1);
    QTRY_VERIFY(finished.count() == 1);
    const auto resumedRun = finished.at(0).at(0).value<graft::learn::RunReport>();
    QCOMPARE(resumedRun.config.epochs, 200);
    QVERIFY(int(resumedRun.epochs.size()) >= asked + 1);
    // The plot shows the epochs it continued from as well.
    QVERIFY(window.trainPanel()->lossPlot()->epochPointCount() >= asked + 1);
    graft::learn::removeCheckpoint(checkpoint);
}

// Issue 15, items 2 and 6: every run stays in the Runs tab with its name, accuracy and
// settings; a run below the model it replaces asks before replacing it, and any run can be
// taken back. Recipes follow the cut point and tick Augment when they train the backbone.
void tst_TrainingFlow::runHistoryKeepsEveryRunAndTheBetterModel()
{
    if (m_images.isEmpty() || m_weights.isEmpty())
        QSKIP("needs ../shared/data/images/hymenoptera and ../shared/data/weights");
    QTemporaryDir dir;
    auto window = std::make_unique<MainWindow>();
    window->show();
    QVERIFY(prepare(*window, QStringLiteral("mobilenet_v1_025_128_imagenet"), 3));
    TrainingController *controller = window->controller();
    QSignalSpy finished(controller, &TrainingController::trainingFinished);
    QSignalSpy opened(controller, &TrainingController::modelOpened);
    QSignalSpy failed(controller, &TrainingController::failed);
    graft::learn::removeCheckpoint(window->checkpointDir());

    // Recipes: Fine-tune top lights up and ticks Augment; dragging the cut keeps two groups
    // training below the new cut and the button lit; a hand-edited plan lights none.
    auto *model = window->modelPanel();
    const auto recipeButton = [&](const QString &text) -> QPushButton * {
        for (QPushButton *b : model->findChildren<QPushButton *>())
            if (b->isCheckable() && b->text() == text)
                return b;
        return nullptr;
    };
    QPushButton *fineTune = recipeButton(QStringLiteral("Fine-tune top"));
    QPushButton *frozen = recipeButton(QStringLiteral("Feature extractor"));
    QVERIFY(fineTune && frozen);
    auto *augment = window->trainPanel()->findChild<QCheckBox *>(QStringLiteral("augment"));
    augment->setChecked(false);
    fineTune->click();
    QVERIFY(fineTune->isChecked());
    QVERIFY(augment->isChecked());
    auto *cut = model->findChild<QSlider *>(QStringLiteral("cutSlider"));
    QVERIFY(cut && cut->maximum() >= 4);
    cut->setValue(cut->maximum() - 2);
    QCOMPARE(model->freezePlan().cutAt, cut->maximum() - 2);
    QCOMPARE(model->freezePlan().trainableCount(), 2);
    QVERIFY(fineTune->isChecked());
    auto *table = model->findChild<QTableWidget *>(QStringLiteral("freezeTable"));
    auto *firstGroup = qobject_cast<QCheckBox *>(table->cellWidget(table->rowCount() - 1, 1));
    QVERIFY(firstGroup);
    firstGroup->setChecked(true);
    QCOMPARE(model->freezePlan().trainableCount(), 3);
    for (QPushButton *b : model->findChildren<QPushButton *>())
        QVERIFY2(!b->isCheckable() || !b->isChecked(), qPrintable(b->text()));
    // Back to the feature extractor (whole backbone, frozen, no augmentation) for two runs.
    frozen->click();
    QVERIFY(frozen->isChecked());
    QVERIFY(!augment->isChecked());
    QCOMPARE(model->freezePlan().cutAt, cut->maximum());
    QCOMPARE(model->freezePlan().trainableCount(), 0);

    QVERIFY(window->startTraining());
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QTRY_VERIFY(!controller->isBusy());
    const auto good = finished.at(0).at(0).value<graft::learn::RunReport>();
    QCOMPARE(window->modelPath(), good.runDir);

    // A run that learns nothing (a rate of 1e-6) ends below it: the question comes, and
    // "go back" makes the first run's model current again.
    double asked = -1;
    window->setKeepPrompt([&](double newAccuracy, double oldAccuracy) {
        asked = oldAccuracy;
        return newAccuracy > oldAccuracy; // never: go back
    });
    window->trainPanel()
        ->findChild<QDoubleSpinBox *>(QStringLiteral("learningRate"))
        ->setValue(1e-6);
    window->trainPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"))->setValue(1);
    QVERIFY(window->startTraining());
    QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 2 || failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    const auto bad = finished.at(1).at(0).value<graft::learn::RunReport>();
    QVERIFY2(bad.valAccuracy() < good.valAccuracy(),
             qPrintable(QStringLiteral("%1 vs %2").arg(bad.valAccuracy()).arg(good.valAccuracy())));
    QTRY_VERIFY_WITH_TIMEOUT(opened.count() == 1 || failed.count() > 0, 60000);
    QCOMPARE(asked, good.valAccuracy());
    QTRY_VERIFY(!controller->isBusy());
    QCOMPARE(window->modelPath(), good.runDir);

    // Both runs are listed, newest first; the first is current and starred.
    auto *runs = window->runsPanel()->table();
    QCOMPARE(runs->rowCount(), 2);
    const auto rowText = [&](int row, int column) {
        return runs->item(row, column)->text();
    };
    QCOMPARE(rowText(0, 1), QStringLiteral("Run 2"));
    QCOMPARE(rowText(1, 1), QStringLiteral("Run 1"));
    QVERIFY2(rowText(1, 5).startsWith(QChar(0x2605)), qPrintable(rowText(1, 5)));
    QVERIFY(rowText(1, 5).contains(QString::number(good.valAccuracy() * 100, 'f', 2)));
    QVERIFY2(rowText(1, 6).contains(QStringLiteral("current model")), qPrintable(rowText(1, 6)));
    QVERIFY(!rowText(0, 6).contains(QStringLiteral("current model")));
    runs->selectRow(0);
    auto *details = window->runsPanel()->findChild<QLabel *>(QStringLiteral("runDetails"));
    QVERIFY2(details->text().contains(QStringLiteral("learning rate 1e-06")),
             qPrintable(details->text()));

    // A name given in the table is kept, shown in the loss plot's legend, and saved.
    runs->item(1, 1)->setText(QStringLiteral("frozen MobileNet"));
    auto *plot = window->trainPanel()->lossPlot();
    bool inLegend = false;
    for (int i = 0; i < plot->graphCount(); ++i)
        inLegend =
            inLegend || plot->graph(i)->name().startsWith(QStringLiteral("frozen MobileNet: "));
    QVERIFY(inLegend);
    const QString projectFile = dir.filePath(QStringLiteral("runs.graft"));
    QVERIFY(window->saveProject(projectFile));
    window.reset();

    window = std::make_unique<MainWindow>();
    controller = window->controller();
    QSignalSpy changed(controller, &TrainingController::modelChanged);
    QVERIFY(window->openProject(projectFile));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1, 60000);
    QTRY_VERIFY(!controller->isBusy());
    runs = window->runsPanel()->table();
    QCOMPARE(runs->rowCount(), 2);
    QCOMPARE(rowText(1, 1), QStringLiteral("frozen MobileNet"));
    QVERIFY(rowText(1, 6).contains(QStringLiteral("current model")));

    // Any run can be taken back; removing one from the list keeps its folder.
    runs->selectRow(0);
    auto *use = window->runsPanel()->findChild<QPushButton *>(QStringLiteral("useRun"));
    QVERIFY(use->isEnabled());
    use->click();
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 2, 60000);
    QTRY_VERIFY(!controller->isBusy());
    QCOMPARE(window->modelPath(), bad.runDir);
    QVERIFY(rowText(0, 6).contains(QStringLiteral("current model")));
    runs->selectRow(1);
    window->runsPanel()->findChild<QPushButton *>(QStringLiteral("removeRun"))->click();
    QCOMPARE(runs->rowCount(), 1);
    QCOMPARE(window->currentProject().runs.size(), 1);
    QVERIFY(QFileInfo::exists(good.runDir));
    QVERIFY(window->isModified());
}

// Issue 15: the trained model is saved with the project (its run folder) and comes back on
// reopening; an exported .pt or .onnx opens too, and is evaluated on the validation split.
void tst_TrainingFlow::projectKeepsItsModelAndExportsOpen()
{
    if (m_images.isEmpty() || m_weights.isEmpty())
        QSKIP("needs ../shared/data/images/hymenoptera and ../shared/data/weights");
    QTemporaryDir dir;
    const QString projectFile = dir.filePath(QStringLiteral("ants.graft"));
    QStringList valImages;
    for (const char *cls : {"ants", "bees"})
        for (const QString &f : QDir(m_images + "/val/" + cls).entryList(QDir::Files).mid(0, 8))
            valImages << QDir(m_images).filePath(
                QStringLiteral("val/%1/%2").arg(QLatin1String(cls), f));
    const auto predictWith = [&](MainWindow &w) {
        QSignalSpy predicted(w.controller(), &TrainingController::predictionsReady);
        w.findChild<graft::ui::PredictPanel *>()->predictFiles(valImages);
        [&] {
            QTRY_VERIFY_WITH_TIMEOUT(predicted.count() == 1, 30000);
        }();
        return predicted.isEmpty() ? graft::learn::Predictions()
                                   : predicted.at(0).at(0).value<graft::learn::Predictions>();
    };

    graft::learn::RunReport trained;
    graft::learn::Predictions before;
    {
        MainWindow window;
        window.setKeepPrompt([](double, double) { return true; }); // keep each new run
        QVERIFY(prepare(window, QStringLiteral("mobilenet_v1_025_128_imagenet"), 2));
        TrainingController *controller = window.controller();
        QSignalSpy finished(controller, &TrainingController::trainingFinished);
        QSignalSpy failed(controller, &TrainingController::failed);
        QVERIFY(window.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == 1 || failed.count() > 0, 60000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QTRY_VERIFY(!controller->isBusy());
        trained = finished.at(0).at(0).value<graft::learn::RunReport>();
        QVERIFY(!trained.runDir.isEmpty());
        before = predictWith(window);
        QCOMPARE(int(before.size()), valImages.size());
        QTRY_VERIFY(!controller->isBusy());
        QSignalSpy exported(controller, &TrainingController::exportFinished);
        QVERIFY(controller->exportModel(dir.filePath(QStringLiteral("m.pt"))));
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 1 || failed.count() > 0, 60000);
        QTRY_VERIFY(!controller->isBusy());
        QVERIFY(controller->exportModel(dir.filePath(QStringLiteral("m.onnx"))));
        QTRY_VERIFY_WITH_TIMEOUT(exported.count() == 2 || failed.count() > 0, 60000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QTRY_VERIFY(!controller->isBusy());
        QVERIFY(window.saveProject(projectFile));
        QCOMPARE(window.currentProject().modelPath, trained.runDir);
    }

    // "Quit and reopen": a new window opens the project; the model comes back with its
    // evaluation, and predicts as before.
    MainWindow window;
    window.setKeepPrompt([](double, double) { return true; }); // keep each new run
    TrainingController *controller = window.controller();
    QSignalSpy changed(controller, &TrainingController::modelChanged);
    QSignalSpy failed(controller, &TrainingController::failed);
    QVERIFY(!controller->hasModel());
    QVERIFY(window.openProject(projectFile));
    QTRY_VERIFY_WITH_TIMEOUT(changed.count() == 1 || failed.count() > 0, 60000);
    QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
    QTRY_VERIFY(!controller->isBusy());
    QVERIFY(controller->hasModel());
    QVERIFY(!window.isModified());
    auto *summary = window.evaluatePanel()->findChild<QLabel *>(QStringLiteral("evalSummary"));
    QVERIFY2(summary->text().contains(QString::number(trained.valAccuracy() * 100, 'f', 1)),
             qPrintable(summary->text()));
    const auto reopened = predictWith(window);
    QCOMPARE(int(reopened.size()), int(before.size()));
    for (size_t i = 0; i < before.size(); ++i) {
        QCOMPARE(reopened[i].top.at(0).first, before[i].top.at(0).first);
        QVERIFY(qAbs(reopened[i].top.at(0).second - before[i].top.at(0).second) < 1e-5f);
    }

    // Each export opens as the current model, is scored on the validation split with the
    // run's accuracy, and predicts the same top-1.
    for (const char *name : {"m.pt", "m.onnx"}) {
        QTRY_VERIFY(!controller->isBusy());
        QSignalSpy opened(controller, &TrainingController::modelOpened);
        QVERIFY(controller->openModel(dir.filePath(QLatin1String(name)), trained.config,
                                      graft::learn::Dataset(*window.dataPanel()->report())));
        QTRY_VERIFY_WITH_TIMEOUT(opened.count() == 1 || failed.count() > 0, 60000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        const auto report = opened.at(0).at(0).value<graft::learn::RunReport>();
        QCOMPARE(report.validation.count(), trained.validation.count());
        QVERIFY2(qAbs(report.validation.accuracy - trained.valAccuracy()) < 1e-9, name);
        QTRY_VERIFY(!controller->isBusy());
        const auto fromExport = predictWith(window);
        QCOMPARE(int(fromExport.size()), int(before.size()));
        for (size_t i = 0; i < before.size(); ++i)
            QCOMPARE(fromExport[i].top.at(0).first, before[i].top.at(0).first);
    }
    QCOMPARE(window.currentProject().modelPath, dir.filePath(QStringLiteral("m.onnx")));

    // A file that is not a model is refused with a message naming it; the model stays.
    QFile junk(dir.filePath(QStringLiteral("junk.pt")));
    QVERIFY(junk.open(QIODevice::WriteOnly));
    junk.write("not a model");
    junk.close();
    QTRY_VERIFY(!controller->isBusy());
    failed.clear();
    QVERIFY(controller->openModel(junk.fileName(), trained.config, graft::learn::Dataset()));
    QTRY_VERIFY_WITH_TIMEOUT(failed.count() == 1, 30000);
    QVERIFY2(failed.at(0).at(1).toString().contains(QStringLiteral("junk.pt")),
             qPrintable(failed.at(0).at(1).toString()));
    QVERIFY(controller->hasModel());
}

void tst_TrainingFlow::screenshots()
{
    const QString outDir = qEnvironmentVariable("GRAFT_SCREENSHOTS_DIR");
    if (outDir.isEmpty())
        QSKIP("set GRAFT_SCREENSHOTS_DIR to write README screenshots");
    if (m_images.isEmpty() || m_weights.isEmpty())
        QSKIP("needs ../shared/data/images/hymenoptera and ../shared/data/weights");
    QVERIFY(QDir().mkpath(outDir));

    MainWindow window;
    window.setKeepPrompt([](double, double) { return true; }); // keep each new run
    window.resize(1400, 900);
    window.show();
    QVERIFY(QTest::qWaitForWindowExposed(&window));
    QVERIFY(prepare(window, QStringLiteral("mobilenet_v2_imagenet"), 10));
    TrainingController *controller = window.controller();
    QSignalSpy finished(controller, &TrainingController::trainingFinished);
    QSignalSpy failed(controller, &TrainingController::failed);
    // Three runs for the Runs tab: two short ones, then the 10-epoch run the other tabs show.
    auto *epochs = window.trainPanel()->findChild<QSpinBox *>(QStringLiteral("epochs"));
    auto *rate = window.trainPanel()->findChild<QDoubleSpinBox *>(QStringLiteral("learningRate"));
    const double defaultRate = rate->value();
    const std::pair<int, double> plans[] = {{2, 1e-3}, {3, 3e-2}, {10, defaultRate}};
    for (const auto &[n, lr] : plans) {
        epochs->setValue(n);
        rate->setValue(lr);
        const qsizetype before = finished.count();
        QVERIFY(window.startTraining());
        QTRY_VERIFY_WITH_TIMEOUT(finished.count() == before + 1 || failed.count() > 0, 300000);
        QVERIFY2(failed.isEmpty(), qPrintable(failed.value(0).value(1).toString()));
        QTRY_VERIFY(!controller->isBusy());
    }
    QTableWidget *runs = window.runsPanel()->table();
    QCOMPARE(runs->rowCount(), 3);
    runs->item(2, 1)->setText(QStringLiteral("Quick look"));
    runs->item(1, 1)->setText(QStringLiteral("High rate"));
    runs->item(0, 1)->setText(QStringLiteral("Feature extractor, 10 epochs"));
    runs->selectRow(0);

    auto *predict = window.findChild<graft::ui::PredictPanel *>();
    QVERIFY(predict);
    const QString samples = graft::test::sharedData(QStringLiteral("images/samples"));
    if (!samples.isEmpty()) {
        QSignalSpy predicted(controller, &TrainingController::predictionsReady);
        predict->predictFiles({samples});
        QTRY_VERIFY_WITH_TIMEOUT(predicted.count() == 1 || failed.count() > 0, 60000);
        QTRY_VERIFY(!controller->isBusy());
        auto *results = predict->findChild<QTreeWidget *>(QStringLiteral("predictions"));
        if (results && results->topLevelItemCount() > 0)
            results->setCurrentItem(results->topLevelItem(0));
    }

    const char *names[] = {"data", "model", "train", "runs", "evaluate", "predict", "export"};
    QCOMPARE(window.tabs()->count(), 7);
    for (int i = 0; i < 7; ++i) {
        window.tabs()->setCurrentIndex(i);
        QTest::qWait(400); // thumbnails and plots fill in lazily
        const QString path = QDir(outDir).filePath(QString::fromLatin1(names[i]) + ".png");
        QVERIFY2(window.grab().save(path, "PNG", 0), qPrintable(path)); // 0: smallest file
    }
}

QTEST_MAIN(tst_TrainingFlow)
#include "tst_TrainingFlow.moc"
