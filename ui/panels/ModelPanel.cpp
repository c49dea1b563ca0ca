#include "ui/panels/ModelPanel.h"

#include "ui/util/ErrorText.h"
#include "ui/widgets/FreezePicker.h"

#include "graft/io/Downloader.h"

#include <cmath>

#include <QButtonGroup>
#include <QCheckBox>
#include <QComboBox>
#include <QDir>
#include <QEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QFormLayout>
#include <QGridLayout>
#include <QGroupBox>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QLocale>
#include <QMessageBox>
#include <QProgressBar>
#include <QPushButton>
#include <QSettings>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>
#include <QtConcurrent>

namespace graft::ui {

QStringList ModelPanel::layerGroupNames(const vision::BackboneSpec &spec)
{
    if (auto groups = vision::layerGroups(spec)) {
        QStringList out;
        for (const auto &g : *groups)
            out << tr("%1 (%2 channels)").arg(g.name).arg(g.outChannels);
        return out;
    }
    const QString arch = spec.architecture;
    QStringList names;
    auto numbered = [&names](const QString &prefix, int from, int to) {
        for (int i = from; i <= to; ++i)
            names << prefix + QString::number(i);
    };
    if (arch.contains(QLatin1String("mobilenet_v1"))) {
        names << QStringLiteral("stem");
        numbered(QStringLiteral("block"), 1, 13);
    } else if (arch.contains(QLatin1String("mobilenet_v2"))) {
        names << QStringLiteral("stem");
        numbered(QStringLiteral("block"), 1, 17);
        names << QStringLiteral("head_conv");
    } else if (arch.contains(QLatin1String("cifar"))) {
        names << QStringLiteral("stem");
        numbered(QStringLiteral("stage"), 1, 3);
    } else if (arch.contains(QLatin1String("resnet"))) {
        names << QStringLiteral("stem");
        numbered(QStringLiteral("layer"), 1, 4);
    } else if (arch.contains(QLatin1String("efficientnet"))) {
        names << QStringLiteral("stem");
        numbered(QStringLiteral("stage"), 1, 7);
        names << QStringLiteral("head_conv");
    } else {
        names << QStringLiteral("stem") << QStringLiteral("body") << QStringLiteral("top");
    }
    return names;
}

ModelPanel::ModelPanel(QWidget *parent) : QWidget(parent)
{
    m_backboneBox = new QGroupBox(this);
    m_backbone = new QComboBox(m_backboneBox);
    m_backbone->setObjectName(QStringLiteral("backbone"));
    // Long names (with their weights note) must not widen the window: the popup shows them whole.
    m_backbone->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
    m_backbone->setMinimumContentsLength(28);
    for (const vision::BackboneSpec &spec : vision::BackboneCatalogue::builtin().all()) {
        if (spec.task.isEmpty() || spec.task == QLatin1String("image"))
            m_backbone->addItem(spec.displayName.isEmpty() ? spec.id : spec.displayName, spec.id);
    }
    m_details = new QLabel(m_backboneBox);
    m_details->setWordWrap(true);
    m_details->setTextFormat(Qt::RichText);
    m_weightsState = new QLabel(m_backboneBox);
    m_weightsState->setWordWrap(true); // the download URL is long: wrap, do not widen the window
    m_weightsState->setObjectName(QStringLiteral("weightsState"));
    m_weightsDirLabel = new QLabel(m_backboneBox);
    // The folder chosen last time (a project's own folder replaces it when one is opened).
    const QString lastDir = QSettings().value(QStringLiteral("model/weightsDir")).toString();
    m_weightsDir = new QLineEdit(
        !lastDir.isEmpty() && QFileInfo(lastDir).isDir() ? lastDir : vision::resolveWeightsDir(),
        m_backboneBox);
    m_weightsDir->setObjectName(QStringLiteral("weightsDir"));
    m_browseWeights = new QPushButton(m_backboneBox);
    m_importWeights = new QPushButton(m_backboneBox);
    m_download = new QPushButton(m_backboneBox);
    m_cancelDownload = new QPushButton(m_backboneBox);
    m_cancelDownload->setVisible(false);
    m_downloadProgress = new QProgressBar(m_backboneBox);
    m_downloadProgress->setVisible(false);
    m_downloadTimer = new QTimer(this);
    m_downloadTimer->setInterval(100);
    m_downloadWatcher = new QFutureWatcher<core::Result<QString>>(this);
    m_importWatcher = new QFutureWatcher<core::Result<QString>>(this);
    m_groupsWatcher = new QFutureWatcher<QStringList>(this);
    auto *dirRow = new QHBoxLayout;
    dirRow->addWidget(m_weightsDirLabel);
    dirRow->addWidget(m_weightsDir, 1);
    dirRow->addWidget(m_browseWeights);
    auto *backboneLayout = new QVBoxLayout(m_backboneBox);
    backboneLayout->addWidget(m_backbone);
    backboneLayout->addWidget(m_details);
    backboneLayout->addWidget(m_weightsState);
    backboneLayout->addLayout(dirRow);
    auto *weightsRow = new QHBoxLayout;
    weightsRow->addWidget(m_download);
    weightsRow->addWidget(m_downloadProgress, 1);
    weightsRow->addWidget(m_cancelDownload);
    weightsRow->addWidget(m_importWeights);
    weightsRow->addStretch(0);
    backboneLayout->addLayout(weightsRow);
    backboneLayout->addStretch(1);

    m_freezeBox = new QGroupBox(this);
    m_freeze = new FreezePicker(m_freezeBox);
    m_placeholderNote = new QLabel(m_freezeBox);
    m_placeholderNote->setWordWrap(true);
    m_placeholderNote->setStyleSheet(QStringLiteral("color: #8a6d3b;"));
    m_featureExtractor = new QPushButton(m_freezeBox);
    m_fineTune = new QPushButton(m_freezeBox);
    m_full = new QPushButton(m_freezeBox);
    m_gradual = new QPushButton(m_freezeBox);
    m_recipeGroup = new QButtonGroup(this);
    int id = 0;
    for (QPushButton *b : {m_featureExtractor, m_fineTune, m_full, m_gradual}) {
        b->setCheckable(true);
        m_recipeGroup->addButton(b, id++);
    }
    m_featureExtractor->setChecked(true);
    // Two rows: four recipe names in one row (Spanish ones are long) widened the window.
    auto *recipes = new QGridLayout;
    recipes->addWidget(m_featureExtractor, 0, 0);
    recipes->addWidget(m_fineTune, 0, 1);
    recipes->addWidget(m_full, 1, 0);
    recipes->addWidget(m_gradual, 1, 1);
    auto *freezeLayout = new QVBoxLayout(m_freezeBox);
    freezeLayout->addLayout(recipes);
    freezeLayout->addWidget(m_freeze, 1);
    freezeLayout->addWidget(m_placeholderNote);

    m_textBox = new QGroupBox(this);
    m_textBox->setObjectName(QStringLiteral("textModelBox"));
    m_textIntro = new QLabel(m_textBox);
    m_textIntro->setWordWrap(true);
    m_vectorsLabel = new QLabel(m_textBox);
    m_vectors = new QLineEdit(m_textBox);
    m_vectors->setObjectName(QStringLiteral("wordVectors"));
    m_browseVectors = new QPushButton(m_textBox);
    m_textHeadLabel = new QLabel(m_textBox);
    m_textHead = new QComboBox(m_textBox);
    m_textHead->setObjectName(QStringLiteral("textHead"));
    for (learn::TextHead h :
         {learn::TextHead::MeanMax, learn::TextHead::Cnn, learn::TextHead::BiLstm})
        m_textHead->addItem(QString(), QString::fromLatin1(learn::nameOf(h)));
    m_freezeEmbeddings = new QCheckBox(m_textBox);
    m_freezeEmbeddings->setObjectName(QStringLiteral("freezeEmbeddings"));
    m_subwordsLabel = new QLabel(m_textBox);
    m_subwords = new QSpinBox(m_textBox);
    m_subwords->setObjectName(QStringLiteral("subwords"));
    m_subwords->setRange(0, 100000);
    m_subwords->setSingleStep(1000);
    m_languageModelLabel = new QLabel(m_textBox);
    m_languageModel = new QLineEdit(m_textBox);
    m_languageModel->setObjectName(QStringLiteral("languageModel"));
    m_browseLanguageModel = new QPushButton(m_textBox);
    m_trainLanguageModel = new QPushButton(m_textBox);
    m_trainLanguageModel->setObjectName(QStringLiteral("trainLanguageModel"));
    auto *vectorsRow = new QHBoxLayout;
    vectorsRow->addWidget(m_vectors, 1);
    vectorsRow->addWidget(m_browseVectors);
    auto *lmRow = new QHBoxLayout;
    lmRow->addWidget(m_languageModel, 1);
    lmRow->addWidget(m_browseLanguageModel);
    lmRow->addWidget(m_trainLanguageModel);
    auto *textForm = new QFormLayout;
    textForm->addRow(m_vectorsLabel, vectorsRow);
    textForm->addRow(m_languageModelLabel, lmRow);
    textForm->addRow(m_textHeadLabel, m_textHead);
    textForm->addRow(m_subwordsLabel, m_subwords);
    textForm->addRow(QString(), m_freezeEmbeddings);
    auto *textLayout = new QVBoxLayout(m_textBox);
    textLayout->addWidget(m_textIntro);
    textLayout->addLayout(textForm);
    textLayout->addStretch(1);
    m_textBox->setVisible(false);
    connect(m_browseVectors, &QPushButton::clicked, this, [this] {
        const QString file =
            QFileDialog::getOpenFileName(this, tr("Word vectors"), m_vectors->text(),
                                         tr("Word vectors (*.txt *.vec *.bin);;All files (*)"));
        if (!file.isEmpty())
            m_vectors->setText(file);
    });
    connect(m_browseLanguageModel, &QPushButton::clicked, this, [this] {
        const QString file = QFileDialog::getOpenFileName(
            this, tr("Language model"), m_languageModel->text(),
            tr("Graft language models (*.lm *.safetensors);;All files (*)"));
        if (!file.isEmpty())
            m_languageModel->setText(file);
    });
    connect(m_trainLanguageModel, &QPushButton::clicked, this, &ModelPanel::languageModelRequested);
    // A language model brings its own words and vectors: the two choices exclude each other.
    connect(m_languageModel, &QLineEdit::textChanged, this, [this](const QString &t) {
        const bool lm = !t.trimmed().isEmpty();
        m_vectors->setEnabled(!lm);
        m_browseVectors->setEnabled(!lm);
        m_textHead->setEnabled(!lm);
        if (lm)
            m_textHead->setCurrentIndex(
                m_textHead->findData(QString::fromLatin1(learn::nameOf(learn::TextHead::BiLstm))));
        Q_EMIT settingsChanged();
    });
    connect(m_vectors, &QLineEdit::textChanged, this, &ModelPanel::settingsChanged);
    connect(m_textHead, &QComboBox::currentIndexChanged, this, &ModelPanel::settingsChanged);
    connect(m_freezeEmbeddings, &QCheckBox::toggled, this, &ModelPanel::settingsChanged);
    connect(m_subwords, &QSpinBox::valueChanged, this, &ModelPanel::settingsChanged);

    auto *layout = new QHBoxLayout(this);
    layout->addWidget(m_backboneBox, 1);
    layout->addWidget(m_freezeBox, 1);
    layout->addWidget(m_textBox, 2);

    connect(m_backbone, &QComboBox::currentIndexChanged, this, [this] {
        showBackbone();
        Q_EMIT settingsChanged();
    });
    connect(m_weightsDir, &QLineEdit::editingFinished, this, [this] {
        QSettings().setValue(QStringLiteral("model/weightsDir"), m_weightsDir->text());
        showBackbone();
        Q_EMIT settingsChanged();
    });
    connect(m_browseWeights, &QPushButton::clicked, this, [this] {
        const QString dir =
            QFileDialog::getExistingDirectory(this, tr("Weights folder"), m_weightsDir->text());
        if (!dir.isEmpty())
            setWeightsDir(dir);
    });
    connect(m_importWeights, &QPushButton::clicked, this, &ModelPanel::importWeights);
    connect(m_download, &QPushButton::clicked, this, &ModelPanel::downloadWeights);
    connect(m_cancelDownload, &QPushButton::clicked, this,
            [this] { m_downloadCancel.requestCancel(); });
    connect(m_downloadTimer, &QTimer::timeout, this, [this] {
        const qint64 total = m_downloadTotal->load();
        m_downloadProgress->setRange(0, total > 0 ? 1000 : 0);
        if (total > 0)
            m_downloadProgress->setValue(int(1000 * m_downloadDone->load() / total));
    });
    connect(m_downloadWatcher, &QFutureWatcher<core::Result<QString>>::finished, this,
            &ModelPanel::downloadFinished);
    connect(m_groupsWatcher, &QFutureWatcher<QStringList>::finished, this,
            &ModelPanel::groupsLoaded);
    connect(m_importWatcher, &QFutureWatcher<core::Result<QString>>::finished, this, [this] {
        m_importWeights->setEnabled(true);
        const core::Result<QString> imported = m_importWatcher->result();
        if (!imported)
            QMessageBox::warning(
                this, tr("Import weights"),
                tr("Could not import the file:\n%1").arg(ErrorText::describe(imported.error())));
        showBackbone();
    });
    connect(m_recipeGroup, &QButtonGroup::idClicked, this, [this](int recipeId) {
        applyRecipe(learn::Recipe(recipeId));
        Q_EMIT settingsChanged();
        Q_EMIT recipeChosen(learn::Recipe(recipeId));
    });
    connect(m_freeze, &FreezePicker::planChanged, this, [this] {
        updateRecipeHighlight();
        Q_EMIT settingsChanged();
    });
    // Moving the cut keeps the recipe: "fine-tune top" trains the top groups below the new cut
    // (cutting them off left nothing trainable). A plan edited by hand keeps its flags.
    connect(m_freeze, &FreezePicker::cutDragged, this, [this](int cut) {
        if (m_planIsRecipe)
            m_freeze->setPlan(recipePlan(m_recipe, cut));
    });

    const int mobile = m_backbone->findData(QStringLiteral("mobilenet_v2_imagenet"));
    if (mobile >= 0)
        m_backbone->setCurrentIndex(mobile);
    showBackbone();
    retranslate();
}

QString ModelPanel::backboneId() const
{
    return m_backbone->currentData().toString();
}

void ModelPanel::setBackboneId(const QString &id)
{
    const int index = m_backbone->findData(id);
    if (index >= 0)
        m_backbone->setCurrentIndex(index);
}

QString ModelPanel::weightsDir() const
{
    return m_weightsDir->text();
}

void ModelPanel::setWeightsDir(const QString &dir)
{
    m_weightsDir->setText(dir);
    QSettings().setValue(QStringLiteral("model/weightsDir"), dir);
    showBackbone();
    Q_EMIT settingsChanged();
}

void ModelPanel::setRecipe(learn::Recipe recipe)
{
    m_recipe = recipe;
    if (QAbstractButton *b = m_recipeGroup->button(int(recipe)))
        b->setChecked(true);
}

vision::FreezePlan ModelPanel::recipePlan(learn::Recipe recipe, int cut) const
{
    switch (recipe) {
    case learn::Recipe::FeatureExtractor:
        return vision::FreezePlan::featureExtractor(cut);
    case learn::Recipe::FineTune:
        return vision::FreezePlan::fineTuneTop(cut, qMin(2, cut));
    case learn::Recipe::Full:
    case learn::Recipe::GradualUnfreeze:
        return vision::FreezePlan::full(cut);
    }
    return vision::FreezePlan::featureExtractor(cut);
}

void ModelPanel::updateRecipeHighlight()
{
    const vision::FreezePlan plan = m_freeze->plan();
    const vision::FreezePlan expected = recipePlan(m_recipe, plan.cutAt);
    bool same = plan.trainable == expected.trainable;
    for (size_t g = 0; same && g < plan.lrMultiplier.size(); ++g)
        same =
            !plan.trainable[g] || std::abs(plan.lrMultiplier[g] - expected.lrMultiplier[g]) < 1e-9;
    // A plan edited by hand is no recipe's: no button stays lit as if it were.
    m_planIsRecipe = same;
    m_recipeGroup->setExclusive(false);
    for (QAbstractButton *b : m_recipeGroup->buttons())
        b->setChecked(same && m_recipeGroup->id(b) == int(m_recipe));
    m_recipeGroup->setExclusive(true);
}

vision::FreezePlan ModelPanel::freezePlan() const
{
    return isLoadingGroups() && m_pendingPlan ? *m_pendingPlan : m_freeze->plan();
}

void ModelPanel::setFreezePlan(const vision::FreezePlan &plan)
{
    if (isLoadingGroups())
        m_pendingPlan = plan; // shown once the groups are known
    else
        m_freeze->setPlan(plan);
    updateRecipeHighlight();
}

void ModelPanel::applyRecipe(learn::Recipe recipe)
{
    setRecipe(recipe);
    m_freeze->setPlan(recipePlan(recipe, int(m_freeze->groups().size())));
    updateRecipeHighlight();
}

void ModelPanel::showBackbone()
{
    const vision::BackboneSpec *spec = vision::BackboneCatalogue::builtin().find(backboneId());
    if (!spec) {
        m_details->clear();
        m_weightsState->clear();
        m_freeze->setGroups({});
        return;
    }
    if (!m_groupNames.contains(spec->id)) {
        // Listing the groups builds the network: off the GUI thread, once per backbone.
        if (m_groupsFor != spec->id) {
            if (m_groupsFor.isEmpty())
                m_pendingPlan.reset();
            m_groupsFor = spec->id;
            const vision::BackboneSpec copy = *spec;
            m_groupsWatcher->setFuture(QtConcurrent::run([copy] { return layerGroupNames(copy); }));
        }
        retranslate();
        return;
    }
    const QStringList groups = m_groupNames.value(spec->id);
    if (groups != m_freeze->groups()) {
        m_freeze->setGroups(groups);
        applyRecipe(m_recipe);
    }
    retranslate();
    Q_EMIT layerGroupsShown();
}

void ModelPanel::groupsLoaded()
{
    const QString id = m_groupsFor;
    m_groupNames.insert(id, m_groupsWatcher->result());
    m_groupsFor.clear();
    if (id != backboneId()) { // another backbone was chosen meanwhile
        showBackbone();
        return;
    }
    m_freeze->setGroups(m_groupNames.value(id));
    applyRecipe(m_recipe);
    if (m_pendingPlan)
        m_freeze->setPlan(*m_pendingPlan);
    m_pendingPlan.reset();
    updateRecipeHighlight();
    retranslate();
    Q_EMIT layerGroupsShown();
}

void ModelPanel::importWeights()
{
    const vision::BackboneSpec *spec = vision::BackboneCatalogue::builtin().find(backboneId());
    if (!spec || spec->weightsFile.isEmpty())
        return;
    const QString source = QFileDialog::getOpenFileName(
        this, tr("Import weights for %1").arg(spec->displayName), QString(),
        tr("Weights (*.safetensors *.txt *.vec);;All files (*)"));
    if (source.isEmpty() || m_importWatcher->isRunning())
        return;
    // Validates (safetensors structure, NaN/Inf, SHA-256 when known) and copies atomically:
    // hashing a large file takes seconds, so off the GUI thread.
    m_importWeights->setEnabled(false);
    const vision::BackboneSpec copy = *spec;
    const QString dir = weightsDir();
    m_importWatcher->setFuture(QtConcurrent::run(
        [source, dir, copy] { return io::importWeightsFile(source, dir, copy); }));
}

void ModelPanel::downloadWeights()
{
    const vision::BackboneSpec *spec = vision::BackboneCatalogue::builtin().find(backboneId());
    if (!spec || spec->url.isEmpty() || m_downloadWatcher->isRunning())
        return;
    m_downloadCancel.reset();
    m_downloadDone->store(0);
    m_downloadTotal->store(spec->sizeBytes);
    m_download->setEnabled(false);
    m_backbone->setEnabled(false);
    m_downloadProgress->setVisible(true);
    m_cancelDownload->setVisible(true);
    m_downloadTimer->start();
    const vision::BackboneSpec copy = *spec;
    const QString dir = weightsDir();
    const core::CancelToken cancel = m_downloadCancel;
    auto done = m_downloadDone;
    auto total = m_downloadTotal;
    m_downloadWatcher->setFuture(QtConcurrent::run([copy, dir, cancel, done, total] {
        return io::downloadWeights(
            copy, dir,
            [done, total](qint64 d, qint64 t) {
                done->store(d);
                if (t > 0)
                    total->store(t);
            },
            cancel);
    }));
}

void ModelPanel::downloadFinished()
{
    m_downloadTimer->stop();
    m_downloadProgress->setVisible(false);
    m_cancelDownload->setVisible(false);
    m_download->setEnabled(true);
    m_backbone->setEnabled(true);
    const core::Result<QString> result = m_downloadWatcher->result();
    if (!result && result.error().code != core::ErrorCode::Cancelled)
        QMessageBox::warning(this, tr("Download weights"),
                             tr("The download failed:\n%1").arg(result.error().message()));
    showBackbone();
}

void ModelPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ModelPanel::setTextMode(bool textMode)
{
    m_textMode = textMode;
    m_backboneBox->setVisible(!textMode);
    m_freezeBox->setVisible(!textMode);
    m_textBox->setVisible(textMode);
}

void ModelPanel::setLanguageModelPath(const QString &path)
{
    m_languageModel->setText(path);
}

void ModelPanel::applyTextTo(learn::TextSettings &config) const
{
    config.languageModelPath = m_languageModel->text().trimmed();
    config.vectorsPath =
        config.languageModelPath.isEmpty() ? m_vectors->text().trimmed() : QString();
    learn::parse(m_textHead->currentData().toString(), &config.head);
    config.freezeEmbeddings = m_freezeEmbeddings->isChecked();
    config.subwordVocab = m_subwords->value();
}

QJsonObject ModelPanel::textSettings() const
{
    return QJsonObject{{QStringLiteral("vectors"), m_vectors->text().trimmed()},
                       {QStringLiteral("language_model"), m_languageModel->text().trimmed()},
                       {QStringLiteral("head"), m_textHead->currentData().toString()},
                       {QStringLiteral("freeze_embeddings"), m_freezeEmbeddings->isChecked()},
                       {QStringLiteral("subwords"), m_subwords->value()}};
}

void ModelPanel::setTextSettings(const QJsonObject &settings)
{
    m_vectors->setText(settings.value(QStringLiteral("vectors")).toString());
    const int head = m_textHead->findData(settings.value(QStringLiteral("head")).toString());
    m_textHead->setCurrentIndex(qMax(0, head));
    m_freezeEmbeddings->setChecked(settings.value(QStringLiteral("freeze_embeddings")).toBool());
    m_subwords->setValue(settings.value(QStringLiteral("subwords")).toInt());
    m_languageModel->setText(settings.value(QStringLiteral("language_model")).toString());
}

void ModelPanel::retranslate()
{
    m_textBox->setTitle(tr("Text model"));
    m_textIntro->setText(
        tr("Reviews are read as words. Pretrained word vectors (GloVe, word2vec, or fastText "
           ".vec and .bin files; a .bin model also gives misspelt and unseen words a vector from "
           "their letters) give the words their meaning from a large corpus; without them the "
           "model learns word meanings from your reviews alone, which needs many more of them. "
           "Keep the vectors frozen when you have few reviews; let them train when you have "
           "thousands."));
    m_vectorsLabel->setText(tr("Word vectors:"));
    m_vectors->setPlaceholderText(tr("none: learn word vectors from the reviews"));
    m_browseVectors->setText(tr("Browse..."));
    m_languageModelLabel->setText(tr("Language model:"));
    m_languageModel->setPlaceholderText(
        tr("none (make one from your reviews with the button, or with graft-cli lm)"));
    m_languageModel->setToolTip(
        tr("A language model trained on unlabelled text of your domain (ULMFiT). The classifier "
           "starts from its vocabulary, word vectors and LSTM, and unfreezes them gradually."));
    m_browseLanguageModel->setText(tr("Browse..."));
    m_trainLanguageModel->setText(tr("Train on these reviews..."));
    m_trainLanguageModel->setToolTip(
        tr("Learn a language model from the loaded reviews (labels are not used), starting from "
           "the word vectors above if any, and use it for the classifier."));
    m_textHeadLabel->setText(tr("Classifier:"));
    m_textHead->setItemText(0, tr("Mean and max of the word vectors, then linear"));
    m_textHead->setItemText(1, tr("Convolutions over 3-5 word windows (Kim CNN)"));
    m_textHead->setItemText(2, tr("Bidirectional LSTM reading word order (slower)"));
    m_freezeEmbeddings->setText(tr("Keep the word vectors frozen (train the classifier only)"));
    m_subwordsLabel->setText(tr("Subword pieces:"));
    m_subwords->setSpecialValueText(tr("off (whole words)"));
    m_subwords->setToolTip(
        tr("Cut words into at most this many pieces learnt from your reviews (byte-pair "
           "encoding), so that inflected, rare and misspelt words share pieces with known ones. "
           "Not used with a language model."));
    m_backboneBox->setTitle(tr("Backbone"));
    m_backbone->setToolTip(tr("The pretrained network whose features are reused."));
    m_weightsDirLabel->setText(tr("Weights folder:"));
    m_browseWeights->setText(tr("Browse..."));
    m_importWeights->setText(tr("&Import weights file..."));
    m_download->setText(tr("&Download weights"));
    m_download->setToolTip(tr("Download the pretrained weights, verify their checksum and keep "
                              "them in the weights folder."));
    m_cancelDownload->setText(tr("Cancel"));
    m_freezeBox->setTitle(tr("What to freeze"));
    m_featureExtractor->setText(tr("Feature extractor"));
    m_featureExtractor->setToolTip(
        tr("Freeze the whole backbone and train only the new head. Fastest; features are "
           "cached."));
    m_fineTune->setText(tr("Fine-tune top"));
    m_fineTune->setToolTip(tr("Train the head first, then also the top groups of the backbone."));
    m_full->setText(tr("Full fine-tune"));
    m_full->setToolTip(tr("Train the head first, then every group with smaller rates for lower "
                          "groups."));
    m_gradual->setText(tr("Gradual unfreezing"));
    m_gradual->setToolTip(tr("Unfreeze one more group per epoch, from the top down."));
    m_placeholderNote->setText(tr("Drag the cut point to use features from an earlier group "
                                  "when your images look unlike the pretraining data."));

    // The list says which backbones can be used here and now, and which need their weights.
    for (int i = 0; i < m_backbone->count(); ++i) {
        const vision::BackboneSpec *entry =
            vision::BackboneCatalogue::builtin().find(m_backbone->itemData(i).toString());
        if (!entry)
            continue;
        const QString name = entry->displayName.isEmpty() ? entry->id : entry->displayName;
        switch (vision::weightsState(*entry, weightsDir())) {
        case vision::WeightsState::Available:
            m_backbone->setItemText(i, name);
            break;
        case vision::WeightsState::Downloadable:
            m_backbone->setItemText(i, tr("%1 - weights to download").arg(name));
            break;
        case vision::WeightsState::Missing:
            m_backbone->setItemText(i, tr("%1 - weights missing").arg(name));
            break;
        }
    }
    const vision::BackboneSpec *spec = vision::BackboneCatalogue::builtin().find(backboneId());
    if (!spec)
        return;
    const QLocale locale;
    m_details->setText(
        tr("<b>%1</b><br>Architecture: %2<br>Input: %3 x %3 pixels<br>Pretrained on: %4<br>"
           "Licence: %5<br>Download size: %6<br>%7")
            .arg(spec->displayName.toHtmlEscaped(), spec->architecture.toHtmlEscaped())
            .arg(spec->preprocessing.inputSize)
            .arg(spec->pretrainedOn.toHtmlEscaped(), spec->licence.toHtmlEscaped(),
                 spec->sizeBytes > 0 ? locale.formattedDataSize(spec->sizeBytes)
                                     : tr("not recorded (see the description)"),
                 spec->description.toHtmlEscaped()));
    const vision::WeightsState state = vision::weightsState(*spec, weightsDir());
    m_download->setVisible(state == vision::WeightsState::Downloadable);
    switch (state) {
    case vision::WeightsState::Available:
        m_weightsState->setText(tr("Weights: available"));
        m_weightsState->setStyleSheet(QStringLiteral("color: #2e7d32;"));
        break;
    case vision::WeightsState::Downloadable:
        m_weightsState->setText(tr("Weights: not on this machine; downloadable from %1, or "
                                   "import the file.")
                                    .arg(spec->url));
        m_weightsState->setStyleSheet(QStringLiteral("color: #8a6d3b;"));
        break;
    case vision::WeightsState::Missing:
        m_weightsState->setText(
            tr("Weights: missing (%1). Import the file.").arg(spec->weightsFile));
        m_weightsState->setStyleSheet(QStringLiteral("color: #b22222;"));
        break;
    }
}

} // namespace graft::ui
