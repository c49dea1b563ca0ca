<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en">
<context>
    <name>ErrorText</name>
    <message>
        <source>No error.</source>
        <translation>No error.</translation>
    </message>
    <message>
        <source>The file or folder does not exist.</source>
        <translation>The file or folder does not exist.</translation>
    </message>
    <message>
        <source>The file or folder cannot be read.</source>
        <translation>The file or folder cannot be read.</translation>
    </message>
    <message>
        <source>The file is not in the expected format.</source>
        <translation>The file is not in the expected format.</translation>
    </message>
    <message>
        <source>This is not supported by Graft.</source>
        <translation>This is not supported by Graft.</translation>
    </message>
    <message>
        <source>The input is too large.</source>
        <translation>The input is too large.</translation>
    </message>
    <message>
        <source>A setting is out of range.</source>
        <translation>A setting is out of range.</translation>
    </message>
    <message>
        <source>The dataset cannot be trained on.</source>
        <translation>The dataset cannot be trained on.</translation>
    </message>
    <message>
        <source>The weights file is invalid.</source>
        <translation>The weights file is invalid.</translation>
    </message>
    <message>
        <source>Writing the file failed.</source>
        <translation>Writing the file failed.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Cancelled.</translation>
    </message>
    <message>
        <source>Training diverged (the loss became NaN or infinite).</source>
        <translation>Training diverged (the loss became NaN or infinite).</translation>
    </message>
    <message>
        <source>The download failed.</source>
        <translation>The download failed.</translation>
    </message>
    <message>
        <source>The file&apos;s checksum does not match.</source>
        <translation>The file&apos;s checksum does not match.</translation>
    </message>
    <message>
        <source>Internal error.</source>
        <translation>Internal error.</translation>
    </message>
    <message>
        <source>lowest validation loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>best validation accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reading the dataset</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Loading word vectors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Extracting features</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finding the learning rate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Training</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Writing the export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Checking the export</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cross-validating</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped %1: %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resumed after epoch %1.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped early after epoch %1: no better %3 since epoch %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The checkpoint could not be saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The feature cache could not be saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learning rate from the finder: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Word vectors: %1 of %2 training words found in %3.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run saved in %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The run folder could not be saved: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Stopped after %n complete epoch(s).</source>
        <translation>
            <numerusform>Stopped after %n complete epoch.</numerusform>
            <numerusform>Stopped after %n complete epochs.</numerusform>
        </translation>
    </message>
    <message>
        <source>Fold %1 of %2: model %3 %, bag-of-words baseline %4 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cannot be read</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not an image</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Truncated</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Corrupt</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too small</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too large</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Not text in a known encoding</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Read as Latin-1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Malformed row</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing column</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Missing label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Skipped file</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty review</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate with another label</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Duplicate across splits</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Empty class</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Too few classes</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Feature extractor</source>
        <translation type="unfinished">Feature extractor</translation>
    </message>
    <message>
        <source>Fine-tune top</source>
        <translation type="unfinished">Fine-tune top</translation>
    </message>
    <message>
        <source>Full fine-tune</source>
        <translation type="unfinished">Full fine-tune</translation>
    </message>
    <message>
        <source>Gradual unfreezing</source>
        <translation type="unfinished">Gradual unfreezing</translation>
    </message>
    <message>
        <source>One-cycle</source>
        <translation type="unfinished">One-cycle</translation>
    </message>
    <message>
        <source>Cosine with warm-up</source>
        <translation type="unfinished">Cosine with warm-up</translation>
    </message>
    <message>
        <source>Constant</source>
        <translation type="unfinished">Constant</translation>
    </message>
</context>
<context>
    <name>graft::ui::DataPanel</name>
    <message>
        <source>Open dataset folder</source>
        <translation>Open dataset folder</translation>
    </message>
    <message>
        <source>Split from folders: %1 train, %2 validation, %3 test</source>
        <translation>Split from folders: %1 train, %2 validation, %3 test</translation>
    </message>
    <message>
        <source>Seeded split: %1 train, %2 validation, %3 test</source>
        <translation>Seeded split: %1 train, %2 validation, %3 test</translation>
    </message>
    <message>
        <source>No dataset loaded.</source>
        <translation>No dataset loaded.</translation>
    </message>
    <message>
        <source>&amp;Open folder...</source>
        <translation>&amp;Open folder...</translation>
    </message>
    <message>
        <source>&amp;Rescan</source>
        <translation>&amp;Rescan</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Split seed:</source>
        <translation>Split seed:</translation>
    </message>
    <message>
        <source>Seed of the random train/validation split (used when the folder has no train/ and val/ subfolders).</source>
        <translation>Seed of the random train/validation split (used when the folder has no train/ and val/ subfolders).</translation>
    </message>
    <message>
        <source>Validation fraction:</source>
        <translation>Validation fraction:</translation>
    </message>
    <message>
        <source>Share of each class held out for validation.</source>
        <translation>Share of each class held out for validation.</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Classes</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Class</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Train</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>Validation</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Test</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Class balance</source>
        <translation>Class balance</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Thumbnails of the selected class</source>
        <translation>Thumbnails of the selected class</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problems</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problem</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detail</translation>
    </message>
    <message>
        <source>Open containing folder</source>
        <translation>Open containing folder</translation>
    </message>
    <message>
        <source>Tokens (%1): %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviews: %1 train, %2 validation; %3 tokens per review (median), %4 at most</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Drop an image folder here: one subfolder per class, optionally inside train/ and val/ folders. Reviews work too: one .txt per review in class folders, or a CSV/TSV file.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviews of the selected class (select one to see its tokens)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::EvaluatePanel</name>
    <message>
        <source>true: %1
pred: %2 (%3 %)</source>
        <translation>true: %1
pred: %2 (%3 %)</translation>
    </message>
    <message>
        <source>Train a model to see how it does on the validation images.</source>
        <translation>Train a model to see how it does on the validation images.</translation>
    </message>
    <message>
        <source>Validation: %1 images, accuracy %2 %, loss %3, %4 mistakes.</source>
        <translation>Validation: %1 images, accuracy %2 %, loss %3, %4 mistakes.</translation>
    </message>
    <message>
        <source>Confusion matrix (click a cell to filter)</source>
        <translation>Confusion matrix (click a cell to filter)</translation>
    </message>
    <message>
        <source>Predicted</source>
        <translation>Predicted</translation>
    </message>
    <message>
        <source>True</source>
        <translation>True</translation>
    </message>
    <message>
        <source>Per class</source>
        <translation>Per class</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Class</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Precision</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>Recall</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Images</translation>
    </message>
    <message>
        <source>Mistakes: %1 predicted as %2</source>
        <translation>Mistakes: %1 predicted as %2</translation>
    </message>
    <message>
        <source>Mistakes, worst first (double-click for a large view)</source>
        <translation>Mistakes, worst first (double-click for a large view)</translation>
    </message>
    <message>
        <source>Show all mistakes</source>
        <translation>Show all mistakes</translation>
    </message>
    <message>
        <source>Green words pushed the model towards its prediction, red words against it (how much the prediction drops when the word is left out).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>true: %1, predicted: %2 (%3 %)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation: %1 reviews, accuracy %2 %, loss %3, %4 mistakes.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mistakes, worst first (select one to see which words decided)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This model has no evaluation yet: open the dataset it was trained on, then open the model again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 %
%2</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::ExportPanel</name>
    <message>
        <source>Export model</source>
        <translation>Export model</translation>
    </message>
    <message>
        <source>Train a model first.</source>
        <translation>Train a model first.</translation>
    </message>
    <message>
        <source>Exporting and verifying...</source>
        <translation>Exporting and verifying...</translation>
    </message>
    <message>
        <source>Wait for the current job to finish.</source>
        <translation>Wait for the current job to finish.</translation>
    </message>
    <message>
        <source>Written to %1.
Reloaded and compared on %2 validation images: top-1 agreement %3 %, largest probability difference %4.</source>
        <translation>Written to %1.
Reloaded and compared on %2 validation images: top-1 agreement %3 %, largest probability difference %4.</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>File:</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Browse...</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Export</translation>
    </message>
    <message>
        <source>TorchScript (*.pt);;ONNX (*.onnx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written to %1.
Loaded with OpenCV DNN and compared on %2 validation images: top-1 agreement %3 %, largest probability difference %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Export the trained model as a TorchScript file (.pt) or as ONNX (.onnx), with a .json file beside it that holds the labels and the preprocessing (image size and scaling, or the vocabulary and tokenizer settings of a text model). The file is loaded again and checked against this model on the validation data.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written to %1.
Loaded with OpenCV DNN and compared on %2 validation reviews: top-1 agreement %3 %, largest probability difference %4.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Written to %1.
Reloaded and compared on %2 validation reviews: top-1 agreement %3 %, largest probability difference %4.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::FreezePicker</name>
    <message>
        <source>Checked: this group&apos;s weights are updated; unchecked: frozen.</source>
        <translation>Checked: this group&apos;s weights are updated; unchecked: frozen.</translation>
    </message>
    <message>
        <source>Learning-rate multiplier of this group, relative to the backbone rate.</source>
        <translation>Learning-rate multiplier of this group, relative to the backbone rate.</translation>
    </message>
    <message>
        <source>Layer groups (input at the bottom). Drag the cut point to choose where features are taken.</source>
        <translation>Layer groups (input at the bottom). Drag the cut point to choose where features are taken.</translation>
    </message>
    <message>
        <source>Cut point: groups above it are dropped.</source>
        <translation>Cut point: groups above it are dropped.</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Group</translation>
    </message>
    <message>
        <source>Trainable</source>
        <translation>Trainable</translation>
    </message>
    <message>
        <source>LR multiplier</source>
        <translation>LR multiplier</translation>
    </message>
    <message>
        <source>No layer groups.</source>
        <translation>No layer groups.</translation>
    </message>
    <message>
        <source>Using %1 of %2 groups; %3 trainable.</source>
        <translation>Using %1 of %2 groups; %3 trainable.</translation>
    </message>
</context>
<context>
    <name>graft::ui::GuideDialog</name>
    <message>
        <source>Graft User Guide</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::ImageViewDialog</name>
    <message>
        <source>The image cannot be shown.</source>
        <translation>The image cannot be shown.</translation>
    </message>
    <message>
        <source>Show &amp;Grad-CAM overlay</source>
        <translation>Show &amp;Grad-CAM overlay</translation>
    </message>
    <message>
        <source>Highlights the regions that drove the prediction.</source>
        <translation>Highlights the regions that drove the prediction.</translation>
    </message>
    <message>
        <source>Open containing folder</source>
        <translation>Open containing folder</translation>
    </message>
</context>
<context>
    <name>graft::ui::LossPlot</name>
    <message>
        <source>Step (batches)</source>
        <translation>Step (batches)</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>Validation accuracy</source>
        <translation>Validation accuracy</translation>
    </message>
    <message>
        <source>Batch loss</source>
        <translation>Batch loss</translation>
    </message>
    <message>
        <source>Batch loss (smoothed)</source>
        <translation>Batch loss (smoothed)</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>Validation loss</translation>
    </message>
</context>
<context>
    <name>graft::ui::MainWindow</name>
    <message numerus="yes">
        <source>Dataset scanned: %n class(es)</source>
        <translation>
            <numerusform>Dataset scanned: %n class(es)</numerusform>
            <numerusform>Dataset scanned: %n class(es)</numerusform>
        </translation>
    </message>
    <message>
        <source>Find learning rate</source>
        <translation>Find learning rate</translation>
    </message>
    <message>
        <source>Load a dataset that can be trained on first.</source>
        <translation>Load a dataset that can be trained on first.</translation>
    </message>
    <message>
        <source>Training finished.</source>
        <translation>Training finished.</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>Open project</translation>
    </message>
    <message>
        <source>Graft projects (*.graft)</source>
        <translation>Graft projects (*.graft)</translation>
    </message>
    <message>
        <source>Open dataset folder</source>
        <translation>Open dataset folder</translation>
    </message>
    <message>
        <source>About Graft</source>
        <translation>About Graft</translation>
    </message>
    <message>
        <source>&lt;b&gt;Graft %1&lt;/b&gt;&lt;br&gt;A desktop workbench for transfer learning.</source>
        <translation>&lt;b&gt;Graft %1&lt;/b&gt;&lt;br&gt;A desktop workbench for transfer learning.</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Data</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Model</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Train</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>Evaluate</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>Predict</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Export</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;File</translation>
    </message>
    <message>
        <source>&amp;New project</source>
        <translation>&amp;New project</translation>
    </message>
    <message>
        <source>&amp;Open project...</source>
        <translation>&amp;Open project...</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Open &amp;recent</translation>
    </message>
    <message>
        <source>&amp;Save project</source>
        <translation>&amp;Save project</translation>
    </message>
    <message>
        <source>Save project &amp;as...</source>
        <translation>Save project &amp;as...</translation>
    </message>
    <message>
        <source>Open &amp;dataset folder...</source>
        <translation>Open &amp;dataset folder...</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Quit</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Run</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Train</translation>
    </message>
    <message>
        <source>Find &amp;learning rate</source>
        <translation>Find &amp;learning rate</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Stop</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Settings</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Language</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>System default</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>&amp;Help</translation>
    </message>
    <message>
        <source>&amp;About Graft</source>
        <translation>&amp;About Graft</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Untitled</translation>
    </message>
    <message>
        <source>%1[*] - Graft</source>
        <translation>%1[*] - Graft</translation>
    </message>
    <message>
        <source>Save project</source>
        <translation>Save project</translation>
    </message>
    <message>
        <source>Project saved.</source>
        <translation>Project saved.</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Unsaved changes</translation>
    </message>
    <message>
        <source>The project has unsaved changes. Save them?</source>
        <translation>The project has unsaved changes. Save them?</translation>
    </message>
    <message>
        <source>Training is running</source>
        <translation>Training is running</translation>
    </message>
    <message>
        <source>A job is running. Stop it and close the window?</source>
        <translation>A job is running. Stop it and close the window?</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Reviews scanned: %n class(es)</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Resume training?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Load a folder or file of reviews first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Save language model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graft language models (*.lm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language model saved: validation perplexity %1 (word frequencies alone: %2). The classifier will start from it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cross-validate</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cross-validation works on loaded reviews; load a review folder or file first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Cross-validate text model (5 folds)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train the text model five times on different folds and compare its accuracy with a bag-of-words logistic regression on the same folds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>Model opened: %1 (%n class(es))</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Could not open the model: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graft models (run.json *.pt *.onnx)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Wait for the running job to end, or stop it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Open &amp;model (run or export)...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The project&apos;s model %1 is gone; train again.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Runs</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>An earlier run on this dataset with this model stopped after epoch %1 of %2 (it was stopped, or Graft was closed). Continue it from there?</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>It continues with the settings it was started with (%n epoch(s) in all), not those shown now. No starts a new run with the settings shown.</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>Keep the new model?</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>This run reached %1 % validation accuracy, below the %2 % of the model it replaced (%3). Which one do you want to use? Both stay in the Runs tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Go back to %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use the new run</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::ModelPanel</name>
    <message>
        <source>Weights folder</source>
        <translation>Weights folder</translation>
    </message>
    <message>
        <source>Import weights for %1</source>
        <translation>Import weights for %1</translation>
    </message>
    <message>
        <source>Import weights</source>
        <translation>Import weights</translation>
    </message>
    <message>
        <source>Backbone</source>
        <translation>Backbone</translation>
    </message>
    <message>
        <source>The pretrained network whose features are reused.</source>
        <translation>The pretrained network whose features are reused.</translation>
    </message>
    <message>
        <source>Weights folder:</source>
        <translation>Weights folder:</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Browse...</translation>
    </message>
    <message>
        <source>&amp;Import weights file...</source>
        <translation>&amp;Import weights file...</translation>
    </message>
    <message>
        <source>What to freeze</source>
        <translation>What to freeze</translation>
    </message>
    <message>
        <source>Feature extractor</source>
        <translation>Feature extractor</translation>
    </message>
    <message>
        <source>Freeze the whole backbone and train only the new head. Fastest; features are cached.</source>
        <translation>Freeze the whole backbone and train only the new head. Fastest; features are cached.</translation>
    </message>
    <message>
        <source>Fine-tune top</source>
        <translation>Fine-tune top</translation>
    </message>
    <message>
        <source>Train the head first, then also the top groups of the backbone.</source>
        <translation>Train the head first, then also the top groups of the backbone.</translation>
    </message>
    <message>
        <source>Full fine-tune</source>
        <translation>Full fine-tune</translation>
    </message>
    <message>
        <source>Train the head first, then every group with smaller rates for lower groups.</source>
        <translation>Train the head first, then every group with smaller rates for lower groups.</translation>
    </message>
    <message>
        <source>Gradual unfreezing</source>
        <translation>Gradual unfreezing</translation>
    </message>
    <message>
        <source>Unfreeze one more group per epoch, from the top down.</source>
        <translation>Unfreeze one more group per epoch, from the top down.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Architecture: %2&lt;br&gt;Input: %3 x %3 pixels&lt;br&gt;Pretrained on: %4&lt;br&gt;Licence: %5&lt;br&gt;Download size: %6&lt;br&gt;%7</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Architecture: %2&lt;br&gt;Input: %3 x %3 pixels&lt;br&gt;Pretrained on: %4&lt;br&gt;Licence: %5&lt;br&gt;Download size: %6&lt;br&gt;%7</translation>
    </message>
    <message>
        <source>Weights: available</source>
        <translation>Weights: available</translation>
    </message>
    <message>
        <source>Weights: not on this machine; downloadable from %1, or import the file.</source>
        <translation>Weights: not on this machine; downloadable from %1, or import the file.</translation>
    </message>
    <message>
        <source>Weights: missing (%1). Import the file.</source>
        <translation>Weights: missing (%1). Import the file.</translation>
    </message>
    <message>
        <source>%1 (%2 channels)</source>
        <translation>%1 (%2 channels)</translation>
    </message>
    <message>
        <source>Weights (*.safetensors *.txt *.vec);;All files (*)</source>
        <translation>Weights (*.safetensors *.txt *.vec);;All files (*)</translation>
    </message>
    <message>
        <source>Download weights</source>
        <translation>Download weights</translation>
    </message>
    <message>
        <source>The download failed:
%1</source>
        <translation>The download failed:
%1</translation>
    </message>
    <message>
        <source>&amp;Download weights</source>
        <translation>&amp;Download weights</translation>
    </message>
    <message>
        <source>Download the pretrained weights, verify their checksum and keep them in the weights folder.</source>
        <translation>Download the pretrained weights, verify their checksum and keep them in the weights folder.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancel</translation>
    </message>
    <message>
        <source>Drag the cut point to use features from an earlier group when your images look unlike the pretraining data.</source>
        <translation>Drag the cut point to use features from an earlier group when your images look unlike the pretraining data.</translation>
    </message>
    <message>
        <source>Word vectors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Word vectors (*.txt *.vec *.bin);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Word vectors:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none: learn word vectors from the reviews</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Classifier:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Mean and max of the word vectors, then linear</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Convolutions over 3-5 word windows (Kim CNN)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the word vectors frozen (train the classifier only)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Graft language models (*.lm *.safetensors);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language model:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>A language model trained on unlabelled text of your domain (ULMFiT). The classifier starts from its vocabulary, word vectors and LSTM, and unfreezes them gradually.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Bidirectional LSTM reading word order (slower)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviews are read as words. Pretrained word vectors (GloVe, word2vec, or fastText .vec and .bin files; a .bin model also gives misspelt and unseen words a vector from their letters) give the words their meaning from a large corpus; without them the model learns word meanings from your reviews alone, which needs many more of them. Keep the vectors frozen when you have few reviews; let them train when you have thousands.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train on these reviews...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Learn a language model from the loaded reviews (labels are not used), starting from the word vectors above if any, and use it for the classifier.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none (make one from your reviews with the button, or with graft-cli lm)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Subword pieces:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off (whole words)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Cut words into at most this many pieces learnt from your reviews (byte-pair encoding), so that inflected, rare and misspelt words share pieces with known ones. Not used with a language model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Could not import the file:
%1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>not recorded (see the description)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 - weights to download</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 - weights missing</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::PredictPanel</name>
    <message>
        <source>Images to classify</source>
        <translation>Images to classify</translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff)</source>
        <translation>Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff)</translation>
    </message>
    <message>
        <source>Save predictions</source>
        <translation>Save predictions</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>CSV files (*.csv)</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>Could not write %1.</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>Predict</translation>
    </message>
    <message>
        <source>Train a model first.</source>
        <translation>Train a model first.</translation>
    </message>
    <message>
        <source>Wait for the current job to finish.</source>
        <translation>Wait for the current job to finish.</translation>
    </message>
    <message>
        <source>error</source>
        <translation>error</translation>
    </message>
    <message>
        <source>Drop images or a folder here to classify them with the trained model.</source>
        <translation>Drop images or a folder here to classify them with the trained model.</translation>
    </message>
    <message>
        <source>&amp;Add images...</source>
        <translation>&amp;Add images...</translation>
    </message>
    <message>
        <source>Save as &amp;CSV...</source>
        <translation>Save as &amp;CSV...</translation>
    </message>
    <message>
        <source>Top classes:</source>
        <translation>Top classes:</translation>
    </message>
    <message>
        <source>File</source>
        <translation>File</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Prediction</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>Probability</translation>
    </message>
    <message>
        <source>Texts to classify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Green words pushed the model towards its prediction, red words against it.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train a text model first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Type or paste a review below, or drop .txt files here, to classify them with the trained text model.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Review:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>e.g. The battery died after two days.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>C&amp;lassify</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>&amp;Add text files...</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Text</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::RunsPanel</name>
    <message>
        <source>Run %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Show this run&apos;s loss curve on the Train tab</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>no word vectors</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>none</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>The best validation accuracy on this dataset and split</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run folder missing</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped early</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1, current model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>No runs yet: train on the Train tab.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Select a run to see its settings.</source>
        <translation type="unfinished"></translation>
    </message>
    <message numerus="yes">
        <source>%n epoch(s), batch %1, learning rate %2, %3, weight decay %4</source>
        <translation type="unfinished">
            <numerusform></numerusform>
            <numerusform></numerusform>
        </translation>
    </message>
    <message>
        <source>, augmentation %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>on</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>off</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>, label smoothing %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Kept epoch chosen by %1; seed %2.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run folder (missing): %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Run folder: %1</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Every run of this project, newest first. Each keeps its model in its run folder: double-click a run (or press Use this model) to make it the current model again for Evaluate, Predict and Export.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Compare</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Name</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Model</source>
        <translation type="unfinished">Model</translation>
    </message>
    <message>
        <source>Kept epoch</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Validation accuracy</source>
        <translation type="unfinished">Validation accuracy</translation>
    </message>
    <message>
        <source>Status</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Time</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Rename</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remove from list</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Removes the run from this project; its run folder stays on disk</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::TrainPanel</name>
    <message>
        <source>Epoch %1: train loss %2, validation loss %3, validation accuracy %4 %</source>
        <translation>Epoch %1: train loss %2, validation loss %3, validation accuracy %4 %</translation>
    </message>
    <message>
        <source>Epoch %1 of %2</source>
        <translation>Epoch %1 of %2</translation>
    </message>
    <message>
        <source>%1 images/s</source>
        <translation>%1 images/s</translation>
    </message>
    <message>
        <source>Elapsed %1</source>
        <translation>Elapsed %1</translation>
    </message>
    <message>
        <source>Remaining %1</source>
        <translation>Remaining %1</translation>
    </message>
    <message>
        <source>Training...</source>
        <translation>Training...</translation>
    </message>
    <message>
        <source>Suggested learning rate: %1 (click the curve to choose another)</source>
        <translation>Suggested learning rate: %1 (click the curve to choose another)</translation>
    </message>
    <message>
        <source>Idle.</source>
        <translation>Idle.</translation>
    </message>
    <message>
        <source>Finding the learning rate...</source>
        <translation>Finding the learning rate...</translation>
    </message>
    <message>
        <source>Preparing...</source>
        <translation>Preparing...</translation>
    </message>
    <message>
        <source>Hyperparameters</source>
        <translation>Hyperparameters</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Epochs:</translation>
    </message>
    <message>
        <source>Passes over the training images.</source>
        <translation>Passes over the training images.</translation>
    </message>
    <message>
        <source>Head-only epochs:</source>
        <translation>Head-only epochs:</translation>
    </message>
    <message>
        <source>Fine-tuning recipes first train the new head alone for this many epochs.</source>
        <translation>Fine-tuning recipes first train the new head alone for this many epochs.</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Batch size:</translation>
    </message>
    <message>
        <source>Images per optimisation step. Smaller uses less memory.</source>
        <translation>Images per optimisation step. Smaller uses less memory.</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Learning rate:</translation>
    </message>
    <message>
        <source>Peak learning rate of the head. Use Find learning rate to choose it.</source>
        <translation>Peak learning rate of the head. Use Find learning rate to choose it.</translation>
    </message>
    <message>
        <source>Backbone rate factor:</source>
        <translation>Backbone rate factor:</translation>
    </message>
    <message>
        <source>Trainable backbone groups learn at the head rate times this factor times their multiplier.</source>
        <translation>Trainable backbone groups learn at the head rate times this factor times their multiplier.</translation>
    </message>
    <message>
        <source>Weight decay:</source>
        <translation>Weight decay:</translation>
    </message>
    <message>
        <source>Decoupled weight decay (AdamW); keeps weights small.</source>
        <translation>Decoupled weight decay (AdamW); keeps weights small.</translation>
    </message>
    <message>
        <source>Label smoothing:</source>
        <translation>Label smoothing:</translation>
    </message>
    <message>
        <source>Spreads this share of each target over the other classes.</source>
        <translation>Spreads this share of each target over the other classes.</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>Head:</translation>
    </message>
    <message>
        <source>The new classifier on top of the backbone.</source>
        <translation>The new classifier on top of the backbone.</translation>
    </message>
    <message>
        <source>Linear</source>
        <translation>Linear</translation>
    </message>
    <message>
        <source>Small MLP</source>
        <translation>Small MLP</translation>
    </message>
    <message>
        <source>Optimizer:</source>
        <translation>Optimizer:</translation>
    </message>
    <message>
        <source>AdamW suits most cases.</source>
        <translation>AdamW suits most cases.</translation>
    </message>
    <message>
        <source>AdamW</source>
        <translation>AdamW</translation>
    </message>
    <message>
        <source>SGD with momentum</source>
        <translation>SGD with momentum</translation>
    </message>
    <message>
        <source>Schedule:</source>
        <translation>Schedule:</translation>
    </message>
    <message>
        <source>How the learning rate changes over time.</source>
        <translation>How the learning rate changes over time.</translation>
    </message>
    <message>
        <source>One-cycle</source>
        <translation>One-cycle</translation>
    </message>
    <message>
        <source>Cosine with warm-up</source>
        <translation>Cosine with warm-up</translation>
    </message>
    <message>
        <source>Constant</source>
        <translation>Constant</translation>
    </message>
    <message>
        <source>Augmentation:</source>
        <translation>Augmentation:</translation>
    </message>
    <message>
        <source>Random crops, flips, small rotations and colour jitter on training images.</source>
        <translation>Random crops, flips, small rotations and colour jitter on training images.</translation>
    </message>
    <message>
        <source>Balance classes:</source>
        <translation>Balance classes:</translation>
    </message>
    <message>
        <source>Weight the loss so that rare classes count as much as common ones.</source>
        <translation>Weight the loss so that rare classes count as much as common ones.</translation>
    </message>
    <message>
        <source>Early stopping patience:</source>
        <translation>Early stopping patience:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Seed:</translation>
    </message>
    <message>
        <source>Random seed for initialisation and shuffling.</source>
        <translation>Random seed for initialisation and shuffling.</translation>
    </message>
    <message>
        <source>Find &amp;learning rate</source>
        <translation>Find &amp;learning rate</translation>
    </message>
    <message>
        <source>Sweep the learning rate over a few batches and plot the loss.</source>
        <translation>Sweep the learning rate over a few batches and plot the loss.</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Train</translation>
    </message>
    <message>
        <source>Start training (Ctrl+T).</source>
        <translation>Start training (Ctrl+T).</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Stop</translation>
    </message>
    <message>
        <source>Stop after the current batch (Esc).</source>
        <translation>Stop after the current batch (Esc).</translation>
    </message>
    <message>
        <source>Epoch -</source>
        <translation>Epoch -</translation>
    </message>
    <message>
        <source>- images/s</source>
        <translation>- images/s</translation>
    </message>
    <message>
        <source>Elapsed --</source>
        <translation>Elapsed --</translation>
    </message>
    <message>
        <source>Remaining --</source>
        <translation>Remaining --</translation>
    </message>
    <message>
        <source>Learning-rate finder: click the curve to pick a rate.</source>
        <translation>Learning-rate finder: click the curve to pick a rate.</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Learning rate</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Loss</translation>
    </message>
    <message>
        <source>%1-fold cross-validation: %2 % (sd %3) for this model, %4 % (sd %5) for a bag-of-words logistic regression on the same folds.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language model, epoch %1: validation perplexity %2, next-word accuracy %3 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped before the first epoch ended; no model was kept.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stopped. Kept epoch %2 (%3): validation accuracy %1 %.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Finished. Kept epoch %2 (%3): validation accuracy %1 %.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 training and %2 validation reviews, vocabulary of %3 words, %4 % of the training words found in the word vectors.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Language model saved: validation perplexity %1 (word frequencies alone: %2).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 words/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 reviews/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Passes over the training reviews.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Reviews per optimisation step. Smaller uses less memory.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Keep the epoch with:</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Which epoch&apos;s weights become the model, and what early stopping watches. The same rule for images and texts.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Best validation accuracy</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Lowest validation loss</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Stop after this many epochs without a better epoch by the rule above (0 = off).</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>- reviews/s</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>%1: %2 %</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Remaining: %1 for the head, then the fine-tuning (not timed yet)</source>
        <translation type="unfinished"></translation>
    </message>
</context>
<context>
    <name>graft::ui::TrainingWorker</name>
    <message>
        <source>Train a text model first.</source>
        <translation type="unfinished"></translation>
    </message>
    <message>
        <source>Train a model first.</source>
        <translation type="unfinished">Train a model first.</translation>
    </message>
    <message>
        <source>%1 holds no classifier to predict with.</source>
        <translation type="unfinished"></translation>
    </message>
</context>
</TS>
