"""PyInstaller runtime hook: runs before the app inside the bundle.

The bundle leaves TensorFlow out, so DeepFace must run on its ONNX engine; the variable has
to be set before deepface is imported. Data (weights, playlists, icons) is found through
``sys._MEIPASS`` by ``emotune.resources``.
"""

import os

os.environ.setdefault("DEEPFACE_BACKEND_ENGINE", "onnx")
os.environ["EMOTUNE_FROZEN"] = "1"
