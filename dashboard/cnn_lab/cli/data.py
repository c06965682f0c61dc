"""The commands about data and models: evaluate a saved model, download CIFAR-10 and CIFAR-10H, say which
data would be used."""

import json
import os

from cnn_lab.cli.usage import UsageError


def evaluate_command(args) -> int:
    from cnn_lab.network.data import load_cifar10
    from cnn_lab.network.evaluation import evaluate
    from cnn_lab.network.model import load_classifier

    if not os.path.isfile(args.model):
        raise UsageError(f"--model {args.model}: no such file")
    data = load_cifar10(args.data)
    try:
        model = load_classifier(args.model)
    except Exception as e:
        raise UsageError(
            f"--model {args.model}: not a model CNN Lab can use ({str(e).splitlines()[0][:200]})"
        ) from None
    result = evaluate(model, data.x_test, data.y_test, data.class_names)
    if args.json:
        print(json.dumps({**result.to_dict(), "data": data.description, "is_sample": data.is_sample}))
        return 0
    print(f"data: {data.description}")
    print(f"accuracy: {result.summary()}")
    for name, accuracy in result.per_class().items():
        print(f"  {name:<11} {100 * accuracy:6.2f}%")
    return 0


def download_command(args) -> int:
    from cnn_lab.classroom import human_labels
    from cnn_lab.network.data import download, online

    if not online():
        raise UsageError(
            f"no internet connection: copy cifar-10-python.tar.gz and {human_labels.COUNTS_NAME} into data/ instead"
        )
    print(f"saved {download()}")
    if not online("github.com"):
        raise UsageError(f"github.com does not answer: copy {human_labels.COUNTS_NAME} into data/ instead")
    print(f"saved {human_labels.download()} ({human_labels.CREDIT})")
    return 0


def data_command(args) -> int:
    from cnn_lab.network.data import load_cifar10
    from cnn_lab.classroom.human_labels import HOW_TO_GET_IT, load_human_labels

    data = load_cifar10(args.data)
    print(data.description)
    people = load_human_labels(data, args.human_labels)
    print(f"human labels: CIFAR-10H, {people.source}" if people else f"human labels: none. {HOW_TO_GET_IT}")
    return 0
