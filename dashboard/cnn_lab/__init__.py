"""cnn_lab: the computation behind CNN Lab, with no Streamlit in it. Where to look:

The network and its data
    data          CIFAR-10 from an archive, a folder, the Keras cache, a download, or the bundled sample
    augment       the article's pre-processing, as Keras 3 operations and one layer
    model         the article's CNN, and the classifier we save (uint8 pixels in, probabilities out)
    recipes       the training presets (article, lesson, fast, best), as plain data saved with every run
    evaluation    accuracy, per class, the confusion matrix, mistakes; the evaluation job
    explain       Grad-CAM: where in a picture the evidence for a class is
    photo         a student's photo made into CIFAR-10's 32x32 pixels, and classified
    images        small image helpers and the lab's one palette

Runs and training
    training/     a run, a module a job: loop, callback, progress, optimizer, devices, launcher
    runs          the run folders: checkpoints, status and progress, and the rules (can_resume...)
    run_archive   a run as one zip file: export and import
    target        the article's line during a run: when a run is expected to pass 78.4 %, and when it did
    compare       runs side by side; experiments: the one-click experiments; reference: the article
                  recipe's own run; model_card: the JSON card beside a saved model
    cli/          the `cnn-lab` command, a module a group of commands

The classroom
    access        the teacher token, and the model the whole class sees
    class_round_store, round_codes, round_scores
                  a class round's answers (SQLite), a round's code and images, who got them right
    human_labels  CIFAR-10H: how about 51 people labelled each test image

The lessons
    lessons       the arithmetic behind the lesson pages; gradient: one weight learning
    captions      the numbers a page writes beside its pictures; examples: the Dataset page's images
    guesses       the predict-first guesses; questions: the check questions; texts: lessons/<name>.md
    formatting    how numbers are written for people

Importing this package imports neither TensorFlow nor Keras; the modules that need Keras
import it themselves.
"""

__version__ = "0.1.0"
