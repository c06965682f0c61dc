"""CNN Lab: `streamlit run dashboard/app.py`. This file only builds the navigation (and the projector view)."""

from pathlib import Path

import streamlit as st

import ui

HERE = Path(__file__).parent
# The page icon is a file of the lab: a Material icon here would be fetched from Google Fonts (README, "Privacy").
st.set_page_config(page_title="CNN Lab", page_icon=str(HERE.parent / "assets" / "favicon.svg"), layout="wide")

# (section, page file, title, icon). A page appears once its file exists.
PAGES = [
    ("CNN Lab", "views/home.py", "Home", ":material/home:"),
    ("Lessons", "views/1_images_are_numbers.py", "Images are numbers", ":material/grid_on:"),
    ("Lessons", "views/2_dataset.py", "The dataset", ":material/photo_library:"),
    ("Lessons", "views/3_augmentation.py", "Adding variance", ":material/auto_fix_high:"),
    ("Lessons", "views/4_convolution.py", "Convolution and pooling", ":material/filter_center_focus:"),
    ("Lessons", "views/channels.py", "Channels, bias and ReLU", ":material/layers:"),
    ("Lessons", "views/5_network.py", "The network", ":material/account_tree:"),
    ("Lessons", "views/gradient.py", "How it learns", ":material/trending_down:"),
    ("Train", "views/train.py", "Train", ":material/model_training:"),
    ("Train", "views/runs.py", "Runs", ":material/folder_open:"),
    ("Train", "views/compare.py", "Compare runs", ":material/compare_arrows:"),
    ("Results", "views/results.py", "Accuracy", ":material/leaderboard:"),
    ("Results", "views/confusion.py", "Confusion matrix", ":material/grid_view:"),
    ("Results", "views/mistakes.py", "Mistakes", ":material/error:"),
    ("Inside the network", "views/network_map.py", "The map", ":material/scatter_plot:"),
    ("Inside the network", "views/filter_wants.py", "What a filter wants", ":material/blur_on:"),
    ("Inside the network", "views/fool.py", "Fool the network", ":material/theater_comedy:"),
    ("Your photo", "views/photo.py", "Classify your photo", ":material/photo_camera:"),
    ("You vs the network", "views/you_vs_network.py", "You vs the network", ":material/sports_score:"),
    ("You vs the network", "views/class_round.py", "Class round", ":material/groups:"),
    ("You vs the network", "views/class_question.py", "Class question", ":material/how_to_vote:"),
]

ui.keep_keras_between_runs()  # a class watching a run must not slow it down (see ui/streamlit_patch.py)
ui.presenter_view_controls()  # presenter view (?present=1) and a hidden sidebar (?sidebar=off), before every page

sections: dict[str, list] = {}
for section, path, title, icon in PAGES:
    if (HERE / path).is_file():
        sections.setdefault(section, []).append(
            st.Page(str(HERE / path), title=title, icon=icon, default=(path == "views/home.py"))
        )
st.navigation(sections, expanded=True).run()  # every page in the menu: collapsed, it hides some after ten
