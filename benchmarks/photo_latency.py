"""Upload to prediction on the server for one 12-megapixel phone photo: the photo page's path
against a naive one, measured in the same run.

    python benchmarks/photo_latency.py [--photo PHOTO.jpg] [--model assets/models/default.keras] [--repeats 30]

Photo page (cnn_lab.network.photo + cnn_lab.network.model.predict):
    decode      read_photo: JPEG decoded at reduced scale with Pillow's draft(), EXIF orientation, RGB
    preprocess  to_cifar: centre square, 32x32 Lanczos
    model       predict_on_batch: one compiled call (traced once, before timing)
Baseline (naive): full-size decode + exif_transpose + convert, the same crop and resize, model.predict.

Without --photo, the photo is Chelsea the cat (scikit-image's sample photograph) enlarged to
4032 x 3024 (an iPhone's 12 megapixels), saved as JPEG quality 90 with a sideways EXIF
orientation, as phones store them. Without a model file, the article's CNN (untrained: the same
amount of computation) stands in. Prints p50/p95 per stage and writes benchmarks/results/photo_latency.json.
"""

import argparse
import io
import statistics
import time
from pathlib import Path

from common import save, table  # noqa: E402

import numpy as np  # noqa: E402
from PIL import Image, ImageOps  # noqa: E402

from cnn_lab.settings import PROJECT_ROOT  # noqa: E402
from cnn_lab.network.photo import read_photo, square_crop, to_cifar  # noqa: E402

TARGET_MS = 50


def phone_photo() -> bytes:
    from skimage import data

    exif = Image.Exif()
    exif[0x0112] = 6  # stored sideways: "rotate 90 degrees clockwise to view"
    image = Image.fromarray(data.chelsea()).resize((4032, 3024), Image.LANCZOS).transpose(Image.Transpose.ROTATE_90)
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes())
    return out.getvalue()


def load_model(path: str):
    from cnn_lab.network.model import CNNConfig, build_cnn, classifier, load_classifier

    if Path(path).is_file():
        return load_classifier(path), path
    return classifier(build_cnn(CNNConfig())), "the article's CNN, untrained (no model file)"


def fast(data: bytes, model, predict) -> dict:
    t0 = time.perf_counter()
    image = read_photo(data).image
    t1 = time.perf_counter()
    pixels = to_cifar(image)
    t2 = time.perf_counter()
    probabilities = predict(model, pixels[None])
    t3 = time.perf_counter()
    return {"decode": t1 - t0, "preprocess": t2 - t1, "model": t3 - t2, "total": t3 - t0, "answer": probabilities}


def naive(data: bytes, model, predict=None) -> dict:
    t0 = time.perf_counter()
    image = ImageOps.exif_transpose(Image.open(io.BytesIO(data))).convert("RGB")
    t1 = time.perf_counter()
    pixels = np.asarray(square_crop(image).resize((32, 32), Image.LANCZOS), dtype=np.uint8)
    t2 = time.perf_counter()
    probabilities = model.predict(pixels[None], verbose=0)
    t3 = time.perf_counter()
    return {"decode": t1 - t0, "preprocess": t2 - t1, "model": t3 - t2, "total": t3 - t0, "answer": probabilities}


def run(path, data, model, predict, repeats):
    path(data, model, predict)  # warm up: trace the model call, load the decoder
    samples = [path(data, model, predict) for _ in range(repeats)]
    rows = {}
    for stage in ("decode", "preprocess", "model", "total"):
        ms = [1000 * s[stage] for s in samples]
        rows[stage] = {"p50 ms": statistics.median(ms), "p95 ms": float(np.percentile(ms, 95))}
    return rows, samples[-1]["answer"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--photo", help="a JPEG from a phone (default: a 12-megapixel photo of Chelsea the cat)")
    ap.add_argument("--model", default=str(PROJECT_ROOT / "assets" / "models" / "default.keras"))
    ap.add_argument("--repeats", type=int, default=30)
    a = ap.parse_args()

    data = Path(a.photo).read_bytes() if a.photo else phone_photo()
    with Image.open(io.BytesIO(data)) as probe:
        size = probe.size
    from cnn_lab.network.model import predict

    model, model_name = load_model(a.model)
    ours, ours_answer = run(fast, data, model, predict, a.repeats)
    base, base_answer = run(naive, data, model, predict, a.repeats)
    rows = [
        {
            "stage": stage,
            "photo page p50 ms": ours[stage]["p50 ms"],
            "p95 ms": ours[stage]["p95 ms"],
            "baseline p50 ms": base[stage]["p50 ms"],
            "baseline p95 ms": base[stage]["p95 ms"],
            "speed-up": base[stage]["p50 ms"] / max(ours[stage]["p50 ms"], 1e-9),
        }
        for stage in ours
    ]
    photo = f"{a.photo or 'Chelsea, 12 MP'} ({size[0]} x {size[1]}, {len(data) / 1e6:.1f} MB)"
    table(rows, f"Upload to prediction, {a.repeats} runs each: {photo}; model: {model_name}")
    same = int(np.argmax(ours_answer)) == int(np.argmax(base_answer))
    difference = float(np.abs(np.asarray(ours_answer) - np.asarray(base_answer)).max())
    verdict = "meets" if ours["total"]["p50 ms"] <= TARGET_MS else "MISSES"
    print(
        f"\nphoto page total p50 {ours['total']['p50 ms']:.1f} ms: {verdict} the {TARGET_MS} ms target; "
        f"same top class as the baseline: {same} (largest probability difference {difference:.3f})"
    )
    save(
        "photo_latency",
        {
            "photo": photo,
            "model": model_name,
            "repeats": a.repeats,
            "rows": rows,
            "target_ms": TARGET_MS,
            "meets_target": verdict == "meets",
            "same_top_class": same,
            "max_probability_difference": difference,
        },
    )


if __name__ == "__main__":
    main()
