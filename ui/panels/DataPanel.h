#pragma once

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"
#include "graft/text/TextDataset.h"
#include "graft/vision/ScanReport.h"
#include "ui/util/LiveText.h"

#include <QFutureWatcher>
#include <QImage>
#include <QList>
#include <QWidget>

#include <memory>
#include <optional>

class QCustomPlot;
class QCPBars;
class QDoubleSpinBox;
class QLabel;
class QListWidget;
class QProgressBar;
class QPushButton;
class QSpinBox;
class QTableWidget;
class QTreeWidget;
class QGroupBox;

namespace graft::ui {

/// The Data tab: drop or open an image folder, scan it off the GUI thread, show classes and
/// counts, class balance, the split, thumbnails per class and every problem file. A folder of
/// reviews (.txt per review in class folders) or a CSV/TSV file is scanned as text: the same
/// table, review previews instead of thumbnails, and the tokens the model will see.
class DataPanel : public QWidget
{
    Q_OBJECT
public:
    explicit DataPanel(QWidget *parent = nullptr);
    ~DataPanel() override;

    /// Starts scanning `path` (cancels a scan in progress).
    void openFolder(const QString &path);
    QString datasetPath() const { return m_path; }
    int splitSeed() const;
    double valFraction() const;
    void setSplit(int seed, double valFraction);
    bool isScanning() const;
    /// The last successful image scan, or nullptr (also while text is loaded).
    const vision::ScanReport *report() const { return m_report ? &*m_report : nullptr; }
    /// The last successful text scan, or null (also while images are loaded).
    std::shared_ptr<const text::TextDataset> textDataset() const { return m_text; }
    bool isText() const { return m_text != nullptr; }

Q_SIGNALS:
    void scanFinished(bool ok);
    void settingsChanged();

protected:
    void changeEvent(QEvent *event) override;
    void dragEnterEvent(QDragEnterEvent *event) override;
    void dropEvent(QDropEvent *event) override;

private:
    struct ScanOutcome
    {
        std::optional<core::Result<vision::ScanReport>> images;
        std::optional<core::Result<text::TextDataset>> texts;
    };
    using ScanResult = std::shared_ptr<ScanOutcome>;
    void retranslate();
    void showReport();
    void showThumbnails(int classRow);
    void showTextReport();
    void showReviews(int classRow);
    void openProblemFolder();

    QString m_path;
    std::optional<vision::ScanReport> m_report;
    std::shared_ptr<const text::TextDataset> m_text;
    core::CancelToken m_scanCancel;
    QFutureWatcher<ScanResult> m_scanWatcher;
    QFutureWatcher<QList<QImage>> m_thumbWatcher;
    int m_thumbGeneration = 0;

    QLabel *m_dropHint = nullptr;
    QLabel *m_pathLabel = nullptr;
    QPushButton *m_openButton = nullptr;
    QPushButton *m_rescanButton = nullptr;
    QPushButton *m_cancelButton = nullptr;
    QProgressBar *m_progress = nullptr;
    QLabel *m_seedLabel = nullptr;
    QSpinBox *m_seed = nullptr;
    QLabel *m_valLabel = nullptr;
    QDoubleSpinBox *m_valFraction = nullptr;
    QLabel *m_splitLabel = nullptr;
    LiveText m_splitText; ///< m_splitLabel's text, built again on a language switch
    QGroupBox *m_classesBox = nullptr;
    QTableWidget *m_classTable = nullptr;
    QGroupBox *m_balanceBox = nullptr;
    QCustomPlot *m_balancePlot = nullptr;
    QCPBars *m_bars = nullptr;
    QGroupBox *m_thumbBox = nullptr;
    QListWidget *m_thumbnails = nullptr;
    QLabel *m_tokenPreview = nullptr;
    QGroupBox *m_problemsBox = nullptr;
    QTreeWidget *m_problems = nullptr;
    QPushButton *m_openFolderButton = nullptr;
    QLabel *m_blockingLabel = nullptr;
};

} // namespace graft::ui
