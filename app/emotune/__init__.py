"""Emotune: plays music that matches the listener's facial expression.

Privacy starts here, at the first import of the package and so before any library loads:
onnxruntime's official builds collect telemetry by default (a persistent device id and an
event database under ``~/.cache/Microsoft/DeveloperTools/.onnxruntime/`` and uploads to
Microsoft). ``ORT_DISABLE_TELEMETRY=1``, read when onnxruntime initialises, turns all of it
off for the process (onnxruntime's Privacy.md). It is set unconditionally: Emotune promises
that nothing is sent anywhere, whatever the environment says.
"""

import os

os.environ["ORT_DISABLE_TELEMETRY"] = "1"

__version__ = "0.1.0"
