#!/usr/bin/env python3
"""Generates gradlog's example data sets, once; the outputs are committed, CI does not run this.

    pip install numpy==2.4.6 scikit-learn==1.9.1 micrograd==0.1.0 safetensors==0.8.0
    python3 scripts/make_example_data.py          # writes examples/data/

Pinned versions (the ones the committed files were made with): numpy 2.4.6, scikit-learn
1.9.1 (with scipy 1.17.1), micrograd 0.1.0, safetensors 0.8.0, Python 3.11.

  moons.csv               micrograd's demo.ipynb data: make_moons(100, noise=0.1) after
                          np.random.seed(1337) and random.seed(1337); y in {-1, 1}.
  moons_init.safetensors  micrograd's MLP(2, [16, 16, 1]) as created right after the data,
                          as F64 matrices W1 [2,16], b1 [16], W2 [16,16], b2 [16], W3 [16,1],
                          b3 [1], with W[i][j] = weight i of neuron j, so that a layer is
                          relu(X @ W + b). The script checks that numpy, from the two files,
                          gives micrograd's step-0 loss (published: 0.8958441028683222, 50%).
  digits_pixels.csv       scikit-learn's load_digits(): 1797 rows of 64 pixels (0..16), and
  digits_labels.csv       their labels (0..9), one file each so that a program reads each
                          whole: csv("data/digits_pixels.csv") is [1797, 64].
"""
import os
import random
import sys

import numpy as np
from micrograd.engine import Value
from micrograd.nn import MLP
from safetensors import safe_open
from safetensors.numpy import load_file, save_file
from sklearn.datasets import load_digits, make_moons

OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "examples", "data")
PUBLISHED_LOSS = 0.8958441028683222  # micrograd demo.ipynb, step 0
ALPHA = 1e-4


def cell(value):
    """A number as CSV text: integers as integers, other doubles by repr (round-trip exact)."""
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def write_csv(path, header, rows):
    with open(path, "w", newline="") as f:
        f.write(",".join(header) + "\n")
        for row in rows:
            f.write(",".join(cell(v) for v in row) + "\n")


def micrograd_loss(model, X, y):
    """The demo's loss(): SVM max-margin loss plus L2 regularisation, and the accuracy."""
    inputs = [list(map(Value, row)) for row in X]
    scores = list(map(model, inputs))
    losses = [(1 + -yi * scorei).relu() for yi, scorei in zip(y, scores)]
    data_loss = sum(losses) * (1.0 / len(losses))
    reg_loss = ALPHA * sum((p * p for p in model.parameters()))
    accuracy = [(yi > 0) == (scorei.data > 0) for yi, scorei in zip(y, scores)]
    return float((data_loss + reg_loss).data), sum(accuracy) / len(accuracy)


def numpy_loss(table, weights):
    """The same loss from the exported files, with matrix products."""
    X, y = table[:, :2], table[:, 2]
    relu = lambda z: np.maximum(z, 0)
    h1 = relu(X @ weights["W1"] + weights["b1"])
    h2 = relu(h1 @ weights["W2"] + weights["b2"])
    score = (h2 @ weights["W3"] + weights["b3"])[:, 0]
    data_loss = np.mean(relu(1 - y * score))
    reg_loss = ALPHA * sum(np.sum(w * w) for w in weights.values())
    return data_loss + reg_loss, np.mean((y > 0) == (score > 0))


def layer_matrices(layer):
    """A micrograd Layer as (W, b): W[i][j] is weight i of neuron j."""
    W = np.array([[n.w[i].data for n in layer.neurons] for i in range(len(layer.neurons[0].w))], dtype="<f8")
    b = np.array([n.b.data for n in layer.neurons], dtype="<f8")
    return W, b


def moons():
    np.random.seed(1337)
    random.seed(1337)
    X, y = make_moons(n_samples=100, noise=0.1)
    y = y * 2 - 1
    model = MLP(2, [16, 16, 1])  # draws random.uniform(-1, 1) per weight, neuron by neuron

    csv_path = os.path.join(OUT, "moons.csv")
    write_csv(csv_path, ["x0", "x1", "y"], [(a, b, c) for (a, b), c in zip(X, y)])
    weights = {}
    for k, layer in enumerate(model.layers, start=1):
        weights[f"W{k}"], weights[f"b{k}"] = layer_matrices(layer)
    st_path = os.path.join(OUT, "moons_init.safetensors")
    # One metadata key: safetensors writes metadata in hash order, and the file should not
    # change from one run of this script to the next.
    save_file(weights, st_path, metadata={"source": (
        "micrograd 0.1.0 MLP(2, [16, 16, 1]) after np.random.seed(1337), random.seed(1337), "
        "make_moons(100, noise=0.1); W[i][j] = weight i of neuron j, layer = relu(X @ W + b), the last linear")})

    os.chmod(st_path, 0o644)  # save_file creates it private

    expected, expected_accuracy = micrograd_loss(model, X, y)
    table = np.loadtxt(csv_path, delimiter=",", skiprows=1)
    assert np.array_equal(table[:, :2], X) and np.array_equal(table[:, 2], y), "moons.csv round trip"
    loaded = load_file(st_path)
    got, got_accuracy = (float(v) for v in numpy_loss(table, loaded))
    print(f"moons: micrograd step-0 loss {expected!r}, accuracy {expected_accuracy:.0%}")
    print(f"moons: numpy from the files   {got!r}, accuracy {got_accuracy:.0%}")
    print(f"moons: published              {PUBLISHED_LOSS!r}, accuracy 50%")
    assert expected == PUBLISHED_LOSS and expected_accuracy == 0.5, "micrograd no longer gives the published loss"
    assert abs(got - expected) <= 1e-12 and got_accuracy == expected_accuracy, "the exported files disagree"
    with safe_open(st_path, "np") as f:
        print("moons: moons_init.safetensors:", ", ".join(f"{k} {list(f.get_tensor(k).shape)}" for k in f.keys()))


def digits():
    data = load_digits()
    assert data.data.shape == (1797, 64) and data.data.min() == 0 and data.data.max() == 16
    pixels = os.path.join(OUT, "digits_pixels.csv")
    labels = os.path.join(OUT, "digits_labels.csv")
    write_csv(pixels, [f"p{i}" for i in range(64)], [list(row) for row in data.data])
    write_csv(labels, ["label"], [[label] for label in data.target])
    back = np.loadtxt(pixels, delimiter=",", skiprows=1)
    back_labels = np.loadtxt(labels, delimiter=",", skiprows=1)
    assert np.array_equal(back, data.data) and np.array_equal(back_labels, data.target)
    print(f"digits: digits_pixels.csv, digits_labels.csv: {len(back)} rows, labels {np.bincount(data.target).tolist()}")


if __name__ == "__main__":
    os.makedirs(OUT, exist_ok=True)
    moons()
    digits()
    sys.exit(0)
