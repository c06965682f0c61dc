"""Training a run, in a process of its own, one module a job:

    loop        the training loop `cnn-lab train` runs: train(), extend(), a planned run's config
    callback    what happens between batches: progress, stop requests, tests, checkpoints
    progress    the live progress, written to the run folder's progress.json
    optimizer   the optimizer, and its state saved with each checkpoint
    devices     the devices, data-parallel training, precision, compiled steps
    launcher    the Train page's way in: the same command as a child process; stop and force stop

Nothing here imports streamlit or calls into a page; whoever starts a run, it reports only through
its folder (cnn_lab.runs.folders).
"""
