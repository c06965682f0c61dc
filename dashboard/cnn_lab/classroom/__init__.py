"""The classroom: one teacher, thirty students on the same server.

teacher_token   who may change the class's lab: the teacher token, and a lock that fails closed
class_model     the one model every student sees while a teacher token is set
round_store     a class round's answers, safe under thirty students at once (SQLite)
peer_store      peer instruction: a concept question, two votes from the class, and the reveal (SQLite)
peer_scores     what the two votes say: shares right, who moved from wrong to right, the lesson's table as CSV
check_answers   the lesson pages' check questions as the class answered them, kept with no name (SQLite)
round_codes     a round's code and the images it stands for, the same on every computer
round_scores    who got a round's images right: the class, the network and the people of CIFAR-10H
human_labels    CIFAR-10H: how about 51 people labelled each test image
"""
