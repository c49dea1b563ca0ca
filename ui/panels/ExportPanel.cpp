#include "ui/panels/ExportPanel.h"

#include "ui/controllers/TrainingController.h"

#include <QDir>
#include <QEvent>
#include <QFileDialog>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace graft::ui {

ExportPanel::ExportPanel(TrainingController *controller, QWidget *parent)
    : QWidget(parent), m_controller(controller)
{
    m_intro = new QLabel(this);
    m_intro->setWordWrap(true);
    m_pathLabel = new QLabel(this);
    m_path = new QLineEdit(QDir::home().filePath(QStringLiteral("model.pt")), this);
    m_path->setObjectName(QStringLiteral("exportPath"));
    m_browse = new QPushButton(this);
    m_export = new QPushButton(this);
    m_export->setObjectName(QStringLiteral("export"));
    m_result = new QLabel(this);
    m_resultText = LiveText(m_result);
    m_result->setObjectName(QStringLiteral("exportResult"));
    m_result->setWordWrap(true);
    m_result->setTextInteractionFlags(Qt::TextSelectableByMouse);

    auto *row = new QHBoxLayout;
    row->addWidget(m_pathLabel);
    row->addWidget(m_path, 1);
    row->addWidget(m_browse);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_intro);
    layout->addLayout(row);
    layout->addWidget(m_export, 0, Qt::AlignLeft);
    layout->addWidget(m_result);
    layout->addStretch(1);

    connect(m_browse, &QPushButton::clicked, this, [this] {
        const QString path = QFileDialog::getSaveFileName(this, tr("Export model"), m_path->text(),
                                                          tr("TorchScript (*.pt);;ONNX (*.onnx)"));
        if (!path.isEmpty())
            m_path->setText(path);
    });
    connect(m_export, &QPushButton::clicked, this, [this] {
        if (!m_controller->hasModel()) {
            m_resultText.set([=, this] { return tr("Train a model first."); });
            return;
        }
        if (m_controller->exportModel(m_path->text()))
            m_resultText.set([=, this] { return tr("Exporting and verifying..."); });
        else
            m_resultText.set([=, this] { return tr("Wait for the current job to finish."); });
    });
    connect(m_controller, &TrainingController::exportFinished, this,
            [this](const learn::ExportCheck &check) {
                const bool onnx = check.format == QLatin1String("onnx");
                const bool text = m_controller->modelKind() == learn::TaskKind::Text;
                m_resultText.set([this, onnx, text, check] {
                    const QString message =
                        onnx
                            ? (text
                                   ? tr("Written to %1.\nLoaded with OpenCV DNN and compared on %2 "
                                        "validation reviews: top-1 agreement %3 %, largest "
                                        "probability difference %4.")
                                   : tr("Written to %1.\nLoaded with OpenCV DNN and compared on %2 "
                                        "validation images: top-1 agreement %3 %, largest "
                                        "probability difference %4."))
                            : (text ? tr("Written to %1.\nReloaded and compared on %2 validation "
                                         "reviews: top-1 agreement %3 %, largest probability "
                                         "difference %4.")
                                    : tr("Written to %1.\nReloaded and compared on %2 validation "
                                         "images: top-1 agreement %3 %, largest probability "
                                         "difference %4."));
                    return message.arg(QDir::toNativeSeparators(check.path))
                        .arg(check.samples)
                        .arg(check.agreement * 100, 0, 'f', 2)
                        .arg(check.maxAbsProbabilityDiff, 0, 'g', 3);
                });
            });
    connect(m_controller, &TrainingController::failed, this,
            [this](const QString &operation, const QString &text) {
                if (operation == QLatin1String("export"))
                    m_resultText.setFixed(text);
            });
    connect(m_controller, &TrainingController::busyChanged, this,
            [this](bool busy) { m_export->setEnabled(!busy); });
    retranslate();
}

void ExportPanel::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QWidget::changeEvent(event);
}

void ExportPanel::retranslate()
{
    m_intro->setText(tr("Export the trained model as a TorchScript file (.pt) or as ONNX "
                        "(.onnx), with a .json file beside it that holds the labels and the "
                        "preprocessing (image size and scaling, or the vocabulary and tokenizer "
                        "settings of a text model). The file is loaded again and checked "
                        "against this model on the validation data."));
    m_pathLabel->setText(tr("File:"));
    m_browse->setText(tr("Browse..."));
    m_export->setText(tr("&Export"));
    m_resultText.refresh();
}

} // namespace graft::ui
