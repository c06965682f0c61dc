"""Every Plotly figure the pages draw, built from numbers the pages get from cnn_lab: one module per page group.
No Streamlit here: tests/test_charts.py builds every figure without a page. A page imports the module it needs,
e.g. `from charts import training as training_charts`.

    style          what every figure shares: the article's line, hidden axes, a frame around cells
    grids          grids of numbers as coloured squares: pixels, feature maps (Lessons 1, 4, 5, Channels, Compare)
    data           images per class and per batch, values before the clip (Lessons 2 and 3)
    convolution    a filter sliding over a tile, max-pooling, a first layer's filters (Lesson 4, Channels)
    network        the whole network left to right, a row of numbers (Lesson 5)
    probabilities  one image's 10 class probabilities, its top 5 (Lesson 5, Your photo)
    gradient       gradient descent down the loss along one weight (Gradient)
    training       a run's curves and the same in words (Train)
    results        accuracy per class, the confusion matrix (Results, Confusion matrix)
    classroom      who said what for one image, a class round against the network (You vs the network, Class round)
    compare        runs side by side, each in its own colour and dash (Compare, Train's experiments)

The colours are the Okabe-Ito palette, defined once in cnn_lab.network.images.
"""
