// The one training loop and its callbacks, on tiny synthetic tasks (milliseconds each).
#include "graft/core/Runtime.h"
#include "graft/learn/Session.h"
#include "learn/Learner.h"

#include <ATen/CPUGeneratorImpl.h>
#include <torch/nn/modules/dropout.h>
#include <torch/nn/modules/linear.h>

#include <QTemporaryDir>
#include <QThread>
#include <QtTest>

#include <cmath>

using namespace graft;
using namespace graft::learn;

namespace {

/// One scalar weight w, SGD at lr 1 on loss = -w: every batch adds exactly 1 to w. The
/// validation metrics are scripted per epoch, so the kept epoch and early stopping are known.
class ScriptedTask : public TrainTask
{
public:
    explicit ScriptedTask(std::vector<Validation> script, int batches = 2)
        : m_script(std::move(script)), m_batches(batches)
    {
        w = torch::zeros({1}).requires_grad_(true);
    }
    core::Status prepare(Observer *, const core::CancelToken &, QJsonObject &) override
    {
        return {};
    }
    core::Status finish(RunReport &, Observer *, const core::CancelToken &) override { return {}; }
    std::vector<Stage> stages() const override { return {{int(m_script.size()), 1.0}}; }
    std::vector<ParamGroup> beginStage(int) override { return {{{w}, 1.0, false}}; }
    std::optional<std::vector<ParamGroup>> beginEpoch(int) override
    {
        m_batch = 0;
        return std::nullopt;
    }
    qint64 batchesPerEpoch(int) const override { return m_batches; }
    std::optional<StepOutput> nextBatch(int) override
    {
        if (m_batch++ >= m_batches)
            return std::nullopt;
        ++batchesServed;
        if (cancelAfter > 0 && batchesServed == cancelAfter)
            cancel.requestCancel();
        return StepOutput{-w.sum(), 1, 1};
    }
    bool hasValidation() const override { return true; }
    core::Result<Validation> validate(const core::CancelToken &) override
    {
        return m_script[size_t(m_validations++)];
    }
    NamedTensors state() override { return {{"w", w}}; }
    QString fingerprint() const override { return QStringLiteral("scripted"); }

    torch::Tensor w;
    int batchesServed = 0;
    int cancelAfter = 0;
    core::CancelToken cancel;

private:
    std::vector<Validation> m_script;
    int m_batches;
    int m_batch = 0;
    int m_validations = 0;
};

/// Two stages like a fine-tune: 2 quick head epochs, then 2 epochs whose batches take 20 ms
/// each (through the backbone), in another cost class.
class TwoCostTask : public ScriptedTask
{
public:
    TwoCostTask() : ScriptedTask({{0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}, {0.5, 0.5}}, 5) {}
    std::vector<Stage> stages() const override { return {{2, 1.0, 0}, {2, 0.5, 1}}; }
    std::vector<ParamGroup> beginStage(int s) override
    {
        stage = s;
        return ScriptedTask::beginStage(s);
    }
    std::optional<StepOutput> nextBatch(int epoch) override
    {
        if (stage == 1)
            QThread::msleep(20);
        return ScriptedTask::nextBatch(epoch);
    }
    int stage = 0;
};

/// Records the batch progress reports (stage from the epoch: epochs 1-2 are stage 0).
class ProgressLog : public Observer
{
public:
    void progress(const Progress &p) override
    {
        if (p.phase == Phase::Train)
            reports.push_back(p);
    }
    std::vector<Progress> reports;
};

RunConfig sgdConstant(int epochs)
{
    RunConfig c;
    c.epochs = epochs;
    c.learningRate = 1.0;
    c.optimizer = OptimizerKind::Sgd;
    c.momentum = 0;
    c.weightDecay = 0;
    c.schedule = Schedule::Constant;
    return c;
}

/// Two Gaussian blobs in 4-D, a linear classifier with dropout, AdamW: a real little task
/// whose randomness (shuffles, dropout) must replay exactly on resume.
class BlobsTask : public TrainTask
{
public:
    explicit BlobsTask(int epochs) : m_epochs(epochs)
    {
        torch::manual_seed(7);
        x = torch::randn({96, 4});
        y = (x.select(1, 0) + 0.5 * x.select(1, 1) > 0).to(torch::kLong);
        x = x + y.unsqueeze(1).to(torch::kFloat) * 0.8;
        net = torch::nn::Linear(4, 2);
        drop = torch::nn::Dropout(0.3);
    }
    core::Status prepare(Observer *, const core::CancelToken &, QJsonObject &) override
    {
        return {};
    }
    core::Status finish(RunReport &, Observer *, const core::CancelToken &) override { return {}; }
    std::vector<Stage> stages() const override { return {{m_epochs, 1.0}}; }
    std::vector<ParamGroup> beginStage(int) override { return {{net->parameters(), 1.0, true}}; }
    std::optional<std::vector<ParamGroup>> beginEpoch(int) override
    {
        m_epoch = 0;
        drop->train();
        return std::nullopt;
    }
    qint64 batchesPerEpoch(int) const override { return 4; }
    std::optional<StepOutput> nextBatch(int epoch) override
    {
        if (m_epoch != epoch) {
            m_epoch = epoch;
            m_pos = 0;
            torch::Generator gen = at::detail::createCPUGenerator(std::uint64_t(epoch));
            m_perm = torch::randperm(64, gen);
        }
        if (m_pos >= 64)
            return std::nullopt;
        const auto idx = m_perm.slice(0, m_pos, m_pos + 16);
        m_pos += 16;
        const torch::Tensor logits = net->forward(drop->forward(x.index_select(0, idx)));
        const torch::Tensor labels = y.index_select(0, idx);
        return StepOutput{torch::cross_entropy_loss(logits, labels), 16,
                          logits.argmax(1).eq(labels).sum().item<std::int64_t>()};
    }
    bool hasValidation() const override { return true; }
    core::Result<Validation> validate(const core::CancelToken &) override
    {
        torch::NoGradGuard ng;
        const torch::Tensor logits = net->forward(x.slice(0, 64));
        const torch::Tensor labels = y.slice(0, 64);
        return Validation{torch::cross_entropy_loss(logits, labels).item<double>(),
                          logits.argmax(1).eq(labels).to(torch::kFloat).mean().item<double>()};
    }
    NamedTensors state() override { return moduleState(*net); }
    QString fingerprint() const override { return QStringLiteral("blobs"); }

    torch::Tensor x, y;
    torch::nn::Linear net{nullptr};
    torch::nn::Dropout drop{nullptr};

private:
    int m_epochs;
    int m_epoch = 0;
    std::int64_t m_pos = 0;
    torch::Tensor m_perm;
};

/// Cancels after a given epoch (a stop pressed between epochs, or a killed process).
class StopAfterEpoch : public Observer
{
public:
    StopAfterEpoch(int epoch, core::CancelToken cancel)
        : m_epoch(epoch), m_cancel(std::move(cancel))
    {}
    void epochFinished(const EpochMetrics &m) override
    {
        if (m.epoch == m_epoch)
            m_cancel.requestCancel();
    }
    void notice(const Notice &n) override { notices.push_back(n); }
    std::vector<Notice> notices;

private:
    int m_epoch;
    core::CancelToken m_cancel;
};

/// fastai's SchedCos and combine_scheds, written out independently of the engine.
double fastaiOneCycle(double pos, double pct = 0.25)
{
    const auto schedCos = [](double start, double end, double p) {
        return start + (1 + std::cos(M_PI * (1 - p))) * (end - start) / 2;
    };
    if (pos < pct)
        return schedCos(1.0 / 25, 1.0, pos / pct);
    return schedCos(1.0, 1.0 / 1e5, (pos - pct) / (1 - pct));
}

} // namespace

class tst_Learner : public QObject
{
    Q_OBJECT

private Q_SLOTS:
    void initTestCase() { core::initRuntime(1); }

    void scheduleValuesAreFastais()
    {
        const qint64 total = 200;
        for (qint64 step : {0, 1, 25, 49, 50, 51, 100, 150, 199}) {
            const double pos = double(step) / double(total);
            QCOMPARE(scheduleFactor(Schedule::OneCycle, 0.25, step, total), fastaiOneCycle(pos));
        }
        // fit_one_cycle: starts at max/25, peaks at the end of the warm-up, ends near max/1e5.
        QVERIFY(std::abs(scheduleFactor(Schedule::OneCycle, 0.25, 0, 100) - 0.04) < 1e-12);
        QVERIFY(std::abs(scheduleFactor(Schedule::OneCycle, 0.25, 25, 100) - 1.0) < 1e-12);
        QVERIFY(scheduleFactor(Schedule::OneCycle, 0.25, 99, 100) < 1e-3);
        QVERIFY(scheduleFactor(Schedule::OneCycle, 0.25, 99, 100) > 1e-5);
        // Cosine: linear warm-up from 0, then cosine to 0.
        QCOMPARE(scheduleFactor(Schedule::Cosine, 0.25, 0, 100), 0.0);
        QCOMPARE(scheduleFactor(Schedule::Cosine, 0.25, 10, 100), 0.4);
        QVERIFY(std::abs(scheduleFactor(Schedule::Cosine, 0.25, 25, 100) - 1.0) < 1e-12);
        QVERIFY(std::abs(scheduleFactor(Schedule::Cosine, 0.25, 625, 1000) - 0.5) < 1e-12);
        QCOMPARE(scheduleFactor(Schedule::Constant, 0.25, 37, 100), 1.0);
        // The same names everywhere; the old text name still reads.
        Schedule s = Schedule::OneCycle;
        QVERIFY(parse(QStringLiteral("cosine-warmup"), &s));
        QCOMPARE(s, Schedule::Cosine);
        QCOMPARE(QString::fromLatin1(nameOf(Schedule::Cosine)), QStringLiteral("cosine"));
    }

    // Issue 15, item 4: the time left is timed per stage. While the quick head stage runs, the
    // slower stage after it is not in the estimate, and the report says so; once it runs, the
    // estimate comes from its own batches (at least 20 ms each), not from an average with the
    // quick ones that would promise far too little.
    void timeLeftIsTimedPerStage()
    {
        TwoCostTask task;
        RunConfig c = sgdConstant(4);
        ProgressLog log;
        Learner l(task, c, &log, {});
        l.addStandardCallbacks(true);
        QVERIFY(l.fit().ok());
        QCOMPARE(int(log.reports.size()), 20);
        for (const Progress &p : log.reports) {
            const bool head = p.epoch <= 2;
            QCOMPARE(p.etaPartial, head);
            const qint64 left = p.total - p.done; // batches still to run
            if (!head)
                QVERIFY2(
                    p.etaSeconds >= 0.02 * double(left) * 0.999,
                    qPrintable(QStringLiteral("%1 s for %2 batches").arg(p.etaSeconds).arg(left)));
            else
                QVERIFY(p.etaSeconds >= 0 && p.etaSeconds < 0.02 * double(left));
        }
        QCOMPARE(log.reports.back().etaSeconds, 0.0);
    }

    void keptEpochRule()
    {
        EpochMetrics a, b;
        a.valAccuracy = 0.8, a.valLoss = 0.5;
        b.valAccuracy = 0.8, b.valLoss = 0.4;
        QVERIFY(isBetter(b, a, Monitor::ValAccuracy)); // tie on accuracy: lower loss
        QVERIFY(!isBetter(a, b, Monitor::ValAccuracy));
        b.valAccuracy = 0.75;
        QVERIFY(!isBetter(b, a, Monitor::ValAccuracy));
        QVERIFY(isBetter(b, a, Monitor::ValLoss));
        QVERIFY(!isBetter(a, a, Monitor::ValLoss));
    }

    void keepsTheBestEpochsWeights_data()
    {
        QTest::addColumn<int>("monitor");
        QTest::addColumn<int>("bestEpoch");
        QTest::newRow("accuracy") << int(Monitor::ValAccuracy) << 5;
        QTest::newRow("loss") << int(Monitor::ValLoss) << 2;
    }
    void keepsTheBestEpochsWeights()
    {
        QFETCH(int, monitor);
        QFETCH(int, bestEpoch);
        // Epoch 2 has the lowest loss; epochs 4 and 5 tie on accuracy, 5 with the lower loss.
        ScriptedTask task({{0.9, 0.5}, {0.3, 0.7}, {0.6, 0.6}, {0.5, 0.8}, {0.45, 0.8}});
        RunConfig c = sgdConstant(5);
        c.monitor = Monitor(monitor);
        Learner l(task, c, nullptr, {});
        l.addStandardCallbacks();
        QVERIFY(l.fit().ok());
        QCOMPARE(int(l.history.size()), 5);
        QCOMPARE(l.bestEpoch, bestEpoch);
        QCOMPARE(task.w.item<float>(), float(2 * bestEpoch)); // 2 batches of +1 per epoch
        for (const auto &e : l.history)
            QCOMPARE(e.best, e.epoch == bestEpoch);
    }

    void earlyStoppingCountsEpochsWithoutImprovement()
    {
        ScriptedTask task({{0.9, 0.5}, {0.3, 0.8}, {0.6, 0.7}, {0.5, 0.7}, {0.7, 0.9}, {0.7, 0.9}});
        RunConfig c = sgdConstant(6);
        c.patience = 2;
        StopAfterEpoch obs(99, {});
        Learner l(task, c, &obs, {});
        l.addStandardCallbacks();
        QVERIFY(l.fit().ok());
        QVERIFY(l.earlyStopped);
        QCOMPARE(int(l.history.size()), 4); // best at 2, then 3 and 4 without improvement
        QCOMPARE(task.w.item<float>(), 4.0f);
        QCOMPARE(int(obs.notices.size()), 1);
        QCOMPARE(obs.notices.front().code, Notice::Code::EarlyStopped);
        QCOMPARE(obs.notices.front().args, QStringList({"4", "2", "val_accuracy"}));
    }

    void nanGuardRestoresTheEpochsStart()
    {
        ScriptedTask task({{1, 0.1}, {1, 0.2}, {1, 0.3}, {1, 0.4}});
        RunConfig c = sgdConstant(4);
        c.injectNanAtStep = 5; // epoch 3, batch 2
        Learner l(task, c, nullptr, {});
        l.addStandardCallbacks();
        const core::Status s = l.fit();
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, core::ErrorCode::NumericalError);
        QVERIFY(s.error().detail.contains(QStringLiteral("epoch 3, batch 2")));
        QCOMPARE(task.w.item<float>(), 4.0f); // as after epoch 2, not 5
    }

    void cancelStopsWithinOneBatch()
    {
        ScriptedTask task({{1, 0.1}, {1, 0.2}, {1, 0.3}}, 5);
        task.cancelAfter = 7; // during epoch 2
        Learner l(task, sgdConstant(3), nullptr, task.cancel);
        l.addStandardCallbacks();
        QVERIFY(l.fit().ok());
        QVERIFY(l.cancelled);
        QCOMPARE(task.batchesServed, 7); // no batch after the one that asked
        QCOMPARE(int(l.history.size()), 1);
        QCOMPARE(task.w.item<float>(), 5.0f); // the kept epoch's weights
    }

    void resumeContinuesExactlyAsAnUninterruptedRun()
    {
        QTemporaryDir dir;
        RunConfig c;
        c.epochs = 6;
        c.learningRate = 0.05;
        c.checkpointDir = dir.filePath(QStringLiteral("ckpt"));
        // Uninterrupted.
        BlobsTask whole(6);
        {
            RunConfig once = c;
            once.checkpointDir.clear();
            Learner l(whole, once, nullptr, {});
            l.addStandardCallbacks();
            QVERIFY(l.fit().ok());
        }
        // Stopped after epoch 3 (a checkpoint each epoch), then resumed by a new process.
        {
            BlobsTask first(6);
            core::CancelToken cancel;
            StopAfterEpoch stop(3, cancel);
            Learner l(first, c, &stop, cancel);
            l.addStandardCallbacks();
            QVERIFY(l.fit().ok());
            QVERIFY(l.cancelled);
            QCOMPARE(int(l.history.size()), 3);
        }
        torch::manual_seed(12345); // whatever the new process's random state is
        BlobsTask second(6);
        RunConfig resumed = c;
        resumed.resume = true;
        StopAfterEpoch notices(99, {});
        Learner l(second, resumed, &notices, {});
        l.addStandardCallbacks();
        QVERIFY(l.fit().ok());
        QCOMPARE(int(l.history.size()), 6);
        QCOMPARE(notices.notices.front().code, Notice::Code::Resumed);
        const auto a = whole.state(), b = second.state();
        for (size_t i = 0; i < a.size(); ++i)
            QCOMPARE(torch::equal(a[i].second, b[i].second), true);
        // Other data or settings are refused.
        struct Renamed : BlobsTask
        {
            using BlobsTask::BlobsTask;
            QString fingerprint() const override { return QStringLiteral("other data"); }
        } renamed(6);
        Learner refused(renamed, resumed, nullptr, {});
        refused.addStandardCallbacks();
        const core::Status s = refused.fit();
        QVERIFY(!s.ok());
        QCOMPARE(s.error().code, core::ErrorCode::InvalidArgument);
    }

    void learningRateFinderSweepsAndRestores()
    {
        BlobsTask task(1000);
        const auto before = cloneTensors(task.state());
        RunConfig c;
        c.epochs = 1000;
        c.learningRate = 1.0;
        LrFinderResult r;
        Learner l(task, c, nullptr, {});
        l.add(lrFinderCallback(&r));
        QVERIFY(l.fit().ok());
        QVERIFY(r.learningRates.size() > 20 && r.learningRates.size() <= 100);
        QCOMPARE(r.learningRates.front(), 1e-6);
        for (size_t i = 1; i < r.learningRates.size(); ++i)
            QVERIFY(r.learningRates[i] > r.learningRates[i - 1]);
        QVERIFY(r.suggested >= 1e-5 && r.suggested <= 0.1);
        const auto after = task.state();
        for (size_t i = 0; i < after.size(); ++i)
            QCOMPARE(torch::equal(after[i].second, before[i].second), true);
    }
};

QTEST_APPLESS_MAIN(tst_Learner)
#include "tst_Learner.moc"
