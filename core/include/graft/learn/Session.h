#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/learn/Config.h"
#include "graft/learn/Model.h"
#include "graft/learn/Results.h"
#include "graft/text/TextDataset.h"
#include "graft/vision/ScanReport.h"

#include <QDateTime>
#include <QJsonObject>

#include <memory>
#include <vector>

namespace graft::learn {

/// The scanned data of a run: an image scan report or a text dataset. Cheap to copy (shared).
class Dataset
{
public:
    Dataset() = default;
    explicit Dataset(vision::ScanReport images);
    explicit Dataset(std::shared_ptr<const text::TextDataset> texts);

    /// Scans config.dataPath for config.kind (images: seed and valFraction of `config` set the
    /// split; texts: its columns). Reports Phase::Scan progress. Blocking problems are an
    /// error naming the data.
    static core::Result<Dataset> scan(const RunConfig &config, Observer *observer = nullptr,
                                      const core::CancelToken &cancel = {});

    bool isEmpty() const { return !m_images && !m_texts; }
    TaskKind kind() const { return m_texts ? TaskKind::Text : TaskKind::Image; }
    const vision::ScanReport *images() const { return m_images.get(); }
    const std::shared_ptr<const text::TextDataset> &texts() const { return m_texts; }
    QStringList classes() const;
    /// Labelled samples of a split ("train", "val", "test" or "all"), the split a run uses.
    /// Labels index classes().
    void samples(const QString &split, const RunConfig &config, std::vector<SampleRef> *refs,
                 std::vector<int> *labels) const;

private:
    std::shared_ptr<const vision::ScanReport> m_images;
    std::shared_ptr<const text::TextDataset> m_texts;
};

/// The epoch after which the checkpoint in `checkpointDir` (RunConfig::checkpointDir) was
/// written; NotFound when there is none.
core::Result<int> checkpointEpoch(const QString &checkpointDir);
/// Removes that checkpoint (a finished run needs no resuming).
void removeCheckpoint(const QString &checkpointDir);

/// The device a setting selects here ("cpu", "cuda:0"); an error when CUDA is asked for and
/// this LibTorch build or machine has none.
core::Result<QString> checkDevice(const QString &name);

/// Which task a dataset path holds: Text for a single file, or for a folder with .txt, .csv
/// or .tsv files and no images; else Image.
TaskKind detectKind(const QString &path);

/// Trains as `config` says (the task's data source and model on the one loop), evaluates the
/// kept weights and writes the run folder (see Runs.h). On cancel, returns the report so far
/// with `cancelled` set. The language model reads its texts itself (`data` may be empty).
core::Result<RunReport> train(const RunConfig &config, const Dataset &data,
                              Observer *observer = nullptr, const core::CancelToken &cancel = {});

/// fastai's lr_find on a fresh model of `config` (never on a trained one): up to 100 batches
/// while the rate grows from 1e-6 to 1.
core::Result<LrFinderResult> findLearningRate(const RunConfig &config, const Dataset &data,
                                              Observer *observer = nullptr,
                                              const core::CancelToken &cancel = {});

/// Text: k-fold cross-validation of `config` against a bag-of-words logistic regression on the
/// same folds. All texts are pooled; no epoch is picked on a held-out fold. Reports
/// Phase::CrossValidate and Notice::Code::FoldFinished per fold.
core::Result<CrossValidation> crossValidate(const RunConfig &config, const Dataset &data, int folds,
                                            Observer *observer = nullptr,
                                            const core::CancelToken &cancel = {});

/// An earlier run, as its folder describes it.
struct RunInfo
{
    QString dir;
    QString id; ///< the folder name
    TaskKind kind = TaskKind::Image;
    QDateTime created;
    QString status; ///< "finished", "cancelled" or "early-stopped"
    double valAccuracy = 0;
    int bestEpoch = 0;
    int epochs = 0;
    QString dataPath;
    QString backboneId;
    QString graftVersion;
};

/// Writes a run folder under `runsDir` (created if needed), atomically: run.json
/// (configuration, epochs, evaluation, timings, Graft version) and model.safetensors, written
/// into a hidden temporary folder that is renamed into place. Returns the folder.
core::Result<QString> saveRun(const RunReport &report, const QString &runsDir);
/// Runs under `runsDir`, newest first; unreadable or half-written folders are left out.
std::vector<RunInfo> listRuns(const QString &runsDir);
core::Result<RunInfo> readRunInfo(const QString &dir);
/// The report and the model of a run folder, ready to evaluate, predict and export.
core::Result<RunReport> loadRun(const QString &dir);

} // namespace graft::learn
