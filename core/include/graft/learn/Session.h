#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/learn/Config.h"
#include "graft/learn/Model.h"
#include "graft/learn/Results.h"
#include "graft/text/TextDataset.h"
#include "graft/vision/ScanReport.h"

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
    static core::Result<Dataset> scan(const RunConfig &config,
                                      Observer *observer = nullptr,
                                      const core::CancelToken &cancel = {});

    bool isEmpty() const { return !m_images && !m_texts; }
    TaskKind kind() const { return m_texts ? TaskKind::Text : TaskKind::Image; }
    const vision::ScanReport *images() const { return m_images.get(); }
    const std::shared_ptr<const text::TextDataset> &texts() const { return m_texts; }
    QStringList classes() const;
    /// Labelled samples of a split ("train", "val", "test" or "all"), the split a run uses.
    /// Labels index classes().
    void samples(const QString &split,
                 const RunConfig &config,
                 std::vector<SampleRef> *refs,
                 std::vector<int> *labels) const;

private:
    std::shared_ptr<const vision::ScanReport> m_images;
    std::shared_ptr<const text::TextDataset> m_texts;
};

/// The epoch after which the checkpoint in `checkpointDir` (RunConfig::checkpointDir) was
/// written; NotFound when there is none.
core::Result<int> checkpointEpoch(const QString &checkpointDir);
/// The configuration the run in that checkpoint was started with (its epochs, rates and
/// schedule): a resumed run continues that plan, whatever the settings shown now.
core::Result<RunConfig> checkpointConfig(const QString &checkpointDir);
/// Removes that checkpoint (a finished run needs no resuming).
void removeCheckpoint(const QString &checkpointDir);

/// The device a setting selects here ("cpu", "cuda:0"); an error when CUDA is asked for and
/// this LibTorch build or machine has none.
core::Result<QString> checkDevice(const QString &name);

/// Which task a dataset path holds: Text for a single file, or for a folder with .txt, .csv
/// or .tsv files and no images; else Image.
TaskKind detectKind(const QString &path);

/// Trains as `config` says (the task's data source and model on the one loop), evaluates the
/// kept weights and writes the run folder (saveRun below). On cancel, returns the report so far
/// with `cancelled` set. The language model reads its texts itself (`data` may be empty).
core::Result<RunReport> train(const RunConfig &config,
                              const Dataset &data,
                              Observer *observer = nullptr,
                              const core::CancelToken &cancel = {});

/// fastai's lr_find on a fresh model of `config` (never on a trained one): up to 100 batches
/// while the rate grows from 1e-6 to 1.
core::Result<LrFinderResult> findLearningRate(const RunConfig &config,
                                              const Dataset &data,
                                              Observer *observer = nullptr,
                                              const core::CancelToken &cancel = {});

/// Text: k-fold cross-validation of `config` against a bag-of-words logistic regression on the
/// same folds. All texts are pooled; no epoch is picked on a held-out fold. Reports
/// Phase::CrossValidate and Notice::Code::FoldFinished per fold.
core::Result<CrossValidation> crossValidate(const RunConfig &config,
                                            const Dataset &data,
                                            int folds,
                                            Observer *observer = nullptr,
                                            const core::CancelToken &cancel = {});

/// Writes a run folder under `runsDir` (created if needed), atomically: run.json
/// (configuration, epochs, evaluation, timings, Graft version) and model.safetensors, written
/// into a hidden temporary folder that is renamed into place. Returns the folder.
core::Result<QString> saveRun(const RunReport &report, const QString &runsDir);
/// The report of a run folder; with `withModel`, its model too, ready to evaluate, predict
/// and export.
core::Result<RunReport> loadRun(const QString &dir, bool withModel = true);
/// Runs under `runsDir` (reports without their models), newest first; unreadable or
/// half-written folders are left out.
std::vector<RunReport> listRuns(const QString &runsDir);

} // namespace graft::learn
