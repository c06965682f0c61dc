"""What the lesson pages compute and say:

maths       the arithmetic behind the lesson pages (grey levels, convolution, pooling, the network's shapes)
gradient    one weight learning: the loss, its slope and the steps of gradient descent
captions    the numbers a page writes beside its pictures
examples    the Dataset page's example images
guesses     the predict-first guesses and how they are checked
filter_guesses  the "What a filter wants" guess: how large a patch one number of a layer sees
fool_guesses    the "Fool the network" guess: how far the numbers had to move
questions   the check questions, read from lessons/<name>_questions.toml
texts       the lesson texts, lessons/<name>.md
"""
