#pragma once

#include "graft/learn/Config.h"
#include "graft/vision/BackboneCatalogue.h"
#include "graft/vision/FreezePlan.h"

#include "graft/core/Cancellation.h"
#include "graft/core/Result.h"

#include <QFutureWatcher>
#include <QWidget>

#include <QHash>

#include <atomic>
#include <memory>
#include <optional>

class QButtonGroup;
class QCheckBox;
class QSpinBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QProgressBar;
class QTimer;

namespace graft::ui {

class FreezePicker;

/// The Model tab: backbone picker (catalogue details, weights state) and the freeze picker with
/// one-click recipes.
class ModelPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ModelPanel(QWidget *parent = nullptr);

    QString backboneId() const;
    void setBackboneId(const QString &id);
    QString weightsDir() const;
    void setWeightsDir(const QString &dir);
    learn::Recipe recipe() const { return m_recipe; }
    void setRecipe(learn::Recipe recipe);
    vision::FreezePlan freezePlan() const;
    void setFreezePlan(const vision::FreezePlan &plan);

    /// Text data loaded: show the text model settings (word vectors, head, freezing) instead
    /// of the image backbone and its layer groups.
    void setTextMode(bool text);
    bool isTextMode() const { return m_textMode; }
    /// Writes the text settings shown (vectors file, head, frozen embeddings) into `config`.
    void applyTextTo(learn::TextSettings &config) const;
    /// True while the layer groups of the chosen backbone are being worked out (off the GUI
    /// thread); layerGroupsShown() follows.
    bool isLoadingGroups() const { return !m_groupsFor.isEmpty(); }
    /// The text settings as stored in a project file, and back.
    QJsonObject textSettings() const;
    void setTextSettings(const QJsonObject &settings);

    /// Layer groups shown for a backbone, from core's vision::layerGroups (name and channels);
    /// names derived from the architecture only if the backbone cannot be built.
    static QStringList layerGroupNames(const vision::BackboneSpec &spec);

    /// The language model field (text mode).
    void setLanguageModelPath(const QString &path);

Q_SIGNALS:
    void settingsChanged();
    /// "Train on these reviews..." was clicked.
    void languageModelRequested();
    /// The freeze picker shows the chosen backbone's layer groups.
    void layerGroupsShown();
    /// The user clicked a recipe button (not emitted when a project sets one).
    void recipeChosen(learn::Recipe recipe);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void showBackbone();
    void applyRecipe(learn::Recipe recipe);
    /// The recipe's plan at cut `cut`.
    vision::FreezePlan recipePlan(learn::Recipe recipe, int cut) const;
    /// Highlights the recipe button only while the freeze plan is that recipe's plan.
    void updateRecipeHighlight();
    void importWeights();
    void groupsLoaded();
    void downloadWeights();
    void downloadFinished();

    learn::Recipe m_recipe = learn::Recipe::FeatureExtractor;
    QGroupBox *m_backboneBox = nullptr;
    QComboBox *m_backbone = nullptr;
    QLabel *m_details = nullptr;
    QLabel *m_weightsState = nullptr;
    QLabel *m_weightsDirLabel = nullptr;
    QLineEdit *m_weightsDir = nullptr;
    QPushButton *m_browseWeights = nullptr;
    QPushButton *m_importWeights = nullptr;
    QPushButton *m_download = nullptr;
    QPushButton *m_cancelDownload = nullptr;
    QProgressBar *m_downloadProgress = nullptr;
    QTimer *m_downloadTimer = nullptr;
    QFutureWatcher<core::Result<QString>> *m_downloadWatcher = nullptr;
    core::CancelToken m_downloadCancel;
    /// Written by the download thread, read by m_downloadTimer on the GUI thread.
    std::shared_ptr<std::atomic<qint64>> m_downloadDone = std::make_shared<std::atomic<qint64>>(0);
    std::shared_ptr<std::atomic<qint64>> m_downloadTotal = std::make_shared<std::atomic<qint64>>(0);
    QFutureWatcher<QStringList> *m_groupsWatcher = nullptr;
    QString m_groupsFor; ///< backbone whose groups are being computed (empty = none)
    std::optional<vision::FreezePlan> m_pendingPlan; ///< set while they are
    QHash<QString, QStringList> m_groupNames;
    QFutureWatcher<core::Result<QString>> *m_importWatcher = nullptr;
    QGroupBox *m_freezeBox = nullptr;
    FreezePicker *m_freeze = nullptr;
    QLabel *m_placeholderNote = nullptr;
    QPushButton *m_featureExtractor = nullptr;
    QPushButton *m_fineTune = nullptr;
    QPushButton *m_full = nullptr;
    QPushButton *m_gradual = nullptr;
    QButtonGroup *m_recipeGroup = nullptr;
    bool m_planIsRecipe = true; ///< the freeze plan is m_recipe's plan at its cut

    bool m_textMode = false;
    QGroupBox *m_textBox = nullptr;
    QLabel *m_textIntro = nullptr;
    QLabel *m_vectorsLabel = nullptr;
    QLineEdit *m_vectors = nullptr;
    QLabel *m_languageModelLabel = nullptr;
    QLineEdit *m_languageModel = nullptr;
    QPushButton *m_browseLanguageModel = nullptr;
    QPushButton *m_trainLanguageModel = nullptr;
    QPushButton *m_browseVectors = nullptr;
    QLabel *m_textHeadLabel = nullptr;
    QComboBox *m_textHead = nullptr;
    QCheckBox *m_freezeEmbeddings = nullptr;
    QLabel *m_subwordsLabel = nullptr;
    QSpinBox *m_subwords = nullptr;
};

} // namespace graft::ui
