"""The network and its data:

data          CIFAR-10 from an archive, a folder, the Keras cache, a download, or the bundled sample
augment       the article's pre-processing, as Keras 3 operations and one layer
model         the article's CNN, and the classifier we save (uint8 pixels in, probabilities out)
evaluation    accuracy, per class, the confusion matrix, mistakes; the evaluation job
explain       Grad-CAM: where in a picture the evidence for a class is
photo         a student's photo made into CIFAR-10's 32x32 pixels, and classified
images        small image helpers and the lab's one palette
"""
