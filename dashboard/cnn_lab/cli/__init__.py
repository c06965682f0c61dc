"""The `cnn-lab` command (also `python -m cnn_lab`), a module a group of commands:

    main    the arguments, checked before Keras loads, and the one-line errors
    train   `cnn-lab train`, with its progress printed
    runs    runs, compare, name, export, import
    data    evaluate, download, data
    usage   what they share: the usage error, the parser, a run named by its id or folder

The commands:

    cnn-lab train [--preset article|lesson|fast|best] [--data SRC] [--epochs N] [--batch-size 64]
                  [--limit N] [--validation N] [--seed N] [--run-dir DIR]
    cnn-lab train --resume [--run-dir DIR] [--epochs N] [--data SRC]
    cnn-lab runs [--json]
    cnn-lab compare RUN RUN... [--json]
    cnn-lab name RUN "no augmentation, 20 epochs"
    cnn-lab export RUN [--output FILE.zip]
    cnn-lab import FILE.zip
    cnn-lab evaluate --model FILE [--data SRC] [--json]
    cnn-lab download
    cnn-lab data [--data SRC] [--human-labels FILE]

Mistakes in what you type, or data that cannot be read, give one line on stderr and exit 2.
"""
