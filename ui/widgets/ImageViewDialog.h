#pragma once

#include "graft/learn/Results.h"

#include <QDialog>
#include <QImage>

class QCheckBox;
class QLabel;
class QPushButton;

namespace graft::ui {

class TrainingController;

/// Large view of one image with its labels and an optional Grad-CAM overlay, computed on the
/// training thread on request.
class ImageViewDialog : public QDialog
{
    Q_OBJECT
public:
    ImageViewDialog(TrainingController *controller,
                    const QString &file,
                    const QString &caption,
                    int classIndex,
                    QWidget *parent = nullptr);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();
    void refresh();

    TrainingController *m_controller;
    QString m_file;
    int m_classIndex;
    QImage m_image;
    QImage m_overlay;
    QLabel *m_view = nullptr;
    QLabel *m_caption = nullptr;
    QCheckBox *m_gradCam = nullptr;
    QPushButton *m_openFolder = nullptr;
};

} // namespace graft::ui
