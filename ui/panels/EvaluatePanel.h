#pragma once

#include "graft/learn/Results.h"

#include <QFutureWatcher>
#include <QImage>
#include <QList>
#include <QWidget>

class QCPColorMap;
class QCustomPlot;
class QGroupBox;
class QLabel;
class QListWidget;
class QListWidgetItem;
class QPushButton;
class QTableWidget;
class QTextBrowser;

namespace graft::ui {

class TrainingController;

/// The Evaluate tab: confusion matrix (click a cell to filter), per-class precision/recall/F1
/// and the misclassified images, worst first, with a large view and Grad-CAM. For a text model,
/// the misclassified reviews, worst first; selecting one shows it with the words that pushed
/// the prediction highlighted (occlusion, computed on the training thread).
class EvaluatePanel : public QWidget
{
    Q_OBJECT
public:
    explicit EvaluatePanel(TrainingController *controller, QWidget *parent = nullptr);
    ~EvaluatePanel() override;

    /// Shows the validation of a run (images or reviews).
    void showReport(const learn::RunReport &report);
    /// Restricts the gallery to one confusion cell; -1, -1 shows all mistakes.
    void setFilter(int trueLabel, int predicted);
    int galleryCount() const;

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void fillGallery();
    void openItem(QListWidgetItem *item);
    void explainItem(QListWidgetItem *item);

    TrainingController *m_controller;
    QStringList m_classes;
    learn::Evaluation m_eval;
    bool m_text = false;
    QString m_pendingExplain; ///< text whose explanation was asked for last
    int m_filterTrue = -1;
    int m_filterPred = -1;
    QFutureWatcher<QList<QImage>> m_thumbWatcher;
    QHash<QString, QImage>
        m_thumbCache; ///< gallery thumbnails by file, so that filtering is instant

    QLabel *m_summary = nullptr;
    QGroupBox *m_confusionBox = nullptr;
    QCustomPlot *m_confusionPlot = nullptr;
    QCPColorMap *m_confusion = nullptr;
    QGroupBox *m_metricsBox = nullptr;
    QTableWidget *m_metrics = nullptr;
    QGroupBox *m_galleryBox = nullptr;
    QListWidget *m_gallery = nullptr;
    QPushButton *m_showAll = nullptr;
    QTextBrowser *m_explanation = nullptr;
};

} // namespace graft::ui
