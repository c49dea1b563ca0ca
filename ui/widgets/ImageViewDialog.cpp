#include "ui/widgets/ImageViewDialog.h"

#include "ui/controllers/TrainingController.h"
#include "ui/util/Thumbnails.h"

#include <QCheckBox>
#include <QDesktopServices>
#include <QEvent>
#include <QFileInfo>
#include <QHBoxLayout>
#include <QLabel>
#include <QPainter>
#include <QPushButton>
#include <QUrl>
#include <QVBoxLayout>

namespace graft::ui {

namespace {

/// Blue -> green -> yellow -> red, with alpha growing with the heat.
QImage heatImage(const learn::GradCam &cam)
{
    const int side = cam.image.width;
    if (side <= 0 || cam.heat.size() < size_t(side) * size_t(cam.image.height))
        return {};
    QImage heat(side, cam.image.height, QImage::Format_ARGB32);
    for (int y = 0; y < heat.height(); ++y) {
        auto *line = reinterpret_cast<QRgb *>(heat.scanLine(y));
        for (int x = 0; x < side; ++x) {
            const float v = qBound(0.f, cam.heat[size_t(y) * size_t(side) + size_t(x)], 1.f);
            const QColor c = QColor::fromHsvF((1.f - v) * 0.66f, 1.f, 1.f);
            line[x] = qRgba(c.red(), c.green(), c.blue(), int(40 + 150 * v));
        }
    }
    QImage base = Thumbnails::toImage(cam.image).convertToFormat(QImage::Format_ARGB32);
    QPainter p(&base);
    p.drawImage(0, 0, heat);
    return base;
}

} // namespace

ImageViewDialog::ImageViewDialog(TrainingController *controller,
                                 const QString &file,
                                 const QString &caption,
                                 int classIndex,
                                 QWidget *parent)
    : QDialog(parent), m_controller(controller), m_file(file), m_classIndex(classIndex)
{
    setAttribute(Qt::WA_DeleteOnClose);
    m_view = new QLabel(this);
    m_view->setAlignment(Qt::AlignCenter);
    m_view->setMinimumSize(448, 448);
    m_caption = new QLabel(caption, this);
    m_caption->setWordWrap(true);
    m_gradCam = new QCheckBox(this);
    m_gradCam->setEnabled(controller->hasModel());
    m_openFolder = new QPushButton(this);
    auto *row = new QHBoxLayout;
    row->addWidget(m_gradCam);
    row->addStretch(1);
    row->addWidget(m_openFolder);
    auto *layout = new QVBoxLayout(this);
    layout->addWidget(m_view, 1);
    layout->addWidget(m_caption);
    layout->addLayout(row);

    m_image = Thumbnails::load(file, 512);
    connect(m_gradCam, &QCheckBox::toggled, this, [this](bool on) {
        if (on && m_overlay.isNull() && !m_controller->gradCam(m_file, m_classIndex))
            m_gradCam->setChecked(false);
        refresh();
    });
    connect(m_controller, &TrainingController::gradCamReady, this,
            [this](const QString &f, const learn::GradCam &cam) {
                if (f != m_file)
                    return;
                m_overlay = heatImage(cam);
                refresh();
            });
    connect(m_openFolder, &QPushButton::clicked, this, [this] {
        QDesktopServices::openUrl(QUrl::fromLocalFile(QFileInfo(m_file).absolutePath()));
    });
    retranslate();
    refresh();
}

void ImageViewDialog::refresh()
{
    const QImage &shown = (m_gradCam->isChecked() && !m_overlay.isNull()) ? m_overlay : m_image;
    if (shown.isNull()) {
        m_view->setText(tr("The image cannot be shown."));
        return;
    }
    m_view->setPixmap(
        QPixmap::fromImage(shown.scaled(512, 512, Qt::KeepAspectRatio, Qt::SmoothTransformation)));
}

void ImageViewDialog::changeEvent(QEvent *event)
{
    if (event->type() == QEvent::LanguageChange)
        retranslate();
    QDialog::changeEvent(event);
}

void ImageViewDialog::retranslate()
{
    setWindowTitle(QFileInfo(m_file).fileName());
    m_gradCam->setText(tr("Show &Grad-CAM overlay"));
    m_gradCam->setToolTip(tr("Highlights the regions that drove the prediction."));
    m_openFolder->setText(tr("Open containing folder"));
}

} // namespace graft::ui
