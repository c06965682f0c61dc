"""The map of the test images (views/network_map.py): how long a new model's map takes, and why t-SNE.

    python benchmarks/image_map.py [--model assets/models/default.keras] [--data PATH] [--ship]

Times each step of `cnn_lab.network.image_map` on the whole test set, one at a time (the way the lab's
background job runs them), and measures each map by the share of every image's 10 nearest neighbours on
it that have its true class. The baselines, in the same run: PCA straight to 2 numbers (the fast
alternative), the 128 numbers themselves (what any 2-D map can at best keep), t-SNE with scikit-learn's default
1,000 steps (the lab takes TSNE_STEPS), and the same t-SNE on the pixels. --ship writes the maps to
assets/maps/ (the shipped model's, on the full test set, ship ready).
"""

from common import model_and_data, model_and_data_parser, save, table, timed

from cnn_lab.network.image_map import (
    SAVED_MAPS,
    SHIPPED_MAPS,
    ImageMap,
    neighbour_agreement,
    network_features,
    pixel_features,
    project,
)


def main():
    parser = model_and_data_parser(__doc__)
    parser.add_argument("--ship", action="store_true", help="write the maps to assets/maps/")
    args = parser.parse_args()
    model, data, load_s = model_and_data(args)
    labels = data.y_test
    features, features_s = timed(lambda: network_features(model, data.x_test))
    pca2, pca_s = timed(lambda: project_pca(features))
    network, tsne_s = timed(lambda: project(features))
    full, full_s = timed(lambda: project(features, steps=1000))  # scikit-learn's default: what halving it costs
    pixels = pixel_features(data.x_test)
    pixel_map, pixels_s = timed(lambda: project(pixels))
    rows = [
        {"map": "network: PCA to 2", "seconds": pca_s, "10 nearest share the class": neighbour_agreement(pca2, labels)},
        {
            "map": "network: its numbers (no map)",
            "seconds": 0.0,
            "10 nearest share the class": neighbour_agreement(features, labels),
        },
        {
            "map": "network: t-SNE (the lab's)",
            "seconds": tsne_s,
            "10 nearest share the class": neighbour_agreement(network, labels),
        },
        {
            "map": "network: t-SNE, 1,000 steps",
            "seconds": full_s,
            "10 nearest share the class": neighbour_agreement(full, labels),
        },
        {
            "map": "pixels: t-SNE (the lab's)",
            "seconds": pixels_s,
            "10 nearest share the class": neighbour_agreement(pixel_map, labels),
        },
    ]
    table(rows, f"{len(labels):,} test images of {data.source}; model {args.model}")
    new_model_s = load_s + features_s + tsne_s
    print(
        f"\na new model's map: load {load_s:.1f} s + last hidden layer {features_s:.1f} s + t-SNE {tsne_s:.1f} s "
        f"= {new_model_s:.1f} s"
    )
    save(
        "image_map",
        {
            "rows": rows,
            "load_s": load_s,
            "features_s": features_s,
            "new_model_s": new_model_s,
            "images": len(labels),
            "source": data.source,
        },
    )
    if args.ship:
        for path, made in (
            (args.model, ImageMap(network, labels, features)),
            (None, ImageMap(pixel_map, labels, pixels)),
        ):
            print("shipped", SAVED_MAPS.save(path, data, made, folder=SHIPPED_MAPS))


def project_pca(features):
    from sklearn.decomposition import PCA

    return PCA(2, random_state=0).fit_transform(features)


if __name__ == "__main__":
    main()
