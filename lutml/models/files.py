"""File names inside a model folder (the train stage's `data/models/`).

The one list shared by the trainers that write a folder, the loaders that read it and the web
app's model scan. No imports: the web app reads these without loading TensorFlow.
"""

GENERATOR_FILE = "generator.keras"  # image and LUT models (pix2pix, asymmetric, LUT-GANs)
LOOK_ENCODER_FILE = "look_encoder.keras"  # look models
LOOK_WEIGHTS_FILE = "look_encoder.npz"  # the look encoder for NumPy inference (no TensorFlow)
META_FILE = "model.json"  # what the model is: name, kind, sizes, look, ...
METRICS_FILE = "train_metrics.json"
PREVIEW_FILE = "preview.png"

#: A folder holding `META_FILE` and one of these is a model (a look model may hold only the
#: NumPy weights: `lutml grade` uses them, so `lutml serve` lists it too).
MODEL_FILES = (GENERATOR_FILE, LOOK_ENCODER_FILE, LOOK_WEIGHTS_FILE)
