"""What a filter wants and Fool the network (views/filter_wants.py, views/fool.py): how long a student waits.

    python benchmarks/inside_the_network.py [--model assets/models/default.keras] [--data PATH] [--images 50]

Times, on the model and data given (the full test set for the top-9 search), one at a time as a page runs them:
- one filter picture (`favourite_input`, 100 steps of gradient ascent) per layer, at the centre and everywhere,
  the first call (which builds and compiles the gradient) and a second one;
- the search of the test images for a layer's strongest patches (`layer_answers`, every filter at once);
- one adversarial flip (`fool`) to the network's second choice on the first --images test images of the
  bundled sample: the median, the slowest, the levels it needed, how many were fooled;
- the map's pictures (`image_map.mosaic`) on the test set.
The baseline, in the same run: one picture through the saved classifier (a compiled predict_on_batch).
"""

import statistics

from common import model_and_data, model_and_data_parser, save, table, timed

from cnn_lab.network import filter_search
from cnn_lab.network import filter_wants as fw
from cnn_lab.network.data import read_sample
from cnn_lab.network.fool import fool
from cnn_lab.network.image_map import SAVED_MAPS, mosaic
from cnn_lab.network.model import cnn_of
from cnn_lab.network.photo import ranking


def main():
    parser = model_and_data_parser(__doc__)
    parser.add_argument("--images", type=int, default=50, help="sample test images to fool")
    args = parser.parse_args()
    model, data, _ = model_and_data(args)
    cnn = cnn_of(model)
    one = data.x_test[:1]
    model.predict_on_batch(one)
    baseline = statistics.median(timed(lambda: model.predict_on_batch(one))[1] for _ in range(20))
    rows = [{"what": "baseline: one picture through the classifier", "first s": baseline, "again s": baseline}]

    for layer in fw.blocks(cnn):
        for where in ("centre", "everywhere"):
            _, first = timed(lambda layer=layer, where=where: fw.favourite_input(cnn, layer, 0, where))
            _, again = timed(lambda layer=layer, where=where: fw.favourite_input(cnn, layer, 1, where))
            rows.append({"what": f"filter picture, {layer}, {where}", "first s": first, "again s": again})
    for layer in fw.blocks(cnn):
        _, seconds = timed(lambda layer=layer: filter_search.layer_answers(model, data.x_test, layer))
        rows.append({"what": f"top-9 search, {layer}, {len(data.x_test):,} images", "first s": seconds, "again s": 0.0})

    sample = read_sample().x_test[: args.images]
    attempts = [fool(model, picture, ranking(model.predict_on_batch(picture[None])[0])[1]) for picture in sample]
    seconds = [attempt.seconds for attempt in attempts]
    fooled = [attempt for attempt in attempts if attempt.fooled]
    rows.append(
        {
            "what": f"one flip to the second choice ({len(fooled)} of {len(attempts)} fooled), median",
            "first s": seconds[0],
            "again s": statistics.median(seconds[1:]),
        }
    )
    rows.append({"what": "one flip, the slowest", "first s": max(seconds), "again s": max(seconds[1:])})
    found = SAVED_MAPS.load(args.model, data)
    if found is not None:
        _, seconds_mosaic = timed(lambda: mosaic(found.positions, data.x_test))
        rows.append({"what": "the map's pictures (mosaic)", "first s": seconds_mosaic, "again s": seconds_mosaic})
    table(rows, f"model {args.model}; {data.source}")
    levels = sorted(attempt.budget for attempt in fooled)
    print(f"\nlevels needed by the fooled pictures: median {statistics.median(levels)}, largest {max(levels)}")
    print(f"at most 2 levels: {sum(level <= 2 for level in levels)} of {len(attempts)}")
    save("inside_the_network", {"rows": rows, "levels": levels, "images": len(attempts), "source": data.source})


if __name__ == "__main__":
    main()
