#pragma once

#include "ui/controllers/TrainingWorker.h"

#include <QFutureWatcher>
#include <QWidget>

class QCPBars;
class QCustomPlot;
class QLabel;
class QPlainTextEdit;
class QTextBrowser;
class QPushButton;
class QSpinBox;
class QTreeWidget;

namespace graft::ui {

class TrainingController;

/// The Predict tab: drop images or a folder, see the top-k classes per image, save as CSV.
/// With a text model: type or paste a review (or drop .txt files) and see the classes and the
/// words that decided.
class PredictPanel : public QWidget
{
    Q_OBJECT
public:
    explicit PredictPanel(TrainingController *controller, QWidget *parent = nullptr);

    /// Runs the trained model on these files: images (folders are expanded to their images,
    /// off the GUI thread) or, for a text model, text files.
    void predictFiles(const QStringList &paths);
    /// Text model: classifies these texts.
    void predictTexts(const QStringList &texts);
    /// Writes file,rank,class,probability rows atomically.
    bool saveCsv(const QString &path) const;

protected:
    void changeEvent(QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    void retranslate();
    void showResults(const learn::Predictions &predictions);
    void showBars(int row);
    void setTextMode(bool text);

    TrainingController *m_controller;
    learn::Predictions m_predictions;
    QStringList m_classes;
    QLabel *m_hint = nullptr;
    QPushButton *m_add = nullptr;
    QPushButton *m_save = nullptr;
    QLabel *m_topKLabel = nullptr;
    QSpinBox *m_topK = nullptr;
    QTreeWidget *m_results = nullptr;
    QCustomPlot *m_plot = nullptr;
    QCPBars *m_bars = nullptr;
    bool m_textMode = false;
    QStringList m_texts; ///< the texts of the last text prediction, by row
    QString m_pendingExplain;
    QLabel *m_textLabel = nullptr;
    QPlainTextEdit *m_textInput = nullptr;
    QPushButton *m_classify = nullptr;
    QTextBrowser *m_explanation = nullptr;
    /// Dropped paths read off the GUI thread: images found in folders, or text files' texts.
    struct Gathered
    {
        GraftSampleRefs inputs;
        QString error;
    };
    QFutureWatcher<Gathered> m_gather;
};

} // namespace graft::ui
