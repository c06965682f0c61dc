"""The network and its data:

data          CIFAR-10 from an archive, a folder, the Keras cache, a download, or the bundled sample
augment       the article's pre-processing, as Keras 3 operations and one layer
model         the article's CNN, and the classifier we save (uint8 pixels in, probabilities out)
evaluation    accuracy, per class, the confusion matrix, mistakes; the evaluation job
jobs          long computations shared by every student: each once, in one background thread
gradients     the gradient of a network's number with respect to its input, on either backend
explain       Grad-CAM: where in a picture the evidence for a class is
image_map     the map: every test image where the last hidden layer puts it (t-SNE), or its pixels
filter_wants  what a filter wants: the picture that excites it most (gradient ascent from grey)
filter_search the 9 test patches that excite a filter most, searched in the background
fool          fooling the network: the smallest change that makes it answer a class we pick
photo         a student's photo made into CIFAR-10's 32x32 pixels, and classified
images        small image helpers and the lab's one palette
"""
