#include "graft/vision/FreezePlan.h"

#include <QJsonArray>
#include <QTest>

#include <limits>

using graft::vision::FreezePlan;

class tst_FreezePlan : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void featureExtractor();
    void fineTuneTop();
    void full();
    void validity();
    void jsonRoundTrip();
    void jsonMalformed();
};

void tst_FreezePlan::featureExtractor()
{
    const FreezePlan plan = FreezePlan::featureExtractor(5);
    QCOMPARE(plan.cutAt, 5);
    QCOMPARE(plan.trainable, std::vector<bool>(5, false));
    QCOMPARE(plan.lrMultiplier, std::vector<double>(5, 0.0));
    QVERIFY(plan.allFrozen());
    QCOMPARE(plan.trainableCount(), 0);
    QCOMPARE(plan.firstTrainable(), 5);
    QVERIFY(plan.valid(5));
    QVERIFY(plan.valid(7)); // a cut below the last group
    QVERIFY(!plan.valid(4));
}

void tst_FreezePlan::fineTuneTop()
{
    const FreezePlan plan = FreezePlan::fineTuneTop(6, 2, 0.5);
    QCOMPARE(plan.trainable, (std::vector<bool>{false, false, false, false, true, true}));
    QCOMPARE(plan.lrMultiplier, (std::vector<double>{0, 0, 0, 0, 0.25, 0.5}));
    QCOMPARE(plan.trainableCount(), 2);
    QCOMPARE(plan.firstTrainable(), 4);
    QVERIFY(!plan.allFrozen());
    QVERIFY(plan.valid(6));

    // n is clamped to the groups that exist below the cut.
    const FreezePlan all = FreezePlan::fineTuneTop(3, 10, 0.1);
    QCOMPARE(all.trainableCount(), 3);
    QCOMPARE(all.firstTrainable(), 0);
    QCOMPARE(FreezePlan::fineTuneTop(3, -1).trainableCount(), 0);
}

void tst_FreezePlan::full()
{
    const FreezePlan plan = FreezePlan::full(4, 0.5);
    QCOMPARE(plan.trainable, std::vector<bool>(4, true));
    QCOMPARE(plan.lrMultiplier, (std::vector<double>{0.0625, 0.125, 0.25, 0.5}));
    // Each group learns `decay` times as fast as the one above it.
    for (size_t g = 0; g + 1 < plan.lrMultiplier.size(); ++g)
        QCOMPARE(plan.lrMultiplier[g] / plan.lrMultiplier[g + 1], 0.5);
    QCOMPARE(plan.firstTrainable(), 0);
}

void tst_FreezePlan::validity()
{
    FreezePlan plan = FreezePlan::fineTuneTop(3, 1);
    QVERIFY(plan.valid(3));
    plan.lrMultiplier[2] = 0.0; // trainable with a zero rate learns nothing
    QVERIFY(!plan.valid(3));
    plan.lrMultiplier[2] = std::numeric_limits<double>::quiet_NaN();
    QVERIFY(!plan.valid(3));
    plan = FreezePlan::fineTuneTop(3, 1);
    plan.trainable.pop_back();
    QVERIFY(!plan.valid(3));
    QVERIFY(!FreezePlan::featureExtractor(0).valid(3));
    QVERIFY(!FreezePlan{}.valid(3));
}

void tst_FreezePlan::jsonRoundTrip()
{
    FreezePlan plan = FreezePlan::fineTuneTop(5, 3, 0.3);
    plan.trainable[2] = false; // a non-contiguous plan survives the trip
    plan.lrMultiplier[2] = 0;
    const FreezePlan back = FreezePlan::fromJson(plan.toJson());
    QCOMPARE(back.cutAt, plan.cutAt);
    QCOMPARE(back.trainable, plan.trainable);
    QCOMPARE(back.lrMultiplier, plan.lrMultiplier);
    QCOMPARE(back.firstTrainable(), 3);
    QVERIFY(back.valid(5));
}

void tst_FreezePlan::jsonMalformed()
{
    const QJsonObject json{{QStringLiteral("cutAt"), 2},
                           {QStringLiteral("trainable"), QJsonArray{true, false}},
                           {QStringLiteral("lrMultiplier"), QJsonArray{QStringLiteral("x"), 0}}};
    QVERIFY(!FreezePlan::fromJson(json).valid(4));
    QVERIFY(!FreezePlan::fromJson(QJsonObject{}).valid(4));
}

QTEST_APPLESS_MAIN(tst_FreezePlan)
#include "tst_FreezePlan.moc"
