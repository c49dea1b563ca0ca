#include "UiTestData.h"

#include "ui/panels/DataPanel.h"

#include <QDropEvent>
#include <QMimeData>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QTest>
#include <QTreeWidget>
#include <QUrl>

using graft::ui::DataPanel;

class tst_DataPanel : public QObject
{
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QStandardPaths::setTestModeEnabled(true); }
    void droppedFolderListsClassesAndCounts();
    void openFolderReportsProblemFiles();
};

void tst_DataPanel::droppedFolderListsClassesAndCounts()
{
    QTemporaryDir dir;
    QVERIFY(dir.isValid());
    QVERIFY(graft::test::writePngDataset(dir.path(),
                                         {QStringLiteral("cats"), QStringLiteral("dogs")}, {3, 5}));
    DataPanel panel;
    panel.show();
    QSignalSpy finished(&panel, &DataPanel::scanFinished);

    QMimeData mime;
    mime.setUrls({QUrl::fromLocalFile(dir.path())});
    QDropEvent drop(QPointF(10, 10), Qt::CopyAction, &mime, Qt::LeftButton, Qt::NoModifier);
    // QApplication discards a Drop that no drag entered; deliver it like the drag manager does.
    static_cast<QObject &>(panel).event(&drop);
    QVERIFY(drop.isAccepted());

    QVERIFY(finished.wait(20000));
    QCOMPARE(finished.first().first().toBool(), true);
    auto *table = panel.findChild<QTableWidget *>(QStringLiteral("classTable"));
    QVERIFY(table);
    QCOMPARE(table->rowCount(), 2);
    QCOMPARE(table->item(0, 0)->text(), QStringLiteral("cats"));
    QCOMPARE(table->item(1, 0)->text(), QStringLiteral("dogs"));
    QCOMPARE(table->item(0, 4)->data(Qt::DisplayRole).toInt(), 3);
    QCOMPARE(table->item(1, 4)->data(Qt::DisplayRole).toInt(), 5);
    // train + validation add up to the total for each class
    for (int row = 0; row < 2; ++row)
        QCOMPARE(table->item(row, 1)->data(Qt::DisplayRole).toInt() +
                     table->item(row, 2)->data(Qt::DisplayRole).toInt(),
                 table->item(row, 4)->data(Qt::DisplayRole).toInt());
    QVERIFY(panel.report());
    QCOMPARE(panel.report()->classes.size(), size_t(2));
    QCOMPARE(panel.datasetPath(), QFileInfo(dir.path()).absoluteFilePath());
}

void tst_DataPanel::openFolderReportsProblemFiles()
{
    QTemporaryDir dir;
    QVERIFY(graft::test::writePngDataset(dir.path(), {QStringLiteral("a"), QStringLiteral("b")},
                                         {3, 3}));
    QFile bad(dir.filePath(QStringLiteral("a/broken.png")));
    QVERIFY(bad.open(QIODevice::WriteOnly));
    bad.write("this is not a png");
    bad.close();

    DataPanel panel;
    QSignalSpy finished(&panel, &DataPanel::scanFinished);
    panel.openFolder(dir.path());
    QVERIFY(finished.wait(20000));
    auto *problems = panel.findChild<QTreeWidget *>(QStringLiteral("problems"));
    QVERIFY(problems);
    QCOMPARE(problems->topLevelItemCount(), 1);
    QCOMPARE(problems->topLevelItem(0)->text(0), QStringLiteral("a/broken.png"));
    auto *table = panel.findChild<QTableWidget *>(QStringLiteral("classTable"));
    QCOMPARE(table->item(0, 4)->data(Qt::DisplayRole).toInt(), 3);
}

QTEST_MAIN(tst_DataPanel)
#include "tst_DataPanel.moc"
