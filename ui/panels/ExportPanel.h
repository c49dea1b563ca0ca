#pragma once

#include "ui/util/LiveText.h"

#include <QWidget>

class QLabel;
class QLineEdit;
class QPushButton;

namespace graft::ui {

class TrainingController;

/// The Export tab: write the trained model as TorchScript, reload it and show the agreement.
class ExportPanel : public QWidget
{
    Q_OBJECT
public:
    explicit ExportPanel(TrainingController *controller, QWidget *parent = nullptr);

protected:
    void changeEvent(QEvent *event) override;

private:
    void retranslate();

    TrainingController *m_controller;
    QLabel *m_intro = nullptr;
    QLabel *m_pathLabel = nullptr;
    QLineEdit *m_path = nullptr;
    QPushButton *m_browse = nullptr;
    QPushButton *m_export = nullptr;
    QLabel *m_result = nullptr;
    LiveText m_resultText; ///< m_result's text, built again on a language switch
};

} // namespace graft::ui
