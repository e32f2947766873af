"""``emotune recover``: a finished run folder rebuilt from a shipped ONNX file.

Training runs live outside the repository (hours of checkpoints), and a run folder does not
outlive the machine it was trained on; the shipped ONNX file and its training report do.
From those two this rebuilds what ``--init-from`` and ``emotune export`` need: the run's
options (the report's, so the held-out split is the one the weights never saw) and Keras
weights that compute the same probabilities. So the shipped network can be averaged with a
new run, or warm-restarted, in any later session.

tf2onnx folds each batch norm into the convolution before it (``*_fused_bn``: kernel and
bias). The rebuilt network keeps its batch-norm layers, so the architecture, and with it
every other command, stays the one ``build_network`` makes. Their parameters are chosen so
that the layer computes the folded convolution in both of its modes: its running mean and
variance are the statistics of the convolution's output over the run's training faces, and
its scale and offset undo exactly that normalisation (plus the folded bias). A pass-through
layer (mean 0, variance 1) would be right for inference only: in training a batch norm
normalises by the batch's own statistics, and a warm restart from it began as a scrambled
network (held out 59% after its first epoch, 51% after its third, from 67%).

A file ``emotune export`` averaged from several runs holds each run's network under its own
name (``emotune_average/net0/…``); each is rebuilt into a run folder of its own (``net0``,
``net1``, … in the order export was given the runs), with that run's report, so an average
can be taken apart, a member replaced or retrained, and averaged again.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Sequence

import numpy as np

from emotune.training.network import _tf, build_network, keras_probabilities, onnx_probabilities
from emotune.training.train import EXPORT_TOLERANCE, TrainingError, TrainOptions, split_faces, split_mismatch

#: ``emotune_vgg/s{stage}bn{conv}/FusedBatchNormV3:0``: the output of a folded conv, first pass;
#: in an average, ``emotune_average/net{member}/s{stage}bn{conv}/…``.
_FOLDED = re.compile(r"^(emotune_vgg|emotune_average/net(\d+))/s(\d+)bn(\d+)/FusedBatchNormV3:0$")

#: Per conv layer name (``s0c0`` …) its folded kernel in Keras layout and bias; the dense
#: layer's kernel and bias.
Folded = tuple[dict[str, tuple[np.ndarray, np.ndarray]], tuple[np.ndarray, np.ndarray]]


def folded_weights(onnx_file: Path) -> list[Folded]:
    """The folded weights of each network in ``onnx_file``: one for a file ``train`` wrote,
    one per run (in export's order) for an average ``export`` wrote."""
    import onnx  # noqa: PLC0415
    from onnx import numpy_helper  # noqa: PLC0415

    try:
        graph = onnx.load(str(onnx_file)).graph
    except Exception as exc:  # noqa: BLE001 (onnx raises several kinds for a damaged file)
        raise TrainingError(f"{onnx_file}: not a readable ONNX file ({exc})") from exc
    values = {init.name: numpy_helper.to_array(init) for init in graph.initializer}
    convs: dict[str, dict[str, tuple[np.ndarray, np.ndarray]]] = {}  # scope -> layer -> weights
    order: dict[str, int] = {}  # scope -> its network's place in export's order (-1: a single network)
    for node in graph.node:
        match = _FOLDED.match(node.output[0]) if node.op_type == "Conv" else None
        if match and len(node.input) == 3:
            kernel = values[node.input[1]].transpose(2, 3, 1, 0)  # (out, in, h, w) -> (h, w, in, out)
            convs.setdefault(match[1], {})[f"s{match[3]}c{match[4]}"] = (kernel, values[node.input[2]])
            order[match[1]] = int(match[2]) if match[2] is not None else -1
    members = []
    for scope in sorted(convs, key=order.__getitem__):
        dense = [values[node.input[1]] for node in graph.node
                 if node.op_type in ("MatMul", "Add") and node.output[0].startswith(f"{scope}/probabilities/")
                 and node.input[1] in values][:2]
        if len(dense) != 2:
            raise TrainingError(f"{onnx_file}: {scope} has convolutions but no dense layer: not a network "
                                "train or export wrote")
        members.append((convs[scope], (dense[0], dense[1])))
    if not members:
        raise TrainingError(f"{onnx_file}: not an Emotune network exported by train (no folded convolutions "
                            "and dense layer found)")
    return members


def rebuild(folded: Folded, dropout: float = 0.4, faces: np.ndarray | None = None) -> Any:
    """The Keras network (``build_network``'s architecture) computing what the ``folded``
    weights (one of ``folded_weights``) do; with ``faces`` (n, 48, 48: training faces) its
    batch norms also hold their statistics, so it can go on training (see the module's docstring)."""
    convs, (dense_kernel, dense_bias) = folded
    stages = sorted({int(name[1]) for name in convs})
    widths = [convs[f"s{stage}c0"][0].shape[-1] for stage in stages]
    model = build_network(widths, dropout)
    for name, (kernel, bias) in convs.items():
        model.get_layer(name).set_weights([kernel])
        norm = model.get_layer(name.replace("c", "bn"))
        ones = np.ones_like(bias)
        norm.set_weights([ones, bias, np.zeros_like(bias), ones - norm.epsilon])
    model.get_layer("probabilities").set_weights([dense_kernel, dense_bias])
    if faces is not None:
        for name, (mean, var) in conv_statistics(model, sorted(convs), faces).items():
            norm = model.get_layer(name.replace("c", "bn"))
            bias = convs[name][1]
            scale = np.sqrt(var + norm.epsilon)
            norm.set_weights([scale.astype(np.float32), (mean + bias).astype(np.float32),
                              mean.astype(np.float32), var.astype(np.float32)])
    return model


def conv_statistics(model: Any, names: list[str], faces: np.ndarray,
                    batch: int = 256) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Per conv layer its output's mean and variance per channel over ``faces`` (inference
    mode), summed batch by batch: the outputs of all faces at once would take gigabytes."""
    tf = _tf()
    probe = tf.keras.Model(model.input, [model.get_layer(name).output for name in names])
    sums = {name: 0.0 for name in names}
    squares = {name: 0.0 for name in names}
    counts = dict.fromkeys(names, 0)
    for start in range(0, len(faces), batch):
        outputs = probe(faces[start:start + batch, ..., None].astype(np.float32), training=False)
        for name, out in zip(names, outputs):
            values = out.numpy().astype(np.float64).reshape(-1, out.shape[-1])
            sums[name] = sums[name] + values.sum(0)
            squares[name] = squares[name] + (values ** 2).sum(0)
            counts[name] += len(values)
    stats = {}
    for name in names:
        mean = sums[name] / counts[name]
        stats[name] = (mean, np.maximum(squares[name] / counts[name] - mean ** 2, 0.0))
    return stats


def training_mode_agreement(model: Any, batch: np.ndarray) -> float:
    """The share of ``batch`` (one training batch of faces) given the same label when the batch
    norms normalise by the batch's own statistics (as in training) as by their running ones (as
    in inference), dropout left out: how far a warm restart begins from the network it continues."""
    tf = _tf()
    features = tf.keras.Model(model.input, model.get_layer("gap").output)
    dense = model.get_layer("probabilities")
    x = batch[..., None].astype(np.float32)
    labels = [dense(features(x, training=mode)).numpy().argmax(1) for mode in (True, False)]
    return float((labels[0] == labels[1]).mean())


def _options(report_file: Path) -> TrainOptions:
    try:
        return TrainOptions.from_json(json.loads(report_file.read_text())["options"])
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise TrainingError(f"{report_file}: not a training report with its options ({exc})") from exc


def recover_run(onnx_file: Path, report_files: Sequence[Path], run_dir: Path, mirror: bool = True) -> list[dict]:
    """Write a run folder (options.json from the report, final.weights.h5 from the ONNX file)
    for each network in ``onnx_file``: ``run_dir`` itself for one, ``run_dir/net0`` … for an
    average (``report_files`` one per network, in the order export was given the runs), after
    checking the rebuilt networks (averaged) against the file on the reports' held-out faces."""
    report_files = list(report_files)
    members = folded_weights(onnx_file)
    if len(report_files) != len(members):
        raise TrainingError(f"{onnx_file} holds {len(members)} network(s) (an average of that many runs) and "
                            f"{len(report_files)} report(s) were given: give --report once for each, in the "
                            "order export was given the runs")
    runs = [_options(report) for report in report_files]
    for report, options in zip(report_files[1:], runs[1:]):
        mismatch = split_mismatch(options, runs[0])
        if mismatch:
            raise TrainingError(f"{report}: {mismatch}")
    x_train, _, x_val, _ = split_faces(runs[0])
    models = []
    for index, (folded, options) in enumerate(zip(members, runs)):
        model = rebuild(folded, options.dropout, x_train)
        widths = [model.get_layer(f"s{stage}c0").filters for stage in range(len(options.widths))]
        if widths != list(options.widths):
            raise TrainingError(f"network {index} of {onnx_file} is {widths} wide, its report's run "
                                f"{options.widths}: not its report")
        models.append(model)
    averaged = sum(keras_probabilities(model, x_val, mirror=mirror) for model in models) / len(models)
    max_diff = float(np.abs(averaged - onnx_probabilities(onnx_file, x_val)).max())
    if max_diff > EXPORT_TOLERANCE:
        raise TrainingError(f"the rebuilt network differs from {onnx_file} by {max_diff:.2e} (mirror={mirror})")
    batch = x_train[np.random.default_rng(0).permutation(len(x_train))[:256]]
    results = []
    for index, (model, options, report_file) in enumerate(zip(models, runs, report_files)):
        member_dir = run_dir if len(models) == 1 else run_dir / f"net{index}"
        agreement = training_mode_agreement(model, batch)
        member_dir.mkdir(parents=True, exist_ok=True)
        options.run_dir = member_dir
        options.out = member_dir / onnx_file.name
        (member_dir / "options.json").write_text(json.dumps(options.to_json(), indent=1))
        model.save_weights(str(member_dir / "final.weights.h5"))
        result = {"onnx": str(onnx_file), "report": str(report_file), "run_dir": str(member_dir),
                  "member": index, "members": len(models), "held_out_faces": len(x_val),
                  "max_abs_diff": max_diff, "training_mode_same_label": agreement}
        (member_dir / "recovered.json").write_text(json.dumps(result, indent=1))
        print(f"rebuilt {onnx_file}{f' (network {index})' if len(models) > 1 else ''} in {member_dir}: "
              f"max |Δp| {max_diff:.2e} on {len(x_val)} held-out faces; in training mode (batch statistics) "
              f"the same label on {agreement:.0%} of a batch of training faces")
        results.append(result)
    return results
