"""cnn_lab: the computation behind CNN Lab, with no Streamlit in it. Where to look:

    settings      the one home of paths, CNN_LAB_* variables, 32, 24, 10 classes and 78.4 %
    recipes       the training presets (article, lesson, fast, best), as plain data saved with every run
    files         files written whole or not at all, and JSON read without a crash
    formatting    how numbers are written for people
    network/      the network and its data: CIFAR-10, augmentation, the CNN, evaluation, Grad-CAM, photos
    training/     a run, a module a job: loop, callback, progress, optimizer, devices, launcher
    runs/         the run folders and what is read from them: the ETA to 78.4 %, comparisons, archives
    classroom/    the teacher token, the class's model, class rounds, CIFAR-10H
    lessons/      the lesson pages' arithmetic, their captions, guesses, check questions and texts
    cli/          the `cnn-lab` command, a module a group of commands

Each subpackage's docstring maps its own modules. Importing this package imports neither
TensorFlow nor Keras; the modules that need Keras import it themselves.
"""

__version__ = "0.1.0"
