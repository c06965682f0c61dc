"""What the pages share on the Streamlit side, one job per file:

- `state`: the data, CIFAR-10H's human labels, the models and their evaluation, loaded once per server and
  shared by every session;
- `classroom`: the class's shared stores (class rounds, peer instruction, the check answers kept for the teacher);
- `teacher`: the teacher token's sign-in, and the one lock on a teacher's controls: `locked()` disables
  them, `@teacher_only` guards their callbacks, `only_the_teacher` says why beside them;
- `run_start`: starting a run from a page (Start, an experiment, Resume) and why a start was refused;
- `run_view`: one run's status, progress and numbers, as the Train page's live watch shows them;
- `presenter_view_controls`: the presenter view for a projector, and the hidden sidebar;
- `streamlit_patch`: the one change the lab makes to Streamlit itself;
- `widgets`: the lesson text, a page picker, the link to the Train page, a guess before a reveal and the
  check questions;
- `reveal`: one test image to guess, its answer buttons and its reveal (`from ui import reveal`).
- `hover_pictures`: the image under the pointer on a chart of images (the map);
- `lesson_picker`: what the five lesson pages share, the image picker and `show` for small images
  (`from ui import lesson_picker`).

Pages `import ui` and call `ui.dataset()`, `ui.require_model()`...: every public name is here.
"""

from . import state
from .classroom import check_answers, class_activity, class_rounds, keep_check_answer, peer_questions, seat
from .hover_pictures import hover_pictures
from .presenter_view import presenter_css, presenter_view_controls
from .run_start import refuse_start, refused_start, start_run
from .run_view import say_device, show_run
from .state import (
    NO_MODEL_YET,
    chosen_model_path,
    data_badge,
    dataset,
    evaluation,
    evaluations_of,
    image_map,
    human_labels,
    layer_search,
    model,
    model_label,
    model_path,
    model_problem,
    require_model,
)
from .streamlit_patch import keep_keras_between_runs
from .teacher import is_teacher, locked, only_the_teacher, teacher_only, teacher_sign_in, teacher_token
from .widgets import answered, check_questions, guess, lesson, link_to, link_to_train, one_page

__all__ = [
    "state",
    "hover_pictures",
    "presenter_css",
    "presenter_view_controls",
    "refuse_start",
    "refused_start",
    "start_run",
    "say_device",
    "show_run",
    "NO_MODEL_YET",
    "chosen_model_path",
    "class_rounds",
    "peer_questions",
    "check_answers",
    "keep_check_answer",
    "seat",
    "class_activity",
    "data_badge",
    "dataset",
    "evaluation",
    "evaluations_of",
    "image_map",
    "human_labels",
    "layer_search",
    "model",
    "model_label",
    "model_path",
    "model_problem",
    "require_model",
    "keep_keras_between_runs",
    "is_teacher",
    "locked",
    "only_the_teacher",
    "teacher_only",
    "teacher_sign_in",
    "teacher_token",
    "lesson",
    "answered",
    "check_questions",
    "guess",
    "link_to",
    "link_to_train",
    "one_page",
    "DEFAULT_MODEL",
]


def __getattr__(name: str):
    """`ui.DEFAULT_MODEL` is read from `ui.state` each time, so a test that points state.DEFAULT_MODEL
    at another file changes it for the pages too."""
    if name == "DEFAULT_MODEL":
        return state.DEFAULT_MODEL
    raise AttributeError(f"module 'ui' has no attribute {name!r}")
