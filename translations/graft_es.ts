<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="es">
<context>
    <name>ErrorText</name>
    <message>
        <source>No error.</source>
        <translation>Sin errores.</translation>
    </message>
    <message>
        <source>The file or folder does not exist.</source>
        <translation>El archivo o la carpeta no existe.</translation>
    </message>
    <message>
        <source>The file or folder cannot be read.</source>
        <translation>No se puede leer el archivo o la carpeta.</translation>
    </message>
    <message>
        <source>The file is not in the expected format.</source>
        <translation>El archivo no tiene el formato esperado.</translation>
    </message>
    <message>
        <source>This is not supported by Graft.</source>
        <translation>Graft no admite esto.</translation>
    </message>
    <message>
        <source>The input is too large.</source>
        <translation>La entrada es demasiado grande.</translation>
    </message>
    <message>
        <source>A setting is out of range.</source>
        <translation>Un ajuste está fuera de rango.</translation>
    </message>
    <message>
        <source>The dataset cannot be trained on.</source>
        <translation>No se puede entrenar con este conjunto de datos.</translation>
    </message>
    <message>
        <source>The weights file is invalid.</source>
        <translation>El archivo de pesos no es válido.</translation>
    </message>
    <message>
        <source>Writing the file failed.</source>
        <translation>No se pudo escribir el archivo.</translation>
    </message>
    <message>
        <source>Cancelled.</source>
        <translation>Cancelado.</translation>
    </message>
    <message>
        <source>Training diverged (the loss became NaN or infinite).</source>
        <translation>El entrenamiento divergió (la pérdida se volvió NaN o infinita).</translation>
    </message>
    <message>
        <source>The download failed.</source>
        <translation>La descarga falló.</translation>
    </message>
    <message>
        <source>The file&apos;s checksum does not match.</source>
        <translation>La suma de comprobación del archivo no coincide.</translation>
    </message>
    <message>
        <source>Internal error.</source>
        <translation>Error interno.</translation>
    </message>
    <message>
        <source>lowest validation loss</source>
        <translation>la menor pérdida de validación</translation>
    </message>
    <message>
        <source>best validation accuracy</source>
        <translation>la mejor exactitud de validación</translation>
    </message>
    <message>
        <source>Reading the dataset</source>
        <translation>Leyendo el conjunto de datos</translation>
    </message>
    <message>
        <source>Loading word vectors</source>
        <translation>Cargando los vectores de palabras</translation>
    </message>
    <message>
        <source>Extracting features</source>
        <translation>Extrayendo características</translation>
    </message>
    <message>
        <source>Finding the learning rate</source>
        <translation>Buscando la tasa de aprendizaje</translation>
    </message>
    <message>
        <source>Training</source>
        <translation>Entrenando</translation>
    </message>
    <message>
        <source>Validating</source>
        <translation>Validando</translation>
    </message>
    <message>
        <source>Writing the export</source>
        <translation>Escribiendo la exportación</translation>
    </message>
    <message>
        <source>Checking the export</source>
        <translation>Comprobando la exportación</translation>
    </message>
    <message>
        <source>Cross-validating</source>
        <translation>Validación cruzada</translation>
    </message>
    <message>
        <source>Skipped %1: %2</source>
        <translation>Omitido %1: %2</translation>
    </message>
    <message>
        <source>Resumed after epoch %1.</source>
        <translation>Reanudado tras la época %1.</translation>
    </message>
    <message>
        <source>Stopped early after epoch %1: no better %3 since epoch %2.</source>
        <translation>Parada temprana tras la época %1: sin mejorar %3 desde la época %2.</translation>
    </message>
    <message>
        <source>The checkpoint could not be saved: %1</source>
        <translation>No se pudo guardar el punto de control: %1</translation>
    </message>
    <message>
        <source>The feature cache could not be saved: %1</source>
        <translation>No se pudo guardar la caché de características: %1</translation>
    </message>
    <message>
        <source>Learning rate from the finder: %1</source>
        <translation>Tasa de aprendizaje del buscador: %1</translation>
    </message>
    <message>
        <source>Word vectors: %1 of %2 training words found in %3.</source>
        <translation>Vectores de palabras: %1 de %2 palabras de entrenamiento encontradas en %3.</translation>
    </message>
    <message>
        <source>Run saved in %1</source>
        <translation>Ejecución guardada en %1</translation>
    </message>
    <message>
        <source>The run folder could not be saved: %1</source>
        <translation>No se pudo guardar la carpeta de la ejecución: %1</translation>
    </message>
    <message numerus="yes">
        <source>Stopped after %n complete epoch(s).</source>
        <translation>
            <numerusform>Detenido tras %n época completa.</numerusform>
            <numerusform>Detenido tras %n épocas completas.</numerusform>
        </translation>
    </message>
    <message>
        <source>Fold %1 of %2: model %3 %, bag-of-words baseline %4 %</source>
        <translation>Pliegue %1 de %2: modelo %3 %, referencia de bolsa de palabras %4 %</translation>
    </message>
    <message>
        <source>Cannot be read</source>
        <translation>No se puede leer</translation>
    </message>
    <message>
        <source>Empty file</source>
        <translation>Archivo vacío</translation>
    </message>
    <message>
        <source>Not an image</source>
        <translation>No es una imagen</translation>
    </message>
    <message>
        <source>Truncated</source>
        <translation>Truncado</translation>
    </message>
    <message>
        <source>Corrupt</source>
        <translation>Dañado</translation>
    </message>
    <message>
        <source>Too small</source>
        <translation>Demasiado pequeña</translation>
    </message>
    <message>
        <source>Too large</source>
        <translation>Demasiado grande</translation>
    </message>
    <message>
        <source>Duplicate</source>
        <translation>Duplicado</translation>
    </message>
    <message>
        <source>Not text in a known encoding</source>
        <translation>No es texto en una codificación conocida</translation>
    </message>
    <message>
        <source>Read as Latin-1</source>
        <translation>Leído como Latin-1</translation>
    </message>
    <message>
        <source>Malformed row</source>
        <translation>Fila mal formada</translation>
    </message>
    <message>
        <source>Missing column</source>
        <translation>Falta una columna</translation>
    </message>
    <message>
        <source>Missing label</source>
        <translation>Falta la etiqueta</translation>
    </message>
    <message>
        <source>Skipped file</source>
        <translation>Archivo omitido</translation>
    </message>
    <message>
        <source>Empty review</source>
        <translation>Reseña vacía</translation>
    </message>
    <message>
        <source>Duplicate with another label</source>
        <translation>Duplicado con otra etiqueta</translation>
    </message>
    <message>
        <source>Duplicate across splits</source>
        <translation>Duplicado entre particiones</translation>
    </message>
    <message>
        <source>Empty class</source>
        <translation>Clase vacía</translation>
    </message>
    <message>
        <source>Too few classes</source>
        <translation>Muy pocas clases</translation>
    </message>
    <message>
        <source>Feature extractor</source>
        <translation>Extractor de características</translation>
    </message>
    <message>
        <source>Fine-tune top</source>
        <translation>Ajustar la parte superior</translation>
    </message>
    <message>
        <source>Full fine-tune</source>
        <translation>Ajuste completo</translation>
    </message>
    <message>
        <source>Gradual unfreezing</source>
        <translation>Descongelación gradual</translation>
    </message>
    <message>
        <source>One-cycle</source>
        <translation>Un ciclo</translation>
    </message>
    <message>
        <source>Cosine with warm-up</source>
        <translation>Coseno con calentamiento</translation>
    </message>
    <message>
        <source>Constant</source>
        <translation>Constante</translation>
    </message>
</context>
<context>
    <name>graft::ui::DataPanel</name>
    <message>
        <source>Open dataset folder</source>
        <translation>Abrir carpeta de datos</translation>
    </message>
    <message>
        <source>Split from folders: %1 train, %2 validation, %3 test</source>
        <translation>División según carpetas: %1 de entrenamiento, %2 de validación, %3 de prueba</translation>
    </message>
    <message>
        <source>Seeded split: %1 train, %2 validation, %3 test</source>
        <translation>División con semilla: %1 de entrenamiento, %2 de validación, %3 de prueba</translation>
    </message>
    <message>
        <source>No dataset loaded.</source>
        <translation>No hay ningún conjunto de datos cargado.</translation>
    </message>
    <message>
        <source>&amp;Open folder...</source>
        <translation>&amp;Abrir carpeta...</translation>
    </message>
    <message>
        <source>&amp;Rescan</source>
        <translation>&amp;Volver a analizar</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Split seed:</source>
        <translation>Semilla de la división:</translation>
    </message>
    <message>
        <source>Seed of the random train/validation split (used when the folder has no train/ and val/ subfolders).</source>
        <translation>Semilla de la división aleatoria entre entrenamiento y validación (se usa cuando la carpeta no tiene subcarpetas train/ y val/).</translation>
    </message>
    <message>
        <source>Validation fraction:</source>
        <translation>Fracción de validación:</translation>
    </message>
    <message>
        <source>Share of each class held out for validation.</source>
        <translation>Proporción de cada clase reservada para validación.</translation>
    </message>
    <message>
        <source>Classes</source>
        <translation>Clases</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Clase</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Entrenamiento</translation>
    </message>
    <message>
        <source>Validation</source>
        <translation>Validación</translation>
    </message>
    <message>
        <source>Test</source>
        <translation>Prueba</translation>
    </message>
    <message>
        <source>Total</source>
        <translation>Total</translation>
    </message>
    <message>
        <source>Class balance</source>
        <translation>Equilibrio de clases</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Imágenes</translation>
    </message>
    <message>
        <source>Thumbnails of the selected class</source>
        <translation>Miniaturas de la clase seleccionada</translation>
    </message>
    <message>
        <source>Problems</source>
        <translation>Problemas</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Archivo</translation>
    </message>
    <message>
        <source>Problem</source>
        <translation>Problema</translation>
    </message>
    <message>
        <source>Detail</source>
        <translation>Detalle</translation>
    </message>
    <message>
        <source>Open containing folder</source>
        <translation>Abrir la carpeta que lo contiene</translation>
    </message>
    <message>
        <source>Tokens (%1): %2</source>
        <translation>Tokens (%1): %2</translation>
    </message>
    <message>
        <source>Reviews: %1 train, %2 validation; %3 tokens per review (median), %4 at most</source>
        <translation>Reseñas: %1 de entrenamiento, %2 de validación; %3 tokens por reseña (mediana), %4 como máximo</translation>
    </message>
    <message>
        <source>Drop an image folder here: one subfolder per class, optionally inside train/ and val/ folders. Reviews work too: one .txt per review in class folders, or a CSV/TSV file.</source>
        <translation>Suelte aquí una carpeta de imágenes: una subcarpeta por clase, opcionalmente dentro de carpetas train/ y val/. También sirven reseñas: un .txt por reseña en carpetas por clase, o un archivo CSV/TSV.</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>Reseñas</translation>
    </message>
    <message>
        <source>Reviews of the selected class (select one to see its tokens)</source>
        <translation>Reseñas de la clase seleccionada (seleccione una para ver sus tokens)</translation>
    </message>
</context>
<context>
    <name>graft::ui::EvaluatePanel</name>
    <message>
        <source>true: %1
pred: %2 (%3 %)</source>
        <translation>real: %1
pred.: %2 (%3 %)</translation>
    </message>
    <message>
        <source>Train a model to see how it does on the validation images.</source>
        <translation>Entrene un modelo para ver cómo se comporta con las imágenes de validación.</translation>
    </message>
    <message>
        <source>Validation: %1 images, accuracy %2 %, loss %3, %4 mistakes.</source>
        <translation>Validación: %1 imágenes, exactitud %2 %, pérdida %3, %4 errores.</translation>
    </message>
    <message>
        <source>Confusion matrix (click a cell to filter)</source>
        <translation>Matriz de confusión (haga clic en una celda para filtrar)</translation>
    </message>
    <message>
        <source>Predicted</source>
        <translation>Predicha</translation>
    </message>
    <message>
        <source>True</source>
        <translation>Real</translation>
    </message>
    <message>
        <source>Per class</source>
        <translation>Por clase</translation>
    </message>
    <message>
        <source>Class</source>
        <translation>Clase</translation>
    </message>
    <message>
        <source>Precision</source>
        <translation>Precisión</translation>
    </message>
    <message>
        <source>Recall</source>
        <translation>Exhaustividad</translation>
    </message>
    <message>
        <source>F1</source>
        <translation>F1</translation>
    </message>
    <message>
        <source>Images</source>
        <translation>Imágenes</translation>
    </message>
    <message>
        <source>Mistakes: %1 predicted as %2</source>
        <translation>Errores: %1 predicha como %2</translation>
    </message>
    <message>
        <source>Mistakes, worst first (double-click for a large view)</source>
        <translation>Errores, los peores primero (doble clic para verlos en grande)</translation>
    </message>
    <message>
        <source>Show all mistakes</source>
        <translation>Mostrar todos los errores</translation>
    </message>
    <message>
        <source>Green words pushed the model towards its prediction, red words against it (how much the prediction drops when the word is left out).</source>
        <translation>Las palabras en verde empujaron al modelo hacia su predicción y las rojas en contra (cuánto baja la predicción si se quita la palabra).</translation>
    </message>
    <message>
        <source>true: %1, predicted: %2 (%3 %)</source>
        <translation>real: %1, predicha: %2 (%3 %)</translation>
    </message>
    <message>
        <source>Validation: %1 reviews, accuracy %2 %, loss %3, %4 mistakes.</source>
        <translation>Validación: %1 reseñas, exactitud %2 %, pérdida %3, %4 errores.</translation>
    </message>
    <message>
        <source>Reviews</source>
        <translation>Reseñas</translation>
    </message>
    <message>
        <source>Mistakes, worst first (select one to see which words decided)</source>
        <translation>Errores, los peores primero (seleccione uno para ver qué palabras decidieron)</translation>
    </message>
    <message>
        <source>This model has no evaluation yet: open the dataset it was trained on, then open the model again.</source>
        <translation>Este modelo aún no tiene evaluación: abra el conjunto de datos con el que se entrenó y vuelva a abrir el modelo.</translation>
    </message>
    <message>
        <source>%1 %
%2</source>
        <translation>%1 %
%2</translation>
    </message>
</context>
<context>
    <name>graft::ui::ExportPanel</name>
    <message>
        <source>Export model</source>
        <translation>Exportar modelo</translation>
    </message>
    <message>
        <source>Train a model first.</source>
        <translation>Primero entrene un modelo.</translation>
    </message>
    <message>
        <source>Exporting and verifying...</source>
        <translation>Exportando y verificando...</translation>
    </message>
    <message>
        <source>Wait for the current job to finish.</source>
        <translation>Espere a que termine la tarea en curso.</translation>
    </message>
    <message>
        <source>Written to %1.
Reloaded and compared on %2 validation images: top-1 agreement %3 %, largest probability difference %4.</source>
        <translation>Guardado en %1.
Recargado y comparado con %2 imágenes de validación: coincidencia top-1 del %3 %, mayor diferencia de probabilidad %4.</translation>
    </message>
    <message>
        <source>File:</source>
        <translation>Archivo:</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Examinar...</translation>
    </message>
    <message>
        <source>&amp;Export</source>
        <translation>&amp;Exportar</translation>
    </message>
    <message>
        <source>TorchScript (*.pt);;ONNX (*.onnx)</source>
        <translation>TorchScript (*.pt);;ONNX (*.onnx)</translation>
    </message>
    <message>
        <source>Written to %1.
Loaded with OpenCV DNN and compared on %2 validation images: top-1 agreement %3 %, largest probability difference %4.</source>
        <translation>Escrito en %1.
Cargado con OpenCV DNN y comparado en %2 imágenes de validación: coincidencia top-1 %3 %, mayor diferencia de probabilidad %4.</translation>
    </message>
    <message>
        <source>Export the trained model as a TorchScript file (.pt) or as ONNX (.onnx), with a .json file beside it that holds the labels and the preprocessing (image size and scaling, or the vocabulary and tokenizer settings of a text model). The file is loaded again and checked against this model on the validation data.</source>
        <translation>Exporta el modelo entrenado como archivo TorchScript (.pt) o como ONNX (.onnx), con un archivo .json al lado que guarda las etiquetas y el preprocesamiento (tamaño y escala de la imagen, o el vocabulario y los ajustes del tokenizador de un modelo de texto). El archivo se vuelve a cargar y se compara con este modelo en los datos de validación.</translation>
    </message>
    <message>
        <source>Written to %1.
Loaded with OpenCV DNN and compared on %2 validation reviews: top-1 agreement %3 %, largest probability difference %4.</source>
        <translation>Escrito en %1.
Cargado con OpenCV DNN y comparado en %2 reseñas de validación: coincidencia de la clase principal %3 %, mayor diferencia de probabilidad %4.</translation>
    </message>
    <message>
        <source>Written to %1.
Reloaded and compared on %2 validation reviews: top-1 agreement %3 %, largest probability difference %4.</source>
        <translation>Escrito en %1.
Recargado y comparado en %2 reseñas de validación: coincidencia de la clase principal %3 %, mayor diferencia de probabilidad %4.</translation>
    </message>
</context>
<context>
    <name>graft::ui::FreezePicker</name>
    <message>
        <source>Checked: this group&apos;s weights are updated; unchecked: frozen.</source>
        <translation>Marcado: los pesos de este grupo se actualizan; sin marcar: congelados.</translation>
    </message>
    <message>
        <source>Learning-rate multiplier of this group, relative to the backbone rate.</source>
        <translation>Multiplicador de la tasa de aprendizaje de este grupo, relativo a la tasa de la red base.</translation>
    </message>
    <message>
        <source>Layer groups (input at the bottom). Drag the cut point to choose where features are taken.</source>
        <translation>Grupos de capas (la entrada abajo). Arrastre el punto de corte para elegir de dónde se toman las características.</translation>
    </message>
    <message>
        <source>Cut point: groups above it are dropped.</source>
        <translation>Punto de corte: los grupos por encima se descartan.</translation>
    </message>
    <message>
        <source>Group</source>
        <translation>Grupo</translation>
    </message>
    <message>
        <source>Trainable</source>
        <translation>Entrenable</translation>
    </message>
    <message>
        <source>LR multiplier</source>
        <translation>Multiplicador de TA</translation>
    </message>
    <message>
        <source>No layer groups.</source>
        <translation>No hay grupos de capas.</translation>
    </message>
    <message>
        <source>Using %1 of %2 groups; %3 trainable.</source>
        <translation>Se usan %1 de %2 grupos; %3 entrenables.</translation>
    </message>
</context>
<context>
    <name>graft::ui::GuideDialog</name>
    <message>
        <source>Graft User Guide</source>
        <translation>Guía de usuario de Graft</translation>
    </message>
</context>
<context>
    <name>graft::ui::ImageViewDialog</name>
    <message>
        <source>The image cannot be shown.</source>
        <translation>No se puede mostrar la imagen.</translation>
    </message>
    <message>
        <source>Show &amp;Grad-CAM overlay</source>
        <translation>Mostrar superposición &amp;Grad-CAM</translation>
    </message>
    <message>
        <source>Highlights the regions that drove the prediction.</source>
        <translation>Resalta las regiones que determinaron la predicción.</translation>
    </message>
    <message>
        <source>Open containing folder</source>
        <translation>Abrir la carpeta que lo contiene</translation>
    </message>
</context>
<context>
    <name>graft::ui::LossPlot</name>
    <message>
        <source>Step (batches)</source>
        <translation>Paso (lotes)</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Pérdida</translation>
    </message>
    <message>
        <source>Validation accuracy</source>
        <translation>Exactitud de validación</translation>
    </message>
    <message>
        <source>Batch loss</source>
        <translation>Pérdida por lote</translation>
    </message>
    <message>
        <source>Batch loss (smoothed)</source>
        <translation>Pérdida por lote (suavizada)</translation>
    </message>
    <message>
        <source>Validation loss</source>
        <translation>Pérdida de validación</translation>
    </message>
</context>
<context>
    <name>graft::ui::MainWindow</name>
    <message numerus="yes">
        <source>Dataset scanned: %n class(es)</source>
        <translation>
            <numerusform>Conjunto de datos analizado: %n clase</numerusform>
            <numerusform>Conjunto de datos analizado: %n clases</numerusform>
        </translation>
    </message>
    <message>
        <source>Find learning rate</source>
        <translation>Buscar tasa de aprendizaje</translation>
    </message>
    <message>
        <source>Load a dataset that can be trained on first.</source>
        <translation>Primero cargue un conjunto de datos con el que se pueda entrenar.</translation>
    </message>
    <message>
        <source>Training finished.</source>
        <translation>Entrenamiento terminado.</translation>
    </message>
    <message>
        <source>Open project</source>
        <translation>Abrir proyecto</translation>
    </message>
    <message>
        <source>Graft projects (*.graft)</source>
        <translation>Proyectos de Graft (*.graft)</translation>
    </message>
    <message>
        <source>Open dataset folder</source>
        <translation>Abrir carpeta de datos</translation>
    </message>
    <message>
        <source>About Graft</source>
        <translation>Acerca de Graft</translation>
    </message>
    <message>
        <source>&lt;b&gt;Graft %1&lt;/b&gt;&lt;br&gt;A desktop workbench for transfer learning.</source>
        <translation>&lt;b&gt;Graft %1&lt;/b&gt;&lt;br&gt;Un banco de trabajo de escritorio para aprendizaje por transferencia.</translation>
    </message>
    <message>
        <source>Data</source>
        <translation>Datos</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <source>Train</source>
        <translation>Entrenar</translation>
    </message>
    <message>
        <source>Evaluate</source>
        <translation>Evaluar</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>Predecir</translation>
    </message>
    <message>
        <source>Export</source>
        <translation>Exportar</translation>
    </message>
    <message>
        <source>&amp;File</source>
        <translation>&amp;Archivo</translation>
    </message>
    <message>
        <source>&amp;New project</source>
        <translation>&amp;Nuevo proyecto</translation>
    </message>
    <message>
        <source>&amp;Open project...</source>
        <translation>&amp;Abrir proyecto...</translation>
    </message>
    <message>
        <source>Open &amp;recent</source>
        <translation>Abrir &amp;reciente</translation>
    </message>
    <message>
        <source>&amp;Save project</source>
        <translation>&amp;Guardar proyecto</translation>
    </message>
    <message>
        <source>Save project &amp;as...</source>
        <translation>Guardar proyecto &amp;como...</translation>
    </message>
    <message>
        <source>Open &amp;dataset folder...</source>
        <translation>Abrir carpeta de &amp;datos...</translation>
    </message>
    <message>
        <source>&amp;Quit</source>
        <translation>&amp;Salir</translation>
    </message>
    <message>
        <source>&amp;Run</source>
        <translation>&amp;Ejecutar</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Entrenar</translation>
    </message>
    <message>
        <source>Find &amp;learning rate</source>
        <translation>Buscar tasa de &amp;aprendizaje</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Detener</translation>
    </message>
    <message>
        <source>&amp;Settings</source>
        <translation>&amp;Configuración</translation>
    </message>
    <message>
        <source>&amp;Language</source>
        <translation>&amp;Idioma</translation>
    </message>
    <message>
        <source>System default</source>
        <translation>Predeterminado del sistema</translation>
    </message>
    <message>
        <source>&amp;Help</source>
        <translation>A&amp;yuda</translation>
    </message>
    <message>
        <source>&amp;About Graft</source>
        <translation>&amp;Acerca de Graft</translation>
    </message>
    <message>
        <source>Untitled</source>
        <translation>Sin título</translation>
    </message>
    <message>
        <source>%1[*] - Graft</source>
        <translation>%1[*] - Graft</translation>
    </message>
    <message>
        <source>Save project</source>
        <translation>Guardar proyecto</translation>
    </message>
    <message>
        <source>Project saved.</source>
        <translation>Proyecto guardado.</translation>
    </message>
    <message>
        <source>Unsaved changes</source>
        <translation>Cambios sin guardar</translation>
    </message>
    <message>
        <source>The project has unsaved changes. Save them?</source>
        <translation>El proyecto tiene cambios sin guardar. ¿Desea guardarlos?</translation>
    </message>
    <message>
        <source>Training is running</source>
        <translation>Hay un entrenamiento en curso</translation>
    </message>
    <message>
        <source>A job is running. Stop it and close the window?</source>
        <translation>Hay una tarea en curso. ¿Detenerla y cerrar la ventana?</translation>
    </message>
    <message>
        <source>&amp;User Guide</source>
        <translation>&amp;Guía de usuario</translation>
    </message>
    <message numerus="yes">
        <source>Reviews scanned: %n class(es)</source>
        <translation>
            <numerusform>Reseñas analizadas: %n clase</numerusform>
            <numerusform>Reseñas analizadas: %n clases</numerusform>
        </translation>
    </message>
    <message>
        <source>%1 does not exist.</source>
        <translation>%1 no existe.</translation>
    </message>
    <message>
        <source>Resume training?</source>
        <translation>¿Reanudar el entrenamiento?</translation>
    </message>
    <message>
        <source>Language model</source>
        <translation>Modelo de lenguaje</translation>
    </message>
    <message>
        <source>Load a folder or file of reviews first.</source>
        <translation>Cargue antes una carpeta o un archivo de reseñas.</translation>
    </message>
    <message>
        <source>Save language model</source>
        <translation>Guardar modelo de lenguaje</translation>
    </message>
    <message>
        <source>Graft language models (*.lm)</source>
        <translation>Modelos de lenguaje de Graft (*.lm)</translation>
    </message>
    <message>
        <source>Language model saved: validation perplexity %1 (word frequencies alone: %2). The classifier will start from it.</source>
        <translation>Modelo de lenguaje guardado: perplejidad de validación %1 (solo con frecuencias de palabras: %2). El clasificador partirá de él.</translation>
    </message>
    <message>
        <source>Cross-validate</source>
        <translation>Validación cruzada</translation>
    </message>
    <message>
        <source>Cross-validation works on loaded reviews; load a review folder or file first.</source>
        <translation>La validación cruzada funciona con reseñas cargadas; cargue antes una carpeta o un archivo de reseñas.</translation>
    </message>
    <message>
        <source>&amp;Cross-validate text model (5 folds)</source>
        <translation>&amp;Validación cruzada del modelo de texto (5 particiones)</translation>
    </message>
    <message>
        <source>Train the text model five times on different folds and compare its accuracy with a bag-of-words logistic regression on the same folds.</source>
        <translation>Entrena el modelo de texto cinco veces con particiones distintas y compara su exactitud con una regresión logística sobre bolsa de palabras en las mismas particiones.</translation>
    </message>
    <message numerus="yes">
        <source>Model opened: %1 (%n class(es))</source>
        <translation>
            <numerusform>Modelo abierto: %1 (%n clase)</numerusform>
            <numerusform>Modelo abierto: %1 (%n clases)</numerusform>
        </translation>
    </message>
    <message>
        <source>Could not open the model: %1</source>
        <translation>No se pudo abrir el modelo: %1</translation>
    </message>
    <message>
        <source>Open model</source>
        <translation>Abrir modelo</translation>
    </message>
    <message>
        <source>Graft models (run.json *.pt *.onnx)</source>
        <translation>Modelos de Graft (run.json *.pt *.onnx)</translation>
    </message>
    <message>
        <source>Wait for the running job to end, or stop it.</source>
        <translation>Espere a que termine el trabajo en curso o deténgalo.</translation>
    </message>
    <message>
        <source>Open &amp;model (run or export)...</source>
        <translation>Abrir &amp;modelo (ejecución o exportación)...</translation>
    </message>
    <message>
        <source>The project&apos;s model %1 is gone; train again.</source>
        <translation>El modelo del proyecto (%1) ya no existe; vuelva a entrenar.</translation>
    </message>
    <message>
        <source>Runs</source>
        <translation>Ejecuciones</translation>
    </message>
    <message>
        <source>An earlier run on this dataset with this model stopped after epoch %1 of %2 (it was stopped, or Graft was closed). Continue it from there?</source>
        <translation>Una ejecución anterior con estos datos y este modelo se detuvo tras la época %1 de %2 (se detuvo o se cerró Graft). ¿Desea continuarla desde ahí?</translation>
    </message>
    <message numerus="yes">
        <source>It continues with the settings it was started with (%n epoch(s) in all), not those shown now. No starts a new run with the settings shown.</source>
        <translation>
            <numerusform>Continúa con los ajustes con los que empezó (%n época en total), no con los que se muestran ahora. No empieza una ejecución nueva con los ajustes mostrados.</numerusform>
            <numerusform>Continúa con los ajustes con los que empezó (%n épocas en total), no con los que se muestran ahora. No empieza una ejecución nueva con los ajustes mostrados.</numerusform>
        </translation>
    </message>
    <message>
        <source>Keep the new model?</source>
        <translation>¿Conservar el modelo nuevo?</translation>
    </message>
    <message>
        <source>This run reached %1 % validation accuracy, below the %2 % of the model it replaced (%3). Which one do you want to use? Both stay in the Runs tab.</source>
        <translation>Esta ejecución ha alcanzado una exactitud de validación del %1 %, por debajo del %2 % del modelo al que sustituye (%3). ¿Cuál desea usar? Ambos se conservan en la pestaña Ejecuciones.</translation>
    </message>
    <message>
        <source>Go back to %1</source>
        <translation>Volver a «%1»</translation>
    </message>
    <message>
        <source>Use the new run</source>
        <translation>Usar la ejecución nueva</translation>
    </message>
</context>
<context>
    <name>graft::ui::ModelPanel</name>
    <message>
        <source>Weights folder</source>
        <translation>Carpeta de pesos</translation>
    </message>
    <message>
        <source>Import weights for %1</source>
        <translation>Importar pesos para %1</translation>
    </message>
    <message>
        <source>Import weights</source>
        <translation>Importar pesos</translation>
    </message>
    <message>
        <source>Backbone</source>
        <translation>Red base</translation>
    </message>
    <message>
        <source>The pretrained network whose features are reused.</source>
        <translation>La red preentrenada cuyas características se reutilizan.</translation>
    </message>
    <message>
        <source>Weights folder:</source>
        <translation>Carpeta de pesos:</translation>
    </message>
    <message>
        <source>Browse...</source>
        <translation>Examinar...</translation>
    </message>
    <message>
        <source>&amp;Import weights file...</source>
        <translation>&amp;Importar archivo de pesos...</translation>
    </message>
    <message>
        <source>What to freeze</source>
        <translation>Qué congelar</translation>
    </message>
    <message>
        <source>Feature extractor</source>
        <translation>Extractor de características</translation>
    </message>
    <message>
        <source>Freeze the whole backbone and train only the new head. Fastest; features are cached.</source>
        <translation>Congela toda la red base y entrena solo la cabeza nueva. Lo más rápido; las características se guardan en caché.</translation>
    </message>
    <message>
        <source>Fine-tune top</source>
        <translation>Ajustar la parte superior</translation>
    </message>
    <message>
        <source>Train the head first, then also the top groups of the backbone.</source>
        <translation>Entrena primero la cabeza y después también los grupos superiores de la red base.</translation>
    </message>
    <message>
        <source>Full fine-tune</source>
        <translation>Ajuste completo</translation>
    </message>
    <message>
        <source>Train the head first, then every group with smaller rates for lower groups.</source>
        <translation>Entrena primero la cabeza y después todos los grupos, con tasas menores para los grupos inferiores.</translation>
    </message>
    <message>
        <source>Gradual unfreezing</source>
        <translation>Descongelación gradual</translation>
    </message>
    <message>
        <source>Unfreeze one more group per epoch, from the top down.</source>
        <translation>Descongela un grupo más en cada época, de arriba abajo.</translation>
    </message>
    <message>
        <source>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Architecture: %2&lt;br&gt;Input: %3 x %3 pixels&lt;br&gt;Pretrained on: %4&lt;br&gt;Licence: %5&lt;br&gt;Download size: %6&lt;br&gt;%7</source>
        <translation>&lt;b&gt;%1&lt;/b&gt;&lt;br&gt;Arquitectura: %2&lt;br&gt;Entrada: %3 x %3 píxeles&lt;br&gt;Preentrenada con: %4&lt;br&gt;Licencia: %5&lt;br&gt;Tamaño de descarga: %6&lt;br&gt;%7</translation>
    </message>
    <message>
        <source>Weights: available</source>
        <translation>Pesos: disponibles</translation>
    </message>
    <message>
        <source>Weights: not on this machine; downloadable from %1, or import the file.</source>
        <translation>Pesos: no están en este equipo; se pueden descargar de %1 o importar el archivo.</translation>
    </message>
    <message>
        <source>Weights: missing (%1). Import the file.</source>
        <translation>Pesos: faltan (%1). Importe el archivo.</translation>
    </message>
    <message>
        <source>%1 (%2 channels)</source>
        <translation>%1 (%2 canales)</translation>
    </message>
    <message>
        <source>Weights (*.safetensors *.txt *.vec);;All files (*)</source>
        <translation>Pesos (*.safetensors *.txt *.vec);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Download weights</source>
        <translation>Descargar pesos</translation>
    </message>
    <message>
        <source>The download failed:
%1</source>
        <translation>La descarga ha fallado:
%1</translation>
    </message>
    <message>
        <source>&amp;Download weights</source>
        <translation>&amp;Descargar pesos</translation>
    </message>
    <message>
        <source>Download the pretrained weights, verify their checksum and keep them in the weights folder.</source>
        <translation>Descarga los pesos preentrenados, verifica su suma de comprobación y los guarda en la carpeta de pesos.</translation>
    </message>
    <message>
        <source>Cancel</source>
        <translation>Cancelar</translation>
    </message>
    <message>
        <source>Drag the cut point to use features from an earlier group when your images look unlike the pretraining data.</source>
        <translation>Arrastre el punto de corte para usar características de un grupo anterior cuando sus imágenes no se parezcan a los datos de preentrenamiento.</translation>
    </message>
    <message>
        <source>Word vectors</source>
        <translation>Vectores de palabras</translation>
    </message>
    <message>
        <source>Word vectors (*.txt *.vec *.bin);;All files (*)</source>
        <translation>Vectores de palabras (*.txt *.vec *.bin);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Text model</source>
        <translation>Modelo de texto</translation>
    </message>
    <message>
        <source>Word vectors:</source>
        <translation>Vectores de palabras:</translation>
    </message>
    <message>
        <source>none: learn word vectors from the reviews</source>
        <translation>ninguno: aprender los vectores de las reseñas</translation>
    </message>
    <message>
        <source>Classifier:</source>
        <translation>Clasificador:</translation>
    </message>
    <message>
        <source>Mean and max of the word vectors, then linear</source>
        <translation>Media y máximo de los vectores de palabras, luego lineal</translation>
    </message>
    <message>
        <source>Convolutions over 3-5 word windows (Kim CNN)</source>
        <translation>Convoluciones sobre ventanas de 3 a 5 palabras (CNN de Kim)</translation>
    </message>
    <message>
        <source>Keep the word vectors frozen (train the classifier only)</source>
        <translation>Mantener congelados los vectores de palabras (entrenar solo el clasificador)</translation>
    </message>
    <message>
        <source>Language model</source>
        <translation>Modelo de lenguaje</translation>
    </message>
    <message>
        <source>Graft language models (*.lm *.safetensors);;All files (*)</source>
        <translation>Modelos de lenguaje de Graft (*.lm *.safetensors);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Language model:</source>
        <translation>Modelo de lenguaje:</translation>
    </message>
    <message>
        <source>A language model trained on unlabelled text of your domain (ULMFiT). The classifier starts from its vocabulary, word vectors and LSTM, and unfreezes them gradually.</source>
        <translation>Un modelo de lenguaje entrenado con texto sin etiquetar de su dominio (ULMFiT). El clasificador parte de su vocabulario, sus vectores de palabras y su LSTM, y los descongela de forma gradual.</translation>
    </message>
    <message>
        <source>Bidirectional LSTM reading word order (slower)</source>
        <translation>LSTM bidireccional que lee el orden de las palabras (más lenta)</translation>
    </message>
    <message>
        <source>Reviews are read as words. Pretrained word vectors (GloVe, word2vec, or fastText .vec and .bin files; a .bin model also gives misspelt and unseen words a vector from their letters) give the words their meaning from a large corpus; without them the model learns word meanings from your reviews alone, which needs many more of them. Keep the vectors frozen when you have few reviews; let them train when you have thousands.</source>
        <translation>Las reseñas se leen como palabras. Los vectores de palabras preentrenados (GloVe, word2vec o archivos .vec y .bin de fastText; un modelo .bin también da un vector a las palabras mal escritas o nunca vistas a partir de sus letras) aportan el significado de las palabras aprendido en un corpus grande; sin ellos, el modelo aprende el significado solo de sus reseñas, y necesita muchas más. Mantenga los vectores congelados si tiene pocas reseñas; déjelos entrenar si tiene miles.</translation>
    </message>
    <message>
        <source>Train on these reviews...</source>
        <translation>Entrenar con estas reseñas...</translation>
    </message>
    <message>
        <source>Learn a language model from the loaded reviews (labels are not used), starting from the word vectors above if any, and use it for the classifier.</source>
        <translation>Aprende un modelo de lenguaje a partir de las reseñas cargadas (sin usar las etiquetas), partiendo de los vectores de palabras indicados arriba si los hay, y lo usa para el clasificador.</translation>
    </message>
    <message>
        <source>none (make one from your reviews with the button, or with graft-cli lm)</source>
        <translation>ninguno (créelo a partir de sus reseñas con el botón, o con graft-cli lm)</translation>
    </message>
    <message>
        <source>Subword pieces:</source>
        <translation>Fragmentos de palabra:</translation>
    </message>
    <message>
        <source>off (whole words)</source>
        <translation>no (palabras enteras)</translation>
    </message>
    <message>
        <source>Cut words into at most this many pieces learnt from your reviews (byte-pair encoding), so that inflected, rare and misspelt words share pieces with known ones. Not used with a language model.</source>
        <translation>Divide las palabras en, como máximo, este número de fragmentos aprendidos de sus reseñas (codificación por pares de bytes), para que las palabras flexionadas, raras o mal escritas compartan fragmentos con otras conocidas. No se usa con un modelo de lenguaje.</translation>
    </message>
    <message>
        <source>Could not import the file:
%1</source>
        <translation>No se pudo importar el archivo:
%1</translation>
    </message>
    <message>
        <source>not recorded (see the description)</source>
        <translation>no registrado (véase la descripción)</translation>
    </message>
    <message>
        <source>%1 - weights to download</source>
        <translation>%1 - pesos por descargar</translation>
    </message>
    <message>
        <source>%1 - weights missing</source>
        <translation>%1 - faltan los pesos</translation>
    </message>
</context>
<context>
    <name>graft::ui::PredictPanel</name>
    <message>
        <source>Images to classify</source>
        <translation>Imágenes para clasificar</translation>
    </message>
    <message>
        <source>Images (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff)</source>
        <translation>Imágenes (*.jpg *.jpeg *.png *.bmp *.gif *.webp *.tif *.tiff)</translation>
    </message>
    <message>
        <source>Save predictions</source>
        <translation>Guardar predicciones</translation>
    </message>
    <message>
        <source>CSV files (*.csv)</source>
        <translation>Archivos CSV (*.csv)</translation>
    </message>
    <message>
        <source>Could not write %1.</source>
        <translation>No se pudo escribir %1.</translation>
    </message>
    <message>
        <source>Predict</source>
        <translation>Predecir</translation>
    </message>
    <message>
        <source>Train a model first.</source>
        <translation>Primero entrene un modelo.</translation>
    </message>
    <message>
        <source>Wait for the current job to finish.</source>
        <translation>Espere a que termine la tarea en curso.</translation>
    </message>
    <message>
        <source>error</source>
        <translation>error</translation>
    </message>
    <message>
        <source>Drop images or a folder here to classify them with the trained model.</source>
        <translation>Suelte aquí imágenes o una carpeta para clasificarlas con el modelo entrenado.</translation>
    </message>
    <message>
        <source>&amp;Add images...</source>
        <translation>&amp;Añadir imágenes...</translation>
    </message>
    <message>
        <source>Save as &amp;CSV...</source>
        <translation>Guardar como &amp;CSV...</translation>
    </message>
    <message>
        <source>Top classes:</source>
        <translation>Clases principales:</translation>
    </message>
    <message>
        <source>File</source>
        <translation>Archivo</translation>
    </message>
    <message>
        <source>Prediction</source>
        <translation>Predicción</translation>
    </message>
    <message>
        <source>Probability</source>
        <translation>Probabilidad</translation>
    </message>
    <message>
        <source>Texts to classify</source>
        <translation>Textos para clasificar</translation>
    </message>
    <message>
        <source>Text files (*.txt);;All files (*)</source>
        <translation>Archivos de texto (*.txt);;Todos los archivos (*)</translation>
    </message>
    <message>
        <source>Green words pushed the model towards its prediction, red words against it.</source>
        <translation>Las palabras en verde empujaron al modelo hacia su predicción y las rojas en contra.</translation>
    </message>
    <message>
        <source>Train a text model first.</source>
        <translation>Primero entrene un modelo de texto.</translation>
    </message>
    <message>
        <source>Type or paste a review below, or drop .txt files here, to classify them with the trained text model.</source>
        <translation>Escriba o pegue una reseña abajo, o suelte aquí archivos .txt, para clasificarlos con el modelo de texto entrenado.</translation>
    </message>
    <message>
        <source>Review:</source>
        <translation>Reseña:</translation>
    </message>
    <message>
        <source>e.g. The battery died after two days.</source>
        <translation>p. ej.: La batería murió a los dos días.</translation>
    </message>
    <message>
        <source>C&amp;lassify</source>
        <translation>C&amp;lasificar</translation>
    </message>
    <message>
        <source>&amp;Add text files...</source>
        <translation>&amp;Añadir archivos de texto...</translation>
    </message>
    <message>
        <source>Text</source>
        <translation>Texto</translation>
    </message>
</context>
<context>
    <name>graft::ui::RunsPanel</name>
    <message>
        <source>Run %1</source>
        <translation>Ejecución %1</translation>
    </message>
    <message>
        <source>Show this run&apos;s loss curve on the Train tab</source>
        <translation>Mostrar la curva de pérdida de esta ejecución en la pestaña Entrenar</translation>
    </message>
    <message>
        <source>no word vectors</source>
        <translation>sin vectores de palabras</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>none</source>
        <translation>ninguna</translation>
    </message>
    <message>
        <source>The best validation accuracy on this dataset and split</source>
        <translation>La mejor exactitud de validación con estos datos y esta división</translation>
    </message>
    <message>
        <source>Run folder missing</source>
        <translation>Falta la carpeta de la ejecución</translation>
    </message>
    <message>
        <source>Stopped</source>
        <translation>Detenida</translation>
    </message>
    <message>
        <source>Stopped early</source>
        <translation>Parada temprana</translation>
    </message>
    <message>
        <source>Finished</source>
        <translation>Terminada</translation>
    </message>
    <message>
        <source>%1, current model</source>
        <translation>%1, modelo actual</translation>
    </message>
    <message>
        <source>%1 s</source>
        <translation>%1 s</translation>
    </message>
    <message>
        <source>No runs yet: train on the Train tab.</source>
        <translation>Aún no hay ejecuciones: entrene en la pestaña Entrenar.</translation>
    </message>
    <message>
        <source>Select a run to see its settings.</source>
        <translation>Seleccione una ejecución para ver sus ajustes.</translation>
    </message>
    <message numerus="yes">
        <source>%n epoch(s), batch %1, learning rate %2, %3, weight decay %4</source>
        <translation>
            <numerusform>%n época, lote %1, tasa de aprendizaje %2, %3, decaimiento de pesos %4</numerusform>
            <numerusform>%n épocas, lote %1, tasa de aprendizaje %2, %3, decaimiento de pesos %4</numerusform>
        </translation>
    </message>
    <message>
        <source>, augmentation %1</source>
        <translation>, aumento de datos %1</translation>
    </message>
    <message>
        <source>on</source>
        <translation>activado</translation>
    </message>
    <message>
        <source>off</source>
        <translation>desactivado</translation>
    </message>
    <message>
        <source>, label smoothing %1</source>
        <translation>, suavizado de etiquetas %1</translation>
    </message>
    <message>
        <source>Kept epoch chosen by %1; seed %2.</source>
        <translation>Época conservada elegida por %1; semilla %2.</translation>
    </message>
    <message>
        <source>Data: %1</source>
        <translation>Datos: %1</translation>
    </message>
    <message>
        <source>Run folder (missing): %1</source>
        <translation>Carpeta de la ejecución (no existe): %1</translation>
    </message>
    <message>
        <source>Run folder: %1</source>
        <translation>Carpeta de la ejecución: %1</translation>
    </message>
    <message>
        <source>Every run of this project, newest first. Each keeps its model in its run folder: double-click a run (or press Use this model) to make it the current model again for Evaluate, Predict and Export.</source>
        <translation>Todas las ejecuciones de este proyecto, de la más reciente a la más antigua. Cada una guarda su modelo en su carpeta: haga doble clic en una ejecución (o pulse Usar este modelo) para volver a convertirla en el modelo actual de Evaluar, Predecir y Exportar.</translation>
    </message>
    <message>
        <source>Compare</source>
        <translation>Comparar</translation>
    </message>
    <message>
        <source>Name</source>
        <translation>Nombre</translation>
    </message>
    <message>
        <source>Model</source>
        <translation>Modelo</translation>
    </message>
    <message>
        <source>Kept epoch</source>
        <translation>Época conservada</translation>
    </message>
    <message>
        <source>Validation accuracy</source>
        <translation>Exactitud de validación</translation>
    </message>
    <message>
        <source>Status</source>
        <translation>Estado</translation>
    </message>
    <message>
        <source>Time</source>
        <translation>Tiempo</translation>
    </message>
    <message>
        <source>Use this model</source>
        <translation>Usar este modelo</translation>
    </message>
    <message>
        <source>Rename</source>
        <translation>Renombrar</translation>
    </message>
    <message>
        <source>Remove from list</source>
        <translation>Quitar de la lista</translation>
    </message>
    <message>
        <source>Removes the run from this project; its run folder stays on disk</source>
        <translation>Quita la ejecución de este proyecto; su carpeta se conserva en el disco</translation>
    </message>
</context>
<context>
    <name>graft::ui::TrainPanel</name>
    <message>
        <source>Epoch %1: train loss %2, validation loss %3, validation accuracy %4 %</source>
        <translation>Época %1: pérdida de entrenamiento %2, pérdida de validación %3, exactitud de validación %4 %</translation>
    </message>
    <message>
        <source>Epoch %1 of %2</source>
        <translation>Época %1 de %2</translation>
    </message>
    <message>
        <source>%1 images/s</source>
        <translation>%1 imágenes/s</translation>
    </message>
    <message>
        <source>Elapsed %1</source>
        <translation>Transcurrido %1</translation>
    </message>
    <message>
        <source>Remaining %1</source>
        <translation>Restante %1</translation>
    </message>
    <message>
        <source>Training...</source>
        <translation>Entrenando...</translation>
    </message>
    <message>
        <source>Suggested learning rate: %1 (click the curve to choose another)</source>
        <translation>Tasa de aprendizaje sugerida: %1 (haga clic en la curva para elegir otra)</translation>
    </message>
    <message>
        <source>Idle.</source>
        <translation>Inactivo.</translation>
    </message>
    <message>
        <source>Finding the learning rate...</source>
        <translation>Buscando la tasa de aprendizaje...</translation>
    </message>
    <message>
        <source>Preparing...</source>
        <translation>Preparando...</translation>
    </message>
    <message>
        <source>Hyperparameters</source>
        <translation>Hiperparámetros</translation>
    </message>
    <message>
        <source>Epochs:</source>
        <translation>Épocas:</translation>
    </message>
    <message>
        <source>Passes over the training images.</source>
        <translation>Pasadas por las imágenes de entrenamiento.</translation>
    </message>
    <message>
        <source>Head-only epochs:</source>
        <translation>Épocas solo de la cabeza:</translation>
    </message>
    <message>
        <source>Fine-tuning recipes first train the new head alone for this many epochs.</source>
        <translation>Las recetas de ajuste fino entrenan primero la cabeza nueva sola durante estas épocas.</translation>
    </message>
    <message>
        <source>Batch size:</source>
        <translation>Tamaño del lote:</translation>
    </message>
    <message>
        <source>Images per optimisation step. Smaller uses less memory.</source>
        <translation>Imágenes por paso de optimización. Cuanto menor, menos memoria.</translation>
    </message>
    <message>
        <source>Learning rate:</source>
        <translation>Tasa de aprendizaje:</translation>
    </message>
    <message>
        <source>Peak learning rate of the head. Use Find learning rate to choose it.</source>
        <translation>Tasa de aprendizaje máxima de la cabeza. Use Buscar tasa de aprendizaje para elegirla.</translation>
    </message>
    <message>
        <source>Backbone rate factor:</source>
        <translation>Factor de tasa de la red base:</translation>
    </message>
    <message>
        <source>Trainable backbone groups learn at the head rate times this factor times their multiplier.</source>
        <translation>Los grupos entrenables de la red base aprenden a la tasa de la cabeza por este factor por su multiplicador.</translation>
    </message>
    <message>
        <source>Weight decay:</source>
        <translation>Decaimiento de pesos:</translation>
    </message>
    <message>
        <source>Decoupled weight decay (AdamW); keeps weights small.</source>
        <translation>Decaimiento de pesos desacoplado (AdamW); mantiene los pesos pequeños.</translation>
    </message>
    <message>
        <source>Label smoothing:</source>
        <translation>Suavizado de etiquetas:</translation>
    </message>
    <message>
        <source>Spreads this share of each target over the other classes.</source>
        <translation>Reparte esta proporción de cada objetivo entre las demás clases.</translation>
    </message>
    <message>
        <source>Head:</source>
        <translation>Cabeza:</translation>
    </message>
    <message>
        <source>The new classifier on top of the backbone.</source>
        <translation>El clasificador nuevo sobre la red base.</translation>
    </message>
    <message>
        <source>Linear</source>
        <translation>Lineal</translation>
    </message>
    <message>
        <source>Small MLP</source>
        <translation>MLP pequeño</translation>
    </message>
    <message>
        <source>Optimizer:</source>
        <translation>Optimizador:</translation>
    </message>
    <message>
        <source>AdamW suits most cases.</source>
        <translation>AdamW sirve en la mayoría de los casos.</translation>
    </message>
    <message>
        <source>AdamW</source>
        <translation>AdamW</translation>
    </message>
    <message>
        <source>SGD with momentum</source>
        <translation>SGD con momento</translation>
    </message>
    <message>
        <source>Schedule:</source>
        <translation>Programa:</translation>
    </message>
    <message>
        <source>How the learning rate changes over time.</source>
        <translation>Cómo cambia la tasa de aprendizaje con el tiempo.</translation>
    </message>
    <message>
        <source>One-cycle</source>
        <translation>Un ciclo</translation>
    </message>
    <message>
        <source>Cosine with warm-up</source>
        <translation>Coseno con calentamiento</translation>
    </message>
    <message>
        <source>Constant</source>
        <translation>Constante</translation>
    </message>
    <message>
        <source>Augmentation:</source>
        <translation>Aumento de datos:</translation>
    </message>
    <message>
        <source>Random crops, flips, small rotations and colour jitter on training images.</source>
        <translation>Recortes aleatorios, volteos, pequeñas rotaciones y variaciones de color en las imágenes de entrenamiento.</translation>
    </message>
    <message>
        <source>Balance classes:</source>
        <translation>Equilibrar clases:</translation>
    </message>
    <message>
        <source>Weight the loss so that rare classes count as much as common ones.</source>
        <translation>Pondera la pérdida para que las clases raras cuenten tanto como las comunes.</translation>
    </message>
    <message>
        <source>Early stopping patience:</source>
        <translation>Paciencia de parada temprana:</translation>
    </message>
    <message>
        <source>Seed:</source>
        <translation>Semilla:</translation>
    </message>
    <message>
        <source>Random seed for initialisation and shuffling.</source>
        <translation>Semilla aleatoria para la inicialización y la mezcla.</translation>
    </message>
    <message>
        <source>Find &amp;learning rate</source>
        <translation>Buscar tasa de &amp;aprendizaje</translation>
    </message>
    <message>
        <source>Sweep the learning rate over a few batches and plot the loss.</source>
        <translation>Recorre la tasa de aprendizaje durante unos lotes y dibuja la pérdida.</translation>
    </message>
    <message>
        <source>&amp;Train</source>
        <translation>&amp;Entrenar</translation>
    </message>
    <message>
        <source>Start training (Ctrl+T).</source>
        <translation>Empezar el entrenamiento (Ctrl+T).</translation>
    </message>
    <message>
        <source>&amp;Stop</source>
        <translation>&amp;Detener</translation>
    </message>
    <message>
        <source>Stop after the current batch (Esc).</source>
        <translation>Detener tras el lote actual (Esc).</translation>
    </message>
    <message>
        <source>Epoch -</source>
        <translation>Época -</translation>
    </message>
    <message>
        <source>- images/s</source>
        <translation>- imágenes/s</translation>
    </message>
    <message>
        <source>Elapsed --</source>
        <translation>Transcurrido --</translation>
    </message>
    <message>
        <source>Remaining --</source>
        <translation>Restante --</translation>
    </message>
    <message>
        <source>Learning-rate finder: click the curve to pick a rate.</source>
        <translation>Buscador de tasa de aprendizaje: haga clic en la curva para elegir una tasa.</translation>
    </message>
    <message>
        <source>Learning rate</source>
        <translation>Tasa de aprendizaje</translation>
    </message>
    <message>
        <source>Loss</source>
        <translation>Pérdida</translation>
    </message>
    <message>
        <source>%1-fold cross-validation: %2 % (sd %3) for this model, %4 % (sd %5) for a bag-of-words logistic regression on the same folds.</source>
        <translation>Validación cruzada con %1 particiones: %2 % (de %3) para este modelo, %4 % (de %5) para una regresión logística sobre bolsa de palabras en las mismas particiones.</translation>
    </message>
    <message>
        <source>Language model, epoch %1: validation perplexity %2, next-word accuracy %3 %</source>
        <translation>Modelo de lenguaje, época %1: perplejidad de validación %2, exactitud de la palabra siguiente %3 %</translation>
    </message>
    <message>
        <source>Stopped before the first epoch ended; no model was kept.</source>
        <translation>Detenido antes de terminar la primera época; no se ha conservado ningún modelo.</translation>
    </message>
    <message>
        <source>Stopped. Kept epoch %2 (%3): validation accuracy %1 %.</source>
        <translation>Detenido. Época conservada %2 (%3): exactitud de validación %1 %.</translation>
    </message>
    <message>
        <source>Finished. Kept epoch %2 (%3): validation accuracy %1 %.</source>
        <translation>Terminado. Época conservada %2 (%3): exactitud de validación %1 %.</translation>
    </message>
    <message>
        <source>%1 training and %2 validation reviews, vocabulary of %3 words, %4 % of the training words found in the word vectors.</source>
        <translation>%1 reseñas de entrenamiento y %2 de validación, vocabulario de %3 palabras, %4 % de las palabras de entrenamiento encontradas en los vectores.</translation>
    </message>
    <message>
        <source>Language model saved: validation perplexity %1 (word frequencies alone: %2).</source>
        <translation>Modelo de lenguaje guardado: perplejidad de validación %1 (solo con frecuencias de palabras: %2).</translation>
    </message>
    <message>
        <source>%1 words/s</source>
        <translation>%1 palabras/s</translation>
    </message>
    <message>
        <source>%1 reviews/s</source>
        <translation>%1 reseñas/s</translation>
    </message>
    <message>
        <source>%1 of %2</source>
        <translation>%1 de %2</translation>
    </message>
    <message>
        <source>Passes over the training reviews.</source>
        <translation>Pasadas por las reseñas de entrenamiento.</translation>
    </message>
    <message>
        <source>Reviews per optimisation step. Smaller uses less memory.</source>
        <translation>Reseñas por paso de optimización. Menos usa menos memoria.</translation>
    </message>
    <message>
        <source>Keep the epoch with:</source>
        <translation>Conservar la época con:</translation>
    </message>
    <message>
        <source>Which epoch&apos;s weights become the model, and what early stopping watches. The same rule for images and texts.</source>
        <translation>Qué época da los pesos del modelo y qué vigila la parada temprana. La misma regla para imágenes y textos.</translation>
    </message>
    <message>
        <source>Best validation accuracy</source>
        <translation>Mejor exactitud de validación</translation>
    </message>
    <message>
        <source>Lowest validation loss</source>
        <translation>Menor pérdida de validación</translation>
    </message>
    <message>
        <source>Stop after this many epochs without a better epoch by the rule above (0 = off).</source>
        <translation>Detener tras este número de épocas sin una época mejor según la regla anterior (0 = desactivado).</translation>
    </message>
    <message>
        <source>- reviews/s</source>
        <translation>- reseñas/s</translation>
    </message>
    <message>
        <source>%1: %2 %</source>
        <translation>%1: %2 %</translation>
    </message>
    <message>
        <source>Remaining: %1 for the head, then the fine-tuning (not timed yet)</source>
        <translation>Restante: %1 para la cabeza; después, el ajuste fino (aún sin cronometrar)</translation>
    </message>
</context>
<context>
    <name>graft::ui::TrainingWorker</name>
    <message>
        <source>Train a text model first.</source>
        <translation>Primero entrene un modelo de texto.</translation>
    </message>
    <message>
        <source>Train a model first.</source>
        <translation>Entrene primero un modelo.</translation>
    </message>
    <message>
        <source>%1 holds no classifier to predict with.</source>
        <translation>%1 no contiene ningún clasificador con el que predecir.</translation>
    </message>
</context>
</TS>
