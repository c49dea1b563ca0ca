#pragma once

#include "graft/learn/Config.h"
#include "ui/controllers/TrainingWorker.h"
#include "ui/util/LiveText.h"

#include <QElapsedTimer>
#include <QJsonArray>
#include <QWidget>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QFormLayout;
class QGroupBox;
class QLabel;
class QPlainTextEdit;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QCustomPlot;

namespace graft::ui {

class LossPlot;
class TrainingController;

/// The Train tab: hyperparameters, learning-rate finder, Train/Stop, live curves and progress.
class TrainPanel : public QWidget
{
    Q_OBJECT
public:
    explicit TrainPanel(TrainingController *controller, QWidget *parent = nullptr);

    /// Writes the hyperparameters shown here into `config` (other fields untouched).
    void applyTo(learn::RunConfig &config) const;
    /// Shows the hyperparameters of `config`.
    void setFrom(const learn::RunConfig &config);
    /// Shows the settings of `kind` only (image-only rows are hidden for text); a learning
    /// rate still at the other kind's default becomes this kind's default.
    void setTaskKind(learn::TaskKind kind);
    LossPlot *lossPlot() const { return m_plot; }
    /// Ticks or clears "Augment" (a recipe was chosen: on when it trains backbone layers, as
    /// graft-cli's --augment auto does).
    void setAugment(bool on);
    bool augment() const;
    /// Overlays the ticked earlier runs' smoothed curves (each run object holds "curve":
    /// [[step, loss]...], "name" and "val_accuracy"), named in the legend; the run whose live
    /// curve is shown (`liveRunDir`) is left out. Kept across the next run's start.
    void showHistory(const QJsonArray &runs, const QString &liveRunDir = QString());

Q_SIGNALS:
    void trainRequested();
    void findLrRequested();
    void settingsChanged();

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void updateButtons();
    void onBatches(const GraftProgressList &batches);
    void onProgress(const learn::Progress &progress);
    void showLrCurve(const learn::LrFinderResult &result);

    TrainingController *m_controller;
    QGroupBox *m_paramsBox = nullptr;
    QFormLayout *m_form = nullptr;
    QSpinBox *m_epochs = nullptr;
    QSpinBox *m_headEpochs = nullptr;
    QSpinBox *m_batchSize = nullptr;
    QDoubleSpinBox *m_learningRate = nullptr;
    QDoubleSpinBox *m_backboneFactor = nullptr;
    QDoubleSpinBox *m_weightDecay = nullptr;
    QDoubleSpinBox *m_labelSmoothing = nullptr;
    QComboBox *m_head = nullptr;
    QComboBox *m_optimizer = nullptr;
    QComboBox *m_schedule = nullptr;
    QCheckBox *m_augment = nullptr;
    QCheckBox *m_balanced = nullptr;
    QSpinBox *m_patience = nullptr;
    QComboBox *m_monitor = nullptr;
    QSpinBox *m_seed = nullptr;
    QPushButton *m_findLr = nullptr;
    QPushButton *m_train = nullptr;
    QPushButton *m_stop = nullptr;
    QLabel *m_status = nullptr;
    LiveText m_statusText; ///< m_status's text, built again on a language switch
    QProgressBar *m_progress = nullptr;
    QLabel *m_throughput = nullptr;
    QLabel *m_eta = nullptr;
    QLabel *m_elapsed = nullptr;
    QLabel *m_epochLabel = nullptr;
    LossPlot *m_plot = nullptr;
    QCustomPlot *m_lrPlot = nullptr;
    QLabel *m_lrHint = nullptr;
    QPlainTextEdit *m_log = nullptr;
    int m_totalEpochs = 0;
    QJsonArray m_history;
    QString m_liveRunDir;
    learn::TaskKind m_kind = learn::TaskKind::Image;
};

} // namespace graft::ui
