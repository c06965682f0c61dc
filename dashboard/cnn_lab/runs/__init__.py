"""The run folders, and what is read from them:

folders       a run's folder: its files, checkpoints, status and progress, read into records
records       what a folder says, typed: Status, Device, RunRow (with its rules: can_resume...), Snapshot
eta           the article's line during a run: when a run is expected to pass 78.4 %, and when it did
compare       runs side by side, epoch by epoch
experiments   the one-click experiments: a question, two recipes, and their shipped answer
reference     the article recipe's own shipped run, start to finish
model_card    the JSON card beside a saved model: what it is and what it scored
archive       a run as one zip file: export and import
"""
