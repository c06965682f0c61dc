"""cnn_lab: the computation behind CNN Lab, with no Streamlit in it.

    data        CIFAR-10 from an archive, a folder, the Keras cache, a download, or the bundled sample
    augment     the article's pre-processing, as Keras 3 operations and one layer
    model       the article's CNN, and the classifier we save (uint8 pixels in, probabilities out)
    recipes     the training presets: article, fast, best
    training    the background training job, its checkpoints and run folders
    evaluation  accuracy, per class, confusion matrix, mistakes
    cli         the `cnn-lab` command

Importing this package imports neither TensorFlow nor Keras; the modules that need Keras
import it themselves.
"""

__version__ = "0.1.0"
